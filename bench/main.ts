import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderReport, type Machine, type SavedRun } from './report.js';
import { SIZES, type SizeSpec } from './shapes.js';
import { runSuite, type SuiteSettings, type Target } from './suite.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const HELP = `npm run bench -- [options]

Measures pulpform against its Pulp emulator (or real Pulp servers) and a sequential per-object
baseline on the same server in the same run, and writes BENCHMARKS.md. Build first (npm run
bench does).

  --server LIST         real Pulp servers (comma-separated URLs) instead of the emulator: the same
                        operations and baseline, requests counted by a proxy, objects named with a
                        prefix of their own and deleted afterwards (default sizes rocky9,x10)
  --username NAME       of the real servers (default admin)
  --password TEXT       of the real servers (default password; or PULP_PASSWORD)
  --cli FILE            the pulpform CLI to measure (default dist/cli/main.js of this tree), e.g.
                        an earlier build's, to compare with --before
  --cli-commit SHA      the commit --cli was built from, for the report
  --no-baseline         measure pulpform only
  --sizes LIST          rocky9,x10,10k (default all three; also: smoke)
  --latency LIST        ms added to every API request (default 5,50)
  --task-ms N           how long every Pulp task runs (default 200)
  --runs N              runs of each operation; medians over them (default 5)
  --large-apply-runs N  runs of apply from empty above 1,000 objects (default 1)
  --concurrency N       pulpform apply --concurrency (default: the CLI's)
  --bump N              RPM repositories moved in the pin bump (default 3)
  --baseline-runs N     runs of each baseline operation (default 1)
  --baseline-poll-ms N  the baseline's task poll interval (default 2000, as the Ansible roles)
  --baseline-full-max N sizes above N objects run the baseline on a sample (default 400)
  --baseline-sample R,I the sample: the first R RPM mirrors and I images (default 4,20)
  --scenario FILE       Release Train scenario (default ../shared/release-train/scenarios/2024.1_rocky-9.yaml)
  --out FILE            the report (default BENCHMARKS.md in the repository)
  --json FILE           also write every measurement as JSON
  --from-json LIST      write the report from measurements saved with --json (files separated
                        by commas, e.g. one per size or server), without measuring
  --before LIST         saved runs (--json) of an earlier build: a before/after table
  --analysis FILE       Markdown about the run (causes of misses) to include in the report
  --smoke               a tiny run: --sizes smoke --latency 5 --task-ms 20 --runs 1 --baseline-poll-ms 20
  --keep                keep the work directory (desired states, outputs of every run)
`;

/** A bad option or a missing file ends the harness with what to fix, not a stack trace. */
function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function parsedOptions<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    return fail(`${(error as Error).message} (see --help)`);
  }
}

const { values } = parsedOptions(() =>
  parseArgs({
    options: {
      server: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      cli: { type: 'string' },
      'cli-commit': { type: 'string' },
      'no-baseline': { type: 'boolean' },
      before: { type: 'string' },
      sizes: { type: 'string' },
      latency: { type: 'string' },
      'task-ms': { type: 'string' },
      runs: { type: 'string' },
      'large-apply-runs': { type: 'string' },
      concurrency: { type: 'string' },
      bump: { type: 'string' },
      'baseline-runs': { type: 'string' },
      'baseline-poll-ms': { type: 'string' },
      'baseline-full-max': { type: 'string' },
      'baseline-sample': { type: 'string' },
      scenario: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'string' },
      'from-json': { type: 'string' },
      analysis: { type: 'string' },
      smoke: { type: 'boolean' },
      keep: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  }),
);

if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

function count(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a whole number, not "${value}"`);
  return n;
}

function counts(name: string, value: string | undefined, fallback: number[]): number[] {
  return value === undefined ? fallback : value.split(',').map((part) => count(name, part.trim(), 0));
}

const smoke = values.smoke === true;
const servers =
  values.server === undefined
    ? []
    : values.server
        .split(',')
        .map((url) => url.trim())
        .filter((url) => url !== '');
const targets: Target[] =
  servers.length === 0
    ? [{ kind: 'emulator' }]
    : servers.map((url) => ({
        kind: 'real',
        url,
        username: values.username ?? 'admin',
        password: values.password ?? process.env['PULP_PASSWORD'] ?? 'password',
      }));
const sizes: SizeSpec[] = (values.sizes ?? (smoke ? 'smoke' : servers.length > 0 ? 'rocky9,x10' : 'rocky9,x10,10k'))
  .split(',')
  .map((name) => {
    const size = SIZES[name.trim()];
    if (!size) fail(`--sizes: unknown size "${name}"; choose from ${Object.keys(SIZES).join(', ')}`);
    return size;
  });
