import type { Diagnostic, Json } from '../model/index.js';
import { palette } from './style.js';

export interface RenderDiagnosticsOptions {
  color: boolean;
  /** Lines of each file by displayed path, secrets already masked (LoadResult.sources): for snippets. */
  sources?: ReadonlyMap<string, readonly string[]>;
}

/** Columns of text inside a box; source lines are not wrapped. */
const WRAP = 76;
/** Longer source lines are cut in snippets (a minified one-line file would flood the terminal). */
const MAX_SNIPPET = 160;

/**
 * Terraform-style boxes, one per diagnostic, then a one-line count:
 *
 *   ╷
 *   │ Error: Unknown field
 *   │
 *   │   on desired-state/rocky.yaml line 12, in remotes[0].polcy:
 *   │   12:     polcy: on_demand
 *   │           ^
 *   │ A rpm remote has no field "polcy".
 *   │
 *   │ Hint: Rename it to "policy".
 *   ╵
 */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], options: RenderDiagnosticsOptions): string {
  const p = palette(options.color);
  const boxes = diagnostics.map((diagnostic) => {
    const tone = diagnostic.severity === 'error' ? p.red : p.yellow;
    const lines: string[] = [`${p.bold(tone(diagnostic.severity === 'error' ? 'Error:' : 'Warning:'))} ${p.bold(diagnostic.summary)}`, ''];
    const { source } = diagnostic;
    if (source !== undefined) {
      lines.push(`  on ${source.file} line ${source.line}${diagnostic.path !== undefined ? `, in ${diagnostic.path}` : ''}:`);
      const code = options.sources?.get(source.file)?.[source.line - 1];
      if (code !== undefined) {
        const gutter = `  ${source.line}: `;
        lines.push(`${gutter}${truncate(code)}`);
        if (source.column - 1 < MAX_SNIPPET) lines.push(`${' '.repeat(gutter.length + source.column - 1)}${tone('^')}`);
      }
      lines.push('');
    }
    if (diagnostic.detail !== undefined) lines.push(...wrap(diagnostic.detail), '');
    if (diagnostic.value !== undefined && !mentions(diagnostic.detail ?? '', diagnostic.value))
      lines.push(...wrap(`Value: ${formatValue(diagnostic.value)}`));
    if (diagnostic.hint !== undefined) lines.push(...wrap(`${p.bold('Hint:')} ${diagnostic.hint}`));
    while (lines[lines.length - 1] === '') lines.pop();
    const bar = tone('│');
    return [tone('╷'), ...lines.map((line) => (line === '' ? bar : `${bar} ${line}`)), tone('╵')].join('\n');
  });
  const summary = summarizeDiagnostics(diagnostics);
  return `${boxes.join('\n')}${boxes.length > 0 ? '\n\n' : ''}${summary}\n`;
}

/** "2 errors and 1 warning." / "No problems found." */
export function summarizeDiagnostics(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (diagnostics.length === 0) return 'No problems found.';
  const parts = [errors > 0 ? plural(errors, 'error') : '', warnings > 0 ? plural(warnings, 'warning') : ''].filter((part) => part !== '');
  return `${parts.join(' and ')}.`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Whether the detail already shows the value (`has no field "polcy"`), so "Value:" would repeat it. */
function mentions(detail: string, value: Json): boolean {
  return detail.includes(JSON.stringify(value)) || (typeof value === 'string' && value.length > 3 && detail.includes(value));
}

function formatValue(value: Json): string {
  return value === '(sensitive)' ? value : JSON.stringify(value);
}

function truncate(line: string): string {
  return line.length > MAX_SNIPPET ? `${line.slice(0, MAX_SNIPPET)}…` : line;
}

function wrap(text: string): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line !== '' && visibleLength(line) + 1 + visibleLength(word) > WRAP) {
        lines.push(line);
        line = word;
      } else {
        line = line === '' ? word : `${line} ${word}`;
      }
    }
    lines.push(line);
  }
  return lines;
}

function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: it strips the terminal's colour codes
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}
