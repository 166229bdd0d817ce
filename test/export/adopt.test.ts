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
import { type DesiredState, type JsonObject, type LiveState, Secret } from '../../src/model/index.js';
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
async function packageRepository(plugin: 'rpm' | 'deb', name: string, url: string, distributions: [string, string][], extra: JsonObject = {}): Promise<{ repository: string; publication: string }> {
  const type = plugin === 'rpm' ? 'rpm' : 'apt';
  const remote = await create(`remotes/${plugin}/${type}`, { name: `${name}-remote`, url, policy: 'on_demand', username: 'ark-user', password: 'ark-secret', ...extra });
  const repository = await create(`repositories/${plugin}/${type}`, { name });
  await sync(repository, remote, plugin === 'rpm' ? { sync_policy: 'mirror_complete' } : { mirror: true });
  const publication = await create(plugin === 'rpm' ? 'publications/rpm/rpm' : 'publications/deb/verbatim', { repository });
  for (const [distribution, basePath] of distributions) await create(`distributions/${plugin}/${type}`, { name: distribution, base_path: basePath, publication });
  return { repository, publication };
}

/** `withRemote`: the repository names its remote (as newer tooling does), so pulpform can sync it later. */
async function containerImage(name: string, url: string, distribution: string, extra: JsonObject = {}, withRemote = false): Promise<void> {
  const remote = await create('remotes/container/container', { name: `${name}-remote`, url, upstream_name: name, policy: 'on_demand', ...extra });
  const repository = await create('repositories/container/container', { name, ...(withRemote ? { remote } : {}) });
  await sync(repository, remote);
  await create('distributions/container/container', { name: distribution, base_path: name, repository });
}

