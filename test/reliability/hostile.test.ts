import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDesiredState } from '../../src/config/index.js';
import { seededRandom } from '../../src/emulator/faults.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { renderDiagnostics } from '../../src/render/diagnostics.js';
import { runCli } from '../helpers/cli.js';
import { recordFigures } from './figures.js';

// Malformed and hostile desired states, made by seeded mutations of a valid one plus the classic
// attacks (alias bombs, deep nesting, huge files, odd encodings, odd directories). Each must end
// in a valid model or in errors that say where and how to fix them: never an exception, a stack
// trace or a hang. A sample also goes through the built CLI (`validate` and `plan`).

const MUTANTS = Number(process.env.PULPFORM_HOSTILE_MUTANTS ?? 300);
const CLI_SAMPLE = Number(process.env.PULPFORM_HOSTILE_CLI ?? 4);
const SEED = Number(process.env.PULPFORM_HOSTILE_SEED ?? 7);

const BASE = `stack: hostile
server:
  url: http://127.0.0.1:24817
  username: admin
remotes:
  - name: rocky-baseos
    type: rpm
    url: https://ark.example.com/rocky/9/BaseOS/20240816T002610/
    policy: on_demand
    password: \${env:ARK_PASSWORD}
    headers:
      - X-Team: infra
  - { name: jammy, type: deb, url: "https://ark.example.com/ubuntu/", distributions: jammy, components: main }
  - { name: isos, type: file, url: "https://ark.example.com/isos/PULP_MANIFEST" }
  - name: kolla/nova
    type: container
    url: https://ark.example.com
    upstream_name: stackhpc/nova
    include_tags: ["2024.1"]
repositories:
  - name: rocky-baseos
    type: rpm
    remote: rocky-baseos
    sync: { sync_policy: mirror_complete }
    retain_repo_versions: 3
    labels: { team: infra }
  - { name: jammy, type: deb, remote: jammy, sync: true }
  - { name: isos, type: file, remote: isos, sync: true }
  - { name: kolla/nova, type: container, remote: kolla/nova, sync: { mirror: false } }
publications:
  - repository: rocky-baseos
  - { repository: jammy, verbatim: true }
  - repository: isos
distributions:
  - name: rocky-baseos-development
    base_path: rocky/9/baseos/development
    publication: rocky-baseos
  - { name: rocky-baseos-production, base_path: rocky/9/baseos/production, repository: rocky-baseos }
  - { name: jammy, base_path: ubuntu/jammy, publication: jammy }
  - { name: isos, base_path: isos, publication: isos }
  - { name: kolla/nova, base_path: kolla/nova, repository: kolla/nova, private: true }
`;
const ENV = { ARK_PASSWORD: 'ark-hostile-secret' };

const TOKENS = [
  ':',
  '- ',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  '\t',
  '&a ',
  '*a',
  '*nope',
  '!!binary ',
  '!!python/object:os.system ',
  '#',
  '\n',
  '%YAML 1.1\n',
  '@',
  '`',
  '|',
  '>',
  '? ',
  '<<: *a\n',
  '\u0000',
  '\uFEFF',
  '\u202E',
  '---\n',
  '...\n',
  ',',
  '${',
  '${env:',
  '}}',
];
const VALUES = [
  '[]',
  '{}',
  'null',
  '~',
  '-1',
  '1e309',
  '0x1F',
  'true',
  '"${env:NOPE}"',
  '"${file:/etc/shadow}"',
  '"${file:/dev/zero}"',
  'https://user:pw@host/x',
  '&anchor x',
  '*undefined_alias',
  '!!str',
  'x'.repeat(10_000),
  "'../../etc'",
  '"/"',
  '" "',
  '2024-01-01',
  '.inf',
  '.nan',
  '[[[[]]]]',
  '"\\u0000"',
];
const KEYS = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'nmae',
  'urll',
  'Type',
  'remote ',
  ' name',
  'sync_policy',
  'x'.repeat(300),
];

type Mutation = (text: string, next: () => number) => string;
const pick = <T>(items: readonly T[], next: () => number): T => items[Math.floor(next() * items.length)]!;
const at = (text: string, next: () => number): number => Math.floor(next() * (text.length + 1));

