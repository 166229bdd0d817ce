import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, test } from '@jest/globals';
import { type Ark, startArk } from '../../src/ark/index.js';
import { readLiveState } from '../../src/live/read.js';
import { LABELS } from '../../src/model/index.js';
import { actionIds, arkFor, LocalPulp, type Train, trainState } from './train.js';

// The "Done means" on emulators: Ark upstream + local Pulp, over HTTP.

const OLD = '20220817T082321';
const NEW = '20221010T000000';
const BASEOS = {
  plugin: 'rpm' as const,
  name: 'CentOS Stream 8 - BaseOS',
  path: 'centos/8-stream/BaseOS/x86_64/os',
  development: OLD,
  production: OLD,
};
const APPSTREAM = {
  plugin: 'rpm' as const,
  name: 'CentOS Stream 8 - AppStream',
  path: 'centos/8-stream/AppStream/x86_64/os',
  development: OLD,
  production: OLD,
};
const JAMMY = {
  plugin: 'deb' as const,
  name: 'Ubuntu Jammy',
  path: 'ubuntu/jammy',
  distribution: 'jammy',
  development: OLD,
  production: OLD,
};
const TRAIN: Train = {
  packages: [BASEOS, APPSTREAM, JAMMY],
  images: [{ name: 'stackhpc/centos-source-nova-api' }, { name: 'stackhpc/centos-source-bifrost-deploy' }],
};

let ark: Ark;
let local: LocalPulp;

beforeAll(async () => {
  ark = await startArk(arkFor(TRAIN, { [BASEOS.path]: [NEW], [APPSTREAM.path]: [NEW], [JAMMY.path]: [NEW] }));
});
afterAll(() => ark.close());
beforeEach(async () => {
  local = await LocalPulp.start();
});
afterEach(() => local.close());

const state = (train: Train = TRAIN) => trainState(ark.url, train);
const bumped = (mirror: typeof BASEOS, changes: Partial<typeof BASEOS>) => ({
  ...TRAIN,
  packages: TRAIN.packages!.map((m) => (m.name === mirror.name ? { ...m, ...changes } : m)),
});

