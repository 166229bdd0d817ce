import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { applyPlan } from '../../src/apply/executor.js';
import { loadDesiredState } from '../../src/config/index.js';
import { type ContentBackend, type Emulator, startEmulator } from '../../src/emulator/index.js';
import { contentBackend } from '../../src/emulator/backend.js';
import { rpmRepository } from '../../src/emulator/content/index.js';
import { PulpClient } from '../../src/live/client.js';
import { readLiveState } from '../../src/live/read.js';
import { type DesiredState, type JsonObject, type LiveState, type Plan, Secret } from '../../src/model/index.js';
import { buildPlan } from '../../src/plan/index.js';
import { apiClient } from '../emulator/client.js';
import { runCli } from '../helpers/cli.js';

// A server built the way the Ansible tooling builds it (names with spaces and slashes,
// "<name>-remote", a Ceph distribution named "ceph" at ceph/ceph, no labels), exported, then
// planned and applied: only labels change, nothing is deleted or recreated, and the next plan
// is empty.

const ARK = 'https://ark.stackhpc.com';
const ENV = { ARK_STACKHPC_COM_USERNAME: 'ignored', ARK_STACKHPC_COM_PASSWORD: 'ignored' };

/** Each sync adds one package to what the repository holds, so every sync makes a version. */
let serial = 0;
const growing: ContentBackend = {
  sync: async (request) => {
    const added = rpmRepository([{ name: `pkg-${++serial}` }]);
    return { units: [...request.present, ...added], changed: true, added, removed: [], progressReports: [], publication: null, memo: null };
  },
  push: contentBackend.push,
};

let emulator: Emulator;
let client: PulpClient;
let dir: string;
let api: ReturnType<typeof apiClient>;

async function create(endpoint: string, body: JsonObject): Promise<string> {
  const answer = await api.call('POST', `/pulp/api/v3/${endpoint}/`, body);
  if (answer.status === 202) {
    const task = await api.waitTask((answer.body as JsonObject).task as string);
    return (task.created_resources as string[])[0] as string;
  }
  expect(answer.status).toBe(201);
  return (answer.body as JsonObject).pulp_href as string;
}

async function sync(repository: string, remote: string, options: JsonObject = {}): Promise<void> {
  expect((await api.run('POST', `${repository}sync/`, { remote, ...options })).state).toBe('completed');
}

/** What pulp-repo-sync, pulp-repo-publish and pulp-repo-promote-production leave for one package repository. */
async function packageRepository(
  plugin: 'rpm' | 'deb',
  name: string,
  url: string,
  distributions: [string, string][],
  extra: JsonObject = {},
): Promise<{ repository: string; publication: string }> {
  const type = plugin === 'rpm' ? 'rpm' : 'apt';
  const remote = await create(`remotes/${plugin}/${type}`, {
    name: `${name}-remote`,
    url,
    policy: 'on_demand',
    username: 'ark-user',
    password: 'ark-secret',
    ...extra,
  });
  const repository = await create(`repositories/${plugin}/${type}`, { name });
  await sync(repository, remote, plugin === 'rpm' ? { sync_policy: 'mirror_complete' } : { mirror: true });
  const publication = await create(plugin === 'rpm' ? 'publications/rpm/rpm' : 'publications/deb/verbatim', { repository });
  for (const [distribution, basePath] of distributions)
    await create(`distributions/${plugin}/${type}`, { name: distribution, base_path: basePath, publication });
  return { repository, publication };
}

/** `withRemote`: the repository names its remote (as newer tooling does), so pulpform can sync it later. */
async function containerImage(name: string, url: string, distribution: string, extra: JsonObject = {}, withRemote = false): Promise<void> {
  const remote = await create('remotes/container/container', {
    name: `${name}-remote`,
    url,
    upstream_name: name,
    policy: 'on_demand',
    ...extra,
  });
  const repository = await create('repositories/container/container', { name, ...(withRemote ? { remote } : {}) });
  await sync(repository, remote);
  await create('distributions/container/container', { name: distribution, base_path: name, repository });
}

