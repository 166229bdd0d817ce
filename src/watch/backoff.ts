export interface BackoffPolicy {
  /** Wait after the first failure; each further failure in a row doubles it. */
  initialMs: number;
  maxMs: number;
  /** Uniform in [0, 1); injectable for tests. */
  random?: () => number;
}

export interface BackoffEntry {
  key: string;
  /** Failures in a row. */
  failures: number;
  /** Epoch ms before which the key is not tried again. */
  until: number;
  /** What the last failure said. */
  reason: string;
}

/**
 * Exponential backoff with jitter per key (an object address, or the server), reset on
 * success: a failing object stops being retried every cycle, and objects that fail together
 * do not come back in lock step. The delay after n failures in a row is drawn uniformly
 * between half and all of min(max, initial·2^(n−1)).
 */
export class FailureBackoff {
  readonly #entries = new Map<string, BackoffEntry>();
  readonly #random: () => number;

  constructor(private readonly policy: BackoffPolicy) {
    this.#random = policy.random ?? Math.random;
  }

  recordFailure(key: string, reason: string, now: number): BackoffEntry {
    const failures = (this.#entries.get(key)?.failures ?? 0) + 1;
    const ceiling = Math.min(this.policy.maxMs, this.policy.initialMs * 2 ** Math.min(failures - 1, 30));
    const entry: BackoffEntry = { key, failures, until: now + Math.round(ceiling * (0.5 + this.#random() / 2)), reason };
    this.#entries.set(key, entry);
    return entry;
  }

  recordSuccess(key: string): void {
    this.#entries.delete(key);
  }

  /** Forgets every key not in `keep`: an object with nothing left to do has recovered. */
  retainOnly(keep: ReadonlySet<string>): void {
    for (const key of [...this.#entries.keys()]) if (!keep.has(key)) this.#entries.delete(key);
  }

  /** Keys still waiting at `now`, soonest first. */
  waiting(now: number): BackoffEntry[] {
    return [...this.#entries.values()].filter((entry) => entry.until > now).sort((a, b) => a.until - b.until || (a.key < b.key ? -1 : 1));
  }

  get(key: string): BackoffEntry | undefined {
    return this.#entries.get(key);
  }
}
