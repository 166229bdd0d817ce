import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { CLI, type CliResult } from '../helpers/cli.js';

/** The built CLI running as a child process, whose output a test can wait on while it runs. */
export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr matches `pattern`; rejects if the process ends first. */
  stderrMatches(pattern: RegExp): Promise<void>;
  done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

/** Starts `pulpform ARGS` with only PATH plus `env` in its environment (as test/helpers/cli.ts does). */
export function startCli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const check of [...waiters]) check();
  });
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => {
      for (const check of [...waiters]) check();
      resolve({ status, signal, stdout, stderr });
    });
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    done,
    stderrMatches: (pattern) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(stderr)) {
            waiters.delete(check);
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.delete(check);
            reject(new Error(`the process ended before stderr matched ${pattern}:\n${stderr}`));
          }
        };
        waiters.add(check);
        check();
      }),
  };
}
