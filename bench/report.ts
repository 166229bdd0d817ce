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

/** What `--json` saves and `--from-json` reads back: one run of the harness. */
export interface SavedRun {
  command: string;
  machine: Machine;
  settings: Omit<SuiteSettings, 'log'>;
  result: SuiteResult;
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
const RSS_TARGET_MB = 200;

const seconds = (ms: number): string =>
  ms >= 100_000
    ? `${Math.round(ms / 1000).toLocaleString('en-US')} s`
    : ms >= 10_000
      ? `${(ms / 1000).toFixed(1)} s`
      : `${(ms / 1000).toFixed(2)} s`;
const thousands = (n: number): string => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number): string => (b > 0 ? `${a / b >= 100 ? thousands(a / b) : (a / b).toFixed(1)}x` : '—');
const plural = (n: number, word: string, many = `${word}s`): string => `${thousands(n)} ${n === 1 ? word : many}`;
const methods = (r: Requests): string =>
  `${thousands(r.total)} (${['GET', 'POST', 'PATCH', 'DELETE'].map((m) => `${thousands(r[m as keyof Requests])} ${m}`).join(', ')})`;
const megabytes = (kb: number): string => `${Math.round(kb / MB)} MB`;

const isReal = (cell: CellResult): boolean => cell.server !== undefined;
const isEmulator = (run: SavedRun): boolean => (run.settings.target?.kind ?? 'emulator') === 'emulator';

/** `10x Rocky 9 (3,420 objects), 5 ms latency` or `Rocky 9 client (342 objects) on pulpcore 3.43.1`. */
function cellTitle(cell: CellResult): string {
  const count = `${thousands(cell.objects.total)} objects`;
  const size = `${cell.size.label}${cell.size.label === count ? '' : ` (${count})`}`;
  return cell.server ? `${size} on pulpcore ${cell.server.core}` : `${size}, ${cell.latencyMs} ms latency`;
}

/** `rocky9 @5 ms`, `rocky9 on 3.43.1` */
function cellTag(cell: CellResult): string {
  return cell.server ? `${cell.size.name} on ${cell.server.core}` : `${cell.size.name} @${cell.latencyMs} ms`;
}

/** The same size and setting (latency, or server version) in another run. */
function sameCell(a: CellResult, b: CellResult): boolean {
  return a.size.name === b.size.name && a.latencyMs === b.latencyMs && a.server?.core === b.server?.core;
}

/** GETs of task hrefs and of the task list: how often the client asked about tasks. */
function taskPolls(run: Measurement): number {
  return Object.entries(run.byPath).reduce((n, [path, count]) => (/\/tasks\/([^/]+\/)?$/.test(path) ? n + count : n), 0);
}

function operation(cell: CellResult, name: OperationResult['operation']): OperationResult {
  return cell.operations.find((o) => o.operation === name)!;
}

/** Expected GETs of a complete read: status, then one request per page of every list. */
const LOCK_PATH = '/pulp/api/v3/contentguards/core/content_redirect/';

/** The lists of every type a scoped read sends (readLiveState with a scope), by the family of typed lists they cover. */
const GENERIC_LISTS: Record<string, string> = {
  'remotes/': 'remotes/',
  'repositories/': 'repositories/',
  'distributions/': 'distributions/',
};

/**
 * Expected GETs of the no-op plan's read: status, the server lock, one request per page of each
 * typed list it read (builds before the scoped read read all of them), and of each generic list
 * it sent at most one request per page of the objects of that family (it answers this stack's
 * objects, or every distribution, or with a type filter only the other plugins').
 */
