#!/usr/bin/env node
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { registerApplyCommand } from './commands/apply.js';
import { registerClientConfigCommand } from './commands/client-config.js';
import { registerConformanceCommand } from './commands/conformance.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerEmulatorCommand } from './commands/emulator.js';
import { registerExportCommand } from './commands/export.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerWatchCommand } from './commands/watch.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command()
    .name('pulpform')
    .description('Desired-state engine for Pulp 3: plan, apply and watch remotes, repositories, publications and distributions from YAML.')
    .version(pkg.version)
    .showHelpAfterError();
  registerValidateCommand(program);
  registerPlanCommand(program);
  registerApplyCommand(program);
  registerWatchCommand(program);
  registerEmulatorCommand(program);
  registerConformanceCommand(program);
  registerExportCommand(program);
  registerClientConfigCommand(program);
  registerDemoCommand(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
