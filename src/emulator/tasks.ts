import type { JsonObject } from '../model/json.js';
import { type Clock, isoMicros, newId } from './clock.js';
import type { ProgressReport } from './content/index.js';

export type { ProgressReport } from './content/index.js';

export type TaskState = 'waiting' | 'running' | 'completed' | 'failed' | 'canceling' | 'canceled';
const FINAL_STATES: TaskState[] = ['completed', 'failed', 'canceled'];

export interface Task {
  id: string;
  href: string;
  createdAt: number;
  name: string;
  state: TaskState;
  loggingCid: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: { traceback: string; description: string } | null;
  worker: string | null;
  progressReports: ProgressReport[];
  createdResources: string[];
  /** `reserved_resources_record` as 3.23 shows it: hrefs, shared ones prefixed with `shared:`. */
  record: string[];
  exclusive: string[];
  shared: string[];
}

export interface TaskOutcome {
  createdResources?: string[];
  progressReports?: ProgressReport[];
}

/** What a task does when a worker runs it. Object changes happen here, not when the request is answered. */
export interface TaskWork {
  name: string;
  exclusive: string[];
  shared?: string[];
  /** Overrides the recorded reservations (the distribution tasks record `/api/v3/distributions/`). */
  record?: string[];
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
    const id = newId();
    const shared = work.shared ?? [];
    const task: Task = {
      id,
      href: `/pulp/api/v3/tasks/${id}/`,
      createdAt: this.clock.tick(),
      name: work.name,
      state: 'waiting',
      loggingCid,
      startedAt: null,
      finishedAt: null,
      error: null,
      worker: null,
      progressReports: [],
      createdResources: [],
      record: work.record ?? [...work.exclusive, ...shared.map((s) => `shared:${s}`)],
      exclusive: work.exclusive,
      shared,
    };
    this.#tasks.set(task.href, task);
    this.#work.set(task, { ...work, failOnPurpose: this.options.injectFailure() });
    this.#queue.push(task);
    this.#schedule();
    return task;
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
    task.startedAt = this.clock.now();
    task.worker = this.options.workers[this.#nextWorker++ % this.options.workers.length] ?? null;
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
    task.createdResources = outcome.createdResources ?? [];
    task.progressReports = outcome.progressReports ?? [];
    this.#finish(task, 'completed');
  }

  #finish(task: Task, state: TaskState, failure?: TaskFailure): void {
    task.state = state;
    task.finishedAt = this.clock.now();
    if (failure) {
      task.progressReports = failure.progressReports;
      task.error = {
        traceback: `  File "<pulpform emulator>", in ${task.name}\n    raise ${failure.constructor.name}\n`,
        description: failure.description,
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

export function renderTask(task: Task): JsonObject {
  return {
    pulp_href: task.href,
    pulp_created: isoMicros(task.createdAt),
    state: task.state,
    name: task.name,
    logging_cid: task.loggingCid,
    started_at: task.startedAt,
    finished_at: task.finishedAt,
    error: task.error,
    worker: task.worker,
    parent_task: null,
    child_tasks: [],
    task_group: null,
    progress_reports: task.progressReports.map((r) => ({ ...r })),
    created_resources: [...task.createdResources],
    reserved_resources_record: [...task.record],
  };
}
