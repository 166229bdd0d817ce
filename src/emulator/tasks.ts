import type { Json, JsonObject } from '../model/json.js';
import { type Clock, isoMicros } from './clock.js';
import type { ProgressReport } from './content/index.js';

export type { ProgressReport } from './content/index.js';

export type TaskState = 'waiting' | 'running' | 'completed' | 'failed' | 'canceling' | 'canceled';
const FINAL_STATES: TaskState[] = ['completed', 'failed', 'canceled'];

export interface Task {
  id: string;
  href: string;
  createdAt: number;
  lastUpdated: string;
  name: string;
  state: TaskState;
  loggingCid: string;
  unblockedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  error: TaskError | null;
  worker: string | null;
  progressReports: ProgressReport[];
  createdResources: string[];
  /** `reserved_resources_record` as the profile shows it (hrefs or PRNs, shared ones prefixed with `shared:`). */
  record: string[];
  /** The lock keys (hrefs, or the distribution locks) it holds while it runs. */
  exclusive: string[];
  shared: string[];
  /** What the task returned (3.116 shows an update's object). */
  result: JsonObject | null;
}

export interface TaskError {
  traceback: string;
  description: string;
  /** Pulp's error code, where the profile's tasks report them. */
  code?: string;
}

export interface TaskOutcome {
  createdResources?: string[];
  progressReports?: ProgressReport[];
  result?: JsonObject;
}

/** What a task does when a worker runs it. Object changes happen here, not when the request is answered. */
export interface TaskWork {
  name: string;
  exclusive: string[];
  shared?: string[];
  /**
   * pulpcore's `immediate=True`: where the profile allows it and nothing earlier holds its
   * resources, a synchronous task runs inside the request, on no worker.
   */
  immediate?: boolean;
  /** `progress` shows reports on the task while it runs. */
  run: (progress: (reports: ProgressReport[]) => void) => TaskOutcome | Promise<TaskOutcome>;
}

/** A task failure with the description users see in `error.description`. */
export class TaskFailure extends Error {
  constructor(
    readonly description: string,
    readonly progressReports: ProgressReport[] = [],
  ) {
    super(description);
  }
}

export interface TaskRunnerOptions {
  /** How long a task stays `running` before its work is applied. */
  taskMs: number;
  workers: string[];
  /** Decides, at dispatch time (so seeded runs repeat), whether fault injection fails this task. */
  injectFailure: () => boolean;
  /** Immediate tasks may run inside the request (core 3.29+). */
  immediate: boolean;
  /** Tasks show the worker that ran them (3.116 shows null). */
  showsWorker: boolean;
  /** The `reserved_resources_record` of a task's reservations. */
  record: (exclusive: string[], shared: string[]) => string[];
  /** A failure's description and error code as the profile's tasks show them. */
  describeFailure: (failure: TaskFailure) => { description: string; code?: string };
}

/**
 * Runs tasks asynchronously like pulpcore's workers: a task waits while an earlier unfinished task
 * holds a conflicting reservation (exclusive vs anything, shared vs exclusive), so tasks on one
 * resource run in dispatch order and tasks on different resources run in parallel.
 */
