import { capabilitiesOf } from '../model/capabilities.js';
import type { JsonObject } from '../model/json.js';
import { TaskFailedError, TaskTimeoutError, TaskWaitAbandonedError } from './errors.js';
import { describeProgress, progressReportsOf, type ProgressReport, taskErrorDescription, type TaskProgress } from './task-progress.js';

export interface WaitForTaskOptions {
  /** Default 2 hours. */
  timeoutMs?: number;
  /** Called after every answer about the task. */
  onProgress?: (progress: TaskProgress) => void;
  /** Aborting abandons the wait (TaskWaitAbandonedError); the task goes on in Pulp. */
  signal?: AbortSignal;
  /** What the task does, for the timeout message: `sync of repository/rpm/baseos`. */
  doing?: string;
}

/** What the poller needs of a Pulp client. */
export interface TaskSource {
  get(path: string, query?: Record<string, string | number>, signal?: AbortSignal): Promise<JsonObject>;
  /** Component versions of the server's last `status/` answer; undefined before one was read. */
  serverVersions(): Readonly<Record<string, string>> | undefined;
  /** The correlation id this client's requests carry, once the server has shown that it records it. */
  recordedCorrelationId(): string | undefined;
}

export interface TaskPollerOptions {
  /** Shortest interval between two polls. Default 25 ms. */
  minIntervalMs?: number;
  /** Longest interval between two polls. Default 2 s. */
  maxIntervalMs?: number;
}

/** Requests the poller sent: for tests and the benchmark. */
export interface TaskPollerStats {
  ticks: number;
  /** List requests covering many tasks. */
  listRequests: number;
  /** GETs of one task the list answers did not cover. */
  taskRequests: number;
}

/** The fields every wait needs: state and progress while it runs; name, error and created resources at the end; timestamps to learn how long tasks take. */
const TASK_FIELDS = 'pulp_href,name,state,error,created_resources,progress_reports,pulp_created,started_at,finished_at';
const FINAL_STATES = new Set(['completed', 'failed', 'canceled', 'skipped']);
const DEFAULT_TIMEOUT_MS = 2 * 60 * 60 * 1000;
/** A task is looked at again after this share of the time it has taken, or of the time this server's tasks usually take: it is noticed at most ~10% late. */
const POLL_FRACTION = 0.1;
/** Weight of the newest task in the running estimate of how long tasks take. */
const DURATION_WEIGHT = 0.2;
/** gunicorn refuses request lines over 4,094 bytes; keep each `pulp_href__in` request well below. */
const MAX_QUERY_CHARS = 3000;
/** Page size of the newest-tasks list where tasks cannot be listed by href: at least this, or this many per task in flight. */
const MIN_NEWEST_LIMIT = 50;
const NEWEST_PER_TASK = 4;
const MAX_LIST_LIMIT = 1000;

interface Waiter {
  started: number;
  deadline: number;
  options: WaitForTaskOptions;
  resolve: (task: JsonObject) => void;
  reject: (error: Error) => void;
  detach: () => void;
}

interface Tracked {
  href: string;
  /** When the first wait for it began. */
  since: number;
  /** When an answer last said something about it. */
  lastSeen: number;
  /** When it was last asked for on its own (the list answers did not cover it). */
  lastAsked: number;
  last?: JsonObject;
  waiters: Waiter[];
}

/**
 * Waits for many Pulp tasks with one list request per tick instead of one GET per task per poll.
 * Where the server lists tasks by href (pulpcore 3.24+), a tick asks `tasks/?pulp_href__in=…`
 * for every task in flight. Before that, a tick asks for the newest tasks (Pulp's default order,
 * indexed), narrowed to this client's own by `logging_cid` where the server records its
 * Correlation-ID (it echoes the header); a task that answer leaves out (another client's, or an
 * old one) is asked for on its own, as often as a lone wait would. Ticks come at a tenth of the
 * time the youngest task has waited or of the time this server's tasks usually take (learnt
 * from their own timestamps), whichever is longer, between `minIntervalMs` and `maxIntervalMs`.
 */
export class TaskPoller {
  readonly #source: TaskSource;
  readonly #minIntervalMs: number;
  readonly #maxIntervalMs: number;
  readonly #tracked = new Map<string, Tracked>();
  readonly #stats: TaskPollerStats = { ticks: 0, listRequests: 0, taskRequests: 0 };
  /** Running estimate of how long a task takes on this server, from dispatch to end. */
  #typicalMs: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #ticking = false;

  constructor(source: TaskSource, options: TaskPollerOptions = {}) {
    this.#source = source;
    this.#minIntervalMs = options.minIntervalMs ?? 25;
    this.#maxIntervalMs = options.maxIntervalMs ?? 2000;
  }

