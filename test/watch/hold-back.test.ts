import { describe, expect, test } from '@jest/globals';
import { buildPlan } from '../../src/plan/build.js';
import { holdBack } from '../../src/watch/hold-back.js';
import { desiredState, liveState, mirror, NOW } from '../builders.js';

const plan = buildPlan(desiredState([...mirror('file', 'a'), ...mirror('file', 'b')]), liveState([]), { now: NOW });
const idsOf = (p: typeof plan): string[] =>
  p.waves
    .flat()
    .map((action) => action.id)
    .sort();

describe('holdBack', () => {
  test('leaves out the actions on a backed-off object and everything that waits for them, and nothing else', () => {
    const { plan: runnable, held } = holdBack(plan, new Set(['repository/file/a']));
    expect(idsOf(runnable)).toEqual([
      'create distribution/file/b-development',
      'create publication/file/b@20240115T000000',
      'create remote/file/a',
      'create remote/file/b',
      'create repository/file/b',
      'sync repository/file/b',
    ]);
    expect(held.map((h) => `${h.actionId} <- ${h.because}`).sort()).toEqual([
      'create distribution/file/a-development <- repository/file/a',
      'create publication/file/a@20240115T000000 <- repository/file/a',
      'create repository/file/a <- repository/file/a',
      'sync repository/file/a <- repository/file/a',
    ]);
    expect(runnable.summary).toMatchObject({ add: 5, sync: 1 });
  });

  test('what is left is a complete dependency graph in the original wave order, with no empty wave', () => {
    const { plan: runnable } = holdBack(plan, new Set(['remote/file/a', 'remote/file/b']));
    expect(idsOf(runnable)).toEqual([]);
    expect(runnable.waves).toEqual([]);
    const { plan: partial } = holdBack(plan, new Set(['remote/file/b']));
    const ids = new Set(idsOf(partial));
    for (const action of partial.waves.flat()) for (const dependency of action.dependsOn) expect(ids.has(dependency)).toBe(true);
    const order = plan.waves
      .flat()
      .map((action) => action.id)
      .filter((id) => ids.has(id));
    expect(partial.waves.flat().map((action) => action.id)).toEqual(order);
  });

  test('without backed-off objects the plan is returned as it is', () => {
    expect(holdBack(plan, new Set(['remote/file/unrelated']))).toEqual({ plan, held: [] });
  });
});
