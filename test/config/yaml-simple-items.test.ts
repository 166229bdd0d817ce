import { describe, expect, test } from '@jest/globals';
import { LineCounter, parseDocument } from 'yaml';
import { parseInChunks } from '../../src/config/yaml-chunks.js';
import { maskLines, maskUrlCredentials } from '../../src/config/yaml-masking.js';
import { readSimpleItem } from '../../src/config/yaml-simple-items.js';
import { PARSE_OPTIONS, spotsOf } from '../../src/config/yaml-spots.js';

// Items and top-level values are read without the YAML parser when they are simple. Whatever is read
// that way must be exactly what `yaml` makes of the whole file: data, where every node is
// written, and the lines kept for snippets with secrets masked.

/** Plain scalars that look like other types, indicators, and text yaml reads differently from a naive reader. */
// biome-ignore format: a table of values, kept dense
const SCALARS = [
  'foo', 'Rocky Linux 9 - AppStream', 'http://ark.example.com/a?x=1&y=2', '${env:ARK_PASSWORD}', '${file:/run/key}', 'a#b',
  'a:b', 'a,b', 'a[1]', 'x}', 'x {y}', 'on', 'yes', 'No', 'Off', 'y', '2024-01-01', '20240816T002610', '1_000', '0x1F', '0xZZ',
  '0o17', '0o8', '0755', '+12', '-12', '-1.5e3', '.5', '1.', '1e3', '1e', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', 'NaN',
  'Infinity', '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'False', 'TRUE', 'tRUE', '---', '...', '-foo', '-', '- foo', 'a: b',
  'a #c', 'foo:', "'quoted'", '"double"', "it's", 'say "hi"', '!!str 1', '|', '>-', '%x', '@x',
  '`x', 'é', 'tab\tin', 'trailing ', ' leading', '', '?x', '? x', ':x', ',x', '[a, b]', '{a: b}', '12:30:00', '0b101', '0.1.2',
  'x  y', 'a: ', '#x', 'key:value', 'C:\\path', 'a\\nb', '1 2', '- - x',
  '<<', '=', '<', 'a//b', '$x',
];
const KEYS = ['name', 'type', 'url', 'policy', 'password', 'passwrod', 'username', 'client_key', 'description', 'retain'];
// Anchors and merge keys are left out: they make the whole file parse whole (tested in large-files.test.ts).
const ODD_KEYS = ['null', 'true', 'Name', 'a-b', '__proto__', 'x y', '"q"'];

/** A seeded generator, so a failure can be repeated. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function itemLines(next: () => number): string[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const keys = [...KEYS].sort(() => next() - 0.5).slice(0, 2 + Math.floor(next() * 4));
  if (next() < 0.05) keys.push(pick(ODD_KEYS));
  const lines: string[] = [];
  for (const [index, key] of keys.entries()) {
    const lead = index === 0 ? '  - ' : '    ';
    const shape = next();
    if (shape < 0.7) lines.push(`${lead}${key}: ${pick(SCALARS)}`);
    else if (shape < 0.8) lines.push(`${lead}${key}:`, `      sync_policy: ${pick(SCALARS)}`, `      optimize: ${pick(SCALARS)}`);
    else if (shape < 0.85) lines.push(`${lead}${key}:`, '      labels:', `        team: ${pick(SCALARS)}`);
    else if (shape < 0.9) lines.push(`${lead}${key}:`, `    - ${pick(SCALARS)}`, `    - ${pick(SCALARS)}`);
    else if (shape < 0.93) lines.push(`${lead}${key}:`, `      - ${pick(SCALARS)}`);
    else if (shape < 0.96) lines.push(`${lead}${key}: ${pick(SCALARS)}`, '', '    # a comment', `# at column 0`);
    else if (shape < 0.98) lines.push(`${lead}${key}: ${pick(SCALARS)} # trailing`);
    else lines.push(`${lead}${key}:`);
  }
  return lines;
}

/** Items yaml reads without error, so the whole file is valid and every difference is the reader's. */
function validItems(count: number, seed: number): string[][] {
  const next = random(seed);
  const items: string[][] = [];
  while (items.length < count) {
    const lines = itemLines(next);
    const doc = parseDocument(lines.join('\n'), PARSE_OPTIONS);
    if (doc.errors.length === 0 && doc.warnings.length === 0) items.push(lines);
  }
  return items;
}

function wholeParse(text: string): { data: unknown; spots: unknown; masked: string[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, ...PARSE_OPTIONS });
  expect(doc.errors).toEqual([]);
  const masked = text.split('\n');
  maskLines(masked, doc.contents, lineCounter, 0);
  return { data: doc.toJS(), spots: spotsOf(doc, doc.contents, 0, new Map()), masked: maskUrlCredentials(masked) };
}

describe('simple items of a desired state', () => {
  test.each([1, 2, 3])('read as yaml reads the whole file: data, spots and masked lines (seed %i)', (seed) => {
    const items = validItems(1500, seed);
    const top = 'stack: s\nserver:\n  url: http://u:p@pulp/\n  password: literal\n  tls:\n    verify: false\n';
    const text = `${top}remotes:\n${items.map((lines) => lines.join('\n')).join('\n')}\nother: 1\n`;
    const lines = text.split('\n');
    const chunked = parseInChunks(text, lines);
    expect(chunked).toBeDefined();
    const whole = wholeParse(text);
    expect(chunked!.data).toEqual(whole.data);
    expect(chunked!.spots).toEqual(whole.spots);
    expect(chunked!.maskedLines).toEqual(whole.masked);
    // Most items took the simple path (so the comparison above tested it), some the parser.
    let start = top.split('\n').length;
    let simple = 0;
    for (const item of items) {
      if (readSimpleItem(lines, [], start, start + item.length, 2, [...lines]) !== undefined) simple++;
      start += item.length;
    }
    expect(simple).toBeGreaterThan(items.length * 0.3);
    expect(simple).toBeLessThan(items.length);
  });

  test.each([
    ['a quoted value', ['  - name: "x"']],
    ['a comment after a value', ['  - name: x # c']],
    ['a key without a value', ['  - name: x', '    url:']],
    ['a flow collection', ['  - name: [a, b]']],
    ['an anchor', ['  - name: &a x']],
    ['a duplicate key', ['  - name: x', '    name: y']],
    ['a reserved key', ['  - true: x']],
    ['a continuation line', ['  - name: x', '      more']],
    ['a block scalar', ['  - name: |', '      x']],
    ['a literal secret under a map', ['  - password:', '      a: b']],
  ])('leaves %s to the parser', (_, lines) => {
    expect(readSimpleItem(lines, [], 0, lines.length, 2, [...lines])).toBeUndefined();
  });

  test('masks a literal secret, and not a reference', () => {
    const lines = ['  - name: x', '    password: hunter2', '    client_key: ${file:/k}', '    passwrod: typo-secret'];
    const masked = [...lines];
    const read = readSimpleItem(lines, [0, 12, 35, 64], 0, lines.length, 2, masked);
    expect(read?.data).toEqual({ name: 'x', password: 'hunter2', client_key: '${file:/k}', passwrod: 'typo-secret' });
    expect(masked).toEqual(['  - name: x', '    password: (sensitive)', '    client_key: ${file:/k}', '    passwrod: (sensitive)']);
  });
});
