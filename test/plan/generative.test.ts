import { describe, expect, test } from '@jest/globals';
import { LABELS, PLUGINS, type DesiredResource, type DesiredState, type LiveObject, type LiveState } from '../../src/model/index.js';
import { buildPlan } from '../../src/plan/build.js';
import { parsePlan, serializePlan } from '../../src/plan/planfile.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import {
  actionsOf,
  desired,
  desiredState,
  fingerprintOf,
  liveFrom,
  liveState,
  mirror,
  NOW,
  randomSource,
  secret,
  simulateApply,
} from '../builders.js';

type Random = ReturnType<typeof randomSource>;

const SNAPSHOTS = ['20240115T000000', '20240301T000000', '20240816T002610'];
const NAMES = ['rocky-9-baseos', 'Rocky Linux 8 - BaseOS', 'stackhpc/nova-api', 'ubuntu jammy', 'files'];
const SEEDS = Array.from({ length: 100 }, (_, i) => i + 1);

/** Random user-level choices on top of a mirror: policies, tags, timeouts, secrets, labels, pins. */
function randomMirror(random: Random, name: string, previous?: DesiredResource[]): DesiredResource[] {
  // Mostly the same plugin as before (updates); sometimes another, which replaces every object.
  const kept = previous?.[0]?.plugin;
  const plugin = kept !== undefined && random.chance(0.8) ? kept : random.pick(PLUGINS);
  const snapshot = random.pick(SNAPSHOTS);
  // Production may stay on the snapshot synced before, unless the repository is replaced.
  const oldSnapshot = plugin === kept ? previous?.find((r) => r.kind === 'repository')?.sync?.marker : undefined;
  const production = random.chance(0.5) ? (random.chance(0.5) && oldSnapshot !== undefined ? oldSnapshot : snapshot) : undefined;
  return mirror(plugin, name, { snapshot, ...(production !== undefined ? { production } : {}) }).map((resource) => {
    const fields = { ...resource.fields };
    const extra: Partial<DesiredResource> = {};
    if (resource.kind === 'remote') {
      fields.policy = random.pick(['immediate', 'on_demand', 'streamed']);
      if (random.chance(0.3)) fields.total_timeout = random.pick([30, 300.5]);
      if (plugin === 'container' && random.chance(0.5)) fields.include_tags = random.pick([['latest'], ['yoga', 'zed'], ['zed', 'yoga']]);
      if (plugin === 'deb') fields.components = random.pick(['main', 'main universe', 'universe  main']);
      if (random.chance(0.6)) extra.secrets = { username: secret('user'), password: secret(`pw-${random.int(1000)}`, 'env:ARK_PASSWORD') };
      if (random.chance(0.4)) extra.secretVersion = String(random.int(3));
    }
    if (resource.kind === 'repository' && random.chance(0.4)) fields.retain_repo_versions = random.pick([1, 3, null]);
    if (resource.kind !== 'publication' && random.chance(0.3)) extra.labels = { team: random.pick(['ops', 'dev']) };
    return { ...resource, ...extra, fields };
  });
}

function randomState(random: Random, previous?: DesiredState): DesiredState {
  const resources: DesiredResource[] = [];
  for (const name of NAMES) {
    const before = previous?.resources.filter((r) => r.kind === 'remote' && r.name === name);
    if (!random.chance(0.6)) continue;
    const owned = previous?.resources.filter((r) => r.address.split('/').slice(2).join('/').startsWith(name));
    resources.push(...randomMirror(random, name, before?.length ? owned : undefined));
  }
  if (random.chance(0.3)) {
    resources.push(
      desired('repository/file/plain'),
      desired('publication/file/plain', { fields: { manifest: random.pick(['PULP_MANIFEST', 'MANIFEST']) } }),
      desired('distribution/file/plain', { refs: { repository: 'repository/file/plain' } }),
    );
  }
  return desiredState(resources);
}

