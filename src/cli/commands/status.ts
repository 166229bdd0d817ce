import type { Command } from 'commander';
import { describeHolder, formatDuration, lockStaleness, readLock } from '../../apply/lock.js';
import { DesiredStateError, loadDesired, openClient, secretValues } from '../../engine.js';
import { readLiveState } from '../../live/index.js';
import { parseSelectors, selectorMatches } from '../../model/selectors.js';
import { stackStatus } from '../../plan/status.js';
import { renderStatusText } from '../../render/status-text.js';
import {
  addDesiredStateOption,
  addServerOptions,
  clientSettingsOf,
  loggerFor,
  reportError,
  type ServerCommandOptions,
  useColor,
} from '../common.js';
import { resolveConnection } from '../connection.js';
import { JsonOutput } from '../json-output.js';
import type { JsonObject } from '../../model/json.js';

interface StatusOptions extends ServerCommandOptions {
  json?: boolean;
}

/** `pulpform status [SELECTOR]`: per mirror, the snapshots the server holds and what each environment serves. */
export function registerStatusCommand(program: Command): void {
  const command = program
    .command('status')
    .argument('[selector]', 'only these mirrors or images: a name glob, or kind/plugin/name-glob')
    .description(
      'Show what the server holds for the desired state: per mirror the snapshots synced into it (rollback targets), what each environment serves and whether that is what the YAML says; images; objects no longer declared; the server lock.',
    )
    .option('--json', 'print the status as JSON on stdout');
  addServerOptions(addDesiredStateOption(command)).action(async (selector: string | undefined, options: StatusOptions) => {
    let secrets: string[] = [];
    const logger = loggerFor(options, () => secrets);
    const json = options.json ? new JsonOutput('status') : undefined;
    try {
      const { state, warnings } = await loadDesired(options.file);
      json?.diagnostics(warnings);
      const connection = resolveConnection(options, process.env, state.server);
      secrets = secretValues(state, connection);
      const parsed = selector === undefined ? undefined : parseSelectors(selector, 'SELECTOR');
      if (parsed !== undefined && parsed.diagnostics.length > 0) throw new DesiredStateError(parsed.diagnostics, new Map());
      const select = (address: string): boolean => parsed === undefined || parsed.selectors.some((s) => selectorMatches(s, address));
      const client = openClient(connection, clientSettingsOf(options));
      try {
        const [live, lock] = await Promise.all([readLiveState(client, { versions: true }), readLock(client, state.stack)]);
        const status = stackStatus(state, live, select);
        const held =
          lock === undefined
            ? undefined
            : {
                holder: describeHolder(lock),
                ageMs: lockStaleness(lock).ageMs,
                stale: lockStaleness(lock).stale ?? null,
                expiresAt: lock.expiresAt,
              };
        if (json) {
          json.line({
            type: 'status',
            server: connection.url,
            status: JSON.parse(JSON.stringify({ ...status, lock: held ?? null })) as JsonObject,
          });
          json.result(0, {
            mirrors: status.mirrors.length,
            images: status.images.length,
            undeclared: status.undeclared.length,
            locked: held !== undefined,
          });
        } else {
          const lockText =
            held === undefined
              ? 'no run holds the server lock'
              : `locked by ${held.holder} for ${formatDuration(held.ageMs)}${held.stale ? ` (${held.stale})` : ''}`;
          process.stdout.write(renderStatusText(status, lockText, { color: useColor(process.stdout, options.color) }));
        }
        process.exitCode = 0;
      } finally {
        client.close();
      }
    } catch (error) {
      if (json) json.failure(error);
      else reportError(error, { color: useColor(process.stderr, options.color), logger });
      process.exitCode = 1;
    }
  });
}
