import type { Command } from 'commander';
import { loadDesiredState } from '../../config/index.js';
import { plural, renderDiagnostics, summarizeDiagnostics } from '../../render/diagnostics.js';
import { useColor } from '../common.js';
import { JsonOutput } from '../json-output.js';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('Parse and validate the desired state: every error at once, each with file:line:column and the fix.')
    .option('-f, --file <path>', 'desired-state YAML file, or a directory of them', 'desired-state')
    .option('--json', 'print the diagnostics and the result as JSON lines on stdout')
    .option('--no-color', 'disable colours (NO_COLOR is honoured too)')
    .action(async (options: { file: string; json?: boolean; color: boolean }) => {
      const { state, diagnostics, sources } = await loadDesiredState(options.file);
      if (options.json) {
        const json = new JsonOutput('validate');
        json.diagnostics(diagnostics);
        const errors = diagnostics.filter((d) => d.severity === 'error').length;
        json.result(state === undefined ? 1 : 0, {
          valid: state !== undefined,
          errors,
          warnings: diagnostics.length - errors,
          resources: state?.resources.length ?? 0,
          files: state?.sources.files.length ?? 0,
        });
        return;
      } else {
        if (diagnostics.length > 0)
          process.stderr.write(renderDiagnostics(diagnostics, { color: useColor(process.stderr, options.color), sources }));
        if (state !== undefined) {
          const warnings = diagnostics.length > 0 ? ` (${summarizeDiagnostics(diagnostics).replace(/\.$/, '')})` : '';
          process.stdout.write(
            `valid: ${plural(state.resources.length, 'resource')} in ${plural(state.sources.files.length, 'file')}${warnings}\n`,
          );
        }
      }
      process.exitCode = state === undefined ? 1 : 0;
    });
}