async function expectEmptyPlan(train: Train): Promise<void> {
  const { plan } = await local.plan(state(train));
  expect(plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  expect(actionIds(plan)).toEqual([]);
}

describe('the Release Train on an Ark emulator and a local one', () => {
  test('the first apply converges, the next plan is empty', async () => {
    const { plan, result } = await local.converge(state());
    expect(result.failed).toEqual([]);
    expect(result.ok).toBe(true);
    expect(plan.summary).toMatchObject({ sync: 5 });
    await expectEmptyPlan(TRAIN);

    const live = await readLiveState(local.client);
    const repository = live.objects.find((o) => o.address === 'repository/rpm/CentOS Stream 8 - BaseOS')!;
    expect(repository.labels).toMatchObject({ [LABELS.synced]: OLD, [`${LABELS.snapshotPrefix}${OLD}`]: '1' });
    const development = live.objects.find((o) => o.address === 'distribution/rpm/centos-stream-8-baseos-development')!;
    const production = live.objects.find((o) => o.address === 'distribution/rpm/centos-stream-8-baseos-production')!;
    expect(development.fields['publication']).toBe(production.fields['publication']);
    const served = await fetch(`${local.emulator.url}/pulp/content/${BASEOS.path}/development/repodata/repomd.xml`);
    expect(served.status).toBe(200);
  });

  test('a pin bump syncs, publishes and repoints only that mirror; promotion then moves production without any sync', async () => {
    await local.converge(state());
    const bump = bumped(BASEOS, { development: NEW });
    local.emulator.resetRequests();
    const { plan, result } = await local.converge(state(bump));
    expect(actionIds(plan)).toEqual([
      `create publication/rpm/CentOS Stream 8 - BaseOS@${NEW}`,
      'sync repository/rpm/CentOS Stream 8 - BaseOS',
      'update distribution/rpm/centos-stream-8-baseos-development',
      'update remote/rpm/CentOS Stream 8 - BaseOS-remote',
    ]);
    expect(plan.waves.flat().find((a) => a.type === 'sync')!.reason).toBe(`synced: ${OLD} -> ${NEW}`);
    expect(result.ok).toBe(true);
    expect(local.writes().filter((w) => w.endsWith('/sync/'))).toHaveLength(1);
    await expectEmptyPlan(bump);

    const promote = bumped(BASEOS, { development: NEW, production: NEW });
    local.emulator.resetRequests();
    const promotion = await local.converge(state(promote));
    expect(actionIds(promotion.plan)).toEqual(['update distribution/rpm/centos-stream-8-baseos-production']);
    expect(promotion.plan.waves.flat()[0]!.reason).toContain(`centos-stream-8-baseos-production: ${OLD} -> ${NEW}`);
    expect(promotion.result.ok).toBe(true);
    expect(local.writes().filter((w) => w.endsWith('/sync/'))).toEqual([]);
    await expectEmptyPlan(promote);

    const live = await readLiveState(local.client);
    const development = live.objects.find((o) => o.address === 'distribution/rpm/centos-stream-8-baseos-development')!;
    const production = live.objects.find((o) => o.address === 'distribution/rpm/centos-stream-8-baseos-production')!;
    expect(production.fields['publication']).toBe(development.fields['publication']);
  });

  test('two publications of one version (a Pulp bug users hit): the plan keeps the one served, repoints nothing, and does not fail', async () => {
    await local.converge(state());
    const live = await readLiveState(local.client);
    const repository = live.objects.find((o) => o.address === 'repository/rpm/CentOS Stream 8 - BaseOS')!;
    const created = await local.client.create('publications/rpm/rpm/', { repository_version: repository.versionHref! });
    if (created.kind === 'task') await local.client.waitForTask(created.taskHref);
    const { plan } = await local.plan(state());
    expect(actionIds(plan)).toEqual([]);
    const duplicate = plan.diagnostics.find((d) => d.code === 'plan.duplicate_publications')!;
    expect(duplicate.severity).toBe('warning');
    expect(duplicate.summary).toBe(`2 identical publications of ${repository.versionHref}; using the one a distribution serves`);

    const promote = bumped(BASEOS, { development: NEW, production: NEW });
    const { result } = await local.converge(state(bumped(BASEOS, { development: NEW })));
    expect(result.ok).toBe(true);
    expect((await local.converge(state(promote))).result.ok).toBe(true);
    await expectEmptyPlan(promote);
  });

  test('rolling development back to a snapshot it was synced from repoints it: no sync, no new publication; the remote follows the pin', async () => {
    await local.converge(state());
    await local.converge(state(bumped(BASEOS, { development: NEW })));
    local.emulator.resetRequests();
    const rollback = bumped(BASEOS, { development: OLD });
    const { plan, result } = await local.converge(state(rollback));
    expect(actionIds(plan)).toEqual([
      'update distribution/rpm/centos-stream-8-baseos-development',
      'update remote/rpm/CentOS Stream 8 - BaseOS-remote',
    ]);
    expect(plan.waves.flat().find((a) => a.kind === 'distribution')!.reason).toContain(
      `centos-stream-8-baseos-development: ${NEW} -> ${OLD} (synced before: repoint, no sync)`,
    );
    expect(result.ok).toBe(true);
    expect(local.writes().filter((w) => w.endsWith('/sync/') || w.includes('/publications/'))).toEqual([]);
    await expectEmptyPlan(rollback);
    const live = await readLiveState(local.client);
    const development = live.objects.find((o) => o.address === 'distribution/rpm/centos-stream-8-baseos-development')!;
    const production = live.objects.find((o) => o.address === 'distribution/rpm/centos-stream-8-baseos-production')!;
    expect(development.fields['publication']).toBe(production.fields['publication']);

    // And forward again: the same repoint the other way.
    const forward = await local.converge(state(bumped(BASEOS, { development: NEW })));
    expect(actionIds(forward.plan)).toEqual([
      'update distribution/rpm/centos-stream-8-baseos-development',
      'update remote/rpm/CentOS Stream 8 - BaseOS-remote',
    ]);
  });

  test('a snapshot whose version is gone (retention, a manual delete) is synced again, and the plan says why', async () => {
    await local.converge(state());
    await local.converge(state(bumped(BASEOS, { development: NEW, production: NEW })));
    const live = await readLiveState(local.client);
    const repository = live.objects.find((o) => o.address === 'repository/rpm/CentOS Stream 8 - BaseOS')!;
    const first = `${repository.href}versions/1/`;
    const deleted = await local.client.delete(first);
    if (deleted.kind === 'task') await local.client.waitForTask(deleted.taskHref);
    const rollback = bumped(BASEOS, { development: OLD, production: NEW });
    const { plan, result } = await local.converge(state(rollback));
    const sync = plan.waves.flat().find((a) => a.type === 'sync')!;
    expect(sync.reason).toBe(
      `synced: ${NEW} -> ${OLD} (version 1, which ${OLD} gave before, is gone: retention or a manual delete removed it)`,
    );
    expect(result.ok).toBe(true);
    await expectEmptyPlan(rollback);
  });

  test('--resync moves only what follows development: production pinned to the same snapshot keeps the version it first gave', async () => {
    await local.converge(state());
    const before = await readLiveState(local.client);
    const repository = before.objects.find((o) => o.address === 'repository/rpm/CentOS Stream 8 - BaseOS')!;
    const production = before.objects.find((o) => o.address === 'distribution/rpm/centos-stream-8-baseos-production')!;
    // Someone empties the repository: the resync (mirror_complete) makes a new version of the same snapshot.
    const emptied = await local.client.post(`${repository.href}modify/`, { remove_content_units: ['*'] });
    if (emptied.kind === 'task') await local.client.waitForTask(emptied.taskHref);

    const { plan, result } = await local.converge(state(), { resync: 'CentOS Stream 8 - BaseOS' });
    expect(actionIds(plan)).toEqual([
      `create publication/rpm/CentOS Stream 8 - BaseOS@${OLD}`,
      'sync repository/rpm/CentOS Stream 8 - BaseOS',
      'update distribution/rpm/centos-stream-8-baseos-development',
    ]);
    expect(result.ok).toBe(true);
    const after = await readLiveState(local.client);
    const served = (address: string) => after.objects.find((o) => o.address === address)!.fields['publication'];
    expect(served('distribution/rpm/centos-stream-8-baseos-production')).toBe(production.fields['publication']);
    expect(served('distribution/rpm/centos-stream-8-baseos-development')).not.toBe(production.fields['publication']);
    const labels = after.objects.find((o) => o.address === 'repository/rpm/CentOS Stream 8 - BaseOS')!.labels;
    expect(labels).toMatchObject({ [`${LABELS.snapshotPrefix}${OLD}`]: '1', [LABELS.syncedVersion]: '3' });
    await expectEmptyPlan(TRAIN);
  });

  test("a new mirror whose production pin is older than development's converges in one apply: the older snapshot is synced first", async () => {
    const train = bumped(BASEOS, { development: NEW, production: OLD });
    const { plan, result } = await local.converge(state(train));
    const syncs = plan.waves.flat().filter((a) => a.address === 'repository/rpm/CentOS Stream 8 - BaseOS' && a.type === 'sync');
    expect(syncs.map((a) => [a.id, a.syncFrom])).toEqual([
      [`sync repository/rpm/CentOS Stream 8 - BaseOS@${OLD}`, ark.snapshotUrl(BASEOS.path, OLD)],
      ['sync repository/rpm/CentOS Stream 8 - BaseOS', undefined],
    ]);
    expect(syncs[1]!.dependsOn).toContain(syncs[0]!.id);
    expect(result.failed).toEqual([]);
    expect(result.ok).toBe(true);
    await expectEmptyPlan(train);
    const live = await readLiveState(local.client);
    const repository = live.objects.find((o) => o.address === 'repository/rpm/CentOS Stream 8 - BaseOS')!;
    expect(repository.labels).toMatchObject({
      [`${LABELS.snapshotPrefix}${OLD}`]: '1',
      [`${LABELS.snapshotPrefix}${NEW}`]: '2',
      [LABELS.synced]: NEW,
    });
    const remote = live.objects.find((o) => o.address === 'remote/rpm/CentOS Stream 8 - BaseOS-remote')!;
    expect(remote.fields['url']).toBe(ark.snapshotUrl(BASEOS.path, NEW));
    const served = (address: string) =>
      live.objects.find((o) => o.href === live.objects.find((d) => d.address === address)!.fields['publication'])!.versionHref;
    expect(served('distribution/rpm/centos-stream-8-baseos-production')).toBe(`${repository.href}versions/1/`);
    expect(served('distribution/rpm/centos-stream-8-baseos-development')).toBe(`${repository.href}versions/2/`);
  });
});
