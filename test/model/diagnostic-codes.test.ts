import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIAGNOSTIC_CODES, type DiagnosticCode } from '../../src/model/index.js';
import { DIAGNOSTIC_STAGES, stageOf } from '../../src/render/diagnostics-doc.js';

const CATALOGUE_FILE = join('src', 'model', 'diagnostic-codes.ts');
const CODES = Object.keys(DIAGNOSTIC_CODES) as DiagnosticCode[];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

const SOURCES = new Map(sourceFiles('src').flatMap((file) => (file === CATALOGUE_FILE ? [] : [[file, readFileSync(file, 'utf8')]])));

/** Codes written as string literals, except in comparisons: a filter by code does not report it. */
function codesProduced(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![=!]== )'([a-z]+\.[a-z_]+)'/g)].map((match) => match[1]!));
}

/**
 * `severity: 'warning', code: 'plan.partial'` (and `code: cond ? 'a' : 'b'`) in object
 * literals. Codes passed as parameters are checked by tsc instead: PlanContext.error, the
 * interpolation problems, urlProblem and readSourceFile take only codes the catalogue reports as errors.
 */
function severityPairs(text: string): { severity: string; code: string }[] {
  const pair = /severity: '(error|warning)'(?: as const)?,\s+code: (?:[^'\n]*\? )?'([a-z]+\.[a-z_]+)'(?: : '([a-z]+\.[a-z_]+)')?/g;
  return [...text.matchAll(pair)].flatMap(([, severity, ...codes]) =>
    codes.filter((code) => code !== undefined).map((code) => ({ severity: severity!, code })),
  );
}

describe('the catalogue of diagnostic codes', () => {
  test('every code belongs to a stage and has a one-line meaning', () => {
    const malformed = CODES.filter((code) => {
      const { meaning } = DIAGNOSTIC_CODES[code];
      return DIAGNOSTIC_STAGES[stageOf(code)] === undefined || meaning.includes('\n') || !/^\S.*\.$/.test(meaning);
    });
    expect(malformed).toEqual([]);
    for (const stage of Object.keys(DIAGNOSTIC_STAGES)) expect(CODES.some((code) => stageOf(code) === stage)).toBe(true);
  });

  test('every code is reported somewhere in src/ (remove codes nothing reports any more)', () => {
    const produced = new Set([...SOURCES.values()].flatMap((text) => [...codesProduced(text)]));
    expect(CODES.filter((code) => !produced.has(code))).toEqual([]);
  });

  test('the severity written beside a code is one the catalogue gives it', () => {
    const pairs = [...SOURCES].flatMap(([file, text]) => severityPairs(text).map((pair) => ({ file, ...pair })));
    // Most codes are written this way; a scan that finds few has stopped matching the source.
    expect(new Set(pairs.map((pair) => pair.code)).size).toBeGreaterThan(CODES.length / 2);
    const wrong = pairs.filter(({ code, severity }) => {
      const allowed = (DIAGNOSTIC_CODES as Record<string, { severity: string }>)[code]?.severity;
      return allowed !== severity && allowed !== 'either';
    });
    expect(wrong).toEqual([]);
  });

  test('the scans find codes and severities as they are written, and not comparisons', () => {
    const text = [
      "push({ severity: 'warning', code: 'plan.partial', summary: 'x' });",
      "push({\n  severity: 'error',\n  code: tls ? 'preflight.tls' : 'preflight.unreachable',\n});",
      "diagnostics.filter((d) => d.code !== 'plan.not_desired' && d.code === 'plan.protected');",
      "ctx.error('plan.cycle', desired, 'summary', undefined, 'hint');",
    ].join('\n');
    expect([...codesProduced(text)].sort()).toEqual(['plan.cycle', 'plan.partial', 'preflight.tls', 'preflight.unreachable']);
    expect(severityPairs(text)).toEqual([
      { severity: 'warning', code: 'plan.partial' },
      { severity: 'error', code: 'preflight.tls' },
      { severity: 'error', code: 'preflight.unreachable' },
    ]);
  });
});
