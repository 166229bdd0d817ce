/** Fault injection knobs: shares in [0, 1], drawn from a seeded generator so a run can be repeated. */
export interface FaultOptions {
  seed?: number;
  /** Share of API requests answered with a 500 before they are handled (nothing changes on the server). */
  errorRate?: number;
  /** Share of API requests whose connection is reset without an answer (nothing changes on the server). */
  resetRate?: number;
  /** Share of tasks that fail instead of doing their work. */
  taskFailureRate?: number;
}

/** mulberry32: a small, fast, seedable PRNG with a uniform output in [0, 1). */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type RequestFault = 'reset' | 'error' | undefined;

export class FaultPlan {
  readonly #requests: () => number;
  readonly #tasks: () => number;

  constructor(private readonly options: FaultOptions = {}) {
    const seed = options.seed ?? 0;
    this.#requests = seededRandom(seed);
    // A separate stream, so that the task decisions do not depend on how many requests came before.
    this.#tasks = seededRandom(seed ^ 0x5bd1e995);
  }

  nextRequest(): RequestFault {
    const draw = this.#requests();
    const reset = this.options.resetRate ?? 0;
    if (draw < reset) return 'reset';
    if (draw < reset + (this.options.errorRate ?? 0)) return 'error';
    return undefined;
  }

  nextTaskFails(): boolean {
    return this.#tasks() < (this.options.taskFailureRate ?? 0);
  }
}

/**
 * Parses the `--faults` spec of `pulpform emulator`: comma-separated `name=share` pairs, names
 * `error`, `reset`, `task` (e.g. `error=0.05,reset=0.01,task=0.1`).
 */
export function parseFaultSpec(spec: string): FaultOptions {
  const names: Record<string, keyof FaultOptions> = { error: 'errorRate', reset: 'resetRate', task: 'taskFailureRate' };
  const out: FaultOptions = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const m = /^(\w+)=([0-9.]+)$/.exec(part);
    const key = m ? names[m[1] as string] : undefined;
    const share = m ? Number(m[2]) : NaN;
    if (!m || !key || !(share >= 0 && share <= 1)) {
      throw new Error(`invalid fault spec '${part}' in --faults: expected name=share with name error, reset or task and share between 0 and 1, e.g. error=0.05,reset=0.01,task=0.1`);
    }
    out[key] = share;
  }
  return out;
}
