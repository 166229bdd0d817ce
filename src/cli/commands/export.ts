import type { Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportDesiredState } from '../../export/export.js';
import { openClient } from '../../engine.js';
import { readLiveState } from '../../live/index.js';
import { renderDiagnostics } from '../../render/diagnostics.js';
import { addServerOptions, clientSettingsOf, reportError, type ServerCommandOptions, useColor } from '../common.js';
import { ConnectionError, resolveConnection } from '../connection.js';
import { createLogger } from '../logger.js';

interface ExportCommandOptions extends Omit<ServerCommandOptions, 'file'> {
  output: string;
  select?: string;
  stack?: string;
}

const EXPORT_FILE = 'export.yaml';

export function registerExportCommand(program: Command): void {
  const command = program
    .command('export')
    .description(
      'Write desired-state YAML for the objects on a Pulp server, so that pulpform adopts them changing nothing but their labels.',
    )
    .option('-o, --output <dir>', `directory to write ${EXPORT_FILE} into, or - for stdout`, '-')
    .option(
      '--select <selector>',
      'export only matching objects and what they refer to: kind, kind/plugin, a name glob, or kind/plugin/name-glob, comma-separated',
    )
    .option('--stack <name>', 'the stack the desired state is for (default: the one on the server\'s labels, else "default")');
  addServerOptions(command).action(async (options: ExportCommandOptions) => {
    const errColor = useColor(process.stderr, options.color);
    let secrets: string[] = [];
    const logger = createLogger({ level: options.logLevel, format: options.logFormat, file: options.logFile, secrets: () => secrets });
    try {
      const connection = resolveConnection(options, process.env);
      if (connection.password) secrets = [connection.password.reveal()];
      const target = options.output === '-' ? undefined : join(options.output, EXPORT_FILE);
      if (target !== undefined && existsSync(target)) {
        throw new ConnectionError(`${target} already exists`, 'remove it, or export into another directory with -o DIR');
      }
      const client = openClient(connection, clientSettingsOf(options));
      let result: ReturnType<typeof exportDesiredState>;
      try {
        result = exportDesiredState(await readLiveState(client), {
          ...(options.stack !== undefined ? { stack: options.stack } : {}),
          ...(options.select !== undefined ? { select: options.select } : {}),
        });
      } finally {
        client.close();
      }
      if (result.diagnostics.length > 0) process.stderr.write(renderDiagnostics(result.diagnostics, { color: errColor }));
      if (result.diagnostics.some((d) => d.severity === 'error')) {
        process.exitCode = 1;
        return;
      }
      if (target === undefined) {
        process.stdout.write(result.yaml);
      } else {
        mkdirSync(options.output, { recursive: true });
        writeFileSync(target, result.yaml);
      }
      const env =
        result.env.length > 0 ? ` Set ${result.env.join(', ')} before planning: Pulp holds those values but never returns them.` : '';
      process.stderr.write(
        `Exported ${result.count} objects for stack "${result.stack}"${target !== undefined ? ` to ${target}` : ''}.${env}\n`,
      );
      process.exitCode = 0;
    } catch (error) {
      reportError(error, { color: errColor, logger });
      process.exitCode = 1;
    }
  });
}