function expectedReadGets(cell: CellResult): { gets: number; pages: Record<string, number>; genericBounds: Record<string, number> } {
  const read = (endpoint: string): boolean => cell.noopGetsByPath[`/pulp/api/v3/${endpoint}/`] !== undefined;
  const pages = Object.fromEntries(
    Object.entries(cell.noopLiveCounts)
      .filter(([endpoint]) => read(endpoint))
      .map(([endpoint, n]) => [endpoint, Math.max(1, Math.ceil(n / PAGE_SIZE))]),
  );
  const genericBounds = Object.fromEntries(
    Object.entries(GENERIC_LISTS)
      .filter(([path]) => read(path.slice(0, -1)))
      .map(([path, family]) => {
        const objects = Object.entries(cell.noopLiveCounts)
          .filter(([endpoint]) => endpoint.startsWith(family))
          .reduce((sum, [, n]) => sum + n, 0);
        return [path, Math.max(1, Math.ceil(objects / PAGE_SIZE))];
      }),
  );
  const generic = Object.keys(genericBounds).reduce((sum, path) => sum + (cell.noopGetsByPath[`/pulp/api/v3/${path}`] ?? 0), 0);
  return { gets: 2 + Object.values(pages).reduce((sum, n) => sum + n, 0) + generic, pages, genericBounds };
}

/** Every list read with exactly its number of pages (a generic one with at most its bound), plus status and the server lock (one content guard looked up by name), and nothing else. */
function readIsMinimal(cell: CellResult): boolean {
  const { gets, pages, genericBounds } = expectedReadGets(cell);
  const observed = operation(cell, 'noop-plan').runs[0]!;
  return (
    observed.requests.GET === gets &&
    observed.requests.writes === 0 &&
    cell.noopGetsByPath[LOCK_PATH] === 1 &&
    Object.entries(pages).every(([endpoint, n]) => cell.noopGetsByPath[`/pulp/api/v3/${endpoint}/`] === n) &&
    Object.entries(genericBounds).every(([path, n]) => (cell.noopGetsByPath[`/pulp/api/v3/${path}`] ?? 0) <= n)
  );
}

function expectedBump(bumpCount: number): Record<string, number> {
  return {
    'update remote': bumpCount,
    'sync repository': bumpCount,
    'create publication': bumpCount,
    'update distribution': 2 * bumpCount,
  };
}

function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => (a[key] ?? 0) === (b[key] ?? 0));
}

function phaseText(cell: CellResult): string {
  const p = cell.noopPhases;
  return `Node start-up ${seconds(p.startupMs)}, loading pulpform ${seconds(p.importMs)}, reading and validating the YAML ${seconds(p.loadMs)}, reading the server ${seconds(p.readMs)}, planning ${seconds(p.planMs)}`;
}

