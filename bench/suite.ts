import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDesired } from '../src/engine.js';
import { type Emulator, startEmulator } from '../src/emulator/index.js';
import { PulpClient } from '../src/live/client.js';
import { LIVE_ENDPOINTS, readLiveState } from '../src/live/read.js';
import type { Plan } from '../src/model/plan.js';
import type { LiveState } from '../src/model/resource.js';
import { Secret } from '../src/model/secret.js';
import { buildPlan } from '../src/plan/index.js';
import type { BaselineMode, BaselineRecord } from './baseline.js';
import { applyLowerBound, type LowerBound } from './lower-bound.js';
import { type Measurement, measureChild, median, type Requests, requestsOf } from './measure.js';
import { bumpPins, desiredStateYaml, objectCounts, readScenario, sampleShape, scaleShape, type Shape, type SizeSpec } from './shapes.js';
import { startUpstream, type Upstream } from './upstream.js';

export const OPERATIONS = ['plan-empty', 'apply-empty', 'noop-plan', 'noop-apply', 'pin-bump'] as const;
export type Operation = (typeof OPERATIONS)[number];

export const OPERATION_LABELS: Record<Operation, string> = {
  'plan-empty': 'plan from empty',
  'apply-empty': 'apply from empty',
  'noop-plan': 'no-op plan',
  'noop-apply': 'no-op apply',
  'pin-bump': 'pin bump',
};

/** What the baseline does for each operation: Ansible's check mode for plans, a converging run otherwise. */
const BASELINE_MODE: Record<Operation, BaselineMode> = {
  'plan-empty': 'check',
  'apply-empty': 'converge',
  'noop-plan': 'check',
  'noop-apply': 'converge',
  'pin-bump': 'converge',
};

export interface BaselineSettings {
  /** Interval between task polls (the Ansible roles: 2,000 ms). */
  pollMs: number;
  runs: number;
  /** Sizes with more objects than this run the baseline on a sample and extrapolate. */
  fullMaxObjects: number;
  sampleRpm: number;
  sampleImages: number;
}

export interface SuiteSettings {
  sizes: SizeSpec[];
  latencies: number[];
  taskMs: number;
  /** Runs of each operation (medians are over these). */
  runs: number;
  /** Runs of apply from empty for sizes above 1,000 objects, where one run takes minutes. */
  largeApplyRuns: number;
  /** pulpform apply --concurrency; undefined: the CLI's default. */
  concurrency?: number;
  /** RPM repositories whose pin moves in the pin-bump operation. */
  bumpCount: number;
  baseline: BaselineSettings;
  scenario: string;
  workDir: string;
  log: (line: string) => void;
}

export interface OperationStats {
  wallMs: number;
  maxRssKb: number;
  cpuMs: number;
  requests: Requests;
}

export interface BaselineStats {
  wallMs: number;
  requests: Requests;
  maxRssKb: number;
  /** Objects the measured runs touched; fewer than `objects` when extrapolated. */
  measuredObjects: number;
  objects: number;
  extrapolated: boolean;
  runs: number;
  /** Measured (not extrapolated) wall time of the sample, for the record. */
  measuredWallMs: number;
}

export interface OperationResult {
  operation: Operation;
  runs: Measurement[];
  median: OperationStats;
  baseline?: BaselineStats;
}

export interface Phases {
  startupMs: number;
  importMs: number;
  loadMs: number;
  readMs: number;
  planMs: number;
  renderMs: number;
}

export interface CellResult {
  size: SizeSpec;
  objects: ReturnType<typeof objectCounts>;
  syncs: number;
  latencyMs: number;
  operations: OperationResult[];
  lowerBound: LowerBound;
  /** GET requests of the first no-op plan, by path (list pages of an endpoint share its path). */
  noopGetsByPath: Record<string, number>;
  /** Objects on the converged server per list endpoint (`remotes/rpm/rpm`, ...), every endpoint pulpform reads. */
  noopLiveCounts: Record<string, number>;
  /** Actions of the pin-bump plan, by `type kind`. */
  bumpActions: Record<string, number>;
  noopPhases: Phases;
}

export interface SuiteResult {
  cells: CellResult[];
  startedAt: string;
  finishedAt: string;
}

const CLI = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));
const BASELINE_CHILD = fileURLToPath(new URL('./baseline-child.js', import.meta.url));
const PHASES_CHILD = fileURLToPath(new URL('./phases-child.js', import.meta.url));
const ARK_PASSWORD = 'bench-ark-password';
const PULP_USER = { username: 'admin', password: 'password' };

