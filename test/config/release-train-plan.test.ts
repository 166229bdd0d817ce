import { describe, expect, test } from '@jest/globals';
import type { DesiredState, LiveState, Plan } from '../../src/model/index.js';
import { buildPlan, type PlanOptions } from '../../src/plan/build.js';
import { actionsOf, liveState, NOW, simulateApply } from '../builders.js';
import { loadInline } from './helpers.js';

// What the Release Train kinds mean for the plan (pure: no server): a mirror's snapshot is a
// sync marker, production's pin is a promotion, and image filters are scope, never deletions.

const ENV = { ARK_URL: 'https://ark.stackhpc.com', ARK_USERNAME: 'u', ARK_PASSWORD: 'p' };

const yaml = (options: { snapshot?: string; production?: string; images?: string; filter?: string } = {}): string => `
stack: test
upstreams:
  - { name: ark, url: "\${env:ARK_URL}", username: "\${env:ARK_USERNAME}", password: "\${env:ARK_PASSWORD}" }
package_mirrors:
  - name: Rocky Linux 9 - BaseOS
    type: rpm
    upstream: ark
    path: rocky/9.4/BaseOS/x86_64/os
    snapshot: ${options.snapshot ?? '20240816T002610'}
    sync_policy: mirror_complete
    distributions:
      development: { name: rocky-9-baseos-development, base_path: rocky/9/BaseOS/x86_64/os/development }
      production: { name: rocky-9-baseos-production, base_path: rocky/9/BaseOS/x86_64/os/production${options.production ? `, snapshot: ${options.production}` : ''} }
container_mirrors:
  - upstream: ark
    namespace: stackhpc
    group: kolla
    images: [${options.images ?? 'bifrost-deploy, nova-api, nova-compute'}]
${options.filter !== undefined ? `    filter: "${options.filter}"\n` : ''}`;

async function state(text: string): Promise<DesiredState> {
  const { result, cleanup } = await loadInline({ 'state.yaml': text }, { env: ENV });
  await cleanup();
  expect(result.diagnostics).toEqual([]);
  return result.state as DesiredState;
}

function plan(desired: DesiredState, live: LiveState, options: PlanOptions = {}): Plan {
  return buildPlan(desired, live, { now: NOW, ...options });
}

const ids = (p: Plan): string[] =>
  actionsOf(p)
    .map((action) => action.id)
    .sort();
const codes = (p: Plan): string[] => p.diagnostics.map((d) => d.code);

async function converged(text: string): Promise<{ desired: DesiredState; live: LiveState }> {
  const desired = await state(text);
  const first = plan(desired, liveState([]));
  expect(codes(first)).toEqual([]);
  const live = simulateApply(first, liveState([]));
  expect(ids(plan(desired, live))).toEqual([]);
  return { desired, live };
}

describe('package mirrors in the plan', () => {
  test('the first plan creates everything and syncs each repository once; the second is empty', async () => {
    const desired = await state(yaml());
    const first = plan(desired, liveState([]));
    expect(first.summary).toEqual({ add: 14, change: 0, destroy: 0, replace: 0, adopt: 0, sync: 4 });
    expect(ids(first)).toContain('create publication/rpm/Rocky Linux 9 - BaseOS@20240816T002610');
    expect(ids(plan(desired, simulateApply(first, liveState([]))))).toEqual([]);
  });

  test('bumping the snapshot syncs, publishes and repoints development only', async () => {
    const { live } = await converged(yaml({ production: '20240816T002610' }));
    const bumped = plan(await state(yaml({ snapshot: '20240901T000000', production: '20240816T002610' })), live);
    expect(ids(bumped)).toEqual([
      'create publication/rpm/Rocky Linux 9 - BaseOS@20240901T000000',
      'sync repository/rpm/Rocky Linux 9 - BaseOS',
      'update distribution/rpm/rocky-9-baseos-development',
      'update remote/rpm/Rocky Linux 9 - BaseOS-remote',
    ]);
    expect(actionsOf(bumped).find((a) => a.type === 'sync')?.reason).toBe('synced: 20240816T002610 -> 20240901T000000');
    expect(actionsOf(bumped).find((a) => a.kind === 'distribution')?.reason).toContain(
      'rocky-9-baseos-development: 20240816T002610 -> 20240901T000000',
    );
  });

  test('promoting production to a synced snapshot repoints it without any sync', async () => {
    const { live } = await converged(yaml({ production: '20240816T002610' }));
    const afterBump = simulateApply(plan(await state(yaml({ snapshot: '20240901T000000', production: '20240816T002610' })), live), live);
    const promoted = plan(await state(yaml({ snapshot: '20240901T000000', production: '20240901T000000' })), afterBump);
    expect(ids(promoted)).toEqual(['update distribution/rpm/rocky-9-baseos-production']);
    expect(actionsOf(promoted)[0]?.reason).toContain('rocky-9-baseos-production: 20240816T002610 -> 20240901T000000');
  });

  test('pinning production to a snapshot never synced is an error at the pin', async () => {
    const { live } = await converged(yaml());
    const wrong = plan(await state(yaml({ production: '20200101T000000' })), live);
    const error = wrong.diagnostics.find((d) => d.code === 'plan.snapshot_not_synced');
    expect(error?.detail).toContain('Snapshots synced into repository/rpm/Rocky Linux 9 - BaseOS: 20240816T002610.');
    expect(error?.source).toEqual({ file: 'state.yaml', line: 14, column: 112 });
  });
});