export class TaskRunner {
  readonly #tasks = new Map<string, Task>();
  readonly #work = new Map<Task, TaskWork & { failOnPurpose: boolean }>();
  readonly #queue: Task[] = [];
  readonly #running = new Set<Task>();
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Running tasks whose work has not begun yet (they are in their `taskMs`), so a cancel can stop them at once. */
  readonly #pending = new Map<Task, NodeJS.Timeout>();
  #nextWorker = 0;
  #scheduled = false;
  #paused = false;
  #closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly options: TaskRunnerOptions,
  ) {}

  get(href: string): Task | undefined {
    return this.#tasks.get(href);
  }

  all(): Iterable<Task> {
    return this.#tasks.values();
  }

  delete(task: Task): void {
    this.#tasks.delete(task.href);
  }

  dispatch(work: TaskWork, loggingCid: string): Task {
    const id = this.clock.id();
    const shared = work.shared ?? [];
    const createdAt = this.clock.tick();
    const task: Task = {
      id,
      href: `/pulp/api/v3/tasks/${id}/`,
      createdAt,
      lastUpdated: isoMicros(createdAt),
      name: work.name,
      state: 'waiting',
      loggingCid,
      unblockedAt: null,
      startedAt: null,
      finishedAt: null,
      error: null,
      worker: null,
      progressReports: [],
      createdResources: [],
      record: this.options.record(work.exclusive, shared),
      exclusive: work.exclusive,
      shared,
      result: null,
    };
    this.#tasks.set(task.href, task);
    this.#work.set(task, { ...work, failOnPurpose: this.options.injectFailure() });
    this.#queue.push(task);
    if (work.immediate && this.options.immediate && !this.#paused && !this.#blocked(task, this.#queue.slice(0, -1))) {
      this.#runNow(task);
    } else {
      this.#schedule();
    }
    return task;
  }

  /** Whether a running task, or one of `earlier` still queued, holds a resource this task conflicts with. */
  #blocked(task: Task, earlier: Task[]): boolean {
    const holders = [...this.#running, ...earlier];
    return holders.some(
      (other) =>
        task.exclusive.some((r) => other.exclusive.includes(r) || other.shared.includes(r)) ||
        task.shared.some((r) => other.exclusive.includes(r)),
    );
  }

  /** An immediate task inside the request: its work is applied before the 202 is answered. */
  #runNow(task: Task): void {
    this.#queue.splice(this.#queue.indexOf(task), 1);
    this.#running.add(task);
    task.state = 'running';
    task.unblockedAt = task.startedAt = this.clock.now();
    task.lastUpdated = task.startedAt;
    const work = this.#work.get(task) as TaskWork & { failOnPurpose: boolean };
    if (work.failOnPurpose)
      return this.#finish(task, 'failed', new TaskFailure('Emulator fault injection: this task was made to fail on purpose.'));
    let outcome: TaskOutcome | Promise<TaskOutcome> | TaskFailure;
    try {
      outcome = work.run((reports) => {
        task.progressReports = reports.map((r) => ({ ...r }));
      });
    } catch (e) {
      outcome = e instanceof TaskFailure ? e : new TaskFailure(e instanceof Error ? e.message : String(e));
    }
    if (outcome instanceof Promise) {
      void outcome.then(
        (done) => this.#complete(task, done),
        (e: unknown) =>
          this.#finish(task, 'failed', e instanceof TaskFailure ? e : new TaskFailure(e instanceof Error ? e.message : String(e))),
      );
      return;
    }
    if (outcome instanceof TaskFailure) return this.#finish(task, 'failed', outcome);
    this.#complete(task, outcome);
  }

  #complete(task: Task, outcome: TaskOutcome): void {
    if (this.#closed) return;
    task.createdResources = outcome.createdResources ?? [];
    task.progressReports = outcome.progressReports ?? [];
    task.result = outcome.result ?? null;
    this.#finish(task, 'completed');
  }

  /** 3.23 semantics: an unfinished task goes to `canceling` at once and to `canceled` when its worker notices. */
  cancel(task: Task): void {
    if (FINAL_STATES.includes(task.state) || task.state === 'canceling') return;
    const wasWaiting = task.state === 'waiting';
    task.state = 'canceling';
    const timer = this.#pending.get(task);
    if (wasWaiting) this.#queue.splice(this.#queue.indexOf(task), 1);
    if (timer) {
      clearTimeout(timer);
      this.#timers.delete(timer);
      this.#pending.delete(task);
    }
    if (wasWaiting || timer) this.#later(0, () => this.#finish(task, 'canceled'));
  }

  /** Stops starting tasks (they stay `waiting`) until resume(): lets a test line up tasks deterministically. */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#schedule();
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #later(ms: number, fn: () => void): NodeJS.Timeout | undefined {
    if (this.#closed) return undefined;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // Start on a later turn, so the dispatching request is answered while the task is still waiting.
    this.#later(0, () => {
      this.#scheduled = false;
      this.#startUnblocked();
    });
  }

  #startUnblocked(): void {
    if (this.#paused) return;
    const heldExclusive = new Set<string>();
    const heldShared = new Set<string>();
    for (const t of this.#running) {
      t.exclusive.forEach((r) => heldExclusive.add(r));
      t.shared.forEach((r) => heldShared.add(r));
    }
    // A queued task also holds back later ones that conflict with it: dispatch order per resource.
    for (const task of [...this.#queue]) {
      const blocked =
        task.exclusive.some((r) => heldExclusive.has(r) || heldShared.has(r)) || task.shared.some((r) => heldExclusive.has(r));
      task.exclusive.forEach((r) => heldExclusive.add(r));
      task.shared.forEach((r) => heldShared.add(r));
      if (!blocked) this.#start(task);
    }
  }

  #start(task: Task): void {
    this.#queue.splice(this.#queue.indexOf(task), 1);
    this.#running.add(task);
    task.state = 'running';
    task.unblockedAt = task.startedAt = this.clock.now();
    task.lastUpdated = task.startedAt;
    const worker = this.options.workers[this.#nextWorker++ % this.options.workers.length] ?? null;
    task.worker = this.options.showsWorker ? worker : null;
    const timer = this.#later(this.options.taskMs, () => {
      this.#pending.delete(task);
      void this.#execute(task);
    });
    if (timer) this.#pending.set(task, timer);
  }

  async #execute(task: Task): Promise<void> {
    const work = this.#work.get(task) as TaskWork & { failOnPurpose: boolean };
    if (task.state === 'canceling') return this.#finish(task, 'canceled');
    if (work.failOnPurpose) {
      return this.#finish(task, 'failed', new TaskFailure('Emulator fault injection: this task was made to fail on purpose.'));
    }
    let outcome: TaskOutcome | TaskFailure;
    try {
      outcome = await work.run((reports) => {
        task.progressReports = reports.map((r) => ({ ...r }));
      });
    } catch (e) {
      outcome = e instanceof TaskFailure ? e : new TaskFailure(e instanceof Error ? e.message : String(e));
    }
    if (this.#closed) return;
    // cancel() may have run while the work was awaited.
    if ((task.state as TaskState) === 'canceling') return this.#finish(task, 'canceled');
    if (outcome instanceof TaskFailure) return this.#finish(task, 'failed', outcome);
    this.#complete(task, outcome);
  }

  #finish(task: Task, state: TaskState, failure?: TaskFailure): void {
    task.state = state;
    task.finishedAt = task.lastUpdated = this.clock.now();
    if (failure) {
      task.progressReports = failure.progressReports;
      const { description, code } = this.options.describeFailure(failure);
      task.error = {
        traceback: `  File "<pulpform emulator>", in ${task.name}\n    raise ${failure.constructor.name}\n`,
        description,
        ...(code ? { code } : {}),
      };
    }
    this.#running.delete(task);
    this.#work.delete(task);
    if (this.#queue.length > 0) this.#schedule();
  }
}

