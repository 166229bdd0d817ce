import type { PlanAction, PlanSummary } from '../model/index.js';

/**
 * Topological levels of the dependency graph: wave N holds the actions whose dependencies
 * are all in earlier waves, sorted by address (then id) for stable output. The planner only
 * ever makes acyclic dependencies; should that break, the actions left over form a last wave
 * and are returned as `cyclic` rather than lost.
 */
export function toWaves(actions: PlanAction[]): { waves: PlanAction[][]; cyclic: string[] } {
  const ids = new Set(actions.map((action) => action.id));
  const remaining = new Map(actions.map((action) => [action.id, action]));
  const done = new Set<string>();
  const waves: PlanAction[][] = [];
  while (remaining.size > 0) {
    const wave = [...remaining.values()].filter((action) => action.dependsOn.every((id) => done.has(id) || !ids.has(id)));
    if (wave.length === 0) {
      waves.push(sortWave([...remaining.values()]));
      return { waves, cyclic: [...remaining.keys()].sort() };
    }
    for (const action of wave) remaining.delete(action.id);
    for (const action of wave) done.add(action.id);
    waves.push(sortWave(wave));
  }
  return { waves, cyclic: [] };
}

function sortWave(wave: PlanAction[]): PlanAction[] {
  return wave.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function summarize(actions: PlanAction[]): PlanSummary {
  const count = (type: PlanAction['type']): number => actions.filter((action) => action.type === type).length;
  const replace = count('replace');
  return {
    add: count('create') + replace,
    change: count('update') + count('adopt'),
    destroy: count('delete') + replace,
    replace,
    adopt: count('adopt'),
    sync: count('sync'),
  };
}