/** Snapshot stamps for the pin bumps: after every stamp of the scenario, different for every run. */
function bumpStamp(run: number): string {
  return `20250101T${String(100000 + run).padStart(6, '0')}`;
}

export async function runSuite(settings: SuiteSettings): Promise<SuiteResult> {
  const startedAt = new Date().toISOString();
  const base = readScenario(settings.scenario);
  const upstream = await startUpstream();
  const cells: CellResult[] = [];
  try {
    for (const size of settings.sizes) {
      for (const latencyMs of settings.latencies) {
        cells.push(await runCell(settings, size, scaleShape(base, size), latencyMs, upstream));
      }
    }
  } finally {
    await upstream.close();
  }
  return { cells, startedAt, finishedAt: new Date().toISOString() };
}

/** One size at one latency: every pulpform operation, then the baseline beside it. */
async function runCell(settings: SuiteSettings, size: SizeSpec, shape: Shape, latencyMs: number, upstream: Upstream): Promise<CellResult> {
  const tag = `${size.name} ${latencyMs}ms`;
  const dir = join(settings.workDir, `${size.name}-${latencyMs}ms`);
  mkdirSync(dir, { recursive: true });
  const objects = objectCounts(shape);
  const runsOf = (operation: Operation): number => (operation === 'apply-empty' && objects.total > 1000 ? settings.largeApplyRuns : settings.runs);
  const start = (): Promise<Emulator> => startEmulator({ latencyMs, taskMs: settings.taskMs });
  const desiredDir = (name: string, content: Shape): string => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, 'state.yaml'), desiredStateYaml(content, upstream.url));
    return path;
  };
  const env = (emulator: Emulator): Record<string, string> => ({
    PULP_BASE_URL: emulator.url,
    PULP_USERNAME: PULP_USER.username,
    PULP_PASSWORD: PULP_USER.password,
    ARK_PASSWORD,
  });
  const pulpform = async (emulator: Emulator, name: string, args: string[]): Promise<Measurement> => {
    const measured = await measureChild(emulator, { script: CLI, args, env: env(emulator), outputBase: join(dir, name) });
    settings.log(`[${tag}] ${name}: ${(measured.wallMs / 1000).toFixed(2)} s, ${measured.requests.total} requests (${measured.requests.writes} writes), ${Math.round(measured.maxRssKb / 1024)} MB`);
    return measured;
  };
  const applyArgs = (path: string): string[] => ['apply', '--auto-approve', '-f', path, ...(settings.concurrency ? ['--concurrency', String(settings.concurrency)] : [])];
  const results = new Map<Operation, Measurement[]>(OPERATIONS.map((op) => [op, []]));

  const initial = desiredDir('desired', shape);
  let emulator = await start();
  let lowerBound: LowerBound;
  let noopGetsByPath: Record<string, number>;
  let noopLiveCounts: Record<string, number>;
  let noopPhases: Phases;
  let bumpActions: Record<string, number> = {};
  try {
    for (let run = 1; run <= runsOf('plan-empty'); run++) results.get('plan-empty')!.push(await pulpform(emulator, `plan-empty-${run}`, ['plan', '-f', initial]));
    const emptyRead = results.get('plan-empty')![0]!;
    const { plan } = await planInProcess(emulator, initial);
    lowerBound = applyLowerBound(plan, {
      latencyMs,
      taskMs: settings.taskMs,
      concurrency: settings.concurrency ?? 8,
      // Its GETs are status, the lock look-up and the list pages.
      listRequests: emptyRead.requests.GET - 2,
    });
    for (let run = 1; run <= runsOf('apply-empty'); run++) {
      if (run > 1) {
        await emulator.close();
        emulator = await start();
      }
      results.get('apply-empty')!.push(await pulpform(emulator, `apply-empty-${run}`, applyArgs(initial)));
    }
    for (let run = 1; run <= settings.runs; run++) results.get('noop-plan')!.push(await pulpform(emulator, `noop-plan-${run}`, ['plan', '-f', initial]));
    noopGetsByPath = results.get('noop-plan')![0]!.byPath;
    noopLiveCounts = Object.fromEntries(LIVE_ENDPOINTS.map((endpoint) => [endpoint, 0]));
    for (const object of (await planInProcess(emulator, initial)).live.objects) noopLiveCounts[object.endpoint] = (noopLiveCounts[object.endpoint] ?? 0) + 1;
    noopPhases = await phasesOf(emulator, initial, join(dir, 'noop-phases'));
    for (let run = 1; run <= settings.runs; run++) {
      const measured = await pulpform(emulator, `noop-apply-${run}`, applyArgs(initial));
      if (measured.requests.writes > 0) throw new Error(`[${tag}] the no-op apply wrote ${measured.requests.writes} times: the desired state does not converge`);
      results.get('noop-apply')!.push(measured);
    }
    let current = shape;
    for (let run = 1; run <= settings.runs; run++) {
      current = bumpPins(current, settings.bumpCount, bumpStamp(run));
      const bumped = desiredDir(`bump-${run}`, current);
      const { plan: bumpPlan } = await planInProcess(emulator, bumped);
      bumpActions = countActions(bumpPlan);
      results.get('pin-bump')!.push(await pulpform(emulator, `pin-bump-${run}`, applyArgs(bumped)));
    }
    const operations: OperationResult[] = OPERATIONS.map((operation) => ({ operation, runs: results.get(operation)!, median: medianOf(results.get(operation)!) }));
    const baseline = await runBaselines(settings, tag, dir, shape, current, emulator, start, env, upstream);
    for (const result of operations) {
      const stats = baseline.get(result.operation);
      if (stats) result.baseline = stats;
    }
    return { size, objects, syncs: shape.rpm.length + shape.container.length, latencyMs, operations, lowerBound, noopGetsByPath, noopLiveCounts, bumpActions, noopPhases };
  } finally {
    await emulator.close();
  }
}