async function ansibleStyleServer(): Promise<void> {
  await packageRepository('rpm', 'Rocky Linux 8 - BaseOS', `${ARK}/pulp/content/rocky/8.8/BaseOS/x86_64/os/20231020T014922`, [
    ['rocky-8-baseos-development', 'rocky/8/BaseOS/x86_64/os/development'],
    ['rocky-8-baseos-production', 'rocky/8/BaseOS/x86_64/os/production'],
  ]);
  await packageRepository('deb', 'Ubuntu jammy', `${ARK}/pulp/content/ubuntu/jammy/20240911T063424`, [
    ['ubuntu-jammy-development', 'ubuntu/jammy/development'],
    ['ubuntu-jammy-production', 'ubuntu/jammy/production'],
  ], { distributions: 'jammy jammy-updates', components: 'main universe', architectures: 'amd64' });
  // Synced and published again, development moved on, production not promoted yet.
  const appstream = await packageRepository('rpm', 'Rocky Linux 8 - AppStream', `${ARK}/pulp/content/rocky/8.8/AppStream/x86_64/os/20231020T014922`, [
    ['rocky-8-appstream-production', 'rocky/8/AppStream/x86_64/os/production'],
  ]);
  const remote = ((await api.call('GET', '/pulp/api/v3/remotes/rpm/rpm/?name=Rocky%20Linux%208%20-%20AppStream-remote')).body as { results: JsonObject[] }).results[0]?.pulp_href as string;
  await sync(appstream.repository, remote, { sync_policy: 'mirror_complete' });
  const newer = await create('publications/rpm/rpm', { repository: appstream.repository });
  await create('distributions/rpm/rpm', { name: 'rocky-8-appstream-development', base_path: 'rocky/8/AppStream/x86_64/os/development', publication: newer });

  await containerImage('stackhpc/centos-source-barbican-api', ARK, 'stackhpc/centos-source-barbican-api', { username: 'ark-user', password: 'ark-secret' });
  await containerImage('ceph/ceph', 'https://quay.io', 'ceph', { include_tags: ['v16.2.11'] }, true);
  // Labels someone set by hand stay as they are.
  const barbican = ((await api.call('GET', '/pulp/api/v3/distributions/container/container/?name=stackhpc/centos-source-barbican-api')).body as { results: JsonObject[] }).results[0]?.pulp_href as string;
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

describe('pulpform export, then apply, on a server the Ansible tooling built', () => {
  test('the export adopts every object by changing only labels; afterwards the plan is empty and no object was replaced', async () => {
    const before = await readLiveState(client);
    const exported = await runCli(['export', '--server', emulator.url, '-o', dir, '--stack', 'seed'], { env: { PULP_PASSWORD: 'password' } });
    expect(exported.status).toBe(0);
    expect(exported.stdout).toBe('');
    expect(exported.stderr).toContain('rocky-8-appstream-production is not exported: it serves a publication of version 1 of "Rocky Linux 8 - AppStream", not of its latest version (2)');
    expect(exported.stderr).toContain('Exported 20 objects for stack "seed"');
    expect(exported.stderr).toContain('Set ARK_STACKHPC_COM_PASSWORD, ARK_STACKHPC_COM_USERNAME before planning');
    expect(exported.stderr).not.toContain('ark-secret');
    const text = await readFile(join(dir, 'export.yaml'), 'utf8');
    expect(text).not.toContain('ark-secret');

    // Names with spaces and slashes, and the Ceph distribution named "ceph", round-trip.
    const data = parse(text) as { distributions: { name: string; base_path: string; repository?: string; publication?: string }[] };
    expect(data.distributions).toContainEqual(expect.objectContaining({ name: 'ceph', base_path: 'ceph/ceph', repository: 'ceph/ceph', adopt: true }));
    expect((data as unknown as { repositories: object[] }).repositories).toContainEqual({ name: 'ceph/ceph', type: 'container', remote: 'ceph/ceph-remote', sync: true, adopt: true });
    expect(data.distributions).toContainEqual(expect.objectContaining({ name: 'rocky-8-baseos-production', publication: 'Rocky Linux 8 - BaseOS' }));
    expect(text).toContain('password: ${env:ARK_STACKHPC_COM_PASSWORD} # write-only: Pulp holds it but never returns it');

    const desired = await loadExport(dir);
    const plan = buildPlan(desired, before);
    const actions = plan.waves.flat();
    expect(plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(new Set(actions.map((a) => a.type))).toEqual(new Set(['adopt']));
    expect(actions.map((a) => a.address).sort()).toEqual(desired.resources.filter((r) => r.kind !== 'publication').map((r) => r.address).sort());
    for (const action of actions) expect(action.changes.filter((c) => !c.path.startsWith('/pulp_labels/'))).toEqual([]);

    const result = await applyPlan(plan, { client, live: before, secrets: () => null });
    expect(result.failed).toEqual([]);
    const after = await readLiveState(client);
    expect(hrefs(after)).toEqual(hrefs(before));
    // Adopted with content from its remote's unchanged URL: recorded as synced from it, not synced again.
    expect(after.objects.find((o) => o.address === 'repository/container/ceph/ceph')?.labels).toEqual({ pulpform_stack: 'seed', pulpform_scheme: '1', pulpform_synced: 'https://quay.io' });
    expect(after.objects.find((o) => o.name === 'stackhpc/centos-source-barbican-api' && o.kind === 'distribution')?.labels).toMatchObject({ owner: 'kolla team', pulpform_stack: 'seed' });
    expect(after.objects.find((o) => o.name === 'rocky-8-appstream-production')?.labels).toEqual({});

    const again = buildPlan(desired, after);
    expect(again.waves.flat().map((a) => `${a.id}: ${a.reason}`)).toEqual([]);
    expect(again.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  test('--select exports the matching objects with what they refer to', async () => {
    const exported = await runCli(['export', '--server', emulator.url, '--select', 'distribution/container/ceph'], { env: { PULP_PASSWORD: 'password' } });
    expect(exported.status).toBe(0);
    const data = parse(exported.stdout) as Record<string, { name: string }[]>;
    expect(Object.fromEntries(['remotes', 'repositories', 'publications', 'distributions'].map((key) => [key, (data[key] ?? []).map((item) => item.name)]))).toEqual({
      remotes: ['ceph/ceph-remote'], repositories: ['ceph/ceph'], publications: [], distributions: ['ceph'],
    });
  });

  test('package and container mirrors with adopt: true take the objects over without a sync or a new publication', async () => {
    const before = await readLiveState(client);
    await writeFile(join(dir, 'mirrors.yaml'), `
stack: seed
upstreams:
  - { name: ark, url: "${ARK}", username: "\${env:ARK_USERNAME}", password: "\${env:ARK_PASSWORD}" }
  - { name: quay, url: https://quay.io }
package_mirrors:
  - name: Rocky Linux 8 - BaseOS
    type: rpm
    upstream: ark
    path: rocky/8.8/BaseOS/x86_64/os
    snapshot: 20231020T014922
    policy: on_demand
    sync_policy: mirror_complete
    adopt: true
    distributions:
      development: { name: rocky-8-baseos-development, base_path: rocky/8/BaseOS/x86_64/os/development }
      production: { name: rocky-8-baseos-production, base_path: rocky/8/BaseOS/x86_64/os/production, snapshot: 20231020T014922 }
container_mirrors:
  - upstream: quay
    namespace: ceph
    policy: on_demand
    adopt: true
    images: [{ name: ceph, distribution: ceph, include_tags: [v16.2.11] }]
`);
    const loaded = await loadDesiredState(dir, { env: { ARK_USERNAME: 'u', ARK_PASSWORD: 'p' } });
    expect(loaded.diagnostics).toEqual([]);
    const desired = loaded.state as DesiredState;
    const plan = buildPlan(desired, before);
    expect(plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(plan.waves.flat().map((a) => a.id).sort()).toEqual([
      'adopt distribution/container/ceph',
      'adopt distribution/rpm/rocky-8-baseos-development',
      'adopt distribution/rpm/rocky-8-baseos-production',
      'adopt remote/container/ceph/ceph-remote',
      'adopt remote/rpm/Rocky Linux 8 - BaseOS-remote',
      'adopt repository/container/ceph/ceph',
      'adopt repository/rpm/Rocky Linux 8 - BaseOS',
    ]);
    // The Ansible tooling passes the remote to each sync; pulpform names it on the repository.
    const changed = plan.waves.flat().flatMap((a) => a.changes.filter((c) => !c.path.startsWith('/pulp_labels/')).map((c) => `${a.address} ${c.path}`));
    expect(changed).toEqual(['repository/rpm/Rocky Linux 8 - BaseOS /remote']);
    const rocky = plan.waves.flat().find((a) => a.address === 'repository/rpm/Rocky Linux 8 - BaseOS');
    expect(rocky?.reason).toContain('its content is taken as synced from 20231020T014922');

    const result = await applyPlan(plan, { client, live: before, secrets: () => null });
    expect(result.failed).toEqual([]);
    const after = await readLiveState(client);
    expect(hrefs(after)).toEqual(hrefs(before));
    expect(after.objects.find((o) => o.address === 'repository/rpm/Rocky Linux 8 - BaseOS')?.labels).toMatchObject({ pulpform_synced: '20231020T014922', pulpform_snapshot_20231020T014922: '1' });
    expect(buildPlan(desired, after).waves.flat().map((a) => `${a.id}: ${a.reason}`)).toEqual([]);
  });
});
