import { median, type Measurement, type Requests } from './measure.js';
import { type CellResult, OPERATION_LABELS, type OperationResult, type SuiteResult, type SuiteSettings } from './suite.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  /** 1-minute load average before and after the run. */
  loadBefore: number;
  loadAfter: number;
  commit: string;
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
  /** For a miss: by how much, and why. */
  note?: string;
}

const PAGE_SIZE = 1000;
const MB = 1024;

const seconds = (ms: number): string => (ms >= 100_000 ? `${Math.round(ms / 1000).toLocaleString('en-US')} s` : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`);
const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number): string => (b > 0 ? `${a / b >= 100 ? thousands(a / b) : (a / b).toFixed(1)}x` : '—');
const plural = (n: number, word: string, many = `${word}s`): string => `${thousands(n)} ${n === 1 ? word : many}`;
const methods = (r: Requests): string => `${thousands(r.total)} (${['GET', 'POST', 'PATCH', 'DELETE'].map((m) => `${thousands(r[m as keyof Requests])} ${m}`).join(', ')})`;

/** GETs of task hrefs: how often the client asked whether a task had finished. */
function taskPolls(run: Measurement): number {
  return Object.entries(run.byPath).reduce((n, [path, count]) => (/\/tasks\/[^/]+\/$/.test(path) ? n + count : n), 0);
}

function operation(cell: CellResult, name: OperationResult['operation']): OperationResult {
  return cell.operations.find((o) => o.operation === name)!;
}

/** Expected GETs of a complete read: status, then one request per page of every list. */
const LOCK_PATH = '/pulp/api/v3/contentguards/core/content_redirect/';

function expectedReadGets(cell: CellResult): { gets: number; pages: Record<string, number> } {
  const pages = Object.fromEntries(Object.entries(cell.noopLiveCounts).map(([endpoint, n]) => [endpoint, Math.max(1, Math.ceil(n / PAGE_SIZE))]));
  return { gets: 2 + Object.values(pages).reduce((sum, n) => sum + n, 0), pages };
}

/** Every list read with exactly its number of pages, plus status and the server lock (one content guard looked up by name), and nothing else. */
function readIsMinimal(cell: CellResult): boolean {
  const { gets, pages } = expectedReadGets(cell);
  const observed = operation(cell, 'noop-plan').runs[0]!;
  return observed.requests.GET === gets && observed.requests.writes === 0 && cell.noopGetsByPath[LOCK_PATH] === 1 && Object.entries(pages).every(([endpoint, n]) => cell.noopGetsByPath[`/pulp/api/v3/${endpoint}/`] === n);
}

function expectedBump(bumpCount: number): Record<string, number> {
  return { 'update remote': bumpCount, 'sync repository': bumpCount, 'create publication': bumpCount, 'update distribution': 2 * bumpCount };
}

function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => (a[key] ?? 0) === (b[key] ?? 0));
}

function phaseText(cell: CellResult): string {
  const p = cell.noopPhases;
  return `Node start-up ${seconds(p.startupMs)}, loading pulpform ${seconds(p.importMs)}, reading and validating the YAML ${seconds(p.loadMs)}, reading the server ${seconds(p.readMs)}, planning ${seconds(p.planMs)}`;
}

export function checkTargets(result: SuiteResult, settings: Pick<SuiteSettings, 'bumpCount'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const cells = result.cells;
  const find = (size: string, latency: number): CellResult | undefined => cells.find((c) => c.size.name === size && c.latencyMs === latency);

  const minimal = cells.filter(readIsMinimal);
  checks.push({
    target: 'No-op plan: one list request per endpoint per page (page size 1,000) plus status (and one look-up of the server lock by name)',
    measured: cells.map((c) => `${c.size.name} @${c.latencyMs} ms: ${operation(c, 'noop-plan').runs[0]!.requests.GET} GETs for ${expectedReadGets(c).gets} expected`).join('; '),
    met: minimal.length === cells.length,
    ...(minimal.length === cells.length ? {} : { note: 'some runs read more than the minimal set of list pages (see the request table)' }),
  });
  for (const [size, limitMs] of [['rocky9', 1000], ['10k', 3000]] as const) {
    const cell = find(size, 5);
    if (!cell) continue;
    const wall = operation(cell, 'noop-plan').median.wallMs;
    const met = wall < limitMs;
    checks.push({
      target: `No-op plan of the ${cell.size.label} at 5 ms latency under ${limitMs / 1000} s`,
      measured: seconds(wall),
      met,
      ...(met ? {} : { note: `${seconds(wall - limitMs)} (${((wall / limitMs - 1) * 100).toFixed(0)} %) over. Where one run's time goes: ${phaseText(cell)}.` }),
    });
  }
  const writing = cells.filter((c) => operation(c, 'noop-apply').runs.some((r) => r.requests.writes > 0));
  checks.push({
    target: 'No-op apply: zero writes',
    measured: writing.length === 0 ? `0 writes in every run (${cells.length} size/latency settings)` : writing.map((c) => `${c.size.name} @${c.latencyMs} ms wrote`).join('; '),
    met: writing.length === 0,
  });
  for (const cell of cells) {
    const measured = operation(cell, 'apply-empty').median.wallMs;
    const bound = cell.lowerBound.totalMs;
    const met = measured <= 1.2 * bound;
    checks.push({
      target: `Apply from empty within 1.2x of the lower bound: ${cell.size.label} @${cell.latencyMs} ms`,
      measured: `${seconds(measured)} vs ${seconds(bound)} (${(measured / bound).toFixed(2)}x; bound set by the ${cell.lowerBound.binding})`,
      met,
      ...(met ? {} : { note: `${seconds(measured - 1.2 * bound)} over 1.2x.` }),
    });
  }
  const expected = expectedBump(settings.bumpCount);
  const wrongBump = cells.filter((c) => !sameCounts(c.bumpActions, expected));
  const bumpWrites = cells.map((c) => operation(c, 'pin-bump').median.requests.writes);
  const constantWrites = bumpWrites.every((w) => w === bumpWrites[0]);
  checks.push({
    target: `Pin bump of ${plural(settings.bumpCount, 'repository', 'repositories')}: only the affected syncs, publications and repoints; requests proportional to the change`,
    measured: `planned ${Object.entries(cells[0]?.bumpActions ?? {}).map(([k, n]) => `${n} ${k}`).join(', ')}; writes per size: ${cells.map((c) => `${c.size.name} @${c.latencyMs} ms ${operation(c, 'pin-bump').median.requests.writes}`).join(', ')}`,
    met: wrongBump.length === 0 && constantWrites,
    ...(wrongBump.length === 0 && constantWrites ? {} : { note: wrongBump.length > 0 ? `unexpected actions in ${wrongBump.map((c) => `${c.size.name} @${c.latencyMs} ms`).join(', ')}` : 'the number of writes depends on the size of the state' }),
  });
  for (const cell of cells.filter((c) => c.size.name === 'rocky9')) {
    const noop = operation(cell, 'noop-apply');
    if (!noop.baseline) continue;
    const requestRatio = noop.baseline.requests.total / noop.median.requests.total;
    const wallRatio = noop.baseline.wallMs / noop.median.wallMs;
    checks.push({
      target: `No-op run of the Rocky 9 client @${cell.latencyMs} ms: at least 50x fewer requests and 20x less wall time than the sequential baseline`,
      measured: `${requestRatio.toFixed(0)}x fewer requests, ${wallRatio.toFixed(0)}x less wall time`,
      met: requestRatio >= 50 && wallRatio >= 20,
    });
  }
  const large = cells.filter((c) => c.size.name === '10k');
  if (large.length > 0) {
    const peak = Math.max(...large.flatMap((c) => c.operations.map((o) => o.median.maxRssKb)));
    const met = peak < 300 * MB;
    checks.push({
      target: 'Peak RSS under 300 MB at 10,000 objects',
      measured: `${Math.round(peak / MB)} MB (largest median over the operations)`,
      met,
      ...(met ? {} : { note: `${Math.round(peak / MB - 300)} MB over.` }),
    });
  }
  return checks;
}

