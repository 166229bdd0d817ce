import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlan } from '../../src/apply/executor.js';
import { loadDesiredState } from '../../src/config/index.js';
import { type Emulator, PULP_VERSIONS, type PulpVersion, startEmulator } from '../../src/emulator/index.js';
import { planAgainstServer } from '../../src/engine.js';
import type { PulpClient } from '../../src/live/client.js';
import { LIVE_ENDPOINTS, readLiveState } from '../../src/live/read.js';
import type { Plan } from '../../src/model/plan.js';
import type { DesiredState } from '../../src/model/resource.js';
import type { PlanOptions } from '../../src/plan/index.js';
import { clientFor } from '../reliability/world.js';

// A plan reads only the lists its desired state's plugins need (readLiveState with a scope),
// and still finds what --prune deletes in the plugins it no longer uses, and every base path.

let emulator: Emulator;
let client: PulpClient;
let dir: string;

async function start(pulpVersion: PulpVersion): Promise<void> {
  emulator = await startEmulator({ taskMs: 2, pulpVersion });
  client = clientFor(emulator);
  dir = await mkdtemp(join(tmpdir(), 'pulpform-scoped-'));
}

afterEach(async () => {
  client.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

async function desired(yaml: string): Promise<DesiredState> {
  await writeFile(join(dir, 'state.yaml'), yaml);
  const loaded = await loadDesiredState(dir, { cwd: dir, env: {} });
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return loaded.state!;
}

async function plan(state: DesiredState, options: PlanOptions = {}): Promise<Plan> {
  return (await planAgainstServer(state, client, { now: new Date(0), ...options })).plan;
}

async function apply(state: DesiredState, options: PlanOptions = {}): Promise<Plan> {
  const { plan, live } = await planAgainstServer(state, client, { now: new Date(0), ...options });
  expect(plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const result = await applyPlan(plan, { client, live, secrets: () => null });
  expect(result.failed).toEqual([]);
  return plan;
}

const actionIds = (p: Plan): string[] =>
  p.waves
    .flat()
    .map((action) => action.id)
    .sort();
const errorCodes = (p: Plan): string[] => p.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code);

const RPM = `
remotes:
  - { name: baseos, type: rpm, url: https://ark.example.com/rocky/9/BaseOS/, policy: on_demand }
repositories:
  - { name: baseos, type: rpm }
distributions:
  - { name: baseos, type: rpm, base_path: rocky/9/baseos, repository: baseos }
`;
const FILE = `
  - { name: files, type: file, url: https://ark.example.com/files/PULP_MANIFEST }
`;

// 3.23 has no type filter on the generic lists (they answer every type); 3.43 and later do.
describe.each(PULP_VERSIONS)('readLiveState with the scope of a desired state, Pulp %s', (pulpVersion) => {
  beforeEach(() => start(pulpVersion));

  test('a no-op plan reads status, the lists of the plugins it uses, the push repositories and three generic lists, once each', async () => {
    const state = await desired(`stack: scoped\n${RPM}`);
    await apply(state);
    emulator.resetRequests();
    const again = await plan(state);
    expect(actionIds(again)).toEqual([]);
    const gets = emulator.requests().filter((r) => r.method === 'GET');
    expect(gets).toHaveLength(emulator.requests().length);
    const byPath = new Map<string, number>();
    for (const r of gets) byPath.set(r.path, (byPath.get(r.path) ?? 0) + 1);
    expect(Object.fromEntries(byPath)).toEqual({
      '/pulp/api/v3/status/': 1,
      '/pulp/api/v3/remotes/rpm/rpm/': 1,
      '/pulp/api/v3/repositories/rpm/rpm/': 1,
      '/pulp/api/v3/publications/rpm/rpm/': 1,
      '/pulp/api/v3/distributions/rpm/rpm/': 1,
      '/pulp/api/v3/repositories/container/container-push/': 1,
      '/pulp/api/v3/remotes/': 1,
      '/pulp/api/v3/repositories/': 1,
      '/pulp/api/v3/distributions/': 1,
    });
  });

  test('a desired state of every plugin needs no generic list (with the type filter none is left; without it, the typed lists are fewer pages)', async () => {
    emulator.resetRequests();
    await readLiveState(client, { scope: { stack: 'scoped', plugins: new Set(['rpm', 'deb', 'file', 'container']) } });
    const generic = emulator
      .requests()
      .filter((r) => ['/pulp/api/v3/remotes/', '/pulp/api/v3/repositories/', '/pulp/api/v3/distributions/'].includes(r.path));
    expect(generic).toHaveLength(0);
    expect(emulator.requests()).toHaveLength(1 + LIVE_ENDPOINTS.length);
  });

  test("without the type filter, a desired state whose generic lists would take more pages than the other plugins' typed lists reads those instead", async () => {
    const declared = { remote: 3140, repository: 3140, distribution: 3430 };
    emulator.resetRequests();
    await readLiveState(client, { scope: { stack: 'scoped', plugins: new Set(['rpm', 'container']), declared } });
    const paths = new Set(emulator.requests().map((r) => r.path));
    // 3.23: 4 + 4 + 4 pages of generic lists against 9 typed lists of deb and file; 3.43+: the type filter answers only deb and file.
    expect(paths.has('/pulp/api/v3/remotes/')).toBe(pulpVersion !== '3.23');
    expect(paths.has('/pulp/api/v3/remotes/file/file/')).toBe(pulpVersion === '3.23');
  });

  test('--prune deletes the objects of a plugin the desired state no longer mentions, read in full', async () => {
    const both = await desired(`stack: scoped
remotes:
  - { name: baseos, type: rpm, url: https://ark.example.com/rocky/9/BaseOS/, policy: on_demand }${FILE}repositories:
  - { name: baseos, type: rpm }
  - { name: files, type: file }
distributions:
  - { name: baseos, type: rpm, base_path: rocky/9/baseos, repository: baseos }
  - { name: files, type: file, base_path: files, repository: files }
`);
    expect(both.resources.map((r) => r.address).sort()).toContain('distribution/file/files');
    await apply(both);
    const rpmOnly = await desired(`stack: scoped\n${RPM}`);
    emulator.resetRequests();
    const pruning = await plan(rpmOnly, { prune: true });
    expect(actionIds(pruning)).toEqual(['delete distribution/file/files', 'delete remote/file/files', 'delete repository/file/files']);
    // The file plugin's typed lists were read (a second round), so the deletes carry the objects' own fields.
    const paths = emulator.requests().map((r) => r.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/pulp/api/v3/remotes/file/file/',
        '/pulp/api/v3/repositories/file/file/',
        '/pulp/api/v3/distributions/file/file/',
      ]),
    );
    const removal = pruning.waves.flat().find((action) => action.id === 'delete distribution/file/files')!;
    expect(removal.changes).toEqual(expect.arrayContaining([{ path: '/base_path', before: 'files' }]));
    await apply(rpmOnly, { prune: true });
    expect((await readLiveState(client)).objects.map((o) => o.address).sort()).toEqual([
      'distribution/rpm/baseos',
      'remote/rpm/baseos',
      'repository/rpm/baseos',
    ]);
    expect(actionIds(await plan(rpmOnly, { prune: true }))).toEqual([]);
  });

  test('without --prune, objects of this stack in an unused plugin are still reported as not desired', async () => {
    await apply(await desired(`stack: scoped\nremotes:${FILE}`));
    const rpmOnly = await plan(await desired(`stack: scoped\n${RPM}`));
    expect(rpmOnly.diagnostics.filter((d) => d.code === 'plan.not_desired').map((d) => d.address)).toEqual(['remote/file/files']);
  });

  test("another stack's distribution in an unused plugin still blocks an overlapping base path and its name", async () => {
    await apply(
      await desired(
        'stack: other\nrepositories:\n  - { name: shared, type: file }\ndistributions:\n  - { name: baseos, type: file, base_path: rocky, repository: shared }\n  - { name: other-files, type: file, base_path: files, repository: shared }\n',
      ),
    );
    emulator.resetRequests();
    const blocked = await plan(
      await desired(`stack: scoped\n${RPM.replace('name: baseos, type: rpm, base_path', 'name: rocky-baseos, type: rpm, base_path')}`),
    );
    expect(blocked.diagnostics.filter((d) => d.severity === 'error').map((d) => d.summary)).toEqual([
      'distribution/rpm/rocky-baseos: base_path rocky/9/baseos overlaps distribution/file/baseos (rocky)',
    ]);
    const byName = await plan(await desired(`stack: scoped\n${RPM.replace('base_path: rocky/9/baseos', 'base_path: elsewhere')}`));
    expect(errorCodes(byName)).toEqual(['plan.conflict_other_stack']);
    // The other stack's plugin was not read in full: the generic list told all the plan needs.
    expect(emulator.requests().some((r) => r.path === '/pulp/api/v3/distributions/file/file/')).toBe(false);
  });

  test('an unlabelled object of a plugin the desired state uses is found by name (adoption and conflicts)', async () => {
    await client.create('remotes/rpm/rpm/', { name: 'baseos', url: 'https://ark.example.com/rocky/9/BaseOS/', policy: 'on_demand' });
    const blocked = await plan(await desired(`stack: scoped\n${RPM}`));
    expect(errorCodes(blocked)).toEqual(['plan.conflict_unmanaged']);
    const adopting = await plan(await desired(`stack: scoped\n${RPM.replace('policy: on_demand }', 'policy: on_demand, adopt: true }')}`));
    expect(actionIds(adopting)).toContain('adopt remote/rpm/baseos');
  });
});
