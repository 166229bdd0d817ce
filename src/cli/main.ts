#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { registerApplyCommand } from './commands/apply.js';
import { registerClientConfigCommand } from './commands/client-config.js';
import { registerConformanceCommand } from './commands/conformance.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerEmulatorCommand } from './commands/emulator.js';
import { registerExportCommand } from './commands/export.js';
import { registerOutdatedCommand } from './commands/outdated.js';
import { registerPinCommands } from './commands/pin.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerStatusCommand } from './commands/status.js';
import { registerUnlockCommand } from './commands/unlock.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerWatchCommand } from './commands/watch.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command()
    .name('pulpform')
    .description('Desired-state engine for Pulp 3: plan, apply and watch remotes, repositories, publications and distributions from YAML.')
    .version(pkg.version)
    // Commander prints the usage error itself; the exit status is decided below.
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  registerValidateCommand(program);
  registerPlanCommand(program);
  registerApplyCommand(program);
  registerWatchCommand(program);
  registerPinCommands(program);
  registerOutdatedCommand(program);
  registerUnlockCommand(program);
  registerStatusCommand(program);
  registerEmulatorCommand(program);
  registerConformanceCommand(program);
  registerExportCommand(program);
  registerClientConfigCommand(program);
  registerDemoCommand(program);
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
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  // Help and --version end as commander decided (help without a command is exit 1); everything else is a usage error.
  const shown = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
  process.exitCode = shown ? error.exitCode : usageExitCode(process.argv);
}
