import { type Command, InvalidArgumentError } from 'commander';
import {
  acquireLock,
  describeHolder,
  formatDuration,
  type HeldLock,
  lockName,
  parseDuration,
  readLock,
  lockStaleness,
} from '../apply/lock.js';
import { waitForPendingWrites } from '../apply/settle.js';
import type { PulpClient } from '../live/index.js';

/** `--lock` and `--lock-timeout`, as Terraform spells them. */
export interface LockFlags {
  lock: boolean;
  /** Milliseconds. */
  lockTimeout: number;
}

export function addLockOptions(command: Command): Command {
  return command
    .option(
      '--lock <true|false>',
      'hold the server lock while changing the server; --lock=false skips it (unsafe with concurrent runs)',
      booleanFlag,
      true,
    )
    .option('--lock-timeout <duration>', 'wait this long for a lock another run holds, e.g. 30s, 10m; 0 fails at once', durationFlag, 0);
}

function booleanFlag(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError(`--lock takes true or false, not "${value}".`);
}

function durationFlag(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError(`"${value}" is not a duration: use e.g. 30s, 10m, 1h30m, or a number of seconds.`);
  return ms;
}

export interface LockedSession {
  /** Aborted by a first SIGINT/SIGTERM once `interruptible()` was called, or when the lock is lost: start nothing new. */
  readonly signal: AbortSignal;
  /** Aborted by a second SIGINT/SIGTERM: stop waiting for the tasks in flight too (they go on in Pulp). */
  readonly abandon: AbortSignal;
  /** From now on interrupts stop the work through `signal`, then `abandon`, instead of ending the process. */
  interruptible(): void;
  /** Releases the lock and stops listening for signals; call it in `finally`. */
  end(): Promise<void>;
}

const BLOCKED_REPEAT_MS = 60_000;

/**
 * Takes the server lock of `stack` (unless `--lock=false`) for a run that ends with `end()`,
 * and releases it however the run ends: normally, by an error, or by SIGINT/SIGTERM. Before
 * `interruptible()`, an interrupt releases the lock and ends the process; after it, a first
 * interrupt aborts `signal` and a second ends the process after a last attempt to release.
 */
export async function startLockedSession(
  client: PulpClient,
  flags: LockFlags,
  scope: { stack: string; operation: string },
): Promise<LockedSession> {
  const say = (text: string): void => void process.stderr.write(`${text}\n`);
  const stop = new AbortController();
  const abandon = new AbortController();
  let interruptible = false;
  let lock: HeldLock | undefined;
  let interrupts = 0;
  const quit = (): void => {
    const released = lock
      ? Promise.race([lock.release().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000))])
      : Promise.resolve();
    void released.then(() => process.exit(130));
  };
  // First interrupt: finish what is in flight; second: stop waiting and report; third: quit at once.
  const onSignal = (): void => {
    interrupts += 1;
    if (!interruptible || interrupts > 2) return quit();
    if (interrupts === 1) {
      say('\nInterrupt received.');
      stop.abort();
      return;
    }
    say(
      '\nSecond interrupt: no longer waiting for the tasks in flight (they go on in Pulp); reporting what was left running. Press Ctrl-C again to quit at once.',
    );
    abandon.abort();
  };
  const stopListening = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  const end = async (): Promise<void> => {
    stopListening();
    try {
      await lock?.release();
    } catch (error) {
      say(
        `Warning: could not release the server lock (${error instanceof Error ? error.message : String(error)}); ` +
          `it expires by itself at ${lock?.info.expiresAt}, or delete the content guard ${lockName(scope.stack)}.`,
      );
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (!flags.lock) {
    say(
      'Warning: --lock=false: running without the server lock; another run changing this server at the same time can undo or duplicate these changes.',
    );
  } else {
    let lastBlocked = -Infinity;
    try {
      lock = await acquireLock(client, {
        stack: scope.stack,
        operation: scope.operation,
        timeoutMs: flags.lockTimeout,
        onBlocked: (holder, ageMs) => {
          if (Date.now() - lastBlocked < BLOCKED_REPEAT_MS) return;
          lastBlocked = Date.now();
          say(
            `Waiting for the server lock, held by ${describeHolder(holder)} for ${formatDuration(ageMs)} (--lock-timeout ${formatDuration(flags.lockTimeout)})...`,
          );
        },
        onTakeover: (stale, why) => say(`Note: took over the server lock of ${describeHolder(stale)}: ${why}.`),
      });
    } catch (error) {
      await end();
      throw error;
    }
    const held = lock;
    held.lost.addEventListener('abort', () => {
      say(`Error: ${String(held.lost.reason)}; stopping: starting nothing new.`);
      stop.abort();
      abandon.abort();
    });
  }
  try {
    await waitForPendingWrites(client, {
      onWait: (count) =>
        say(`Waiting for ${count} Pulp task${count === 1 ? '' : 's'} still running, perhaps left by an interrupted run...`),
    });
  } catch (error) {
    await end();
    throw error;
  }
  return {
    signal: stop.signal,
    abandon: abandon.signal,
    interruptible: () => void (interruptible = true),
    end,
  };
}

/** For `plan`: a line about a run that holds the lock now, whose changes this plan cannot show yet. */
export async function describeRunningLock(client: PulpClient, stack: string): Promise<string | undefined> {
  const lock = await readLock(client, stack);
  if (!lock) return undefined;
  const { ageMs, stale } = lockStaleness(lock);
  if (stale) return `Note: the server lock of ${describeHolder(lock)} is left over (${stale}); the next apply takes it over.`;
  return `Note: ${describeHolder(lock)} has held the server lock for ${formatDuration(ageMs)}; this plan may change once that run ends.`;
}