const [sampleRpm, sampleImages] = counts('baseline-sample', values['baseline-sample'], [4, 20]);
const bumpCount = count('bump', values.bump, smoke ? 1 : 3);
if (sampleRpm === undefined || sampleImages === undefined || sampleRpm <= bumpCount) {
  fail(`--baseline-sample needs R,I with R above --bump (${bumpCount}), so the sample holds the bumped mirrors and unbumped ones`);
}
const settings: SuiteSettings = {
  target: targets[0]!,
  ...(values.cli !== undefined ? { cli: resolve(values.cli) } : {}),
  ...(values['cli-commit'] !== undefined ? { cliCommit: values['cli-commit'] } : {}),
  ...(values['no-baseline'] ? { skipBaseline: true } : {}),
  sizes,
  latencies: counts('latency', values.latency, smoke ? [5] : [5, 50]),
  taskMs: count('task-ms', values['task-ms'], smoke ? 20 : 200),
  runs: Math.max(1, count('runs', values.runs, smoke ? 1 : 5)),
  largeApplyRuns: Math.max(1, count('large-apply-runs', values['large-apply-runs'], 1)),
  ...(values.concurrency !== undefined ? { concurrency: Math.max(1, count('concurrency', values.concurrency, 8)) } : {}),
  bumpCount,
  baseline: {
    pollMs: count('baseline-poll-ms', values['baseline-poll-ms'], smoke ? 20 : 2000),
    runs: Math.max(1, count('baseline-runs', values['baseline-runs'], 1)),
    fullMaxObjects: count('baseline-full-max', values['baseline-full-max'], 400),
    sampleRpm,
    sampleImages,
  },
  scenario: resolve(values.scenario ?? join(ROOT, '../shared/release-train/scenarios/2024.1_rocky-9.yaml')),
  workDir: '',
  log: (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`),
};

const commit = (): string => {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
};
const readRuns = (list: string | undefined): SavedRun[] =>
  list === undefined ? [] : list.split(',').map((file) => JSON.parse(readFileSync(resolve(file.trim()), 'utf8')) as SavedRun);

const out = resolve(values.out ?? join(ROOT, 'BENCHMARKS.md'));
const analysis = values.analysis === undefined ? undefined : readFileSync(resolve(values.analysis), 'utf8');
const before = readRuns(values.before);
if (values['from-json'] !== undefined) {
  writeFileSync(out, renderReport(readRuns(values['from-json']), analysis, before));
  settings.log(`wrote ${out} from ${values['from-json']}`);
  process.exit(0);
}

if (!existsSync(settings.scenario))
  fail(`no scenario at ${settings.scenario}: give one with --scenario FILE (see ../shared/release-train/scenarios/)`);

const loadBefore = os.loadavg()[0]!;
settings.workDir = mkdtempSync(join(os.tmpdir(), 'pulpform-bench-'));
settings.log(`work directory ${settings.workDir}`);
try {
  const cells = [];
  let startedAt: string | undefined;
  for (const target of targets) {
    const result = await runSuite({ ...settings, target });
    startedAt ??= result.startedAt;
    cells.push(...result.cells);
  }
  const result = { cells, startedAt: startedAt!, finishedAt: new Date().toISOString() };
  const machine: Machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGb: os.totalmem() / 1024 ** 3,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadBefore,
    loadAfter: os.loadavg()[0]!,
    commit: commit(),
  };
  // Where the files go does not change what is measured; the password is not shown.
  const unshown = ['--out', '--json', '--analysis', '--keep', '--before', '--password'];
  const given = process.argv
    .slice(2)
    .filter((arg, i, all) => !unshown.includes(arg) && !unshown.includes(all[i - 1] ?? ''))
    .join(' ');
  const command = `npm run bench${given ? ` -- ${given}` : ''}`;
  const { log: _log, target: first, ...kept } = settings;
  const shown: Target = first.kind === 'real' ? { ...first, password: '(not saved)' } : first;
  const saved: SavedRun = { command, machine, settings: { ...kept, target: shown }, result };
  writeFileSync(out, renderReport([saved], analysis, before));
  settings.log(`wrote ${out}`);
  if (values.json) writeFileSync(resolve(values.json), JSON.stringify(saved));
} finally {
  if (!values.keep) rmSync(settings.workDir, { recursive: true, force: true });
}
