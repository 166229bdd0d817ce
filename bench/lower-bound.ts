import type { Plan, PlanAction } from '../src/model/plan.js';

/**
 * The least time any client could take to apply a plan on this server, whatever its code:
 * every write costs a request; every task its duration plus one request to see it finished;
 * an action starts only after those it depends on; at most `concurrency` actions are in flight;
 * and pulpcore 3.23 runs every distribution task under one global lock, one after another.
 * Reading the live state first costs a status request and the list pages, 8 at a time.
 */

export interface LowerBoundSettings {
  latencyMs: number;
  taskMs: number;
  concurrency: number;
  /** List requests (pages) of the live read that precedes the plan. */
  listRequests: number;
  /** Lists the live read has in flight at once (readLiveState's default). */
  readConcurrency?: number;
}

export interface LowerBound {
  totalMs: number;
  readMs: number;
  /** Longest dependency chain. */
  criticalPathMs: number;
  /** All actions' minimal durations shared among the concurrent slots. */
  concurrencyMs: number;
  /** The distribution tasks end to end, from the earliest moment the first can start. */
  distributionLockMs: number;
  binding: 'dependency chain' | 'concurrency' | 'distribution lock';
  tasks: number;
  distributionTasks: number;
}

interface Cost {
  requests: number;
  tasks: number;
  locked: boolean;
}

/** Requests and tasks Pulp 3.23 needs for an action, at the least. */
export function actionCost(action: PlanAction, byId: ReadonlyMap<string, PlanAction>): Cost {
  const locked = action.kind === 'distribution';
  switch (action.type) {
    case 'create':
      if (action.kind === 'remote' || action.kind === 'repository') return { requests: 1, tasks: 0, locked };
      if (action.kind === 'publication' && publishedBySync(action, byId)) return { requests: 0, tasks: 0, locked };
      return { requests: 2, tasks: 1, locked };
    case 'replace':
      return { requests: 4, tasks: action.kind === 'remote' || action.kind === 'repository' ? 1 : 2, locked };
    case 'delete':
      return action.kind === 'publication' ? { requests: 1, tasks: 0, locked } : { requests: 2, tasks: 1, locked };
    case 'update':
    case 'adopt':
    case 'sync':
      return { requests: 2, tasks: 1, locked };
    case 'trim': {
      // The versions list, a delete (and its task) per old version, the repository's labels.
      const versions = Array.isArray(action.body?.['versions']) ? action.body['versions'].length : 0;
      return { requests: 2 + versions, tasks: versions, locked };
    }
  }
}

/** An rpm mirror_complete sync publishes the version it makes: a plain publication of it costs nothing more. */
function publishedBySync(action: PlanAction, byId: ReadonlyMap<string, PlanAction>): boolean {
  const options = Object.keys(action.body ?? {}).filter((key) => key !== 'repository_version');
  if (options.length > 0) return false;
  return action.dependsOn.some((id) => {
    const sync = byId.get(id);
    return sync?.type === 'sync' && sync.plugin === 'rpm' && sync.body?.['sync_policy'] === 'mirror_complete';
  });
}

export function applyLowerBound(plan: Plan, settings: LowerBoundSettings): LowerBound {
  const { latencyMs: l, taskMs: t, concurrency } = settings;
  const actions = plan.waves.flat();
  const byId = new Map(actions.map((a) => [a.id, a]));
  const cost = new Map(actions.map((a) => [a.id, actionCost(a, byId)]));
  const duration = (id: string): number => {
    const c = cost.get(id)!;
    return c.requests * l + c.tasks * t;
  };
  // Waves are topological: every dependency is in an earlier wave.
  const start = new Map<string, number>();
  let criticalPathMs = 0;
  for (const action of actions) {
    const begins = Math.max(0, ...action.dependsOn.map((id) => (start.get(id) ?? 0) + duration(id)));
    start.set(action.id, begins);
    criticalPathMs = Math.max(criticalPathMs, begins + duration(action.id));
  }
  const concurrencyMs = actions.reduce((sum, a) => sum + duration(a.id), 0) / Math.max(1, concurrency);
  const locked = actions.filter((a) => cost.get(a.id)!.locked && cost.get(a.id)!.tasks > 0);
  const distributionTasks = locked.reduce((n, a) => n + cost.get(a.id)!.tasks, 0);
  const distributionLockMs = locked.length === 0 ? 0 : Math.min(...locked.map((a) => start.get(a.id)!)) + l + distributionTasks * t + l;
  const readMs = l * (1 + Math.ceil(settings.listRequests / (settings.readConcurrency ?? 8)));
  const work = Math.max(criticalPathMs, concurrencyMs, distributionLockMs);
  const binding = work === criticalPathMs ? 'dependency chain' : work === distributionLockMs ? 'distribution lock' : 'concurrency';
  return {
    totalMs: readMs + work,
    readMs,
    criticalPathMs,
    concurrencyMs,
    distributionLockMs,
    binding,
    tasks: actions.reduce((n, a) => n + cost.get(a.id)!.tasks, 0),
    distributionTasks,
  };
}
