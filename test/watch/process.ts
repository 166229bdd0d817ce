import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { CLI } from '../helpers/cli.js';

/** One JSON log line of `pulpform watch --log-format json`. */
export type LogLine = { level: string; message: string; code?: string; [key: string]: unknown };

/** Waits this long for a condition; only a failing test ever waits it out. */
const DEADLINE_MS = 20_000;

/**
 * `pulpform watch` as a real child process, its JSON log lines (stderr) parsed as they come,
 * so that tests wait for events instead of sleeping.
 */
export class WatchProcess {
  readonly lines: LogLine[] = [];
  /** stderr lines that are not JSON (there should be none) and all of stdout (there should be none). */
  readonly other: string[] = [];
  readonly exited: Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
  readonly #child: ChildProcessWithoutNullStreams;
  #listeners = new Set<() => void>();

  constructor(args: string[], options: { cwd: string; env: Record<string, string> }) {
    this.#child = spawn(process.execPath, [CLI, 'watch', '--log-format', 'json', ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#child.stdin.end();
    let partial = '';
    this.#child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const text = partial + chunk;
      const complete = text.split('\n');
      partial = complete.pop() ?? '';
      for (const line of complete.filter((l) => l.trim() !== '')) {
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          this.other.push(line);
        }
      }
      for (const listener of this.#listeners) listener();
    });
    this.#child.stdout.setEncoding('utf8').on('data', (chunk: string) => this.other.push(chunk));
    this.exited = new Promise((resolve) =>
      this.#child.on('close', (status, signal) => {
        for (const listener of this.#listeners) listener();
        resolve({ status, signal });
      }),
    );
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Where the log is now: pass it to `waitFor` to look only at what comes after. */
  mark(): number {
    return this.lines.length;
  }

  /** The first log line at or after `from` that matches; fails with the log's tail after the deadline or if the process ends. */
  waitFor(what: string, match: (line: LogLine) => boolean, from = 0): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.lines.slice(from).find(match);
        if (found !== undefined) {
          done();
          resolve(found);
          return true;
        }
        if (!this.running) {
          done();
          reject(new Error(`watch exited before ${what}:\n${this.tail()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out waiting for ${what}:\n${this.tail()}`));
      }, DEADLINE_MS);
      const listener = (): void => void check();
      const done = (): void => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
      };
      if (!check()) this.#listeners.add(listener);
    });
  }

  /** The next cycle summary at or after `from`. */
  cycleDone(from = 0, match: (line: LogLine) => boolean = () => true): Promise<LogLine> {
    return this.waitFor('a cycle summary', (line) => line.code === 'watch.cycle_done' && match(line), from);
  }

  /** No cycle running or queued: the last cycle event is a summary with nothing queued. */
  idle(): boolean {
    const last = [...this.lines].reverse().find((line) => line.code === 'watch.cycle_start' || line.code === 'watch.cycle_done');
    return last?.code === 'watch.cycle_done' && last.queued === false;
  }

  of(code: string): LogLine[] {
    return this.lines.filter((line) => line.code === code);
  }

  signal(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  /** SIGTERM and the exit status. */
  async stop(): Promise<{ status: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.signal('SIGTERM');
    return this.exited;
  }

  /** For afterEach: make sure no child outlives its test. */
  async kill(): Promise<void> {
    if (this.running) this.signal('SIGKILL');
    await this.exited;
  }

  tail(): string {
    return [...this.lines.slice(-25).map((line) => `${line.code ?? ''} ${line.message}`), ...this.other.slice(-10)].join('\n');
  }
}

/** Polls an async condition (a fact on the emulator) until it holds. */
export async function until(what: string, condition: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
