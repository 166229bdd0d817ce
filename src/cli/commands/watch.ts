import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { loadDesired, openClient, secretValues } from '../../engine.js';
import { startWatch, type WatchEvent } from '../../watch/index.js';
import {
  addDesiredStateOption,
  addServerOptions,
  clientSettingsOf,
  loggerFor,
  positiveInteger,
  reportError,
  secondsFlag,
  type ServerCommandOptions,
  useColor,
  wholeNumberFlag,
} from '../common.js';
import { resolveConnection } from '../connection.js';
import { JsonOutput } from '../json-output.js';
import { eventLine } from '../../render/json-lines.js';
import { describeWatchEvent, watchEventData } from '../../render/watch-events.js';
import { addLockOptions, type LockFlags } from '../lock.js';

interface WatchCommandOptions extends ServerCommandOptions, LockFlags {
  interval?: number;
  debounce: number;
  prune?: boolean;
  allowDeleteAll?: boolean;
  concurrency: number;
  taskTimeout?: number;
  backoff: number;
  backoffMax: number;
  skipPreflight?: boolean;
  json?: boolean;
}

export function registerWatchCommand(program: Command): void {
  const command = program
    .command('watch')
    .description(
      'Keep the Pulp server converged: apply the desired state now, again whenever its files change (once they have been quiet for --debounce ms), ' +
        'and every --interval seconds to repair drift. An invalid edit is reported and nothing is applied; the last valid desired state stays in force. ' +
        'Deletions and replacements are reported and skipped unless --prune is given. A sync whose upstream fails the preflight probe is left out and reported. ' +
        'An object that keeps failing is retried with exponential backoff. ' +
        'Logs go to stderr, one line per event (JSON lines with --log-format json); stdout is used only by --json.',
    )
    .option('--interval <seconds>', 're-reconcile this long after each cycle, to repair changes made outside pulpform', secondsFlag)
    .option(
      '--debounce <ms>',
      'wait this long after the last file event before reconciling (editor bursts, atomic saves)',
      wholeNumberFlag(0),
      300,
    )
    .option(
      '--prune',
      'delete managed objects that are no longer in the desired state, and replace objects that cannot change in place (otherwise both are reported and skipped)',
    )
    .option('--allow-delete-all', 'with --prune, allow deleting every managed object of a kind')
    .option('--concurrency <n>', 'actions in flight at once', positiveInteger, 8)
    .option('--task-timeout <seconds>', 'give up waiting for one Pulp task after this long (it runs on in Pulp)', positiveInteger)
    .option(
      '--backoff <seconds>',
      'after an object fails, leave it alone this long before retrying; doubled (with jitter) for each further failure in a row',
      secondsFlag,
      30,
    )
    .option('--backoff-max <seconds>', 'the longest backoff', secondsFlag, 3600)
    .option('--json', 'also print every event as a JSON line on stdout, and a result line when the watch stops')
    .option(
      '--skip-preflight',
      'do not probe the upstreams of planned syncs first (when only the Pulp server can reach them); otherwise a sync whose upstream fails the probe is left out and reported',
    );
  addLockOptions(addServerOptions(addDesiredStateOption(command)));
  // A watch is read for what it did: it logs every cycle unless asked to be quieter.
  command.options.find((option) => option.long === '--log-level')?.default('info');
  command.setOptionValueWithSource('logLevel', 'info', 'default');
  command.action(async (options: WatchCommandOptions) => {
    const errColor = useColor(process.stderr, options.color);
    const secrets = new Set<string>();
    const logger = loggerFor(options, () => secrets);
    const json = options.json ? new JsonOutput('watch') : undefined;
    const counts = { cycles: 0, applied: 0, failed: 0, invalidEdits: 0 };
    const showJson = json
      ? (shown: ReturnType<typeof watchEventData>, message: string) => json.line(eventLine(shown, message))
      : () => undefined;
    const log = (event: WatchEvent): void => {
      const message = describeWatchEvent(event);
      const shown = watchEventData(event);
      const { level, time: _time, ...data } = shown;
      logger.log(level, message, options.logFormat === 'json' ? data : {});
      showJson(shown, message);
      if (event.code === 'watch.cycle_done') {
        counts.cycles += 1;
        counts.applied += Object.values(event.changed).reduce((sum, n) => sum + (n ?? 0), 0);
        counts.failed += event.failed.length;
      } else if (event.code === 'watch.desired_invalid') counts.invalidEdits += 1;
    };
    // Listening from the start, so a signal during startup also ends in a clean stop.
    const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
      const onSignal = (signal: NodeJS.Signals): void => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        // A second signal while stopping quits at once.
        process.once('SIGINT', () => process.exit(130));
        process.once('SIGTERM', () => process.exit(143));
        resolve(signal);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    if (!options.lock)
      logger.warn(
        '--lock=false: applying without the server lock; another run changing this server at the same time can undo or duplicate these changes',
      );
    try {
      // A path that does not exist is a typo, not an edit in progress: report it the way validate does.
      if (!existsSync(options.file)) await loadDesired(options.file);
      let warnedInsecure = false;
      const watch = await startWatch({
        path: options.file,
        connect: (state) => {
          const connection = resolveConnection(options, process.env, state.server);
          for (const value of secretValues(state, connection)) secrets.add(value);
          if (connection.insecure && !warnedInsecure) {
            warnedInsecure = true;
            logger.warn(`TLS certificate verification is off for ${connection.url} (--insecure)`);
          }
          return openClient(connection, clientSettingsOf(options));
        },
        prune: options.prune === true,
        preflight: options.skipPreflight !== true,
        lock: options.lock,
        lockTimeoutMs: options.lockTimeout,
        allowDeleteAll: options.allowDeleteAll === true,
        concurrency: options.concurrency,
        ...(options.taskTimeout !== undefined ? { taskTimeoutMs: options.taskTimeout * 1000 } : {}),
        backoff: { initialMs: Math.round(options.backoff * 1000), maxMs: Math.round(Math.max(options.backoff, options.backoffMax) * 1000) },
        debounceMs: options.debounce,
        ...(options.interval !== undefined ? { intervalMs: Math.round(options.interval * 1000) } : {}),
        emit: log,
      });
      await watch.stop(await stopSignal);
      process.exitCode = 0;
      json?.result(0, counts);
    } catch (error) {
      json?.failure(error, counts);
      reportError(error, { color: errColor, logger });
      process.exitCode = 1;
    }
  });
}
