/** Fault injection knobs: shares in [0, 1], drawn from a seeded generator so a run can be repeated. */
export interface FaultOptions {
  seed?: number;
  /** Share of API requests answered with a 500 before they are handled (nothing changes on the server). */
  errorRate?: number;
  /** Share of API requests whose connection is reset without an answer (nothing changes on the server). */
  resetRate?: number;
  /** Share of API requests that are handled (the change is made) but whose answer is lost: the connection is reset instead. */
  lostRate?: number;
  /** Share of API requests that are handled at once but answered only after `slowMs`, beyond a client's timeout. */
  slowRate?: number;
  /** How long a slow answer is held back. Default 2000 ms. */
  slowMs?: number;
  /** Share of tasks that fail instead of doing their work. */
  taskFailureRate?: number;
}

/** mulberry32: a small, fast, seedable PRNG with a uniform output in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What happens to one request: `reset` and `error` strike before it is handled (nothing
 * changes); `lost` and `slow` after (the change is made, the client cannot know).
 */
export type RequestFault = 'reset' | 'error' | 'lost' | 'slow' | undefined;

export const DEFAULT_SLOW_MS = 2000;

export class FaultPlan {
  #options: FaultOptions = {};
  #requests: () => number = Math.random;
  #tasks: () => number = Math.random;

  constructor(options: FaultOptions = {}) {
    this.configure(options);
  }

  /** Starts over with new knobs (`{}`: no more faults), e.g. for the fault-free re-run of a test. */
  configure(options: FaultOptions): void {
    const seed = options.seed ?? 0;
    this.#options = { ...options };
    this.#requests = seededRandom(seed);
    // A separate stream, so that the task decisions do not depend on how many requests came before.
    this.#tasks = seededRandom(seed ^ 0x5bd1e995);
  }

  get slowMs(): number {
    return this.#options.slowMs ?? DEFAULT_SLOW_MS;
  }

  /** One draw per request; the shares are stacked in a fixed order, so adding a kind leaves seeded runs of the others unchanged. */
  nextRequest(): RequestFault {
    let bound = 0;
    const draw = this.#requests();
    for (const [fault, share] of [
      ['reset', this.#options.resetRate],
      ['error', this.#options.errorRate],
      ['lost', this.#options.lostRate],
      ['slow', this.#options.slowRate],
    ] as const) {
      bound += share ?? 0;
      if (draw < bound) return fault;
    }
    return undefined;
  }

  nextTaskFails(): boolean {
    return this.#tasks() < (this.#options.taskFailureRate ?? 0);
  }
}

const SHARES: Record<string, keyof FaultOptions> = {
  error: 'errorRate',
  reset: 'resetRate',
  lost: 'lostRate',
  slow: 'slowRate',
  task: 'taskFailureRate',
};

/**
 * Parses the `--faults` spec of `pulpform emulator`: comma-separated `name=share` pairs, names
 * `error`, `reset`, `lost`, `slow`, `task`, plus `slow_ms=N` (e.g. `error=0.05,slow=0.02,slow_ms=5000`).
 */
export function parseFaultSpec(spec: string): FaultOptions {
  const out: FaultOptions = {};
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const m = /^(\w+)=([0-9.]+)$/.exec(part);
    if (m?.[1] === 'slow_ms' && /^\d+$/.test(m[2] as string)) {
      out.slowMs = Number(m[2]);
      continue;
    }
    const key = m ? SHARES[m[1] as string] : undefined;
    const share = m ? Number(m[2]) : NaN;
    if (!m || !key || !(share >= 0 && share <= 1)) {
      throw new Error(
        `invalid fault spec '${part}' in --faults: expected name=share with name error, reset, lost, slow or task and share between 0 and 1, ` +
          'or slow_ms=N (whole milliseconds), e.g. error=0.05,reset=0.01,lost=0.02,slow=0.01,slow_ms=5000,task=0.1',
      );
    }
    out[key] = share;
  }
  return out;
}