describe('image filters are scope, never deletions', () => {
  test('--image-filter plans only the matching images and leaves the rest of the desired state as usual', async () => {
    const desired = await state(yaml());
    const filtered = plan(desired, liveState([]), { imageFilter: '^bifrost compute$' });
    const containers = actionsOf(filtered)
      .filter((a) => a.plugin === 'container')
      .map((a) => a.name);
    expect([...new Set(containers)].sort()).toEqual([
      'stackhpc/bifrost-deploy',
      'stackhpc/bifrost-deploy-remote',
      'stackhpc/nova-compute',
      'stackhpc/nova-compute-remote',
    ]);
    expect(actionsOf(filtered).filter((a) => a.plugin === 'rpm')).toHaveLength(6);
    const warning = filtered.diagnostics.find((d) => d.code === 'plan.partial_images');
    expect(warning?.summary).toBe('This plan covers only the 2 of 3 images that --image-filter "^bifrost compute$" selects');
  });

  test('images left out of a filtered run are not deleted, not even with --prune; other kinds still are', async () => {
    const { live } = await converged(yaml());
    // nova-compute leaves the desired state, and a managed rpm remote nobody declares is on the server.
    const stale = {
      ...live.objects.find((o) => o.address === 'remote/rpm/Rocky Linux 9 - BaseOS-remote')!,
      address: 'remote/rpm/old',
      name: 'old',
      href: '/pulp/api/v3/remotes/rpm/rpm/old/',
    };
    const server = liveState([...live.objects, stale]);
    const fewer = await state(yaml({ images: 'bifrost-deploy, nova-api' }));
    const filtered = plan(fewer, server, { prune: true, imageFilter: 'nova' });
    expect(ids(filtered)).toEqual(['delete remote/rpm/old']);
    expect(filtered.diagnostics.find((d) => d.code === 'plan.partial_images')?.detail).toContain(
      'Not deleted in a filtered run: distribution/container/stackhpc/nova-compute, remote/container/stackhpc/nova-compute-remote, repository/container/stackhpc/nova-compute.',
    );
    // Without a filter, --prune deletes them.
    expect(ids(plan(fewer, server, { prune: true })).filter((id) => id.includes('nova-compute'))).toHaveLength(3);
  });

  test("the mirror's own filter narrows every run until --image-filter overrides it", async () => {
    const desired = await state(yaml({ filter: '^bifrost' }));
    const narrowed = plan(desired, liveState([]));
    expect(
      actionsOf(narrowed)
        .filter((a) => a.plugin === 'container' && a.kind === 'repository')
        .map((a) => a.id),
    ).toEqual(['create repository/container/stackhpc/bifrost-deploy', 'sync repository/container/stackhpc/bifrost-deploy']);
    expect(codes(narrowed)).toEqual(['plan.partial_images']);
    const everything = plan(desired, liveState([]), { imageFilter: '.*' });
    expect(actionsOf(everything).filter((a) => a.plugin === 'container' && a.kind === 'repository')).toHaveLength(6);
    expect(codes(everything)).toEqual([]);
  });

  test('a regex that does not compile is an error, and nothing is planned', async () => {
    const bad = plan(await state(yaml()), liveState([]), { imageFilter: 'nova (' });
    expect(ids(bad)).toEqual([]);
    expect(bad.diagnostics[0]).toMatchObject({ severity: 'error', code: 'plan.bad_image_filter', value: '(' });
  });
});

describe('--resync and --only group:NAME', () => {
  test('--resync syncs matching repositories again although their marker is unchanged', async () => {
    const { desired, live } = await converged(yaml());
    const again = plan(desired, live, { resync: 'group:kolla' });
    expect(ids(again)).toEqual([
      'sync repository/container/stackhpc/bifrost-deploy',
      'sync repository/container/stackhpc/nova-api',
      'sync repository/container/stackhpc/nova-compute',
    ]);
    expect(actionsOf(again)[0]).toMatchObject({
      reason: 'synced again from tags:* (--resync)',
      changes: [],
      labelsAfter: { pulpform_synced: 'tags:*' },
    });
    expect(codes(plan(desired, live, { resync: 'repository/file/*' }))).toEqual(['plan.resync_matches_nothing']);
  });

  test('--only group:kolla selects the images of that container mirror', async () => {
    const only = plan(await state(yaml()), liveState([]), { only: 'group:kolla' });
    expect(new Set(actionsOf(only).map((a) => a.plugin))).toEqual(new Set(['container']));
    expect(actionsOf(only)).toHaveLength(12);
  });
});
