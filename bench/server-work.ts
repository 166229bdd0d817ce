import { mapBounded } from '../src/live/bounded.js';
import type { PulpClient } from '../src/live/client.js';
import type { JsonObject } from '../src/model/json.js';

/**
 * How long a real Pulp itself worked on the tasks of one run, from the tasks' own timestamps:
 * what no client, however it waits, can make shorter.
 */
export interface ServerWork {
  tasks: number;
  /** Tasks that held the global distribution lock (pulpcore before 3.116 serialises them all). */
  distributionTasks: number;
  /** From the first task's creation to the last one's end. */
  spanMs: number;
  /** Time at least one of the tasks was running (the union of their run intervals). */
  busyMs: number;
  /** Run time of every task, added up. */
  workMs: number;
  /** Run time of the tasks that held the global distribution lock, added up: they cannot overlap. */
  distributionLockMs: number;
  /** Longest single task. */
  longestMs: number;
  /** Time tasks spent queued before a worker started them, added up. */
  queuedMs: number;
  workers: number;
  /** The largest of: the work spread over the workers, the distribution lock's queue, the longest task. */
  boundMs: number;
}

const FIELDS = 'pulp_href,name,state,pulp_created,started_at,finished_at,reserved_resources_record';

/** The tasks, read back once they are over (one list per 50 hrefs where the server can, else one GET each). */
export async function readTasks(client: PulpClient, hrefs: readonly string[], byHref: boolean): Promise<JsonObject[]> {
  if (byHref) {
    const chunks = Array.from({ length: Math.ceil(hrefs.length / 50) }, (_, i) => hrefs.slice(i * 50, i * 50 + 50));
    const pages = await mapBounded(chunks, 4, (chunk) =>
      client.get('tasks/', { pulp_href__in: chunk.join(','), fields: FIELDS, limit: chunk.length }),
    );
    return pages.flatMap((page) => (Array.isArray(page['results']) ? (page['results'] as JsonObject[]) : []));
  }
  return mapBounded(hrefs, 8, (href) => client.get(href, { fields: FIELDS }));
}

/** A task holds the global distribution lock: `/api/v3/distributions/` (or its PRN form) taken exclusively. */
function holdsDistributionLock(task: JsonObject): boolean {
  const record = task['reserved_resources_record'];
  return (
    Array.isArray(record) &&
    record.some(
      (r) => typeof r === 'string' && !r.startsWith('shared:') && (/\/api\/v3\/distributions\/$/.test(r) || /:distributions$/.test(r)),
    )
  );
}

export function serverWorkOf(tasks: readonly JsonObject[], workers: number): ServerWork {
  const times = tasks.flatMap((task) => {
    const created = Date.parse(String(task['pulp_created']));
    const started = Date.parse(String(task['started_at']));
    const finished = Date.parse(String(task['finished_at']));
    if (![created, started, finished].every(Number.isFinite)) return [];
    return [{ created, started, finished, locked: holdsDistributionLock(task) }];
  });
  const intervals = times.map((t) => [t.started, t.finished] as const).sort((a, b) => a[0] - b[0]);
  let busyMs = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [start, finish] of intervals) {
    if (finish <= end) continue;
    busyMs += finish - Math.max(start, end);
    end = finish;
  }
  const run = (t: (typeof times)[number]): number => t.finished - t.started;
  const workMs = times.reduce((sum, t) => sum + run(t), 0);
  const distributionLockMs = times.filter((t) => t.locked).reduce((sum, t) => sum + run(t), 0);
  const longestMs = Math.max(0, ...times.map(run));
  const spanMs = times.length === 0 ? 0 : Math.max(...times.map((t) => t.finished)) - Math.min(...times.map((t) => t.created));
  return {
    tasks: times.length,
    distributionTasks: times.filter((t) => t.locked).length,
    spanMs,
    busyMs,
    workMs,
    distributionLockMs,
    longestMs,
    queuedMs: times.reduce((sum, t) => sum + Math.max(0, t.started - t.created), 0),
    workers,
    boundMs: Math.max(workMs / Math.max(1, workers), distributionLockMs, longestMs),
  };
}