/** `analysis`: Markdown written by hand about this run (causes found by profiling), shown under its own heading. */
export function renderReport(result: SuiteResult, settings: SuiteSettings, machine: Machine, command: string, analysis?: string): string {
  const out: string[] = [];
  const line = (text = ''): void => void out.push(text);
  const { baseline } = settings;
  line('# pulpform benchmarks');
  line();
  line(`Generated by ${command.split('\n').map((c) => `\`${c}\``).join(', ')} (harness in \`bench/\`) from ${result.startedAt} to ${result.finishedAt}, at commit ${machine.commit}.`);
  line('Every figure is measured against pulpform\'s Pulp 3.23 emulator on 127.0.0.1 with injected latency and task duration;');
  line('the sequential baseline runs in the same harness, with the same HTTP client, against the same kind of server.');
  line();
  line('## Machine');
  line();
  line(`- CPU: ${machine.cpu}, ${machine.cores} cores; RAM ${machine.memoryGb.toFixed(0)} GB; ${machine.os}`);
  line(`- Node ${machine.node}`);
  line(`- 1-minute load average: ${machine.loadBefore.toFixed(2)} before, ${machine.loadAfter.toFixed(2)} after (the emulator, the upstream and the measured process share these cores; other work on the machine shows up as noise)`);
  line();
  line('## Settings');
  line();
  line(`- Sizes: ${result.cells.filter((c, i, all) => all.findIndex((o) => o.size.name === c.size.name) === i).map((c) => `**${c.size.label}**: ${thousands(c.objects.total)} objects (${plural(c.objects.remote, 'remote')}, ${plural(c.objects.repository, 'repository', 'repositories')}, ${plural(c.objects.publication, 'publication')}, ${plural(c.objects.distribution, 'distribution')}) and ${plural(c.syncs, 'sync')}`).join('; ')}.`);
  line('  The Rocky 9 client is `../shared/release-train/scenarios/2024.1_rocky-9.yaml` (9 RPM mirrors with development and production distributions, 99 Kolla images) written as pulpform\'s low-level kinds; the larger sizes repeat that mix under new names.');
  line(`- Latency added to every API request: ${settings.latencies.map((l) => `${l} ms`).join(' and ')}; every task runs ${settings.taskMs} ms; distribution tasks share pulpcore 3.23's global distribution lock, so they run one at a time.`);
  line(`- Upstream: a static Ark on 127.0.0.1 (one package per snapshot, one image per name) that the emulator really syncs from.`);
  line(`- Operations: **plan from empty**, **apply from empty**, **no-op plan**, **no-op apply**, **pin bump** (${plural(settings.bumpCount, 'RPM repository', 'RPM repositories')} moved to a new snapshot: \`apply\`). Each runs \`node dist/cli/main.js\` in a fresh process; wall time is from spawn to exit (Node start-up included); CPU is the process's user + system time (it does not grow with the machine's load the way wall time does); peak RSS is the process's own (\`process.resourceUsage().maxRSS\`); requests are counted by the emulator.`);
  line(`- Medians over ${plural(settings.runs, 'run')}${settings.largeApplyRuns !== settings.runs ? `, except apply from empty for sizes above 1,000 objects: ${settings.largeApplyRuns} run${settings.largeApplyRuns === 1 ? '' : 's'} (one takes minutes, bounded by the distribution lock)` : ''}. apply uses ${settings.concurrency ? `--concurrency ${settings.concurrency}` : 'the default concurrency (8)'}.`);
  line(`- Baseline: one object at a time, as the Ansible roles do: find by name, create or PATCH, wait for each task (read at once, then every ${baseline.pollMs} ms); every remote rewritten and every repository synced on every run; plans are Ansible check mode (the look-ups only). ${baseline.runs} run${baseline.runs === 1 ? '' : 's'} per operation. Sizes above ${thousands(baseline.fullMaxObjects)} objects run the baseline on a **sample** (the first ${baseline.sampleRpm} RPM mirrors, the bumped ones among them, and the first ${baseline.sampleImages} images) and **extrapolate**: each step the sample did not cover is charged the sample's mean time and requests for that kind of step (a full run would take hours). Extrapolated figures are marked *.`);
  line();
  line('## Results (medians)');
  for (const cell of result.cells) {
    line();
    const count = `${thousands(cell.objects.total)} objects`;
    line(`### ${cell.size.label}${cell.size.label === count ? '' : ` (${count})`}, ${cell.latencyMs} ms latency`);
    line();
    line('| operation | pulpform wall | pulpform CPU | pulpform requests | peak RSS | baseline wall | baseline requests | wall ratio | request ratio |');
    line('|---|---|---|---|---|---|---|---|---|');
    for (const op of cell.operations) {
      const b = op.baseline;
      const mark = b?.extrapolated ? '*' : '';
      line(
        `| ${OPERATION_LABELS[op.operation]}${op.runs.length !== settings.runs ? ` (${op.runs.length} run${op.runs.length === 1 ? '' : 's'})` : ''} | ${seconds(op.median.wallMs)} | ${seconds(op.median.cpuMs)} | ${methods(op.median.requests)} | ${Math.round(op.median.maxRssKb / MB)} MB | ` +
          (b ? `${seconds(b.wallMs)}${mark} | ${methods(b.requests)}${mark} | ${ratio(b.wallMs, op.median.wallMs)} | ${ratio(b.requests.total, op.median.requests.total)} |` : '— | — | — | — |'),
      );
    }
    const sampled = cell.operations.find((o) => o.baseline?.extrapolated)?.baseline;
    if (sampled) line(`\n\\* extrapolated from a measured sample of ${thousands(sampled.measuredObjects)} of ${thousands(sampled.objects)} objects.`);
  }
  line();
  line('## Apply from empty against its lower bound');
  line();
  line('The bound: reading the server (status, then the list pages 8 at a time), then the largest of (a) the longest dependency chain, (b) all actions\' minimal durations spread over the concurrency, (c) every distribution task one after another under the global lock, from the earliest moment the first can start. An action\'s minimal duration is one request per write plus, per task, the task duration and one request to see it finish; a publication an rpm `mirror_complete` sync already made costs nothing.');
  line();
  line('| size | latency | measured | lower bound | ratio | bound set by | chain | concurrency | distribution lock | tasks (of them distribution) | task polls |');
  line('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const cell of result.cells) {
    const lb = cell.lowerBound;
    const measured = operation(cell, 'apply-empty').median.wallMs;
    const polls = median(operation(cell, 'apply-empty').runs.map(taskPolls));
    line(`| ${cell.size.label} | ${cell.latencyMs} ms | ${seconds(measured)} | ${seconds(lb.totalMs)} | ${(measured / lb.totalMs).toFixed(2)}x | ${lb.binding} | ${seconds(lb.criticalPathMs)} | ${seconds(lb.concurrencyMs)} | ${seconds(lb.distributionLockMs)} | ${thousands(lb.tasks)} (${thousands(lb.distributionTasks)}) | ${thousands(polls)} |`);
  }
  line();
  line('## Where a no-op plan spends its time (one run, in a fresh process)');
  line();
  line('| size | latency | Node start-up | loading pulpform | YAML read + validated | server read | plan | total |');
  line('|---|---|---|---|---|---|---|---|');
  for (const cell of result.cells) {
    const p = cell.noopPhases;
    line(`| ${cell.size.label} | ${cell.latencyMs} ms | ${seconds(p.startupMs)} | ${seconds(p.importMs)} | ${seconds(p.loadMs)} | ${seconds(p.readMs)} | ${seconds(p.planMs)} | ${seconds(p.startupMs + p.importMs + p.loadMs + p.readMs + p.planMs + p.renderMs)} |`);
  }
  line();
  line('## Pin bump: what was planned');
  line();
  line('| size | latency | planned actions | writes | GETs: status, lock, list pages | GETs: task polls | other GETs |');
  line('|---|---|---|---|---|---|---|');
  for (const cell of result.cells) {
    const bump = operation(cell, 'pin-bump');
    const reads = expectedReadGets(cell).gets;
    const polls = median(bump.runs.map(taskPolls));
    line(`| ${cell.size.label} | ${cell.latencyMs} ms | ${Object.entries(cell.bumpActions).map(([k, n]) => `${n} ${k}`).join(', ')} | ${bump.median.requests.writes} | ${reads} | ${thousands(polls)} | ${Math.max(0, bump.median.requests.GET - reads - polls)} |`);
  }
  line();
  line('## Targets (issue 6)');
  line();
  line('| target | measured | met |');
  line('|---|---|---|');
  for (const check of checkTargets(result, settings)) {
    line(`| ${check.target} | ${check.measured}${check.note ? `. **${check.note}**` : ''} | ${check.met ? 'met' : '**missed**'} |`);
  }
  if (analysis !== undefined) {
    line();
    line('## Analysis');
    line();
    line(analysis.trim());
  }
  line();
  line('## Reproduce');
  line();
  line('```sh');
  line('npm ci');
  line(`${command}`);
  line('```');
  line();
  line('`npm run bench -- --help` lists the options (sizes, latencies, task duration, runs, baseline sampling). The raw measurements of every run are written next to this file as `BENCHMARKS.json` when `--json` is given.');
  line();
  return out.join('\n');
}
