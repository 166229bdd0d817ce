/**
 * One reconcile at a time, at most one follow-up (the AWS CDK watch latch):
 *
 *   pre-ready ──ready()──► running ──run ends──► open
 *                           │  ▲  ◄───request────┘
 *                   request │  │ run ends: one follow-up
 *                           ▼  │
 *                           queued ◄──┐ request: merged
 *                              └──────┘
 *
 * Requests before ready() are dropped: the first run reads everything afresh. Requests while
 * running merge into the one queued follow-up. A run never throws out of the latch (a failing
 * run is reported and the watch goes on), and dispose() stops everything and waits for the run
 * in flight.
 */
export type LatchState = 'pre-ready' | 'open' | 'running' | 'queued' | 'disposed';

export interface LatchOptions<T> {
  run: (trigger: T) => Promise<void>;
  /** Combines the queued trigger with a new one. */
  merge: (queued: T, next: T) => T;
  /** A run threw; the latch carries on. */
  onError: (error: unknown) => void;
}

export class ReconcileLatch<T> {
  #state: LatchState = 'pre-ready';
  #queued: T | undefined;
  #inFlight: Promise<void> | undefined;

  constructor(private readonly options: LatchOptions<T>) {}

  get state(): LatchState {
    return this.#state;
  }

  /** The watcher is ready: run the first reconcile. */
  ready(first: T): void {
    if (this.#state !== 'pre-ready') return;
    this.#start(first);
  }

  /** Returns the state the request left the latch in: `running` (started now) or `queued`. */
  request(trigger: T): LatchState {
    switch (this.#state) {
      case 'open':
        this.#start(trigger);
        break;
      case 'running':
        this.#queued = trigger;
        this.#state = 'queued';
        break;
      case 'queued':
        this.#queued = this.options.merge(this.#queued as T, trigger);
        break;
      case 'pre-ready':
      case 'disposed':
        break;
    }
    return this.#state;
  }

  /** Stops for good: drops the queued follow-up and resolves once the run in flight has ended. */
  async dispose(): Promise<void> {
    this.#state = 'disposed';
    this.#queued = undefined;
    await this.#inFlight;
  }

  #start(trigger: T): void {
    this.#state = 'running';
    this.#inFlight = this.#loop(trigger);
  }

  async #loop(first: T): Promise<void> {
    let trigger: T | undefined = first;
    while (trigger !== undefined) {
      try {
        await this.options.run(trigger);
      } catch (error) {
        this.options.onError(error);
      }
      if (this.#state === 'disposed') return;
      trigger = this.#queued;
      this.#queued = undefined;
      this.#state = trigger === undefined ? 'open' : 'running';
    }
  }
}
