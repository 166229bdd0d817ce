import { describe, expect, test } from '@jest/globals';
import { globToRegExp, parseSelectors, selectorMatches } from '../../src/model/selectors.js';
import { toWaves } from '../../src/plan/waves.js';
import type { PlanAction } from '../../src/model/index.js';
import { buildPlan } from '../../src/plan/build.js';
import { desired, desiredState, liveFrom, NOW } from '../builders.js';

describe('--only selectors', () => {
  const matches = (selector: string, address: string): boolean =>
    parseSelectors(selector).selectors.some((s) => selectorMatches(s, address));

  test('kind, plural kind, kind/plugin, kind/plugin/glob and bare name globs', () => {
    expect(matches('remote', 'remote/rpm/a')).toBe(true);
    expect(matches('distributions', 'distribution/deb/a')).toBe(true);
    expect(matches('remote/rpm', 'remote/deb/a')).toBe(false);
    expect(matches('repository/container/stackhpc/*', 'repository/container/stackhpc/nova-api')).toBe(true);
    expect(matches('Rocky Linux 9 - *', 'remote/rpm/Rocky Linux 9 - BaseOS')).toBe(true);
    expect(matches('rocky-?', 'remote/rpm/rocky-9')).toBe(true);
    expect(matches('rocky-?', 'remote/rpm/rocky-10')).toBe(false);
    expect(matches(' remote/rpm , stackhpc/* ', 'repository/container/stackhpc/a')).toBe(true);
  });

  test('regex characters in a glob are literal', () => {
    expect(globToRegExp('a.b+(c)').test('a.b+(c)')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });

  test('a selector that matches nothing is an error naming the closest names, not an empty plan', () => {
    const state = desiredState([desired('remote/rpm/rocky-9-baseos'), desired('remote/rpm/rocky-9-appstream')]);
    const plan = buildPlan(state, liveFrom(desiredState([])), { now: NOW, only: 'rocky-9-basos' });
    expect(plan.waves.flat()).toEqual([]);
    expect(plan.diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        code: 'plan.selector_matches_nothing',
        summary: '--only rocky-9-basos matches nothing in the desired state or on the server',
        hint: 'Did you mean "rocky-9-baseos"?',
      }),
    ]);
    const glob = buildPlan(state, liveFrom(desiredState([])), { now: NOW, only: 'nosuchthing' });
    expect(glob.diagnostics[0]).toMatchObject({
      code: 'plan.selector_matches_nothing',
      hint: 'Check the name, or use a glob such as "nosuchthing*".',
    });
    expect(buildPlan(state, liveFrom(desiredState([])), { now: NOW, only: 'rocky-9-*' }).waves.flat()).toHaveLength(2);
  });

  test('an unknown plugin is reported with an example of the fix', () => {
    const { selectors, diagnostics } = parseSelectors('remote/yum/x');
    expect(selectors).toEqual([]);
    expect(diagnostics[0]?.hint).toBe('Use one of the plugins rpm, deb, file, container, e.g. --only remote/rpm/x.');
  });
});

describe('waves', () => {
  const action = (id: string, dependsOn: string[] = []): PlanAction => ({
    id,
    type: 'update',
    address: id,
    kind: 'remote',
    plugin: 'rpm',
    name: id,
    endpoint: 'remotes/rpm/rpm',
    reason: '',
    changes: [],
    unchanged: 0,
    dependsOn,
  });

  test('are the topological levels, sorted by address within a level', () => {
    const { waves, cyclic } = toWaves([action('c', ['a']), action('b'), action('a'), action('d', ['c', 'b'])]);
    expect(waves.map((wave) => wave.map((a) => a.id))).toEqual([['a', 'b'], ['c'], ['d']]);
    expect(cyclic).toEqual([]);
  });

  test('two distributions swapping base paths wait for each other: reported, not lost', () => {
    const before = liveFrom(
      desiredState([
        desired('distribution/file/a', { fields: { base_path: 'x' } }),
        desired('distribution/file/b', { fields: { base_path: 'y' } }),
      ]),
    );
    const plan = buildPlan(
      desiredState([
        desired('distribution/file/a', { fields: { base_path: 'y' } }),
        desired('distribution/file/b', { fields: { base_path: 'x' } }),
      ]),
      before,
      { now: NOW },
    );
    expect(plan.waves.flat().map((a) => a.id)).toEqual(['update distribution/file/a', 'update distribution/file/b']);
    expect(plan.diagnostics.map((d) => d.code)).toEqual(['plan.cycle']);
    expect(plan.diagnostics[0]?.hint).toContain('temporary base_path');
  });
});