/** The targets of issues 6 and 17, checked on every cell (emulator and real). `before`: the same cells measured with an earlier build. */
export function checkTargets(cells: CellResult[], settings: Pick<SuiteSettings, 'bumpCount'>, before: CellResult[] = []): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const emulated = cells.filter((c) => !isReal(c));
  const find = (size: string, latency: number): CellResult | undefined =>
    emulated.find((c) => c.size.name === size && c.latencyMs === latency);

  const minimal = cells.filter(readIsMinimal);
  checks.push({
    target:
      'No-op plan: one request per page (page size 1,000) of each list it needs, plus status (and one look-up of the server lock by name)',
    measured: cells
      .map((c) => `${cellTag(c)}: ${operation(c, 'noop-plan').runs[0]!.requests.GET} GETs for ${expectedReadGets(c).gets} expected`)
      .join('; '),
    met: minimal.length === cells.length,
    ...(minimal.length === cells.length ? {} : { note: 'some runs read more than the minimal set of list pages (see the request table)' }),
  });
  for (const [size, limitMs] of [
    ['rocky9', 1000],
    ['10k', 3000],
  ] as const) {
    const cell = find(size, 5);
    if (!cell) continue;
    const wall = operation(cell, 'noop-plan').median.wallMs;
    const met = wall < limitMs;
    checks.push({
      target: `No-op plan of the ${cell.size.label} at 5 ms latency under ${limitMs / 1000} s`,
      measured: seconds(wall),
      met,
      ...(met
        ? {}
        : {
            note: `${seconds(wall - limitMs)} (${((wall / limitMs - 1) * 100).toFixed(0)} %) over. Where one run's time goes: ${phaseText(cell)}.`,
          }),
    });
  }
  const writing = cells.filter((c) => operation(c, 'noop-apply').runs.some((r) => r.requests.writes > 0));
  checks.push({
    target: 'No-op apply: zero writes',
    measured:
      writing.length === 0 ? `0 writes in every run (${cells.length} settings)` : writing.map((c) => `${cellTag(c)} wrote`).join('; '),
    met: writing.length === 0,
  });
  for (const cell of emulated) {
    if (!cell.lowerBound) continue;
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
  const withBaseline = cells.filter((c) => operation(c, 'apply-empty').baseline);
  if (withBaseline.length > 0) {
    const over = withBaseline.filter(
      (c) => operation(c, 'apply-empty').median.requests.total > operation(c, 'apply-empty').baseline!.requests.total,
    );
    checks.push({
      target: 'Apply from empty: at most the requests of the sequential baseline, at every size and on every server',
      measured: withBaseline
        .map(
          (c) =>
            `${cellTag(c)}: ${thousands(operation(c, 'apply-empty').median.requests.total)} vs ${thousands(operation(c, 'apply-empty').baseline!.requests.total)}`,
        )
        .join('; '),
      met: over.length === 0,
      ...(over.length === 0 ? {} : { note: `more than the baseline: ${over.map(cellTag).join(', ')}` }),
    });
  }
  const compared = cells.flatMap((c) => {
    const earlier = before.find((b) => sameCell(b, c));
    return earlier
      ? [{ cell: c, now: operation(c, 'apply-empty').median.wallMs, before: operation(earlier, 'apply-empty').median.wallMs }]
      : [];
  });
  if (compared.length > 0) {
    // Wall time on this shared 2-core machine moves by a few percent from run to run.
    const slower = compared.filter((c) => c.now > 1.05 * c.before);
    checks.push({
      target: 'Apply from empty: wall time no worse than before the shared poller (within 5 %, the noise of this machine)',
      measured: compared.map((c) => `${cellTag(c.cell)}: ${seconds(c.now)} vs ${seconds(c.before)} before`).join('; '),
      met: slower.length === 0,
      ...(slower.length === 0 ? {} : { note: `slower: ${slower.map((c) => cellTag(c.cell)).join(', ')}` }),
    });
  }
  const expected = expectedBump(settings.bumpCount);
  const wrongBump = cells.filter((c) => !sameCounts(c.bumpActions, expected));
  const bumpWrites = cells.map((c) => median(operation(c, 'pin-bump').runs.map(stackWrites)));
  const constantWrites = bumpWrites.every((w) => w === bumpWrites[0]);
  checks.push({
    target: `Pin bump of ${plural(settings.bumpCount, 'repository', 'repositories')}: only the affected syncs, publications and repoints; requests proportional to the change`,
    measured: `planned ${Object.entries(cells[0]?.bumpActions ?? {})
      .map(([k, n]) => `${n} ${k}`)
      .join(
        ', ',
      )}; writes to the stack's objects (all writes): ${cells.map((c, i) => `${cellTag(c)} ${bumpWrites[i]} (${operation(c, 'pin-bump').median.requests.writes})`).join(', ')}`,
    met: wrongBump.length === 0 && constantWrites,
    ...(wrongBump.length === 0 && constantWrites
      ? {}
      : {
          note:
            wrongBump.length > 0
              ? `unexpected actions in ${wrongBump.map(cellTag).join(', ')}`
              : 'the number of writes differs between settings',
        }),
  });
  for (const cell of cells.filter((c) => c.size.name === 'rocky9')) {
    const noop = operation(cell, 'noop-apply');
    if (!noop.baseline) continue;
    const requestRatio = noop.baseline.requests.total / noop.median.requests.total;
    const wallRatio = noop.baseline.wallMs / noop.median.wallMs;
    checks.push({
      target: `No-op run of the Rocky 9 client ${cell.server ? `on pulpcore ${cell.server.core}` : `@${cell.latencyMs} ms`}: at least 50x fewer requests and 20x less wall time than the sequential baseline`,
      measured: `${requestRatio.toFixed(0)}x fewer requests, ${wallRatio.toFixed(0)}x less wall time`,
      met: requestRatio >= 50 && wallRatio >= 20,
    });
  }
  const large = cells.filter((c) => c.size.name === '10k');
  if (large.length > 0) {
    const peak = Math.max(...large.flatMap((c) => c.operations.map((o) => o.median.maxRssKb)));
    const met = peak <= RSS_TARGET_MB * MB;
    checks.push({
      target: `Peak RSS at most ${RSS_TARGET_MB} MB at 10,000 objects, without a heap flag`,
      measured: `${megabytes(peak)} (largest median over the operations)`,
      met,
      ...(met ? {} : { note: `${Math.round(peak / MB - RSS_TARGET_MB)} MB over.` }),
    });
  }
  return checks;
}

