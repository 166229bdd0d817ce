#!/usr/bin/env node
// `npm run reliability`: runs the reliability suites (test/reliability) with many more seeds,
// crash points and hostile inputs than `npm test` does, plus the config suites that try hostile
// YAML, and writes RELIABILITY.md from the figures the tests record. Exits 1 if any test failed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const seeds = Number(process.env.SEEDS ?? 20);
const settings = {
  PULPFORM_FAULT_SEEDS: Array.from({ length: seeds }, (_, i) => i + 1).join(','),
  PULPFORM_FAULT_SCALE: process.env.SCALE ?? '4',
  PULPFORM_CRASH_POINTS: process.env.CRASH_POINTS ?? '30',
  PULPFORM_CRASH_SEED: process.env.CRASH_SEED ?? '11',
  PULPFORM_HOSTILE_MUTANTS: process.env.MUTANTS ?? '3000',
  PULPFORM_HOSTILE_CLI: process.env.HOSTILE_CLI ?? '40',
};

const work = mkdtempSync(join(tmpdir(), 'pulpform-reliability-'));
const figuresFile = join(work, 'figures.jsonl');
const resultsFile = join(work, 'jest.json');
const started = Date.now();
const suites = ['test/reliability/', 'test/config/hostile.test.ts', 'test/config/never-throws.test.ts'];
const jest = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--disable-warning=ExperimentalWarning',
    'node_modules/jest/bin/jest.js',
    '--json',
    `--outputFile=${resultsFile}`,
    '--testTimeout=600000',
    ...suites,
  ],
  { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...settings, PULPFORM_RELIABILITY_FIGURES: figuresFile } },
);
if (!existsSync(resultsFile)) {
  console.error('jest wrote no results; see its output above');
  process.exit(1);
}
const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
const figures = existsSync(figuresFile)
  ? readFileSync(figuresFile, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
  : [];
rmSync(work, { recursive: true, force: true });

const of = (suite) => figures.filter((f) => f.suite === suite);
const sum = (items, pick) => items.reduce((total, item) => total + (pick(item) ?? 0), 0);
const tests = results.testResults.flatMap((file) =>
  file.assertionResults.map((a) => ({ file: file.name.replace(`${process.cwd()}/`, ''), title: a.fullName, status: a.status })),
);
const inFile = (name) => tests.filter((t) => t.file.endsWith(name));
const passed = (name) => inFile(name).filter((t) => t.status === 'passed').length;
const failedTests = tests.filter((t) => t.status === 'failed');

const faults = of('faults');
const types = ['error', 'reset', 'lost', 'slow', 'task'];
const injected = Object.fromEntries(types.map((type) => [type, sum(faults, (f) => f.injected[type])]));
const crash = of('crash');
const hostile = of('hostile');
const mutants = hostile.find((h) => h.kind === 'mutants');
const attacks = hostile.find((h) => h.kind === 'attacks');
const cli = hostile.find((h) => h.kind === 'cli');
const neverThrows = Number(/(\d+) random/.exec(inFile('never-throws.test.ts')[0]?.title ?? '')?.[1] ?? 0);
const configHostile = passed('config/hostile.test.ts');
const badAnswers = of('bad-answers');
const secrets = of('secrets')[0];
const lost = sum(faults, (f) => f.lost) + sum(crash, (c) => c.lost);
const duplicated = sum(faults, (f) => f.extra) + sum(crash, (c) => c.extra);

const row = (cells) => `| ${cells.join(' | ')} |`;
const lines = [
  '# Reliability',
  '',
  `Figures from \`npm run reliability\` (${new Date().toISOString().slice(0, 10)}, ${Math.round((Date.now() - started) / 1000)} s): the suites in`,
  '`test/reliability/` run with more seeds, crash points and hostile inputs than `npm test` runs, against the',
  'built-in emulator of Pulp 3.23 and the built CLI. Regenerate with `npm run reliability`',
  `(knobs: SEEDS=${seeds}, SCALE=${settings.PULPFORM_FAULT_SCALE}, CRASH_POINTS=${settings.PULPFORM_CRASH_POINTS}, MUTANTS=${settings.PULPFORM_HOSTILE_MUTANTS}, HOSTILE_CLI=${settings.PULPFORM_HOSTILE_CLI}).`,
  '',
  '## Summary',
  '',
  row(['what', 'figure']),
  row(['---', '---:']),
  row(['tests run / failed', `${tests.length} / ${failedTests.length}`]),
  row([
    'faults injected and survived',
    `${sum(types, (t) => injected[t])} (${types.map((t) => `${t} ${injected[t]}`).join(', ')}) over ${faults.length} seeded applies`,
  ]),
  row(['applies that needed their one re-run', `${faults.filter((f) => f.rerun).length} of ${faults.length}`]),
  row([
    'crash points tried (kill -9 of the apply CLI)',
    `${crash.length} (${crash.filter((c) => c.killed).length} killed mid-run, ${crash.filter((c) => c.tookOver).length} re-runs took over the dead run's lock)`,
  ]),
  row(['objects lost', String(lost)]),
  row(['objects duplicated or orphaned', String(duplicated)]),
  row([
    'secrets leaked',
    `${secrets?.leaks ?? 'not measured'} (${secrets?.scenarios ?? 0} CLI scenarios swept for ${secrets?.secrets ?? 0} secrets, plus every crash run)`,
  ]),
  row(['bad server answers, each one line of cause and one of hint', `${badAnswers.length} of ${inFile('bad-answers.test.ts').length}`]),
  row([
    'hostile inputs tried',
    `${(mutants?.tried ?? 0) + (attacks?.tried ?? 0) + neverThrows + configHostile} in process (${mutants?.tried ?? 0} mutants, ${attacks?.tried ?? 0} attacks, ${neverThrows} random documents, ${configHostile} config/hostile cases), ${cli?.tried ?? 0} through the CLI`,
  ]),
  '',
  '## Faults',
  '',
  'Each seed applies a desired state of every kind and plugin (remotes, repositories with syncs from real upstreams,',
  'publications, distributions) while the emulator fails requests before handling them (`error` 5xx, `reset`),',
  'handles them but loses the answer (`lost`) or holds it past the client timeout (`slow`), and fails tasks (`task`);',
  'then at most one re-run without faults. The server is then compared object by object, hrefs resolved to names,',
  'with the result of a fault-free apply; the plan after it must be empty, and no two syncs of a repository may overlap.',
  '',
  row(['seed', 'objects', 'requests', ...types, 're-run', 'lost', 'extra']),
  row(['---:', '---:', '---:', ...types.map(() => '---:'), '---', '---:', '---:']),
  ...faults.map((f) =>
    row([f.seed, f.objects, f.requests, ...types.map((t) => f.injected[t] ?? 0), f.rerun ? 'yes' : 'no', f.lost, f.extra]),
  ),
  '',
  '## Crashes',
  '',
  'The apply CLI is killed with SIGKILL right after the server answered its Nth request, before the answer reaches',
  'it (N seeded over a whole apply), and the task workers stop starting tasks at that moment, so what the dead run',
  'dispatched is still queued when `pulpform apply` runs again; then `pulpform plan --detailed-exitcode` must exit 0.',
  '',
  row(['request', 'killed', 'tasks it left queued', 'lock taken over', 'waited for left tasks', 'lost', 'extra']),
  row(['---:', '---', '---:', '---', '---', '---:', '---:']),
  ...crash.map((c) =>
    row([c.point, c.killed ? 'yes' : 'ended first', c.queued, c.tookOver ? 'yes' : 'no', c.waitedForTasks ? 'yes' : 'no', c.lost, c.extra]),
  ),
  '',
  '## Tests by suite',
  '',
  row(['suite', 'passed', 'failed']),
  row(['---', '---:', '---:']),
  ...[...new Set(tests.map((t) => t.file))].map((file) =>
    row([file, passed(file), inFile(file).filter((t) => t.status === 'failed').length]),
  ),
  '',
  ...(failedTests.length > 0 ? ['## Failed', '', ...failedTests.map((t) => `- ${t.file}: ${t.title}`), ''] : []),
  '## What these figures do not cover',
  '',
  "- The faults are the emulator's: a real Pulp can also fail in ways it does not imitate (a worker killed in the",
  '  middle of a task, a database restart). The client treats any lost answer the same way, whatever lost it.',
  '- A server that never answers is covered through the client (`slow` answers past its timeout), not through the',
  '  CLI, whose request timeout is 60 s.',
  "- The server lock expires 2 minutes after its holder's last renewal, judged by the clock of the run that finds it:",
  '  machines whose clocks differ by more than about a minute could take over a live lock (keep them on NTP). A holder',
  '  that died on the same machine is recognised at once by its process id.',
];
writeFileSync('RELIABILITY.md', `${lines.join('\n')}\n`);
console.log(`RELIABILITY.md written: ${tests.length} tests, ${failedTests.length} failed`);
process.exit(jest.status === 0 && failedTests.length === 0 ? 0 : 1);