async function ansibleStyleServer(): Promise<void> {
  await packageRepository('rpm', 'Rocky Linux 8 - BaseOS', `${ARK}/pulp/content/rocky/8.8/BaseOS/x86_64/os/20231020T014922`, [
    ['rocky-8-baseos-development', 'rocky/8/BaseOS/x86_64/os/development'],
    ['rocky-8-baseos-production', 'rocky/8/BaseOS/x86_64/os/production'],
  ]);
  await packageRepository(
    'deb',
    'Ubuntu jammy',
    `${ARK}/pulp/content/ubuntu/jammy/20240911T063424`,
    [
      ['ubuntu-jammy-development', 'ubuntu/jammy/development'],
      ['ubuntu-jammy-production', 'ubuntu/jammy/production'],
    ],
    { distributions: 'jammy jammy-updates', components: 'main universe', architectures: 'amd64' },
  );
  // Synced and published again, development moved on, production not promoted yet.
  const appstream = await packageRepository(
    'rpm',
    'Rocky Linux 8 - AppStream',
    `${ARK}/pulp/content/rocky/8.8/AppStream/x86_64/os/20231020T014922`,
    [['rocky-8-appstream-production', 'rocky/8/AppStream/x86_64/os/production']],
  );
  const remote = (
    (await api.call('GET', '/pulp/api/v3/remotes/rpm/rpm/?name=Rocky%20Linux%208%20-%20AppStream-remote')).body as { results: JsonObject[] }
  ).results[0]?.pulp_href as string;
  await sync(appstream.repository, remote, { sync_policy: 'mirror_complete' });
  const newer = await create('publications/rpm/rpm', { repository: appstream.repository });
  await create('distributions/rpm/rpm', {
    name: 'rocky-8-appstream-development',
    base_path: 'rocky/8/AppStream/x86_64/os/development',
    publication: newer,
  });

  await containerImage('stackhpc/centos-source-barbican-api', ARK, 'stackhpc/centos-source-barbican-api', {
    username: 'ark-user',
    password: 'ark-secret',
  });
  await containerImage('ceph/ceph', 'https://quay.io', 'ceph', { include_tags: ['v16.2.11'] }, true);
  // Labels someone set by hand stay as they are.
  const barbican = (
    (await api.call('GET', '/pulp/api/v3/distributions/container/container/?name=stackhpc/centos-source-barbican-api')).body as {
      results: JsonObject[];
    }
  ).results[0]?.pulp_href as string;
  await api.run('PATCH', barbican, { pulp_labels: { owner: 'kolla team' } });
}

function hrefs(live: LiveState): string[] {
  return live.objects.map((object) => object.href).sort();
}

async function loadExport(path: string): Promise<DesiredState> {
  const loaded = await loadDesiredState(path, { env: ENV });
  expect(loaded.diagnostics).toEqual([]);
  return loaded.state as DesiredState;
}

beforeEach(async () => {
  emulator = await startEmulator({ taskMs: 1, content: growing });
  api = apiClient(emulator.url);
  client = new PulpClient({ baseUrl: emulator.url, username: 'admin', password: new Secret('password', 'test'), retryDelayMs: 1 });
  dir = await mkdtemp(join(tmpdir(), 'pulpform-export-'));
  await ansibleStyleServer();
});

