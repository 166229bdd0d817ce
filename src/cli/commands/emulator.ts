import { type Command, InvalidArgumentError } from 'commander';
import { type FaultOptions, parseFaultSpec } from '../../emulator/faults.js';
import { DEFAULT_PULP_VERSION, PULP_VERSIONS, type PulpVersion } from '../../emulator/versions.js';

interface EmulatorFlags {
  pulpVersion: PulpVersion;
  host: string;
  port: number;
  latency: number;
  taskMs: number;
  faults?: FaultOptions;
  seed: number;
  username: string;
  password: string;
  contentOrigin?: string;
}

function faultSpec(value: string): FaultOptions {
  try {
    return parseFaultSpec(value);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e));
  }
}

/** `--pulp-version`: one of the versions the emulator speaks. */
export function pulpVersion(value: string): PulpVersion {
  const version = PULP_VERSIONS.find((v) => v === value);
  if (!version) throw new InvalidArgumentError(`the emulator speaks Pulp ${PULP_VERSIONS.join(', ')}; got '${value}'.`);
  return version;
}

function nonNegativeInteger(flag: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${flag} needs a whole number >= 0, got '${value}'.`);
    return Number(value);
  };
}

export function registerEmulatorCommand(program: Command): void {
  program
    .command('emulator')
    .description('Run the built-in Pulp emulator (pulpcore with rpm, container, deb and file) until interrupted')
    .option(
      '--pulp-version <version>',
      `the Pulp version to speak: ${PULP_VERSIONS.join(', ')} (pulpcore 3.23.24, 3.43.1, 3.116.0 with their plugins)`,
      pulpVersion,
      DEFAULT_PULP_VERSION,
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0 picks a free one)', nonNegativeInteger('--port'), 24817)
    .option('--latency <ms>', 'delay added to every API request', nonNegativeInteger('--latency'), 0)
    .option('--task-ms <ms>', 'how long each task stays running', nonNegativeInteger('--task-ms'), 10)
    .option(
      '--faults <spec>',
      'inject faults, e.g. error=0.05,reset=0.01,lost=0.01,slow=0.01,slow_ms=5000,task=0.1 (shares of 500s, resets, handled requests whose answer is lost or late, failed tasks)',
      faultSpec,
    )
    .option('--seed <n>', 'seed of the fault injection, so a run can be repeated', nonNegativeInteger('--seed'), 0)
    .option('--username <name>', 'user the API accepts', 'admin')
    .option('--password <password>', 'password the API accepts', 'password')
    .option('--content-origin <url>', "CONTENT_ORIGIN shown in distributions' base_url (default: the emulator's own URL)")
    .action(async (flags: EmulatorFlags) => {
      // Loaded when run: the emulator is a large part of pulpform's code, which plan and apply need none of.
      const { startEmulator } = await import('../../emulator/index.js');
      const emulator = await startEmulator({
        pulpVersion: flags.pulpVersion,
        host: flags.host,
        port: flags.port,
        latencyMs: flags.latency,
        taskMs: flags.taskMs,
        username: flags.username,
        password: flags.password,
        ...(flags.faults ? { faults: { ...flags.faults, seed: flags.seed } } : {}),
        ...(flags.contentOrigin ? { contentOrigin: flags.contentOrigin } : {}),
      });
      const password = flags.password === 'password' ? "password 'password'" : 'the password given with --password';
      process.stderr.write(
        `Pulp ${emulator.pulpVersion} emulator listening on ${emulator.url} (API: ${emulator.url}/pulp/api/v3/)\n` +
          `Basic auth: user '${flags.username}', ${password}. Request log: GET ${emulator.url}/_emulator/requests\n` +
          'Stop with Ctrl-C.\n',
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await emulator.close();
      process.stderr.write('Pulp emulator stopped.\n');
    });
}
