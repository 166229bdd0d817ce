import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { DIAGNOSTIC_CODES } from '../../src/model/index.js';
import { DIAGNOSTICS_DOC_FILE, diagnosticsDocText } from '../../src/render/diagnostics-doc.js';

describe('docs/diagnostics.md', () => {
  test('the committed file is what the catalogue generates (regenerate with `npm run schema`)', () => {
    const committed = readFileSync(DIAGNOSTICS_DOC_FILE, 'utf8');
    try {
      expect(committed).toBe(diagnosticsDocText());
    } catch (error) {
      (error as Error).message =
        `${DIAGNOSTICS_DOC_FILE} differs from src/model/diagnostic-codes.ts: run \`npm run schema\` and commit the result.\n\n${(error as Error).message}`;
      throw error;
    }
  });

  test('lists every code once, under its stage, with its severity', () => {
    const text = diagnosticsDocText();
    for (const code of Object.keys(DIAGNOSTIC_CODES)) expect(text.split(`| \`${code}\` |`)).toHaveLength(2);
    expect(text).toContain('| `plan.no_stack` | error or warning |');
    expect(text).toContain('| `config.no_files` | error | The -f directory holds no \\*.yaml or \\*.yml file');
    const sections = text.split('\n## ').slice(1);
    expect(sections.map((section) => section.slice(0, section.indexOf(':')))).toEqual([
      'config',
      'plan',
      'preflight',
      'outdated',
      'export',
      'client',
    ]);
    for (const section of sections) {
      const stage = section.slice(0, section.indexOf(':'));
      expect([...section.matchAll(/^\| `([a-z]+)\./gm)].every((match) => match[1] === stage)).toBe(true);
    }
  });
});