/** Replaces one random match of `pattern` (a text an earlier mutation emptied may have none). */
function replaceOne(text: string, pattern: RegExp, next: () => number, replace: (m: RegExpExecArray) => string): string {
  const matches = [...text.matchAll(pattern)];
  if (matches.length === 0) return text;
  const m = pick(matches, next) as RegExpExecArray;
  return text.slice(0, m.index) + replace(m) + text.slice(m.index + m[0].length);
}

const MUTATIONS: Record<string, Mutation> = {
  deleteChar: (text, next) => {
    const i = at(text, next);
    return text.slice(0, i) + text.slice(i + 1);
  },
  insertToken: (text, next) => {
    const i = at(text, next);
    return text.slice(0, i) + pick(TOKENS, next) + text.slice(i);
  },
  truncate: (text, next) => text.slice(0, at(text, next)),
  swapLines: (text, next) => {
    const lines = text.split('\n');
    const [a, b] = [Math.floor(next() * lines.length), Math.floor(next() * lines.length)];
    [lines[a], lines[b]] = [lines[b]!, lines[a]!];
    return lines.join('\n');
  },
  reindent: (text, next) => {
    const lines = text.split('\n');
    const i = Math.floor(next() * lines.length);
    lines[i] = next() < 0.5 ? ` ${'  '.repeat(Math.floor(next() * 3))}${lines[i]}` : lines[i]!.replace(/^ {1,3}/, '');
    return lines.join('\n');
  },
  replaceValue: (text, next) => replaceOne(text, /(\w+): ([^\n,}]+)/g, next, (m) => `${m[1]}: ${pick(VALUES, next)}`),
  renameKey: (text, next) => replaceOne(text, /(\w+):/g, next, () => `${pick(KEYS, next)}:`),
  danglingReference: (text, next) =>
    replaceOne(text, /(remote|repository|publication): ([\w/-]+)/g, next, (m) => `${m[1]}: ${m[2]}-missing`),
  duplicateLine: (text, next) => {
    const lines = text.split('\n');
    const i = Math.floor(next() * lines.length);
    lines.splice(i, 0, lines[i]!);
    return lines.join('\n');
  },
};

function mutants(count: number, seed: number): { name: string; text: string }[] {
  const next = seededRandom(seed);
  const names = Object.keys(MUTATIONS);
  return Array.from({ length: count }, (_, i) => {
    let text = BASE;
    const applied: string[] = [];
    for (let n = 1 + Math.floor(next() * 3); n > 0; n--) {
      const name = pick(names, next);
      applied.push(name);
      text = MUTATIONS[name]!(text, next);
    }
    return { name: `mutant ${i} (${applied.join(', ')})`, text };
  });
}

function aliasBomb(depth: number, width: number, merge: boolean): string {
  let out = `a0: &a0 [${Array.from({ length: width }, () => 'lol').join(', ')}]\n`;
  for (let i = 1; i <= depth; i++) {
    out += merge
      ? `a${i}: &a${i}\n${Array.from({ length: width }, (_, j) => `  k${j}: *a${i - 1}`).join('\n')}\n`
      : `a${i}: &a${i} [${Array.from({ length: width }, () => `*a${i - 1}`).join(', ')}]\n`;
  }
  return `${out}remotes: *a${depth}\n`;
}