export function isFinal(task: Task): boolean {
  return FINAL_STATES.includes(task.state);
}

/** What a task's answer shows beyond the task itself: its schema's fields and how PRNs are named. */
export interface TaskView {
  /** `TaskResponse` fields, in the server's order. */
  fields: string[];
  prnOf: (href: string) => string;
}

/** `createdBy`: list and detail views look up who dispatched the task; other answers (a cancel) show null. */
export function renderTask(task: Task, view: TaskView, options: { createdBy?: boolean } = {}): JsonObject {
  const value = (field: string): Json => {
    switch (field) {
      case 'pulp_href':
        return task.href;
      case 'prn':
        return `prn:core.task:${task.id}`;
      case 'pulp_created':
        return isoMicros(task.createdAt);
      case 'pulp_last_updated':
        return task.lastUpdated;
      case 'state':
        return task.state;
      case 'name':
        return task.name;
      case 'logging_cid':
        return task.loggingCid;
      case 'created_by':
        return options.createdBy === false ? null : ADMIN_USER;
      case 'unblocked_at':
        return task.unblockedAt;
      case 'started_at':
        return task.startedAt;
      case 'finished_at':
        return task.finishedAt;
      case 'error':
        return task.error && renderError(task.error);
      case 'worker':
        return task.worker;
      case 'child_tasks':
        return [];
      case 'progress_reports':
        return task.progressReports.map((r) => ({ ...r }));
      case 'created_resources':
        return [...task.createdResources];
      case 'created_resource_prns':
        return task.createdResources.map(view.prnOf);
      case 'reserved_resources_record':
        return [...task.record];
      case 'result':
        return task.result && structuredClone(task.result);
      case 'pulp_api_version':
        return 'v3';
      default:
        return null;
    }
  };
  return Object.fromEntries(view.fields.map((field) => [field, value(field)]));
}

/** The user every emulated request is made as (the admin pulpcore creates first). */
const ADMIN_USER = '/pulp/api/v3/users/1/';

function renderError(error: TaskError): JsonObject {
  const out: JsonObject = { traceback: error.traceback, description: error.description };
  if (error.code) out['error_code'] = error.code;
  return out;
}
