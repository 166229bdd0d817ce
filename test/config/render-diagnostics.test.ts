import { describe, expect, test } from '@jest/globals';
import type { Diagnostic } from '../../src/model/index.js';
import { renderDiagnostics, summarizeDiagnostics } from '../../src/render/diagnostics.js';
import { diagnosticLine } from '../../src/render/json-lines.js';

const SOURCES = new Map([['desired-state/rocky.yaml', ['remotes:', '  - name: rocky', '    type: rpm', '    polcy: on_demand']]]);

const UNKNOWN_FIELD: Diagnostic = {
  severity: 'error',
  code: 'config.unknown_field',
  summary: 'Unknown field',
  detail: 'An rpm remote has no field "polcy".',
  hint: 'Rename it to "policy".',
  source: { file: 'desired-state/rocky.yaml', line: 4, column: 5 },
  path: 'remotes[0].polcy',
  address: 'remote/rpm/rocky',
  value: 'polcy',
};

const EMPTY: Diagnostic = {
  severity: 'warning',
  code: 'config.empty',
  summary: 'Empty desired state',
  detail: 'desired-state/rocky.yaml declares no remotes, repositories, publications or distributions.',
  value: 3,
};

describe('renderDiagnostics', () => {
  test('draws a Terraform-style box with location, snippet, caret, detail, value and hint, then a count', () => {
    expect(renderDiagnostics([UNKNOWN_FIELD, EMPTY], { color: false, sources: SOURCES })).toBe(
      [
        '╷',
        '│ Error: Unknown field',
        '│',
        '│   on desired-state/rocky.yaml line 4, in remotes[0].polcy:',
        '│   4:     polcy: on_demand',
        '│          ^',
        '│',
        '│ An rpm remote has no field "polcy".',
        '│',
        '│ Hint: Rename it to "policy".',
        '╵',
        '╷',
        '│ Warning: Empty desired state',
        '│',
        '│ desired-state/rocky.yaml declares no remotes, repositories, publications or',
        '│ distributions.',
        '│',
        '│ Value: 3',
        '╵',
        '',
        '1 error and 1 warning.',
        '',
      ].join('\n'),
    );
  });

  test('colours only when asked', () => {
    expect(renderDiagnostics([UNKNOWN_FIELD], { color: true })).toContain('\u001b[1m\u001b[31mError:\u001b[0m');
    expect(renderDiagnostics([UNKNOWN_FIELD], { color: false })).not.toContain('\u001b[');
  });

  test('cuts very long source lines in snippets', () => {
    const sources = new Map([['a.yaml', [`description: ${'x'.repeat(500)}`]]]);
    const text = renderDiagnostics([{ ...UNKNOWN_FIELD, source: { file: 'a.yaml', line: 1, column: 1 } }], { color: false, sources });
    expect(text).toContain(`1: description: ${'x'.repeat(147)}…`);
  });

  test('summarises counts', () => {
    expect(summarizeDiagnostics([])).toBe('No problems found.');
    expect(summarizeDiagnostics([UNKNOWN_FIELD, UNKNOWN_FIELD])).toBe('2 errors.');
    expect(summarizeDiagnostics([EMPTY])).toBe('1 warning.');
  });
});

describe('diagnosticLine', () => {
  test('is the diagnostic as one --json line: message, hint and where it is written', () => {
    expect(diagnosticLine(UNKNOWN_FIELD)).toEqual({
      type: 'diagnostic',
      code: UNKNOWN_FIELD.code,
      severity: 'error',
      message: UNKNOWN_FIELD.summary,
      detail: UNKNOWN_FIELD.detail,
      hint: UNKNOWN_FIELD.hint,
      file: UNKNOWN_FIELD.source!.file,
      line: UNKNOWN_FIELD.source!.line,
      column: UNKNOWN_FIELD.source!.column,
      path: UNKNOWN_FIELD.path,
      address: 'remote/rpm/rocky',
      ...(UNKNOWN_FIELD.value !== undefined ? { value: UNKNOWN_FIELD.value } : {}),
    });
  });
});