/** The classic attacks, each a file set (path -> content) for one desired-state directory. */
function attacks(): { name: string; files: Record<string, string | Buffer> }[] {
  const cases: { name: string; files: Record<string, string | Buffer> }[] = [];
  for (const [depth, width] of [
    [6, 10],
    [10, 5],
    [15, 3],
    [30, 2],
  ] as const) {
    cases.push({ name: `alias bomb ${width}^${depth}`, files: { 'a.yaml': aliasBomb(depth, width, false) } });
    cases.push({ name: `alias bomb through maps ${width}^${depth}`, files: { 'a.yaml': aliasBomb(depth, width, true) } });
  }
  cases.push({
    name: 'merge-key bomb',
    files: {
      'a.yaml': `base: &b {name: x, type: rpm, url: "https://h/"}\n${Array.from({ length: 12 }, (_, i) => `m${i + 1}: &m${i + 1} {<<: [*${i === 0 ? 'b' : `m${i}`}, *${i === 0 ? 'b' : `m${i}`}]}`).join('\n')}\nremotes: [*m12]\n`,
    },
  });
  for (const depth of [64, 500, 5000, 50_000]) {
    cases.push({ name: `flow nesting ${depth}`, files: { 'a.yaml': `remotes: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n` } });
    cases.push({
      name: `block nesting ${depth}`,
      files: { 'a.yaml': `remotes:\n${Array.from({ length: Math.min(depth, 3000) }, (_, d) => `${' '.repeat(d + 1)}- `).join('\n')}x\n` },
    });
  }
  const many = Array.from({ length: 3000 }, (_, i) => `  - { name: r${i}, type: rpm, url: "https://ark.example.com/r${i}/" }`).join('\n');
  cases.push({ name: '3000 remotes (valid)', files: { 'a.yaml': `remotes:\n${many}\n` } });
  cases.push({
    name: 'a 1 MB line',
    files: { 'a.yaml': `remotes:\n  - name: ${'n'.repeat(1024 * 1024)}\n    type: rpm\n    url: https://h/\n` },
  });
  cases.push({
    name: '3000 duplicate names',
    files: { 'a.yaml': `remotes:\n${Array.from({ length: 3000 }, () => '  - { name: same, type: rpm, url: "https://h/" }').join('\n')}\n` },
  });
  cases.push({ name: 'multiple documents', files: { 'a.yaml': `${BASE}---\n${BASE}` } });
  cases.push({ name: 'byte order mark and CRLF', files: { 'a.yaml': `\uFEFF${BASE.replace(/\n/g, '\r\n')}` } });
  cases.push({ name: 'NUL bytes', files: { 'a.yaml': BASE.replace('policy', 'pol\u0000icy') } });
  cases.push({
    name: 'invalid UTF-8',
    files: {
      'a.yaml': Buffer.concat([Buffer.from(BASE.slice(0, 200)), Buffer.from([0xc3, 0x28, 0xa0, 0xa1]), Buffer.from(BASE.slice(200))]),
    },
  });
  cases.push({ name: 'UTF-16', files: { 'a.yaml': Buffer.from(`\uFEFF${BASE}`, 'utf16le') } });
  cases.push({ name: 'an empty file', files: { 'a.yaml': '' } });
  cases.push({ name: 'only comments', files: { 'a.yaml': '# nothing here\n# at all\n' } });
  cases.push({ name: 'a scalar document', files: { 'a.yaml': 'just a string\n' } });
  cases.push({ name: 'a list document', files: { 'a.yaml': '- remotes\n- repositories\n' } });
  cases.push({ name: 'python object tag', files: { 'a.yaml': 'remotes: !!python/object/apply:os.system ["rm -rf /"]\n' } });
  cases.push({ name: 'undefined alias', files: { 'a.yaml': 'remotes: *nothing\n' } });
  cases.push({ name: 'two files defining one stack differently', files: { 'a.yaml': 'stack: one\n', 'b.yaml': 'stack: two\n' } });
  cases.push({
    name: 'the same remote in two files',
    files: {
      'a.yaml': 'remotes:\n  - { name: r, type: rpm, url: "https://h/" }\n',
      'b.yaml': 'remotes:\n  - { name: r, type: rpm, url: "https://h/" }\n',
    },
  });
  cases.push({ name: 'a directory named like a YAML file', files: { 'a.yaml/b.txt': 'x' } });
  cases.push({ name: 'no YAML files at all', files: { 'notes.txt': 'remotes: []\n' } });
  cases.push({
    name: 'a secret read from a directory',
    files: { 'a.yaml': 'remotes:\n  - { name: r, type: rpm, url: "https://h/", password: "${file:/}" }\n' },
  });
  cases.push({
    name: 'a secret read from /dev/zero',
    files: { 'a.yaml': 'remotes:\n  - { name: r, type: rpm, url: "https://h/", password: "${file:/dev/zero}" }\n' },
  });
  cases.push({
    name: 'an interpolation that never closes',
    files: { 'a.yaml': `remotes:\n  - { name: r, type: rpm, url: "https://h/\${env:${'A'.repeat(100_000)}" }\n` },
  });
  return cases;
}

interface Outcome {
  valid: boolean;
  errors: number;
}

const failures: string[] = [];