/** The runs of one kind of target as one: cells in order, settings of the first, sizes and latencies united. */
function mergeKind(runs: SavedRun[]): SavedRun | undefined {
  const [first, ...rest] = runs;
  if (!first) return undefined;
  const union = <T>(lists: T[][], key: (item: T) => unknown): T[] =>
    lists.flat().filter((item, i, all) => all.findIndex((other) => key(other) === key(item)) === i);
  return {
    command: [first, ...rest].map((run) => run.command).join('\n'),
    machine: {
      ...first.machine,
      loadBefore: Math.min(...runs.map((run) => run.machine.loadBefore)),
      loadAfter: Math.max(...runs.map((run) => run.machine.loadAfter)),
    },
    settings: {
      ...first.settings,
      sizes: union(
        runs.map((run) => run.settings.sizes),
        (size) => size.name,
      ),
      latencies: union(
        runs.map((run) => run.settings.latencies),
        (l) => l,
      ),
    },
    result: {
      cells: runs.flatMap((run) => run.result.cells),
      startedAt: runs.map((run) => run.result.startedAt).sort()[0]!,
      finishedAt: runs
        .map((run) => run.result.finishedAt)
        .sort()
        .at(-1)!,
    },
  };
}

function resultTable(line: (text?: string) => void, cells: CellResult[], runs: number): void {
  for (const cell of cells) {
    line();
    line(`### ${cellTitle(cell)}`);
    line();
    line(
      '| operation | pulpform wall | pulpform CPU | pulpform requests | peak RSS | baseline wall | baseline requests | wall ratio | request ratio |',
    );
    line('|---|---|---|---|---|---|---|---|---|');
    for (const op of cell.operations) {
      const b = op.baseline;
      const mark = b?.extrapolated ? '*' : '';
      line(
        `| ${OPERATION_LABELS[op.operation]}${op.runs.length !== runs ? ` (${op.runs.length} run${op.runs.length === 1 ? '' : 's'})` : ''} | ${seconds(op.median.wallMs)} | ${seconds(op.median.cpuMs)} | ${methods(op.median.requests)} | ${megabytes(op.median.maxRssKb)} | ` +
          (b
            ? `${seconds(b.wallMs)}${mark} | ${methods(b.requests)}${mark} | ${ratio(b.wallMs, op.median.wallMs)} | ${ratio(b.requests.total, op.median.requests.total)} |`
            : '— | — | — | — |'),
      );
    }
    const sampled = cell.operations.find((o) => o.baseline?.extrapolated)?.baseline;
    if (sampled)
      line(`\n\\* extrapolated from a measured sample of ${thousands(sampled.measuredObjects)} of ${thousands(sampled.objects)} objects.`);
    if (cell.load)
      line(
        `\n1-minute load average ${cell.load.before.toFixed(2)} when this setting started, ${cell.load.after.toFixed(2)} when it ended.`,
      );
  }
}