  stats(): TaskPollerStats {
    return { ...this.#stats };
  }

  /** How long this server's tasks usually take, as learnt so far. */
  typicalTaskMs(): number | undefined {
    return this.#typicalMs;
  }

  /**
   * Resolves with the completed task (its href, name, state, error, created resources, progress
   * reports and timestamps); throws TaskFailedError (failed/canceled/skipped), TaskTimeoutError,
   * or TaskWaitAbandonedError (signal aborted).
   */
  wait(taskHref: string, options: WaitForTaskOptions = {}): Promise<JsonObject> {
    if (options.signal?.aborted) return Promise.reject(new TaskWaitAbandonedError(taskHref));
    return new Promise<JsonObject>((resolve, reject) => {
      const now = Date.now();
      let tracked = this.#tracked.get(taskHref);
      if (!tracked) {
        tracked = { href: taskHref, since: now, lastSeen: now, lastAsked: 0, waiters: [] };
        this.#tracked.set(taskHref, tracked);
      }
      const owner = tracked;
      const waiter: Waiter = {
        started: now,
        deadline: now + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
        options,
        resolve,
        reject,
        detach: () => undefined,
      };
      if (options.signal) {
        const signal = options.signal;
        const onAbort = (): void => {
          this.#drop(owner, waiter);
          reject(new TaskWaitAbandonedError(taskHref));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.detach = () => signal.removeEventListener('abort', onAbort);
      }
      owner.waiters.push(waiter);
      this.#schedule();
    });
  }

  #drop(tracked: Tracked, waiter: Waiter): void {
    waiter.detach();
    tracked.waiters = tracked.waiters.filter((w) => w !== waiter);
    if (tracked.waiters.length === 0 && this.#tracked.get(tracked.href) === tracked) this.#tracked.delete(tracked.href);
    this.#schedule();
  }

  /** When the task should next be looked at. */
  #dueAt(tracked: Tracked): number {
    const waited = tracked.lastSeen - tracked.since;
    const interval = Math.min(this.#maxIntervalMs, Math.max(this.#minIntervalMs, POLL_FRACTION * Math.max(waited, this.#typicalMs ?? 0)));
    const deadline = Math.min(...tracked.waiters.map((w) => w.deadline));
    return Math.min(tracked.lastSeen + interval, deadline);
  }

  #schedule(): void {
    if (this.#ticking) return;
    if (this.#tracked.size === 0) {
      this.#clearTimer();
      return;
    }
    const at = Math.min(...[...this.#tracked.values()].map((t) => this.#dueAt(t)));
    if (this.#timer !== undefined && at >= this.#timerAt) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(() => void this.#tick(), Math.max(0, at - Date.now()));
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  async #tick(): Promise<void> {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    this.#ticking = true;
    this.#stats.ticks += 1;
    try {
      const tasks = [...this.#tracked.values()];
      const versions = this.#source.serverVersions();
      const byHref = versions !== undefined && capabilitiesOf(versions).taskHrefFilter;
      const answered = new Map<string, JsonObject>();
      const failed = new Map<Tracked, Error>();
      if (byHref) await this.#listByHref(tasks, answered, failed);
      else await this.#listNewest(tasks, answered, failed);
      const now = Date.now();
      // A task the list answer left out (another client's, or older than the newest ones) is asked for as often as a lone wait would.
      const missed = tasks.filter((t) => !answered.has(t.href) && !failed.has(t) && now - t.lastAsked >= this.#ownInterval(t, now));
      await Promise.all(
        missed.map(async (tracked) => {
          tracked.lastAsked = now;
          this.#stats.taskRequests += 1;
          try {
            answered.set(tracked.href, await this.#source.get(tracked.href));
          } catch (error) {
            failed.set(tracked, error instanceof Error ? error : new Error(String(error)));
          }
        }),
      );
      for (const [tracked, error] of failed) this.#settleAll(tracked, (waiter) => waiter.reject(error));
      const seenAt = Date.now();
      for (const tracked of tasks) {
        const task = answered.get(tracked.href);
        if (task) this.#update(tracked, task, seenAt);
      }
      this.#expire(seenAt);
    } finally {
      this.#ticking = false;
      this.#schedule();
    }
  }

  /** A task no list answer covers is asked for on its own, as often as a lone wait would ask: a tenth of its age, within the bounds. */
  #ownInterval(tracked: Tracked, now: number): number {
    return Math.min(this.#maxIntervalMs, Math.max(this.#minIntervalMs, POLL_FRACTION * (now - tracked.since)));
  }

  async #listByHref(tasks: Tracked[], answered: Map<string, JsonObject>, failed: Map<Tracked, Error>): Promise<void> {
    const chunks: Tracked[][] = [];
    let chunk: Tracked[] = [];
    let length = 0;
    for (const tracked of tasks) {
      if (chunk.length > 0 && length + tracked.href.length + 1 > MAX_QUERY_CHARS) {
        chunks.push(chunk);
        chunk = [];
        length = 0;
      }
      chunk.push(tracked);
      length += tracked.href.length + 1;
    }
    if (chunk.length > 0) chunks.push(chunk);
    await Promise.all(
      chunks.map(async (group) => {
        this.#stats.listRequests += 1;
        try {
          const page = await this.#source.get('tasks/', {
            pulp_href__in: group.map((t) => t.href).join(','),
            fields: TASK_FIELDS,
            limit: group.length,
          });
          for (const task of resultsOf(page)) answered.set(String(task['pulp_href']), task);
        } catch (error) {
          for (const tracked of group) failed.set(tracked, error instanceof Error ? error : new Error(String(error)));
        }
      }),
    );
  }

  /**
   * The newest tasks (Pulp's default order, by creation, indexed), this client's alone
   * (`logging_cid`, indexed) where the server records its Correlation-ID: the tasks in flight
   * are among them, ended or not. Room for a few times as many as are in flight.
   */
  async #listNewest(tasks: Tracked[], answered: Map<string, JsonObject>, failed: Map<Tracked, Error>): Promise<void> {
    const correlationId = this.#source.recordedCorrelationId();
    const query: Record<string, string | number> = {
      limit: Math.min(MAX_LIST_LIMIT, Math.max(MIN_NEWEST_LIMIT, NEWEST_PER_TASK * tasks.length)),
      fields: TASK_FIELDS,
    };
    if (correlationId !== undefined) query['logging_cid'] = correlationId;
    const page = await this.#list(tasks, query, failed);
    for (const task of page === undefined ? [] : resultsOf(page)) answered.set(String(task['pulp_href']), task);
  }

  async #list(tasks: Tracked[], query: Record<string, string | number>, failed: Map<Tracked, Error>): Promise<JsonObject | undefined> {
    this.#stats.listRequests += 1;
    try {
      return await this.#source.get('tasks/', query);
    } catch (error) {
      for (const tracked of tasks) failed.set(tracked, error instanceof Error ? error : new Error(String(error)));
      return undefined;
    }
  }

  #update(tracked: Tracked, task: JsonObject, seenAt: number): void {
    tracked.last = task;
    tracked.lastSeen = seenAt;
    const state = typeof task['state'] === 'string' ? task['state'] : 'unknown';
    const reports = progressReportsOf(task);
    for (const waiter of [...tracked.waiters]) {
      waiter.options.onProgress?.({ taskHref: tracked.href, state, elapsedMs: seenAt - waiter.started, reports });
    }
    if (!FINAL_STATES.has(state)) return;
    this.#learnDuration(task, seenAt - tracked.since);
    if (state === 'completed') {
      this.#settleAll(tracked, (waiter) => waiter.resolve(task));
      return;
    }
    const name = typeof task['name'] === 'string' ? task['name'] : '';
    this.#settleAll(tracked, (waiter) => waiter.reject(new TaskFailedError(tracked.href, name, state, taskErrorDescription(task, state))));
  }

  /** From the server's own timestamps where it gives them: they do not grow with how late the client looks. */
  #learnDuration(task: JsonObject, observedMs: number): void {
    const created = Date.parse(String(task['pulp_created']));
    const finished = Date.parse(String(task['finished_at']));
    const took = Number.isFinite(created) && Number.isFinite(finished) && finished >= created ? finished - created : observedMs;
    this.#typicalMs = this.#typicalMs === undefined ? took : (1 - DURATION_WEIGHT) * this.#typicalMs + DURATION_WEIGHT * took;
  }

  #expire(now: number): void {
    for (const tracked of [...this.#tracked.values()]) {
      for (const waiter of tracked.waiters.filter((w) => now >= w.deadline)) {
        const task = tracked.last ?? {};
        const state = typeof task['state'] === 'string' ? task['state'] : 'unknown';
        const name = typeof task['name'] === 'string' ? task['name'] : '';
        const reports: ProgressReport[] = progressReportsOf(task);
        this.#drop(tracked, waiter);
        waiter.reject(
          new TaskTimeoutError(tracked.href, name, state, now - waiter.started, waiter.options.doing, describeProgress(reports)),
        );
      }
    }
  }

  #settleAll(tracked: Tracked, settle: (waiter: Waiter) => void): void {
    if (this.#tracked.get(tracked.href) === tracked) this.#tracked.delete(tracked.href);
    const waiters = tracked.waiters;
    tracked.waiters = [];
    for (const waiter of waiters) {
      waiter.detach();
      settle(waiter);
    }
  }
}

function resultsOf(page: JsonObject): JsonObject[] {
  const results = page['results'];
  if (!Array.isArray(results)) return [];
  return results.filter(
    (task): task is JsonObject =>
      task !== null && typeof task === 'object' && !Array.isArray(task) && typeof task['pulp_href'] === 'string',
  );
}