afterEach(async () => {
  client.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

/** A package mirror of Ark as the playbooks laid it out, adopted; production pinned to `production`. */
function rockyMirror(repository: string, production: string): string {
  const slug = repository.toLowerCase();
  return `
  - name: Rocky Linux 8 - ${repository}
    type: rpm
    upstream: ark
    path: rocky/8.8/${repository}/x86_64/os
    snapshot: 20231020T014922
    policy: on_demand
    sync_policy: mirror_complete
    adopt: true
    distributions:
      development: { name: rocky-8-${slug}-development, base_path: rocky/8/${repository}/x86_64/os/development }
      production: { name: rocky-8-${slug}-production, base_path: rocky/8/${repository}/x86_64/os/production, snapshot: ${production} }`;
}

/** Writes the mirrors (after the ark and quay upstreams) to the desired-state directory and loads it. */
async function mirrorsState(mirrors: string): Promise<DesiredState> {
  await writeFile(
    join(dir, 'mirrors.yaml'),
    `
stack: seed
upstreams:
  - { name: ark, url: "${ARK}", username: "\${env:ARK_USERNAME}", password: "\${env:ARK_PASSWORD}" }
  - { name: quay, url: https://quay.io }
${mirrors}
`,
  );
  const loaded = await loadDesiredState(dir, { env: { ARK_USERNAME: 'u', ARK_PASSWORD: 'p' } });
  expect(loaded.diagnostics).toEqual([]);
  return loaded.state as DesiredState;
}

/** What a plan changes besides labels, as `address /field`. */
function nonLabelChanges(plan: Plan): string[] {
  return plan.waves
    .flat()
    .flatMap((a) => a.changes.filter((c) => !c.path.startsWith('/pulp_labels/')).map((c) => `${a.address} ${c.path}`));
}

describe('pulpform export, then apply, on a server the Ansible tooling built', () => {
  test('the export is the Release Train form where objects fit it and adopts every object; afterwards the plan is empty and no object was replaced', async () => {
    const before = await readLiveState(client);
    const exported = await runCli(['export', '--server', emulator.url, '-o', dir, '--stack', 'seed'], {
      env: { PULP_PASSWORD: 'password' },
    });
    expect(exported.status).toBe(0);
    expect(exported.stdout).toBe('');
    expect(exported.stderr).toContain(
      'rocky-8-appstream-production is not exported: it serves version 1 of "Rocky Linux 8 - AppStream", whose snapshot the server does not record',
    );
    expect(exported.stderr.match(/rocky-8-appstream-production is not exported/g)).toHaveLength(1);
    expect(exported.stderr).toContain('Exported 20 objects for stack "seed"');
    expect(exported.stderr).toContain('Set ARK_STACKHPC_COM_PASSWORD, ARK_STACKHPC_COM_USERNAME before planning');
    expect(exported.stderr).not.toContain('ark-secret');
    const text = await readFile(join(dir, 'export.yaml'), 'utf8');
    expect(text).not.toContain('ark-secret');

    const data = parse(text) as Record<string, Array<Record<string, unknown>>>;
    expect(data.upstreams).toEqual([
      { name: 'ark', url: ARK, username: '${env:ARK_STACKHPC_COM_USERNAME}', password: '${env:ARK_STACKHPC_COM_PASSWORD}' },
      { name: 'quay', url: 'https://quay.io' },
    ]);
    expect(data.package_mirrors).toContainEqual({
      name: 'Rocky Linux 8 - BaseOS',
      type: 'rpm',
      upstream: 'ark',
      path: 'rocky/8.8/BaseOS/x86_64/os',
      snapshot: '20231020T014922',
      policy: 'on_demand',
      distributions: {
        development: { name: 'rocky-8-baseos-development', base_path: 'rocky/8/BaseOS/x86_64/os/development' },
        production: { name: 'rocky-8-baseos-production', base_path: 'rocky/8/BaseOS/x86_64/os/production', snapshot: '20231020T014922' },
      },
      adopt: true,
    });
    expect(data.package_mirrors).toContainEqual(
      expect.objectContaining({
        name: 'Ubuntu jammy',
        type: 'deb',
        dists: 'jammy jammy-updates',
        components: 'main universe',
        architectures: 'amd64',
      }),
    );
    // The Ceph distribution named "ceph" round-trips as a per-image distribution name.
    expect(data.container_mirrors).toEqual([
      {
        upstream: 'quay',
        namespace: 'ceph',
        policy: 'on_demand',
        include_tags: ['v16.2.11'],
        images: [{ name: 'ceph', distribution: 'ceph' }],
        adopt: true,
      },
    ]);
    // A label set by hand on one of an image's objects does not fit a mirror: it stays low-level, the label kept.
    expect(data.distributions).toEqual([
      expect.objectContaining({ name: 'stackhpc/centos-source-barbican-api', labels: { owner: 'kolla team' }, adopt: true }),
    ]);
    expect(text).toContain('password: ${env:ARK_STACKHPC_COM_PASSWORD} # write-only: Pulp holds it but never returns it');

    const desired = await loadExport(dir);
    const plan = buildPlan(desired, before);
    const actions = plan.waves.flat();
    expect(plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(new Set(actions.map((a) => a.type))).toEqual(new Set(['adopt']));
    expect(actions.map((a) => a.address).sort()).toEqual(
      desired.resources
        .filter((r) => r.kind !== 'publication')
        .map((r) => r.address)
        .sort(),
    );
    // Besides labels, only the repositories of package mirrors name their remote (the playbooks pass it to each sync).
    expect(nonLabelChanges(plan).sort()).toEqual([
      'repository/deb/Ubuntu jammy /remote',
      'repository/rpm/Rocky Linux 8 - AppStream /remote',
      'repository/rpm/Rocky Linux 8 - BaseOS /remote',
    ]);

    const result = await applyPlan(plan, { client, live: before, secrets: () => null });
    expect(result.failed).toEqual([]);
    const after = await readLiveState(client);
    expect(hrefs(after)).toEqual(hrefs(before));
    // Adopted with content from its remote's unchanged URL: recorded as synced from it, not synced again.
    expect(after.objects.find((o) => o.address === 'repository/container/ceph/ceph')?.labels).toEqual({
      pulpform_stack: 'seed',
      pulpform_scheme: '1',
      pulpform_synced: 'tags:v16.2.11',
    });
    expect(after.objects.find((o) => o.name === 'stackhpc/centos-source-barbican-api' && o.kind === 'distribution')?.labels).toMatchObject({
      owner: 'kolla team',
      pulpform_stack: 'seed',
    });
    expect(after.objects.find((o) => o.name === 'rocky-8-appstream-production')?.labels).toEqual({});

    const again = buildPlan(desired, after);
    expect(again.waves.flat().map((a) => `${a.id}: ${a.reason}`)).toEqual([]);
    expect(again.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  test('--select exports the matching objects with what they refer to, and nothing about the others', async () => {
    const exported = await runCli(['export', '--server', emulator.url, '--select', 'distribution/container/ceph,stackhpc/*'], {
      env: { PULP_PASSWORD: 'password' },
    });
    expect(exported.status).toBe(0);
    const data = parse(exported.stdout) as Record<string, Array<{ name?: string; namespace?: string }>>;
    expect(data.container_mirrors?.map((mirror) => mirror.namespace)).toEqual(['ceph']);
    expect(data.package_mirrors).toBeUndefined();
    expect(
      Object.fromEntries(['remotes', 'repositories', 'distributions'].map((key) => [key, (data[key] ?? []).map((item) => item.name)])),
    ).toEqual({
      remotes: ['stackhpc/centos-source-barbican-api-remote'],
      repositories: ['stackhpc/centos-source-barbican-api'],
      distributions: ['stackhpc/centos-source-barbican-api'],
    });
    expect(exported.stderr).not.toContain('Warning');
  });

  test('package and container mirrors with adopt: true take the objects over without a sync or a new publication', async () => {
    const before = await readLiveState(client);
    const desired = await mirrorsState(`package_mirrors:${rockyMirror('BaseOS', '20231020T014922')}
container_mirrors:
  - upstream: quay
    namespace: ceph
    policy: on_demand
    adopt: true
    images: [{ name: ceph, distribution: ceph, include_tags: [v16.2.11] }]`);
    const plan = buildPlan(desired, before);
    expect(plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(
      plan.waves
        .flat()
        .map((a) => a.id)
        .sort(),
    ).toEqual([
      'adopt distribution/container/ceph',
      'adopt distribution/rpm/rocky-8-baseos-development',
      'adopt distribution/rpm/rocky-8-baseos-production',
      'adopt remote/container/ceph/ceph-remote',
      'adopt remote/rpm/Rocky Linux 8 - BaseOS-remote',
      'adopt repository/container/ceph/ceph',
      'adopt repository/rpm/Rocky Linux 8 - BaseOS',
    ]);
    // The Ansible tooling passes the remote to each sync; pulpform names it on the repository.
    expect(nonLabelChanges(plan)).toEqual(['repository/rpm/Rocky Linux 8 - BaseOS /remote']);
    const rocky = plan.waves.flat().find((a) => a.address === 'repository/rpm/Rocky Linux 8 - BaseOS');
    expect(rocky?.reason).toContain('its content is taken as synced from 20231020T014922');

    const result = await applyPlan(plan, { client, live: before, secrets: () => null });
    expect(result.failed).toEqual([]);
    const after = await readLiveState(client);
    expect(hrefs(after)).toEqual(hrefs(before));
    expect(after.objects.find((o) => o.address === 'repository/rpm/Rocky Linux 8 - BaseOS')?.labels).toMatchObject({
      pulpform_synced: '20231020T014922',
      pulpform_snapshot_20231020T014922: '1',
    });
    expect(
      buildPlan(desired, after)
        .waves.flat()
        .map((a) => `${a.id}: ${a.reason}`),
    ).toEqual([]);
  });

  test('a production distribution serving an older version than development is adopted pinned to its snapshot, and nothing is repointed', async () => {
    const before = await readLiveState(client);
    const servedBefore = (name: string) => before.objects.find((o) => o.address === `distribution/rpm/${name}`)?.fields.publication;
    const desired = await mirrorsState(`package_mirrors:${rockyMirror('AppStream', '20230901T000000')}`);
    const plan = buildPlan(desired, before);
    expect(plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(
      plan.waves
        .flat()
        .map((a) => a.id)
        .sort(),
    ).toEqual([
      'adopt distribution/rpm/rocky-8-appstream-development',
      'adopt distribution/rpm/rocky-8-appstream-production',
      'adopt remote/rpm/Rocky Linux 8 - AppStream-remote',
      'adopt repository/rpm/Rocky Linux 8 - AppStream',
    ]);
    const repository = plan.waves.flat().find((a) => a.address === 'repository/rpm/Rocky Linux 8 - AppStream')!;
    expect(repository.reason).toContain(
      'version 1 is taken as snapshot 20230901T000000 (an adopted distribution pinned to it serves that version)',
    );
    // Only labels and the repository's remote change: no distribution is repointed.
    expect(nonLabelChanges(plan)).toEqual(['repository/rpm/Rocky Linux 8 - AppStream /remote']);

    const result = await applyPlan(plan, { client, live: before, secrets: () => null });
    expect(result.failed).toEqual([]);
    const after = await readLiveState(client);
    expect(hrefs(after)).toEqual(hrefs(before));
    for (const name of ['rocky-8-appstream-development', 'rocky-8-appstream-production']) {
      expect(after.objects.find((o) => o.address === `distribution/rpm/${name}`)?.fields.publication).toBe(servedBefore(name));
    }
    expect(after.objects.find((o) => o.address === 'repository/rpm/Rocky Linux 8 - AppStream')?.labels).toMatchObject({
      pulpform_synced: '20231020T014922',
      pulpform_snapshot_20231020T014922: '2',
      pulpform_snapshot_20230901T000000: '1',
    });
    expect(
      buildPlan(desired, after)
        .waves.flat()
        .map((a) => `${a.id}: ${a.reason}`),
    ).toEqual([]);
    // Promotion afterwards is an ordinary repoint of production to what development serves, without a sync.
    const promotion = buildPlan(await mirrorsState(`package_mirrors:${rockyMirror('AppStream', '20231020T014922')}`), after);
    expect(promotion.waves.flat().map((a) => a.id)).toEqual(['update distribution/rpm/rocky-8-appstream-production']);
    expect(promotion.waves.flat()[0]!.changes.find((c) => c.path === '/publication')?.after).toBe(
      servedBefore('rocky-8-appstream-development'),
    );
  });
});