/** The plan pulpform would make now, computed here (not measured) to derive the lower bound and check the pin bump. */
async function planInProcess(emulator: Emulator, path: string): Promise<{ plan: Plan; live: LiveState }> {
  const { state } = await loadDesired(path, { ...process.env, ARK_PASSWORD });
  const client = new PulpClient({ baseUrl: emulator.url, username: PULP_USER.username, password: new Secret(PULP_USER.password, 'bench') });
  try {
    const live = await readLiveState(client);
    return { plan: buildPlan(state, live), live };
  } finally {
    client.close();
  }
}

async function phasesOf(emulator: Emulator, path: string, outputBase: string): Promise<Phases> {
  const env = { PULP_BASE_URL: emulator.url, PULP_USERNAME: PULP_USER.username, PULP_PASSWORD: PULP_USER.password, ARK_PASSWORD };
  await measureChild(emulator, { script: PHASES_CHILD, args: [path], env, outputBase });
  return JSON.parse(readFileSync(`${outputBase}.out`, 'utf8')) as Phases;
}

function countActions(plan: Plan): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const action of plan.waves.flat()) counts[`${action.type} ${action.kind}`] = (counts[`${action.type} ${action.kind}`] ?? 0) + 1;
  return counts;
}

function medianOf(runs: Measurement[]): OperationStats {
  const requests = (pick: (r: Requests) => number): number => median(runs.map((run) => pick(run.requests)));
  return {
    wallMs: median(runs.map((r) => r.wallMs)),
    maxRssKb: median(runs.map((r) => r.maxRssKb)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    requests: {
      GET: requests((r) => r.GET),
      POST: requests((r) => r.POST),
      PATCH: requests((r) => r.PATCH),
      PUT: requests((r) => r.PUT),
      DELETE: requests((r) => r.DELETE),
      total: requests((r) => r.total),
      writes: requests((r) => r.writes),
    },
  };
}

/**
 * The sequential baseline for every operation, on the same kind of server: check mode and a
 * converging run on the converged server pulpform left (the pins as pulpform last set them),
 * then a pin bump of its own, then check mode and a converging run from empty on a fresh
 * server. Large sizes run on a sample (the first RPM mirrors, the bumped ones among them, and
 * the first images) and are extrapolated per kind of step from the unbumped objects' means.
 */
async function runBaselines(
  settings: SuiteSettings,
  tag: string,
  dir: string,
  fullShape: Shape,
  converged: Shape,
  emulator: Emulator,
  start: () => Promise<Emulator>,
  env: (emulator: Emulator) => Record<string, string>,
  upstream: Upstream,
): Promise<Map<Operation, BaselineStats>> {
  const { baseline } = settings;
  const sampled = objectCounts(fullShape).total > baseline.fullMaxObjects;
  const sample = (shape: Shape): Shape => (sampled ? sampleShape(shape, baseline.sampleRpm, baseline.sampleImages) : shape);
  const bumped = new Set(fullShape.rpm.slice(0, settings.bumpCount).map((m) => m.name));
  const collected = new Map<Operation, Array<{ measured: Measurement; records: BaselineRecord[] }>>();
  const run = async (target: Emulator, operation: Operation, shape: Shape, name: string): Promise<void> => {
    const job = join(dir, `${name}.job.json`);
    writeFileSync(job, JSON.stringify({ shape: sample(shape), upstreamUrl: upstream.url, pollMs: baseline.pollMs }));
    const measured = await measureChild(target, { script: BASELINE_CHILD, args: [BASELINE_MODE[operation], job], env: env(target), outputBase: join(dir, name) });
    const records = JSON.parse(readFileSync(join(dir, `${name}.out`), 'utf8')) as BaselineRecord[];
    settings.log(`[${tag}] ${name}: ${(measured.wallMs / 1000).toFixed(2)} s, ${measured.requests.total} requests, ${records.length} steps${sampled ? ' (sample)' : ''}`);
    collected.set(operation, [...(collected.get(operation) ?? []), { measured, records }]);
  };
  let current = converged;
  for (let i = 1; i <= baseline.runs; i++) {
    await run(emulator, 'noop-plan', current, `baseline-noop-plan-${i}`);
    await run(emulator, 'noop-apply', current, `baseline-noop-apply-${i}`);
    current = bumpPins(current, settings.bumpCount, bumpStamp(100 + i));
    await run(emulator, 'pin-bump', current, `baseline-pin-bump-${i}`);
  }
  for (let i = 1; i <= baseline.runs; i++) {
    const empty = await start();
    try {
      await run(empty, 'plan-empty', fullShape, `baseline-plan-empty-${i}`);
      await run(empty, 'apply-empty', fullShape, `baseline-apply-empty-${i}`);
    } finally {
      await empty.close();
    }
  }
  const stats = new Map<Operation, BaselineStats>();
  for (const [operation, runs] of collected) {
    const extrapolated = runs.map(({ measured, records }) => (sampled ? extrapolate(measured, records, fullShape, bumped) : { wallMs: measured.wallMs, requests: measured.requests }));
    const pick = (f: (r: Requests) => number): number => median(extrapolated.map((e) => f(e.requests)));
    stats.set(operation, {
      wallMs: median(extrapolated.map((e) => e.wallMs)),
      requests: { GET: pick((r) => r.GET), POST: pick((r) => r.POST), PATCH: pick((r) => r.PATCH), PUT: pick((r) => r.PUT), DELETE: pick((r) => r.DELETE), total: pick((r) => r.total), writes: pick((r) => r.writes) },
      maxRssKb: median(runs.map((r) => r.measured.maxRssKb)),
      measuredObjects: objectCounts(sample(fullShape)).total,
      objects: objectCounts(fullShape).total,
      extrapolated: sampled,
      runs: runs.length,
      measuredWallMs: median(runs.map((r) => r.measured.wallMs)),
    });
  }
  return stats;
}

/** Steps of each kind (`sync container`, `distribution rpm`, ...) the full shape has. */
function stepCounts(shape: Shape): Record<string, number> {
  const rpmDistributions = shape.rpm.reduce((n, m) => n + m.distributions.length, 0);
  return {
    'remote rpm': shape.rpm.length,
    'remote container': shape.container.length,
    'repository rpm': shape.rpm.length,
    'repository container': shape.container.length,
    'sync rpm': shape.rpm.length,
    'sync container': shape.container.length,
    'publication rpm': shape.rpm.length,
    'distribution rpm': rpmDistributions,
    'distribution container': shape.container.length,
  };
}

/**
 * A sampled run scaled to the full shape: every step the sample did not cover is charged the
 * mean time and requests of the sample's steps of the same kind, excluding the bumped mirrors
 * (the objects outside the sample are never bumped).
 */
export function extrapolate(measured: Measurement, records: BaselineRecord[], fullShape: Shape, bumped: ReadonlySet<string>): { wallMs: number; requests: Requests } {
  let wallMs = measured.wallMs;
  const byMethod: Record<string, number> = { ...measured.requests };
  delete byMethod['total'];
  delete byMethod['writes'];
  for (const [group, full] of Object.entries(stepCounts(fullShape))) {
    const inGroup = records.filter((r) => `${r.step} ${r.plugin}` === group);
    const extra = full - inGroup.length;
    if (extra <= 0 || inGroup.length === 0) continue;
    const unbumped = inGroup.filter((r) => !bumped.has(r.mirror));
    const pool = unbumped.length > 0 ? unbumped : inGroup;
    wallMs += (extra * pool.reduce((sum, r) => sum + r.ms, 0)) / pool.length;
    for (const method of new Set(pool.flatMap((r) => Object.keys(r.requests)))) {
      byMethod[method] = (byMethod[method] ?? 0) + (extra * pool.reduce((sum, r) => sum + (r.requests[method] ?? 0), 0)) / pool.length;
    }
  }
  const rounded = Object.fromEntries(Object.entries(byMethod).map(([method, n]) => [method, Math.round(n)]));
  return { wallMs, requests: requestsOf(rounded) };
}
