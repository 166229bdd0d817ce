#!/usr/bin/env node
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { registerConformanceCommand } from './commands/conformance.js';
import { registerEmulatorCommand } from './commands/emulator.js';
import { registerValidateCommand } from './commands/validate.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command()
    .name('pulpform')
    .description('Desired-state engine for Pulp 3: plan, apply and watch remotes, repositories, publications and distributions from YAML.')
    .version(pkg.version)
    .showHelpAfterError();
  registerEmulatorCommand(program);
  registerConformanceCommand(program);
  registerValidateCommand(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
