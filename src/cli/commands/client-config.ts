import { type Command, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { checkHostEntries, httpGetter } from '../../clientconfig/check.js';
import { contentBaseFromStatus, contentBaseProblem, DEFAULT_CONTENT_PATH, joinContentBase } from '../../clientconfig/content-base.js';
import { HOST_FORMATS, type HostFormat, selectHostEntries } from '../../clientconfig/entries.js';
import { renderCheckReport, renderHostFile } from '../../clientconfig/render.js';
import { loadDesired, openClient, secretValues } from '../../engine.js';
import type { PulpClient } from '../../live/index.js';
import { renderDiagnostics } from '../../render/diagnostics.js';
import {
  addDesiredStateOption,
  addServerOptions,
  clientSettingsOf,
  loggerFor,
  reportError,
  type ServerCommandOptions,
  useColor,
} from '../common.js';
import type { Connection } from '../../engine.js';
import { ConnectionError, NoServerError, resolveConnection } from '../connection.js';

interface ClientConfigOptions extends ServerCommandOptions {
  format: HostFormat;
  environment?: string;
  check?: boolean;
  contentUrl?: string;
  output?: string;
}

export function registerClientConfigCommand(program: Command): void {
  const command = program
    .command('client-config')
    .description('Print what hosts need to use the served content: a dnf .repo file, apt sources, or the container registry to pull from.')
    .addOption(new Option('--format <format>', 'what to print').choices(HOST_FORMATS).makeOptionMandatory())
    .option('--environment <name>', "the package mirrors' environment hosts use, e.g. development or production")
    .option('--check', 'fetch each URL from the server as a host would, report every one that does not serve, and exit 1 if any')
    .option(
      '--content-url <url>',
      "where hosts reach the served content, e.g. https://pulp.example.com/pulp/content/ (default: what the server's /status/ says)",
    )
    .option('-o, --output <file>', 'write the file there instead of to stdout');
  addServerOptions(addDesiredStateOption(command)).action(async (options: ClientConfigOptions) => {
    const errColor = useColor(process.stderr, options.color);
    let secrets: string[] = [];
    const logger = loggerFor(options, () => secrets);
    let client: PulpClient | undefined;
    try {
      const { state, warnings, sources } = await loadDesired(options.file);
      const selection = selectHostEntries(state, options.format, options.environment);
      const diagnostics = [...warnings, ...selection.diagnostics];
      if (diagnostics.length > 0) process.stderr.write(renderDiagnostics(diagnostics, { color: errColor, sources }));
      if (selection.diagnostics.some((d) => d.severity === 'error')) {
        process.exitCode = 1;
        return;
      }

      const connection = connect(options, state.server);
      secrets = secretValues(state, connection);
      const server = connection !== undefined ? { connection, client: openClient(connection, clientSettingsOf(options)) } : undefined;
      client = server?.client;
      const contentBase = await resolveContentBase(options.contentUrl, server, (message) => logger.warn(message));
      const registryUrl = new URL(connection?.url ?? contentBase);
      const text = renderHostFile(options.format, selection.entries, {
        stack: state.stack,
        ...(selection.environments.length > 0 && options.environment !== undefined ? { environment: options.environment } : {}),
        contentBase,
        registry: { host: registryUrl.host, insecure: registryUrl.protocol === 'http:' },
      });
      if (options.output !== undefined) {
        try {
          writeFileSync(options.output, text);
        } catch (error) {
          throw new ConnectionError(
            `cannot write ${options.output}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
            'check the path given to -o, or print to stdout without it',
          );
        }
        process.stderr.write(`Wrote ${options.output}.\n`);
      } else {
        process.stdout.write(text);
      }
      process.exitCode = 0;

      if (options.check) {
        const probes = await checkHostEntries(selection.entries, {
          contentBase,
          registryOrigin: registryUrl.origin,
          get: httpGetter({ caCert: connection?.caCert, insecure: connection?.insecure }),
          ...(connection !== undefined
            ? {
                credentials: {
                  username: connection.username,
                  ...(connection.password !== undefined ? { password: connection.password } : {}),
                },
              }
            : {}),
          ...(client !== undefined ? { client } : {}),
        });
        process.stderr.write(renderCheckReport(probes, errColor));
        if (probes.some((probe) => probe.failure !== undefined)) process.exitCode = 1;
      }
    } catch (error) {
      reportError(error, { color: errColor, logger });
      process.exitCode = 1;
    } finally {
      client?.close();
    }
  });
}

/** Without --check a server is optional: --content-url can say where content is instead. */
function connect(options: ClientConfigOptions, server: Parameters<typeof resolveConnection>[2]): Connection | undefined {
  try {
    return resolveConnection(options, process.env, server);
  } catch (error) {
    if (error instanceof NoServerError && !options.check) return undefined;
    throw error;
  }
}

/** --content-url, else what the server's /status/ says, else the server URL with Pulp's default content path. */
async function resolveContentBase(
  flag: string | undefined,
  server: { connection: Connection; client: PulpClient } | undefined,
  warn: (message: string) => void,
): Promise<string> {
  if (flag !== undefined) {
    const problem = contentBaseProblem(flag);
    if (problem !== undefined)
      throw new ConnectionError(
        `--content-url cannot be used: ${problem}`,
        'give the URL hosts reach the content at, e.g. https://pulp.example.com/pulp/content/',
      );
    const url = new URL(flag);
    return joinContentBase(url.origin, url.pathname);
  }
  if (server === undefined) {
    throw new NoServerError(
      'no Pulp server given, nor where it serves content',
      'pass --content-url URL, or name the server: --server URL, PULP_BASE_URL, server.url in the desired state, or a pulp-cli profile',
    );
  }
  const fallback = joinContentBase(server.connection.url, DEFAULT_CONTENT_PATH);
  try {
    const base = contentBaseFromStatus(await server.client.status());
    if (base !== undefined) return base;
    warn(`the server's /status/ names no content origin; using ${fallback} (pass --content-url to choose)`);
  } catch (error) {
    warn(
      `could not ask ${server.connection.url} for its content origin (${error instanceof Error ? error.message : String(error)}); using ${fallback} (pass --content-url to choose)`,
    );
  }
  return fallback;
}
