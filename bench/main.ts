import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderReport, type Machine } from './report.js';
import { SIZES, type SizeSpec } from './shapes.js';
import { runSuite, type SuiteResult, type SuiteSettings } from './suite.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const HELP = `npm run bench -- [options]

Measures pulpform against its Pulp emulator and a sequential per-object baseline, and writes
BENCHMARKS.md. Build first (npm run bench does).

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
                        by commas, e.g. one per size), without measuring
  --analysis FILE       Markdown about the run (causes of misses) to include in the report
  --smoke               a tiny run: --sizes smoke --latency 5 --task-ms 20 --runs 1 --baseline-poll-ms 20
  --keep                keep the work directory (desired states, outputs of every run)
`;

const { values } = parseArgs({
  options: {
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
});

if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

function count(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, not "${value}"`);
  return n;
}

function counts(name: string, value: string | undefined, fallback: number[]): number[] {
  return value === undefined ? fallback : value.split(',').map((part) => count(name, part.trim(), 0));
}

const smoke = values.smoke === true;
const sizes: SizeSpec[] = (values.sizes ?? (smoke ? 'smoke' : 'rocky9,x10,10k')).split(',').map((name) => {
  const size = SIZES[name.trim()];
  if (!size) throw new Error(`--sizes: unknown size "${name}"; choose from ${Object.keys(SIZES).join(', ')}`);
  return size;
});
const [sampleRpm, sampleImages] = counts('baseline-sample', values['baseline-sample'], [4, 20]);
const bumpCount = count('bump', values.bump, smoke ? 1 : 3);
if (sampleRpm === undefined || sampleImages === undefined || sampleRpm <= bumpCount) {
  throw new Error(`--baseline-sample needs R,I with R above --bump (${bumpCount}), so the sample holds the bumped mirrors and unbumped ones`);
}
const settings: SuiteSettings = {
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
/** What --json saves and --from-json reads back. */
interface SavedRun {
  command: string;
  machine: Machine;
  settings: Omit<SuiteSettings, 'log'>;
  result: SuiteResult;
}

const out = resolve(values.out ?? join(ROOT, 'BENCHMARKS.md'));
const analysis = values.analysis === undefined ? undefined : readFileSync(resolve(values.analysis), 'utf8');
if (values['from-json'] !== undefined) {
  const saved = mergeRuns(values['from-json'].split(',').map((file) => JSON.parse(readFileSync(resolve(file.trim()), 'utf8')) as SavedRun));
  writeFileSync(out, renderReport(saved.result, { ...saved.settings, log: settings.log }, saved.machine, saved.command, analysis));
  settings.log(`wrote ${out} from ${values['from-json']}`);
  process.exit(0);
}

/** Runs saved one size at a time (so that a long benchmark survives an interruption) make one report. */
function mergeRuns(runs: SavedRun[]): SavedRun {
  const [first, ...rest] = runs;
  if (!first) throw new Error('--from-json needs at least one file');
  for (const run of rest) {
    if (run.machine.commit !== first.machine.commit || run.settings.taskMs !== first.settings.taskMs || run.settings.runs !== first.settings.runs) {
      throw new Error(`--from-json: runs measured at different commits or settings (${first.machine.commit} and ${run.machine.commit}) cannot share one report`);
    }
  }
  const union = <T>(lists: T[][], key: (item: T) => unknown): T[] => lists.flat().filter((item, i, all) => all.findIndex((other) => key(other) === key(item)) === i);
  return {
    command: runs.map((run) => run.command).join('\n'),
    machine: { ...first.machine, loadBefore: Math.min(...runs.map((run) => run.machine.loadBefore)), loadAfter: Math.max(...runs.map((run) => run.machine.loadAfter)) },
    settings: { ...first.settings, sizes: union(runs.map((run) => run.settings.sizes), (size) => size.name), latencies: union(runs.map((run) => run.settings.latencies), (l) => l) },
    result: { cells: runs.flatMap((run) => run.result.cells), startedAt: runs.map((run) => run.result.startedAt).sort()[0]!, finishedAt: runs.map((run) => run.result.finishedAt).sort().at(-1)! },
  };
}

const loadBefore = os.loadavg()[0]!;
settings.workDir = mkdtempSync(join(os.tmpdir(), 'pulpform-bench-'));
settings.log(`work directory ${settings.workDir}`);
try {
  const result = await runSuite(settings);
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
  // Where the files go does not change what is measured.
  const given = process.argv.slice(2).filter((arg, i, all) => !['--out', '--json', '--analysis', '--keep'].includes(arg) && !['--out', '--json', '--analysis'].includes(all[i - 1] ?? '')).join(' ');
  const command = `npm run bench${given ? ` -- ${given}` : ''}`;
  writeFileSync(out, renderReport(result, settings, machine, command, analysis));
  settings.log(`wrote ${out}`);
  if (values.json) {
    const { log: _log, ...kept } = settings;
    const saved: SavedRun = { command, machine, settings: kept, result };
    writeFileSync(resolve(values.json), JSON.stringify(saved));
  }
} finally {
  if (!values.keep) rmSync(settings.workDir, { recursive: true, force: true });
}
