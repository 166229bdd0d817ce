import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What counts the requests a measured process sends: the emulator itself, or a proxy in front of a real Pulp. */
export interface RequestCounter {
  resetRequests(): void;
  requestCounts(): { byMethod: Record<string, number>; byPath: Record<string, number> };
}

/** HTTP requests the server answered during one measured operation. */
export interface Requests {
  GET: number;
  POST: number;
  PATCH: number;
  PUT: number;
  DELETE: number;
  total: number;
  /** Everything but GET. */
  writes: number;
}

export interface Measurement {
  /** From spawning the child process to its exit: what the user waits for, Node's start-up included. */
  wallMs: number;
  /** Peak resident set size of the child process itself. */
  maxRssKb: number;
  cpuMs: number;
  requests: Requests;
  /** Requests per path (list pages of an endpoint all count under its path). */
  byPath: Record<string, number>;
}

export interface ChildCommand {
  /** The JavaScript file to run with node. */
  script: string;
  args: string[];
  env: Record<string, string>;
  /** Where the child's stdout and stderr go (`<base>.out`, `<base>.err`). */
  outputBase: string;
}

const PROBE = fileURLToPath(new URL('./probe.js', import.meta.url));

export function requestsOf(byMethod: Record<string, number>): Requests {
  const count = (method: string): number => byMethod[method] ?? 0;
  const total = Object.values(byMethod).reduce((sum, n) => sum + n, 0);
  return {
    GET: count('GET'),
    POST: count('POST'),
    PATCH: count('PATCH'),
    PUT: count('PUT'),
    DELETE: count('DELETE'),
    total,
    writes: total - count('GET'),
  };
}

/**
 * Runs one operation in a fresh Node process against a server and measures it: wall time,
 * the child's own peak RSS and CPU (written by the probe at exit), and the requests the server
 * (or the proxy in front of it) counted meanwhile. stdout goes to a file (printing to a terminal is not what is measured).
 * A non-zero exit is an error that quotes the child's stderr.
 */
export async function measureChild(counter: RequestCounter, command: ChildCommand): Promise<Measurement> {
  const probeFile = `${command.outputBase}.probe.json`;
  const out = openSync(`${command.outputBase}.out`, 'w');
  const err = openSync(`${command.outputBase}.err`, 'w');
  counter.resetRequests();
  const started = process.hrtime.bigint();
  let code: number | null;
  try {
    code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', PROBE, command.script, ...command.args], {
        env: { PATH: process.env['PATH'] ?? '', ...command.env, BENCH_PROBE_FILE: probeFile },
        stdio: ['ignore', out, err],
      });
      child.once('error', reject);
      child.once('exit', (exitCode) => resolve(exitCode));
    });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const counts = counter.requestCounts();
  if (code !== 0) {
    const stderr = readFileSync(`${command.outputBase}.err`, 'utf8').trim().split('\n').slice(-15).join('\n');
    throw new Error(`${command.script} ${command.args.join(' ')} exited with ${code}:\n${stderr}`);
  }
  const probe = JSON.parse(readFileSync(probeFile, 'utf8')) as { maxRssKb: number; cpuMs: number };
  rmSync(probeFile);
  return { wallMs, maxRssKb: probe.maxRssKb, cpuMs: probe.cpuMs, requests: requestsOf(counts.byMethod), byPath: counts.byPath };
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