function phasesAndBump(line: (text?: string) => void, cells: CellResult[], heading: string): void {
  line();
  line(`${heading} Where a no-op plan spends its time (one run, in a fresh process)`);
  line();
  line('| size | setting | Node start-up | loading pulpform | YAML read + validated | server read | plan | total |');
  line('|---|---|---|---|---|---|---|---|');
  for (const cell of cells) {
    const p = cell.noopPhases;
    line(
      `| ${cell.size.label} | ${setting(cell)} | ${seconds(p.startupMs)} | ${seconds(p.importMs)} | ${seconds(p.loadMs)} | ${seconds(p.readMs)} | ${seconds(p.planMs)} | ${seconds(p.startupMs + p.importMs + p.loadMs + p.readMs + p.planMs + p.renderMs)} |`,
    );
  }
  line();
  line(`${heading} Pin bump: what was planned`);
  line();
  line('| size | setting | planned actions | writes | GETs: status, lock, list pages | GETs: task polls | other GETs |');
  line('|---|---|---|---|---|---|---|');
  for (const cell of cells) {
    const bump = operation(cell, 'pin-bump');
    const reads = expectedReadGets(cell).gets;
    const polls = median(bump.runs.map(taskPolls));
    line(
      `| ${cell.size.label} | ${setting(cell)} | ${Object.entries(cell.bumpActions)
        .map(([k, n]) => `${n} ${k}`)
        .join(
          ', ',
        )} | ${bump.median.requests.writes} | ${reads} | ${thousands(polls)} | ${Math.max(0, bump.median.requests.GET - reads - polls)} |`,
    );
  }
}

function setting(cell: CellResult): string {
  return cell.server ? `pulpcore ${cell.server.core}` : `${cell.latencyMs} ms`;
}

/** Before → after for every cell an earlier build was measured in too. */
function beforeAfter(line: (text?: string) => void, cells: CellResult[], before: CellResult[], beforeCommit: string): void {
  const pairs = cells.flatMap((cell) => {
    const earlier = before.find((b) => sameCell(b, cell));
    return earlier ? [{ cell, earlier }] : [];
  });
  if (pairs.length === 0) return;
  line();
  line('## Before and after');
  line();
  line(
    `The same operations measured with the build of commit ${beforeCommit} (each task polled on its own; the whole YAML syntax tree kept), in runs of the same harness on the same machine. Requests are deterministic up to the task polls; wall times share the machine's noise.`,
  );
  line();
  line('| setting | operation | requests before → after | of them task polls | wall before → after | peak RSS before → after |');
  line('|---|---|---|---|---|---|');
  for (const { cell, earlier } of pairs) {
    for (const op of cell.operations) {
      const then = operation(earlier, op.operation);
      if (!then || then.runs.length === 0) continue;
      line(
        `| ${cell.size.label}, ${setting(cell)} | ${OPERATION_LABELS[op.operation]} | ${thousands(then.median.requests.total)} → ${thousands(op.median.requests.total)} | ${thousands(median(then.runs.map(taskPolls)))} → ${thousands(median(op.runs.map(taskPolls)))} | ${seconds(then.median.wallMs)} → ${seconds(op.median.wallMs)} | ${megabytes(then.median.maxRssKb)} → ${megabytes(op.median.maxRssKb)} |`,
      );
    }
  }
}

/**
 * The report: emulator runs and real-server runs (any mix, e.g. one saved per size or server),
 * with `before` (runs of an earlier build) compared cell by cell, and `analysis` (Markdown written
 * by hand about this run: causes found by profiling) under its own heading.
 */
