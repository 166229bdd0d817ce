import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NEWEST_PULP_VERSION, PULP_VERSIONS, type PulpVersion } from '../../emulator/versions.js';
import { pulpVersion } from './emulator.js';
import { palette } from '../../render/style.js';
import { reportError, useColor } from '../common.js';

interface DemoFlags {
  file?: string;
  pulpVersion?: PulpVersion;
  keepRunning?: boolean;
  color: boolean;
}

/** The desired state shipped with pulpform, for a demo run outside a checkout. */
const BUNDLED = fileURLToPath(new URL('../../../desired-state', import.meta.url));

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Walk the Release Train end to end on two built-in emulators (Ark and a local Pulp, on 127.0.0.1): apply, plan again, bump a pin, promote',
    )
    .option('-f, --file <path>', 'desired state to run (default: ./desired-state, else the one shipped with pulpform)')
    .option('--keep-running', 'keep both emulators running afterwards, until Ctrl-C')
    .option(
      '--pulp-version <version>',
      `the Pulp version the local emulator speaks: ${PULP_VERSIONS.join(', ')} (default ${NEWEST_PULP_VERSION})`,
      pulpVersion,
    )
    .option('--no-color', 'disable colours (NO_COLOR is honoured too)')
    .action(async (flags: DemoFlags) => {
      const color = useColor(process.stdout, flags.color);
      // Loaded when run: the demo and its emulators are code plan and apply need none of.
      const { DemoError, runDemo } = await import('../../demo/index.js');
      try {
        await runDemo({
          file: flags.file ?? (existsSync('desired-state') ? 'desired-state' : BUNDLED),
          color,
          write: (text) => void process.stdout.write(text),
          ...(flags.keepRunning ? { keepRunning: untilInterrupted } : {}),
          ...(flags.pulpVersion ? { pulpVersion: flags.pulpVersion } : {}),
        });
      } catch (error) {
        if (error instanceof DemoError) {
          process.stderr.write(`${palette(useColor(process.stderr, flags.color)).red('Error:')} demo: ${error.message}\n`);
        } else {
          reportError(error, { color: useColor(process.stderr, flags.color) });
        }
        process.exitCode = 1;
      }
    });
}

function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
