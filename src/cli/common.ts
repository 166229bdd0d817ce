import { type Command, InvalidArgumentError, Option } from 'commander';
import type winston from 'winston';
import { type ClientSettings, DesiredStateError } from '../engine.js';
import { renderDiagnostics } from '../render/diagnostics.js';
import { palette } from '../render/style.js';
import type { ConnectionFlags } from './connection.js';
import { describeFailure } from './failures.js';
import { createLogger, type LogFormat } from './logger.js';

/** Flags shared by every command that talks to a Pulp server. */
export interface ServerCommandOptions extends ConnectionFlags {
  file: string;
  color: boolean;
  logLevel: string;
  logFile?: string;
  logFormat: LogFormat;
  /** Seconds to wait for one HTTP answer from Pulp. */
  requestTimeout?: number;
}

export function addDesiredStateOption(command: Command): Command {
  return command.option('-f, --file <path>', 'desired-state YAML file, or a directory of them', 'desired-state');
}

export function addServerOptions(command: Command): Command {
  return command
    .option('--server <url>', 'Pulp base URL, e.g. https://pulp.example.com (env PULP_BASE_URL)')
    .option('--username <name>', 'Pulp user (env PULP_USERNAME; default admin)')
    .option('--password-file <path>', 'file holding the Pulp password (env PULP_PASSWORD)')
    .option(
      '--profile <name>',
      "take unset connection settings from [cli-NAME] of pulp-cli's cli.toml (env PULP_CLI_PROFILE; default [cli])",
    )
    .option('--ca-cert <path>', 'PEM file of the CA that signed the server certificate')
    .option('--insecure', 'do not verify the server TLS certificate (not recommended)')
    .option(
      '--request-timeout <seconds>',
      'wait at most this long for each request to Pulp, its retries included (default: 60)',
      positiveInteger,
    )
    .option('--no-color', 'disable colours (NO_COLOR is honoured too)')
    .option('--log-level <level>', 'error, warn, info or debug', 'warn')
    .option('--log-file <path>', 'also write JSON log lines to this file')
    .addOption(new Option('--log-format <format>', 'log line format on stderr').choices(['human', 'json']).default('human'));
}

/** Writes text that comes in pieces in writes of about 64 KB, so a long text is never held whole nor written line by line. */
export function writeChunks(stream: NodeJS.WritableStream, chunks: Iterable<string>): void {
  let batch = '';
  for (const chunk of chunks) {
    batch += chunk;
    if (batch.length < 65_536) continue;
    stream.write(batch);
    batch = '';
  }
  if (batch !== '') stream.write(batch);
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream, flag: boolean): boolean {
  return flag && stream.isTTY === true && !process.env.NO_COLOR;
}

export function loggerFor(options: ServerCommandOptions, secrets: () => Iterable<string>): winston.Logger {
  return createLogger({ level: options.logLevel, format: options.logFormat, file: options.logFile, secrets });
}

/** The client settings of the shared server flags. */
export function clientSettingsOf(options: Pick<ServerCommandOptions, 'requestTimeout'>): ClientSettings {
  return options.requestTimeout === undefined ? {} : { timeoutMs: options.requestTimeout * 1000 };
}

/**
 * Parsers of numeric flags. Commander prints what they throw on one line after the flag and the
 * value ("option '--concurrency <n>' argument '0' is invalid. It must be …") and exits 2.
 */
export function wholeNumberFlag(minimum: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < minimum)
      throw new InvalidArgumentError(`It must be a whole number of at least ${minimum}.`);
    return n;
  };
}

export function secondsFlag(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('It must be a number of seconds greater than 0, such as 300 or 0.5.');
  return n;
}

export const positiveInteger = wholeNumberFlag(1);

/**
 * Prints an error the way users can act on it: what failed and the fix, never a stack trace
 * (that goes to the debug log), and never a secret (errors are built without them).
 */
export function reportError(error: unknown, options: { color: boolean; logger?: winston.Logger }): void {
  const p = palette(options.color);
  const out = (text: string): void => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  if (error instanceof DesiredStateError) {
    out(renderDiagnostics(error.diagnostics, { color: options.color, sources: error.sources }));
    return;
  }
  const { message, hint, known } = describeFailure(error);
  out(`${p.bold(p.red('Error:'))} ${message}`);
  if (hint) out(`  ${p.bold('Hint:')} ${hint}`);
  if (!known && error instanceof Error) options.logger?.debug('stack', { stack: error.stack });
}