export function renderReport(runs: SavedRun[], analysis?: string, before: SavedRun[] = []): string {
  const out: string[] = [];
  const line = (text = ''): void => void out.push(text);
  const emulator = mergeKind(runs.filter(isEmulator));
  const real = mergeKind(runs.filter((run) => !isEmulator(run)));
  const all = [emulator, real].filter((run): run is SavedRun => run !== undefined);
  const first = all[0]!;
  const machine = first.machine;
  const commits = [...new Set(runs.map((run) => run.machine.commit))];
  const startedAt = runs.map((run) => run.result.startedAt).sort()[0]!;
  const finishedAt = runs
    .map((run) => run.result.finishedAt)
    .sort()
    .at(-1)!;
  const beforeCells = before.flatMap((run) => run.result.cells);
  const cells = all.flatMap((run) => run.result.cells);

  line('# pulpform benchmarks');
  line();
  line(
    `Generated by ${runs
      .map((run) =>
        run.command
          .split('\n')
          .map((c) => `\`${c}\``)
          .join(', '),
      )
      .join(', ')} (harness in \`bench/\`) from ${startedAt} to ${finishedAt}, at commit ${commits.join(', ')}.`,
  );
  line(
    "Figures come from pulpform's Pulp 3.23 emulator on 127.0.0.1 with injected latency and task duration, and from real pulpcore servers on this machine;",
  );
  line('the sequential baseline runs in the same harness, with the same HTTP client, against the same server in the same run.');
  line();
  line('## Machine');
  line();
  line(`- CPU: ${machine.cpu}, ${machine.cores} cores; RAM ${machine.memoryGb.toFixed(0)} GB; ${machine.os}`);
  line(`- Node ${machine.node}`);
  line(
    `- 1-minute load average: ${Math.min(...runs.map((r) => r.machine.loadBefore)).toFixed(2)} at the lowest start, ${Math.max(...runs.map((r) => r.machine.loadAfter)).toFixed(2)} at the highest end (the servers, the upstream and the measured process share these cores with other work on the machine; each table gives the load of its own setting)`,
  );

  if (emulator) {
    const { settings, result } = emulator;
    const { baseline } = settings;
    line();
    line('## Settings');
    line();
    line(
      `- Sizes: ${result.cells
        .filter((c, i, list) => list.findIndex((o) => o.size.name === c.size.name) === i)
        .map(
          (c) =>
            `**${c.size.label}**: ${thousands(c.objects.total)} objects (${plural(c.objects.remote, 'remote')}, ${plural(c.objects.repository, 'repository', 'repositories')}, ${plural(c.objects.publication, 'publication')}, ${plural(c.objects.distribution, 'distribution')}) and ${plural(c.syncs, 'sync')}`,
        )
        .join('; ')}.`,
    );
    line(
      "  The Rocky 9 client is `../shared/release-train/scenarios/2024.1_rocky-9.yaml` (9 RPM mirrors with development and production distributions, 99 Kolla images) written as pulpform's low-level kinds; the larger sizes repeat that mix under new names.",
    );
    line(
      `- Latency added to every API request: ${settings.latencies.map((l) => `${l} ms`).join(' and ')}; every task runs ${settings.taskMs} ms; distribution tasks share pulpcore 3.23's global distribution lock, so they run one at a time.`,
    );
    line(
      `- Upstream: a static Ark on 127.0.0.1 (one package per snapshot, one image per name) that the emulator (and the real servers) really sync from.`,
    );
    line(
      `- Operations: **plan from empty**, **apply from empty**, **no-op plan**, **no-op apply**, **pin bump** (${plural(settings.bumpCount, 'RPM repository', 'RPM repositories')} moved to a new snapshot: \`apply\`). Each runs \`node dist/cli/main.js\` in a fresh process; wall time is from spawn to exit (Node start-up included); CPU is the process's user + system time (it does not grow with the machine's load the way wall time does); peak RSS is the process's own (\`process.resourceUsage().maxRSS\`); requests are counted by the emulator (by a counting proxy in front of a real server).`,
    );
    line(
      `- Medians over ${plural(settings.runs, 'run')}${settings.largeApplyRuns !== settings.runs ? `, except apply from empty for sizes above 1,000 objects: ${settings.largeApplyRuns} run${settings.largeApplyRuns === 1 ? '' : 's'} (one takes minutes, bounded by the distribution lock)` : ''}. apply uses ${settings.concurrency ? `--concurrency ${settings.concurrency}` : 'the default concurrency (8)'}.`,
    );
    line(
      `- Baseline: one object at a time, as the Ansible roles do: find by name, create or PATCH, wait for each task (read at once, then every ${baseline.pollMs} ms); every remote rewritten and every repository synced on every run; plans are Ansible check mode (the look-ups only). ${baseline.runs} run${baseline.runs === 1 ? '' : 's'} per operation. Sizes above ${thousands(baseline.fullMaxObjects)} objects run the baseline on a **sample** (the first ${baseline.sampleRpm} RPM mirrors, the bumped ones among them, and the first ${baseline.sampleImages} images) and **extrapolate**: each step the sample did not cover is charged the sample's mean time and requests for that kind of step (a full run would take hours). Extrapolated figures are marked *.`,
    );
    line();
    line('## Results on the emulator (medians)');
    resultTable(line, result.cells, settings.runs);
    line();
    line('## Apply from empty against its lower bound');
    line();
    line(
      "The bound: reading the server (status, then the list pages 8 at a time), then the largest of (a) the longest dependency chain, (b) all actions' minimal durations spread over the concurrency, (c) every distribution task one after another under the global lock, from the earliest moment the first can start. An action's minimal duration is one request per write plus, per task, the task duration and one request to see it finish; a publication an rpm `mirror_complete` sync already made costs nothing.",
    );
    line();
    line(
      '| size | latency | measured | lower bound | ratio | bound set by | chain | concurrency | distribution lock | tasks (of them distribution) | task polls |',
    );
    line('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const cell of result.cells) {
      const lb = cell.lowerBound;
      if (!lb) continue;
      const measured = operation(cell, 'apply-empty').median.wallMs;
      const polls = median(operation(cell, 'apply-empty').runs.map(taskPolls));
      line(
        `| ${cell.size.label} | ${cell.latencyMs} ms | ${seconds(measured)} | ${seconds(lb.totalMs)} | ${(measured / lb.totalMs).toFixed(2)}x | ${lb.binding} | ${seconds(lb.criticalPathMs)} | ${seconds(lb.concurrencyMs)} | ${seconds(lb.distributionLockMs)} | ${thousands(lb.tasks)} (${thousands(lb.distributionTasks)}) | ${thousands(polls)} |`,
      );
    }
    phasesAndBump(line, result.cells, '##');
  }

  if (real) {
    const { settings, result } = real;
    const { baseline } = settings;
    const servers = result.cells.filter((c, i, list) => list.findIndex((o) => o.server?.core === c.server?.core) === i);
    line();
    line('## On real Pulp servers');
    line();
    line(
      `- Servers: ${servers
        .map(
          (c) =>
            `pulpcore ${c.server!.core} (${Object.entries(c.server!.versions)
              .filter(([k]) => k !== 'core')
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}; ${plural(c.server!.workers, 'worker')})`,
        )
        .join(
          '; ',
        )}; the ones of \`../shared/real-pulp\`, on this machine, PostgreSQL with fsync off, no Redis. Other engineers' suites used the same servers during the run.`,
    );
    line(
      `- The same shapes, operations and baseline as on the emulator, with nothing injected: real request latency, real tasks. Every name and base path of a setting carries a prefix of its own; the objects are deleted before each apply from empty (and the baseline's) and at the end. Requests are counted by a proxy in front of the server.`,
    );
    line(
      `- Medians over ${plural(settings.runs, 'run')}${settings.largeApplyRuns !== settings.runs ? `, except apply from empty above 1,000 objects: ${settings.largeApplyRuns} run${settings.largeApplyRuns === 1 ? '' : 's'}` : ''}. The baseline polls tasks every ${baseline.pollMs} ms; above ${thousands(baseline.fullMaxObjects)} objects it runs on the sample and extrapolates, as on the emulator (marked *).`,
    );
    line();
    line('## Results on real Pulp (medians)');
    resultTable(line, result.cells, settings.runs);
    line();
    line('## Apply from empty against how long Pulp itself worked');
    line();
    line(
      "From the timestamps of the tasks each run dispatched (read back afterwards): **span** from the first task's creation to the last one's end; **busy** the time at least one of them ran; **work** their run times added up; **distribution lock** the run times of the tasks that took pulpcore's global distribution lock (one at a time; pulpcore 3.116 locks base paths instead). The **bound** is the largest of the work spread over the workers, the distribution lock and the longest task, plus the no-op plan (start-up, reading the YAML and the server, planning), which comes before any write: no client can finish sooner.",
    );
    line();
    line(
      '| setting | size | measured | bound | ratio | span | busy | work | distribution lock | tasks (of them distribution) | workers | task polls | baseline measured | baseline busy |',
    );
    line('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const cell of result.cells) {
      const work = cell.serverWork?.pulpform;
      if (!work) continue;
      const apply = operation(cell, 'apply-empty');
      const bound = work.boundMs + operation(cell, 'noop-plan').median.wallMs;
      const b = apply.baseline;
      const bw = cell.serverWork?.baseline;
      line(
        `| pulpcore ${cell.server!.core} | ${cell.size.label} | ${seconds(apply.median.wallMs)} | ${seconds(bound)} | ${(apply.median.wallMs / bound).toFixed(2)}x | ${seconds(work.spanMs)} | ${seconds(work.busyMs)} | ${seconds(work.workMs)} | ${seconds(work.distributionLockMs)} | ${thousands(work.tasks)} (${thousands(work.distributionTasks)}) | ${work.workers} | ${thousands(median(apply.runs.map(taskPolls)))} | ${b ? `${seconds(b.wallMs)}${b.extrapolated ? '*' : ''}` : '—'} | ${bw ? `${seconds(bw.busyMs)}${b?.extrapolated ? ' (sample)' : ''}` : '—'} |`,
      );
    }
    phasesAndBump(line, result.cells, '###');
  }

  if (beforeCells.length > 0)
    beforeAfter(
      line,
      cells,
      beforeCells,
      [...new Set(before.map((run) => run.settings.cliCommit ?? run.settings.cli ?? run.machine.commit))].join(', '),
    );

  line();
  line('## Targets');
  line();
  line('| target | measured | met |');
  line('|---|---|---|');
  for (const check of checkTargets(cells, first.settings, beforeCells)) {
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
  for (const run of runs) line(run.command);
  line('```');
  line();
  line(
    '`npm run bench -- --help` lists the options (sizes, latencies, task duration, runs, baseline sampling, real servers). `--json FILE` saves the raw measurements of a run; `--from-json` writes the report from saved runs, `--before` compares with runs of an earlier build.',
  );
  line();
  return out.join('\n');
}

/**
 * A run's writes less the server lock's (taking it, renewing it every 30 s, releasing it): a
 * slower server renews it more often, which says nothing about what the run changed. byPath does
 * not split methods, so every request to the lock's paths is taken off; in a pin bump those are
 * all writes (the lock is taken by POST, not looked up first).
 */
function stackWrites(run: Measurement): number {
  const lock = Object.entries(run.byPath)
    .filter(([path]) => path.includes('/contentguards/core/content_redirect/'))
    .reduce((sum, [, count]) => sum + count, 0);
  return run.requests.writes - lock;
}