/** Changes made behind pulpform's back: edited fields, lost secrets and labels, repointed or deleted objects. */
function drift(random: Random, state: LiveState): LiveState {
  const objects: LiveObject[] = [];
  for (const original of state.objects) {
    if (original.kind !== 'publication' && random.chance(0.1)) continue;
    const object = structuredClone(original);
    if (object.kind === 'remote' && random.chance(0.3)) object.fields.policy = 'streamed';
    if (object.kind === 'remote' && random.chance(0.2)) object.secretsSet.password = !object.secretsSet.password;
    if (object.kind === 'distribution' && random.chance(0.3)) object.fields.publication = null;
    if (object.kind === 'repository' && random.chance(0.2)) delete object.labels[LABELS.synced];
    if (object.kind !== 'publication' && random.chance(0.2)) object.labels = { ...object.labels, stray: 'x' };
    object.fingerprint = fingerprintOf(object);
    objects.push(object);
  }
  return liveState(objects);
}

function errorsOf(plan: ReturnType<typeof buildPlan>): string[] {
  return plan.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.summary}`);
}

/** Plans, applies, plans again: the second plan must be empty and clean. */
function expectConverges(state: DesiredState, start: LiveState): void {
  const plan = buildPlan(state, start, { now: NOW, prune: true, allowDeleteAll: true });
  expect(errorsOf(plan)).toEqual([]);
  const after = simulateApply(plan, start);
  const again = buildPlan(state, after, { now: NOW, prune: true });
  expect(actionsOf(again).map((a) => `${a.id} (${a.reason})`)).toEqual([]);
  expect(again.diagnostics).toEqual([]);
}

describe('apply then plan is empty (seeded random desired states)', () => {
  test.each(SEEDS)('seed %i: from an empty server', (seed) => {
    expectConverges(randomState(randomSource(seed)), liveState([]));
  });

  test.each(SEEDS)('seed %i: from what an earlier desired state left (edits, pin bumps, removals with --prune)', (seed) => {
    const random = randomSource(seed);
    const earlier = randomState(random);
    expectConverges(randomState(random, earlier), liveFrom(earlier));
  });

  test.each(SEEDS)('seed %i: after drift on the server', (seed) => {
    const random = randomSource(seed);
    const state = randomState(random);
    expectConverges(state, drift(random, liveFrom(state)));
  });

  test.each(SEEDS)('seed %i: adopting what another tool built', (seed) => {
    const random = randomSource(seed);
    const state = randomState(random);
    const foreign = liveState(
      liveFrom(state).objects.map((object) => {
        const labels: Record<string, string> = object.kind === 'publication' ? {} : { built_by: 'ansible' };
        const stripped = { ...object, labels };
        return { ...stripped, fingerprint: fingerprintOf(stripped) };
      }),
    );
    expectConverges(desiredState(state.resources.map((r) => ({ ...r, adopt: true }))), foreign);
  });
});

describe('buildPlan never throws', () => {
  test.each(SEEDS)('seed %i: conflicting, dangling and duplicate inputs give diagnostics, and the plan renders and round-trips', (seed) => {
    const random = randomSource(seed);
    const state = randomState(random);
    const resources = state.resources.map((resource) => {
      if (random.chance(0.1))
        return {
          ...resource,
          refs: Object.fromEntries(
            Object.keys(resource.refs).map((k) => [k, `${resource.kind === 'distribution' ? 'publication' : 'remote'}/rpm/missing`]),
          ),
        };
      if (random.chance(0.05)) return { ...resource, snapshot: '20991231T000000' };
      if (random.chance(0.05)) return { ...resource, protect: true };
      return resource;
    });
    if (resources.length > 0 && random.chance(0.3)) resources.push(resources[random.int(resources.length)] as DesiredResource);
    const garbled = liveState(
      drift(random, liveFrom(randomState(random))).objects.map((object) => {
        if (random.chance(0.1)) return { ...object, labels: { [LABELS.stack]: 'someone-else' } };
        if (random.chance(0.1)) return { ...object, labels: {} };
        return object;
      }),
    );
    for (const options of [
      {},
      { prune: true },
      { prune: true, only: random.pick(['remote', 'stackhpc/*', 'repository/deb', 'bogus/x/y']) },
    ]) {
      const plan = buildPlan(desiredState(resources), garbled, { now: NOW, ...options });
      expect(parsePlan(serializePlan(plan))).toEqual(plan);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: it strips the terminal's colour codes
      const text = renderPlanText(plan, { color: random.chance(0.5), verbose: random.chance(0.5) }).replace(/\x1b\[\d+m/g, '');
      expect(text).toMatch(/Plan: \d+ to add|No changes\.|Error: /);
    }
  });
});
