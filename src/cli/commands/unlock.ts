import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { breakLock, describeHolder, formatDuration, lockStaleness, readLock } from '../../apply/lock.js';
import { loadDesired, openClient, secretValues } from '../../engine.js';
import {
  addDesiredStateOption,
  addServerOptions,
  clientSettingsOf,
  loggerFor,
  reportError,
  type ServerCommandOptions,
  useColor,
} from '../common.js';
import { ConnectionError, resolveConnection } from '../connection.js';

interface UnlockOptions extends ServerCommandOptions {
  stack?: string;
  force?: boolean;
}

/** `pulpform unlock`: shows who holds the server lock of a stack, and removes it once confirmed. */
export function registerUnlockCommand(program: Command): void {
  const command = program
    .command('unlock')
    .description(
      'Remove the server lock of the stack after showing its holder and age: for a run that died on another machine and left it.',
    )
    .option('--stack <name>', "the stack whose lock to remove (default: the desired state's)")
    .option('--force', 'remove it without asking (needed without a terminal)');
  addServerOptions(addDesiredStateOption(command)).action(async (options: UnlockOptions) => {
    let secrets: string[] = [];
    const logger = loggerFor(options, () => secrets);
    const say = (text: string): void => void process.stdout.write(`${text}\n`);
    try {
      const desired = options.stack === undefined ? await loadDesired(options.file) : undefined;
      const stack = options.stack ?? desired!.state.stack;
      const connection = resolveConnection(options, process.env, desired?.state.server);
      secrets = secretValues(desired?.state, connection);
      const client = openClient(connection, clientSettingsOf(options));
      try {
        const lock = await readLock(client, stack);
        if (lock === undefined) {
          say(`No lock is held for stack "${stack}" on ${connection.url}.`);
          process.exitCode = 0;
          return;
        }
        const { ageMs, stale } = lockStaleness(lock);
        say(
          `The server lock of stack "${stack}" is held by ${describeHolder(lock)}, taken ${formatDuration(ageMs)} ago; it expires at ${lock.expiresAt} unless renewed.`,
        );
        say(
          stale !== undefined
            ? `Its holder is gone: ${stale}.`
            : 'Its holder may still be running: if it is, it stops at its next renewal, with its work unfinished.',
        );
        if (!options.force && !(await confirmed())) {
          say('Lock kept.');
          process.exitCode = 1;
          return;
        }
        await breakLock(client, lock);
        say('Lock removed.');
        process.exitCode = 0;
      } finally {
        client.close();
      }
    } catch (error) {
      reportError(error, { color: useColor(process.stderr, options.color), logger });
      process.exitCode = 1;
    }
  });
}

async function confirmed(): Promise<boolean> {
  if (!process.stdin.isTTY)
    throw new ConnectionError(
      'unlock needs confirmation, but there is no terminal to ask on',
      'check the holder above, then run pulpform unlock --force',
    );
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question("Remove it? Only 'yes' will be accepted: ")).trim() === 'yes';
  } finally {
    rl.close();
  }
}