/** Loads a directory and checks the outcome is a model or located, actionable errors. */
async function judge(name: string, dir: string): Promise<Outcome> {
  const result = await loadDesiredState(dir, { cwd: dir, env: ENV });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const problems: string[] = [];
  if ((result.state === undefined) !== errors.length > 0) problems.push('a state exactly when there is no error');
  for (const d of result.diagnostics) {
    if (!/^config\.[a-z_]+$/.test(d.code)) problems.push(`code ${d.code}`);
    if (!d.summary || !(d.hint ?? d.detail)) problems.push(`${d.code} without summary and hint or detail`);
    if (d.severity === 'error' && !d.source && !['config.no_files', 'config.path_not_found'].includes(d.code))
      problems.push(`${d.code} without a location`);
    if (d.source && !(d.source.line >= 1 && d.source.column >= 1))
      problems.push(`${d.code} at line ${d.source.line} column ${d.source.column}`);
  }
  const text = renderDiagnostics(result.diagnostics, { color: false, sources: result.sources });
  if (errors.length > 0 && !/line \d+/.test(text) && errors.some((e) => e.source)) problems.push('rendered errors name no line');
  if (text.includes(ENV.ARK_PASSWORD)) problems.push('the secret value in the rendered diagnostics');
  if (problems.length > 0) failures.push(`${name}: ${problems.join('; ')}`);
  return { valid: result.state !== undefined, errors: errors.length };
}

let root: string;
let emulator: Emulator;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pulpform-hostile-'));
  emulator = await startEmulator({ taskMs: 1 });
});

afterAll(async () => {
  await emulator.close();
  await rm(root, { recursive: true, force: true });
});

async function write(name: string, files: Record<string, string | Buffer>): Promise<string> {
  const dir = join(root, name.replace(/[^\w]+/g, '-'));
  await mkdir(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

describe('hostile desired states', () => {
  test(`${MUTANTS} seeded mutations of a valid desired state end in a model or located errors`, async () => {
    const outcomes: Outcome[] = [];
    for (const { name, text } of mutants(MUTANTS, SEED)) outcomes.push(await judge(name, await write('mutant', { 'state.yaml': text })));
    expect(failures).toEqual([]);
    // The mutations must hit: most mutants are invalid, and some survive as valid models.
    expect(outcomes.filter((o) => !o.valid).length).toBeGreaterThan(MUTANTS / 3);
    expect(outcomes.some((o) => o.valid)).toBe(true);
    recordFigures('hostile', {
      kind: 'mutants',
      tried: MUTANTS,
      valid: outcomes.filter((o) => o.valid).length,
      refused: outcomes.filter((o) => !o.valid).length,
      failures: failures.length,
    });
  }, 120_000);

  test('the classic attacks end in errors or a model', async () => {
    const cases = attacks();
    for (const { name, files } of cases) await judge(name, await write(name, files));
    const loop = await write('symlink loop', { 'a.yaml': 'stack: loop\n' });
    await symlink(loop, join(loop, 'self'));
    await judge('symlink loop', loop);
    expect(failures).toEqual([]);
    recordFigures('hostile', { kind: 'attacks', tried: cases.length + 1, failures: failures.length });
  }, 120_000);

  test(`a sample through the CLI: validate and plan end in a report, never an internal error or a stack trace`, async () => {
    const next = seededRandom(SEED + 1);
    const all = [
      ...mutants(MUTANTS, SEED).map((m) => ({ name: m.name, files: { 'state.yaml': m.text } as Record<string, string | Buffer> })),
      ...attacks(),
    ];
    const sample = Array.from({ length: CLI_SAMPLE }, () => all[Math.floor(next() * all.length)]!);
    const bad: string[] = [];
    await Promise.all(
      sample.map(async ({ name, files }, i) => {
        const dir = await write(`cli-${i}`, files);
        for (const command of [['validate'], ['plan', '--server', emulator.url]]) {
          const result = await runCli([...command, '-f', dir], { env: { ...ENV, PULP_PASSWORD: 'password' } });
          const output = result.stdout + result.stderr;
          if (![0, 1].includes(result.status ?? -1)) bad.push(`${command[0]} ${name}: exit ${result.status}`);
          if (result.status === 1 && result.stderr.trim() === '') bad.push(`${command[0]} ${name}: exit 1 without a word`);
          if (/internal error|\n\s+at .+:\d+:\d+/.test(output)) bad.push(`${command[0]} ${name}: ${output.slice(0, 500)}`);
          if (output.includes(ENV.ARK_PASSWORD)) bad.push(`${command[0]} ${name}: the secret in the output`);
        }
      }),
    );
    expect(bad).toEqual([]);
    recordFigures('hostile', { kind: 'cli', tried: CLI_SAMPLE * 2 });
  }, 120_000);
});
