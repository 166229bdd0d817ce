import { afterEach, describe, expect, test } from '@jest/globals';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { arkFor } from '../../src/ark/from-desired.js';
import { type Ark, startArk } from '../../src/ark/index.js';
import { loadDesiredState } from '../../src/config/index.js';
import { exportDesiredState } from '../../src/export/export.js';
import { readLiveState } from '../../src/live/read.js';
import { bumpable } from '../../src/demo/index.js';
import { editPin } from '../../src/config/pins.js';
import type { DesiredState, Plan, SourceLocation } from '../../src/model/index.js';
import { preflightPlan } from '../../src/preflight/index.js';
import { secretResolver } from '../../src/engine.js';
import { actionIds, LocalPulp } from './train.js';

// The "Done means" for desired-state/ and every example: each applied from its YAML
// to a local emulator syncing from an Ark emulator that holds what it pins; first apply
// converges, the second plan is empty; where it pins snapshots, a pin bump plans and applies
// only that mirror's sync, publication and repoint, and the promotion moves production
// without any sync; a filtered run never plans deletions.

const DIRECTORIES = [
  'desired-state',
  ...readdirSync('examples', { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => `examples/${e.name}`)
    .sort(),
];
/** The desired states with package mirrors pinned to snapshots (the others use low-level kinds). */
const PINNED = new Set(['desired-state', 'examples/rocky9-client', 'examples/single-mirror', 'examples/ubuntu-client']);

let ark: Ark | undefined;
let local: LocalPulp | undefined;
let work: string | undefined;

afterEach(async () => {
  await Promise.all([ark?.close(), local?.close()]);
  if (work !== undefined) await rm(work, { recursive: true, force: true });
  ark = local = work = undefined;
});

/** A copy of `directory` to edit, an Ark holding what it pins (and a newer snapshot per path), a local Pulp. */
async function setUp(
  directory: string,
): Promise<{ load: () => Promise<DesiredState>; env: Record<string, string>; newer: Map<string, string>; copy: string }> {
  work = await mkdtemp(join(tmpdir(), 'pulpform-examples-'));
  const copy = basename(directory);
  await cp(directory, join(work, copy), { recursive: true });
  ark = await startArk({});
  local = await LocalPulp.start();
  const env = { ARK_URL: ark.url, ARK_USERNAME: ark.username, ARK_PASSWORD: ark.password };
  const load = async (): Promise<DesiredState> => {
    const loaded = await loadDesiredState(copy, { env, cwd: work });
    expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return loaded.state!;
  };
  const { spec, newer } = arkFor(await load(), ark.url, { newer: true });
  ark.publish(spec);
  return { load, env, newer, copy };
}

/** Sets a pin in the copy, as `pulpform pin` does; `from` is what it was. */
async function repin(
  entry: SourceLocation,
  path: readonly [string] | readonly [string, string, string],
  from: string,
  to: string,
): Promise<void> {
  const file = join(work!, entry.file);
  const { text, edit } = editPin(await readFile(file, 'utf8'), entry, path, to);
  expect(edit.previous).toBe(from);
  await writeFile(file, text);
}

/** Plan with preflight, apply, and check the next plan is empty. */
async function converge(state: DesiredState, env: Record<string, string>): Promise<Plan> {
  const planned = await local!.plan(state);
  const { plan } = await preflightPlan(planned.plan, { desired: state, live: planned.live, secrets: secretResolver(state, env) });
  expect(plan.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.summary}`)).toEqual([]);
  const { result } = await local!.apply(state, plan, planned.live, env);
  expect(result.failed.map((f) => `${f.actionId}: ${f.error.message}`)).toEqual([]);
  expect(result.ok).toBe(true);
  expect(actionIds((await local!.plan(state)).plan)).toEqual([]);
  return plan;
}

// desired-state/ is 409 resources: on a loaded 2-core machine a walk-through takes well over Jest's 30 s default.
const HEAVY_MS = 180_000;

describe.each(DIRECTORIES)('%s on an Ark emulator and a local one', (directory) => {
  test(
    'converges, then a pin bump and a promotion change only what they must',
    async () => {
      const { load, env, newer, copy } = await setUp(directory);
      const state = await load();
      const first = await converge(state, env);
      expect(first.summary.sync).toBeGreaterThan(0);

      const mirror = bumpable(state, ark!.url, newer);
      expect(mirror !== undefined).toBe(PINNED.has(directory));
      if (mirror === undefined) return;
      const { repository, from, to } = mirror;
      await repin(repository.source!, ['snapshot'], from, to);
      const bump = await converge(await load(), env);
      const touched = bump.waves
        .flat()
        .map((a) => `${a.type} ${a.kind}`)
        .sort();
      expect(touched).toEqual(['create publication', 'sync repository', 'update distribution', 'update remote']);
      expect(bump.waves.flat().every((a) => a.address.includes(repository.name) || a.kind === 'distribution')).toBe(true);

      expect(repository.source!.file.startsWith(copy)).toBe(true);
      await repin(repository.source!, ['distributions', 'production', 'snapshot'], from, to);
      const promotion = await converge(await load(), env);
      expect(promotion.waves.flat().map((a) => `${a.type} ${a.kind}`)).toEqual(['update distribution']);
    },
    HEAVY_MS,
  );

  test(
    'export of the converged stack round-trips: the plan of the export is empty',
    async () => {
      const { load, env } = await setUp(directory);
      const state = await load();
      await converge(state, env);
      const exported = exportDesiredState(await readLiveState(local!.client), { stack: state.stack });
      expect(exported.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      await writeFile(join(work!, 'export.yaml'), exported.yaml);
      const secrets = Object.fromEntries(exported.env.map((name) => [name, name.endsWith('USERNAME') ? ark!.username : ark!.password]));
      const reloaded = await loadDesiredState(join(work!, 'export.yaml'), { env: { ...env, ...secrets }, cwd: work });
      expect(reloaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const { plan } = await local!.plan(reloaded.state!);
      expect(plan.waves.flat().map((a) => `${a.id}: ${a.reason}`)).toEqual([]);
      expect(plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      // The Release Train form where the objects fit it: nothing of the mirrors is left low-level.
      const mirrors = state.resources.filter((r) => r.consumer !== undefined || r.image !== undefined).length;
      if (mirrors > 0) expect(exported.yaml).toMatch(/^(package|container)_mirrors:/m);
    },
    HEAVY_MS,
  );
});

describe('a filtered run', () => {
  test('plans only the images it selects, and never a deletion, even with --prune', async () => {
    const { load, env } = await setUp('desired-state');
    // A few of its images are enough to show what scope does.
    const loaded = await load();
    const state = {
      ...loaded,
      resources: loaded.resources.filter((r) => r.image === undefined || /barbican|nova-api|bifrost/.test(r.image.name)),
    };
    const images = (plan: Plan) => [
      ...new Set(
        plan.waves
          .flat()
          .filter((a) => a.plugin === 'container')
          .map((a) => a.name.replace(/-remote$/, '')),
      ),
    ];
    const { plan: narrowed } = await local!.plan(state, { imageFilter: '^nova-api$ bifrost', prune: true });
    expect(images(narrowed).sort()).toEqual([
      'stackhpc/centos-source-bifrost-base',
      'stackhpc/centos-source-bifrost-deploy',
      'stackhpc/centos-source-nova-api',
    ]);
    expect(narrowed.diagnostics.map((d) => d.code)).toContain('plan.partial_images');

    await converge(state, env);
    const fewer = { ...state, resources: state.resources.filter((r) => !r.name.includes('barbican')) };
    const { plan: pruned } = await local!.plan(fewer, { prune: true });
    expect(pruned.waves.flat().filter((a) => a.type === 'delete').length).toBe(12);
    const { plan: filtered } = await local!.plan(fewer, { prune: true, imageFilter: 'nova' });
    expect(filtered.waves.flat().filter((a) => a.type === 'delete')).toEqual([]);
  });
});
