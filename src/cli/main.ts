#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

type Register = (program: Command) => void;

/**
 * Every command, in the order `--help` lists them, with the module that registers it. Only the
 * command being run is loaded, so `--version` loads none and only `emulator`, `demo` and
 * `conformance` load the emulator.
 */
const COMMANDS: ReadonlyArray<readonly [name: string, load: () => Promise<Register>]> = [
  ['validate', async () => (await import('./commands/validate.js')).registerValidateCommand],
  ['plan', async () => (await import('./commands/plan.js')).registerPlanCommand],
  ['apply', async () => (await import('./commands/apply.js')).registerApplyCommand],
  ['watch', async () => (await import('./commands/watch.js')).registerWatchCommand],
  ['pin', async () => (await import('./commands/pin.js')).registerPinCommands],
  ['promote', async () => (await import('./commands/pin.js')).registerPinCommands],
  ['outdated', async () => (await import('./commands/outdated.js')).registerOutdatedCommand],
  ['unlock', async () => (await import('./commands/unlock.js')).registerUnlockCommand],
  ['status', async () => (await import('./commands/status.js')).registerStatusCommand],
  ['emulator', async () => (await import('./commands/emulator.js')).registerEmulatorCommand],
  ['conformance', async () => (await import('./commands/conformance.js')).registerConformanceCommand],
  ['export', async () => (await import('./commands/export.js')).registerExportCommand],
  ['client-config', async () => (await import('./commands/client-config.js')).registerClientConfigCommand],
  ['demo', async () => (await import('./commands/demo.js')).registerDemoCommand],
];

/** The command line's command, or undefined for `--version`, `--help`, `help` and unknown names (commander then needs them all to answer). */
function commandOf(argv: readonly string[]): string | undefined {
  const first = argv.slice(2).find((arg) => !arg.startsWith('-'));
  return COMMANDS.some(([name]) => name === first) ? first : undefined;
}

export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command()
    .name('pulpform')
    .description('Desired-state engine for Pulp 3: plan, apply and watch remotes, repositories, publications and distributions from YAML.')
    .version(pkg.version)
    // Commander prints the usage error itself; the exit status is decided below.
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  const args = argv.slice(2);
  if (args.length > 0 && args.every((arg) => arg === '--version' || arg === '-V')) return program;
  const wanted = commandOf(argv);
  const registers = await Promise.all(COMMANDS.filter(([name]) => wanted === undefined || name === wanted).map(([, load]) => load()));
  for (const register of new Set(registers)) register(program);
  return program;
}

/**
 * Exit status of a usage error (an unknown flag, a bad value): 2, as for most command-line tools,
 * except where `--detailed-exitcode` has promised that 2 means "changes present".
 */
export function usageExitCode(argv: readonly string[]): number {
  return argv.includes('--detailed-exitcode') ? 1 : 2;
}

try {
  await (await buildProgram(process.argv)).parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  // Help and --version end as commander decided (help without a command is exit 1); everything else is a usage error.
  const shown = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
  process.exitCode = shown ? error.exitCode : usageExitCode(process.argv);
}
