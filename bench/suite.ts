import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDesired } from '../src/engine.js';
import { startEmulator } from '../src/emulator/index.js';
import { PulpClient } from '../src/live/client.js';
import { capabilitiesOf } from '../src/model/capabilities.js';
import { LIVE_ENDPOINTS, readLiveState } from '../src/live/read.js';
import type { Plan } from '../src/model/plan.js';
import type { LiveState } from '../src/model/resource.js';
import { Secret } from '../src/model/secret.js';
import { buildPlan } from '../src/plan/index.js';
import type { BaselineMode, BaselineRecord } from './baseline.js';
import { applyLowerBound, type LowerBound } from './lower-bound.js';
import { deleteByPrefix } from './cleanup.js';
import { type Measurement, measureChild, median, type RequestCounter, type Requests, requestsOf } from './measure.js';
import { startCountingProxy } from './proxy.js';
import { readTasks, type ServerWork, serverWorkOf } from './server-work.js';
import {
  bumpPins,
  desiredStateYaml,
  objectCounts,
  prefixShape,
  readScenario,
  sampleShape,
  scaleShape,
  type Shape,
  type SizeSpec,
} from './shapes.js';
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

/** The emulator (with injected latency and task duration), or a real Pulp at `url`. */
export type Target = { kind: 'emulator' } | { kind: 'real'; url: string; username: string; password: string };

export interface SuiteSettings {
  target: Target;
  /** The pulpform CLI measured (default the build of this tree): another build's, to compare. */
  cli?: string;
  /** The commit `cli` was built from. */
  cliCommit?: string;
  /** Measure pulpform only. */
  skipBaseline?: boolean;
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

/** The real Pulp a cell ran on. */
export interface RealServerInfo {
  /** pulpcore's version. */
  core: string;
  versions: Record<string, string>;
  workers: number;
}

export interface CellResult {
  size: SizeSpec;
  objects: ReturnType<typeof objectCounts>;
  syncs: number;
  /** Injected latency (the emulator); 0 on a real server. */
  latencyMs: number;
  /** Set when the cell ran on a real Pulp. */
  server?: RealServerInfo;
  /** 1-minute load average when the cell started and when it ended. */
  load?: { before: number; after: number };
  operations: OperationResult[];
  /** The modelled lower bound of apply from empty (the emulator, whose latency and task duration are known). */
  lowerBound?: LowerBound;
  /** How long the real Pulp itself worked on the tasks of apply from empty (its first run), and on the baseline's. */
  serverWork?: { pulpform: ServerWork; baseline?: ServerWork };
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

const DEFAULT_CLI = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));
const BASELINE_CHILD = fileURLToPath(new URL('./baseline-child.js', import.meta.url));
const PHASES_CHILD = fileURLToPath(new URL('./phases-child.js', import.meta.url));
const ARK_PASSWORD = 'bench-ark-password';
const PULP_USER = { username: 'admin', password: 'password' };

/** Snapshot stamps for the pin bumps: after every stamp of the scenario, different for every run. */
function bumpStamp(run: number): string {
  return `20250101T${String(100000 + run).padStart(6, '0')}`;
}

/** A server the measured processes talk to, counting their requests. */
export interface BenchServer extends RequestCounter {
  url: string;
  username: string;
  password: string;
  /** Tasks dispatched since the requests were last reset (a real Pulp's, seen by the proxy; none for the emulator). */
  dispatchedTasks(): string[];
  /** A real Pulp's: how long its API kept requests waiting since the last reset (see CountingProxy). */
  answering?(): { busyMs: number; sumMs: number };
}

/** Where a cell runs: `fresh()` gives a server with nothing of the cell on it, `release()` is done with one. */
interface CellTarget {
  fresh(): Promise<BenchServer>;
  release(server: BenchServer): Promise<void>;
  /** Names and base paths start with this (a real Pulp is shared). */
  prefix: string;
  stack: string;
  server?: RealServerInfo;
}

function emulatorTarget(settings: SuiteSettings, latencyMs: number): CellTarget {
  const stopped = new Map<string, () => Promise<void>>();
  return {
    prefix: '',
    stack: 'bench',
    fresh: async () => {
      // The published emulator tables are on the 3.23 profile (its global distribution lock included), so runs stay comparable.
      const emulator = await startEmulator({ pulpVersion: '3.23', latencyMs, taskMs: settings.taskMs });
      stopped.set(emulator.url, () => emulator.close());
      return {
        url: emulator.url,
        ...PULP_USER,
        resetRequests: () => emulator.resetRequests(),
        requestCounts: () => emulator.requestCounts(),
        dispatchedTasks: () => [],
      };
    },
    release: async (server) => {
      await stopped.get(server.url)?.();
      stopped.delete(server.url);
    },
  };
}

/** A real Pulp behind a counting proxy; every cell's objects carry a prefix of their own and are deleted before and after it. */
async function realTarget(
  target: Extract<Target, { kind: 'real' }>,
  size: SizeSpec,
  log: (line: string) => void,
): Promise<{ cell: CellTarget; close(): Promise<void> }> {
  const proxy = await startCountingProxy(target.url);
  const id = randomBytes(3).toString('hex');
  const prefix = `pfb${id}-${size.name}-`;
  const stack = `pfb_${id}_${size.name}`;
  const client = new PulpClient({ baseUrl: target.url, username: target.username, password: new Secret(target.password, 'bench') });
  const status = await client.status();
  const versions = Object.fromEntries(
    (Array.isArray(status['versions']) ? status['versions'] : []).flatMap((entry) =>
      entry &&
      typeof entry === 'object' &&
      !Array.isArray(entry) &&
      typeof entry['component'] === 'string' &&
      typeof entry['version'] === 'string'
        ? [[entry['component'], entry['version']]]
        : [],
    ),
  );
  const workers = Array.isArray(status['online_workers']) ? status['online_workers'].length : 0;
  const server: BenchServer = { ...proxy, username: target.username, password: target.password };
  const empty = async (): Promise<void> => {
    const deleted = await deleteByPrefix(client, prefix, stack);
    if (deleted > 0) log(`[${size.name} ${target.url}] deleted ${deleted} objects named ${prefix}*`);
  };
  return {
    cell: {
      prefix,
      stack,
      server: { core: versions['core'] ?? 'unknown', versions, workers },
      fresh: async () => {
        await empty();
        return server;
      },
      release: async () => undefined,
    },
    close: async () => {
      try {
        await empty();
      } finally {
        client.close();
        await proxy.close();
      }
    },
  };
}

export async function runSuite(settings: SuiteSettings): Promise<SuiteResult> {
  const startedAt = new Date().toISOString();
  const base = readScenario(settings.scenario);
  const upstream = await startUpstream();
  const cells: CellResult[] = [];
  const { target } = settings;
  try {
    for (const size of settings.sizes) {
      if (target.kind === 'real') {
        const real = await realTarget(target, size, settings.log);
        try {
          cells.push(await runCell(settings, size, scaleShape(base, size), 0, upstream, real.cell));
        } finally {
          await real.close();
        }
        continue;
      }
      for (const latencyMs of settings.latencies) {
        cells.push(await runCell(settings, size, scaleShape(base, size), latencyMs, upstream, emulatorTarget(settings, latencyMs)));
      }
    }
  } finally {
    await upstream.close();
  }
  return { cells, startedAt, finishedAt: new Date().toISOString() };
}

/** One size at one latency (or on one real server): every pulpform operation, then the baseline beside it. */
async function runCell(
  settings: SuiteSettings,
  size: SizeSpec,
  unprefixed: Shape,
  latencyMs: number,
  upstream: Upstream,
  target: CellTarget,
): Promise<CellResult> {
  const shape = prefixShape(unprefixed, target.prefix);
  const where = target.server ? `core ${target.server.core}` : `${latencyMs}ms`;
  const tag = `${size.name} ${where}`;
  const dir = join(settings.workDir, `${size.name}-${where.replace(/\s+/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  const loadBefore = os.loadavg()[0]!;
  const objects = objectCounts(shape);
  const runsOf = (operation: Operation): number =>
    operation === 'apply-empty' && objects.total > 1000 ? settings.largeApplyRuns : settings.runs;
  const cli = settings.cli ?? DEFAULT_CLI;
  const desiredDir = (name: string, content: Shape): string => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, 'state.yaml'), desiredStateYaml(content, upstream.url, target.stack));
    return path;
  };
  const env = (server: BenchServer): Record<string, string> => ({
    PULP_BASE_URL: server.url,
    PULP_USERNAME: server.username,
    PULP_PASSWORD: server.password,
    ARK_PASSWORD,
  });
  const pulpform = async (server: BenchServer, name: string, args: string[]): Promise<Measurement> => {
    const measured = await measureChild(server, { script: cli, args, env: env(server), outputBase: join(dir, name) });
    const api = server.answering?.();
    const waited = api
      ? `; Pulp's API answering ${(api.busyMs / 1000).toFixed(1)} s of it, answers ${(api.sumMs / 1000).toFixed(1)} s added up`
      : '';
    settings.log(
      `[${tag}] ${name}: ${(measured.wallMs / 1000).toFixed(2)} s, ${measured.requests.total} requests (${measured.requests.writes} writes), ${Math.round(measured.maxRssKb / 1024)} MB${waited}`,
    );
    return measured;
  };
  const applyArgs = (path: string): string[] => [
    'apply',
    '--auto-approve',
    '-f',
    path,
    ...(settings.concurrency ? ['--concurrency', String(settings.concurrency)] : []),
  ];
  const results = new Map<Operation, Measurement[]>(OPERATIONS.map((op) => [op, []]));
  const workOf = async (server: BenchServer, tasks: string[]): Promise<ServerWork | undefined> => {
    if (!target.server || tasks.length === 0) return undefined;
    const client = new PulpClient({ baseUrl: server.url, username: server.username, password: new Secret(server.password, 'bench') });
    try {
      return serverWorkOf(await readTasks(client, tasks, capabilitiesOf(target.server.versions).taskHrefFilter), target.server.workers);
    } finally {
      client.close();
    }
  };

  const initial = desiredDir('desired', shape);
  let server = await target.fresh();
  let lowerBound: LowerBound | undefined;
  let serverWork: CellResult['serverWork'];
  let noopGetsByPath: Record<string, number>;
  let noopLiveCounts: Record<string, number>;
  let noopPhases: Phases;
  let bumpActions: Record<string, number> = {};
  try {
    for (let run = 1; run <= runsOf('plan-empty'); run++)
      results.get('plan-empty')!.push(await pulpform(server, `plan-empty-${run}`, ['plan', '-f', initial]));
    const emptyRead = results.get('plan-empty')![0]!;
    if (!target.server) {
      const { plan } = await planInProcess(server, initial);
      lowerBound = applyLowerBound(plan, {
        latencyMs,
        taskMs: settings.taskMs,
        concurrency: settings.concurrency ?? 8,
        // Its GETs are status, the lock look-up and the list pages.
        listRequests: emptyRead.requests.GET - 2,
      });
    }
    for (let run = 1; run <= runsOf('apply-empty'); run++) {
      if (run > 1) {
        await target.release(server);
        server = await target.fresh();
      }
      results.get('apply-empty')!.push(await pulpform(server, `apply-empty-${run}`, applyArgs(initial)));
      if (run === 1) {
        const work = await workOf(server, server.dispatchedTasks());
        if (work) serverWork = { pulpform: work };
      }
    }
    for (let run = 1; run <= settings.runs; run++)
      results.get('noop-plan')!.push(await pulpform(server, `noop-plan-${run}`, ['plan', '-f', initial]));
    noopGetsByPath = results.get('noop-plan')![0]!.byPath;
    noopLiveCounts = Object.fromEntries(LIVE_ENDPOINTS.map((endpoint) => [endpoint, 0]));
    for (const object of (await planInProcess(server, initial)).live.objects)
      noopLiveCounts[object.endpoint] = (noopLiveCounts[object.endpoint] ?? 0) + 1;
    noopPhases = await phasesOf(server, initial, join(dir, 'noop-phases'));
    for (let run = 1; run <= settings.runs; run++) {
      const measured = await pulpform(server, `noop-apply-${run}`, applyArgs(initial));
      if (measured.requests.writes > 0) {
        const problem = `[${tag}] the no-op apply wrote ${measured.requests.writes} times: the desired state does not converge`;
        // A real server's version may show a diff pulpform does not yet absorb: report it (the targets table does) and go on.
        if (!target.server) throw new Error(problem);
        settings.log(`${problem} (see ${join(dir, `noop-apply-${run}.out`)})`);
      }
      results.get('noop-apply')!.push(measured);
    }
    let current = shape;
    for (let run = 1; run <= settings.runs; run++) {
      current = bumpPins(current, settings.bumpCount, bumpStamp(run));
      const bumped = desiredDir(`bump-${run}`, current);
      const { plan: bumpPlan } = await planInProcess(server, bumped);
      bumpActions = countActions(bumpPlan);
      results.get('pin-bump')!.push(await pulpform(server, `pin-bump-${run}`, applyArgs(bumped)));
    }
    const operations: OperationResult[] = OPERATIONS.map((operation) => ({
      operation,
      runs: results.get(operation)!,
      median: medianOf(results.get(operation)!),
    }));
    if (!settings.skipBaseline) {
      const baseline = await runBaselines(settings, tag, dir, shape, current, server, target, env, upstream);
      for (const result of operations) {
        const stats = baseline.stats.get(result.operation);
        if (stats) result.baseline = stats;
      }
      if (serverWork) {
        const work = await workOf(server, baseline.applyEmptyTasks);
        if (work) serverWork.baseline = work;
      }
    }
    return {
      size,
      objects,
      syncs: shape.rpm.length + shape.container.length,
      latencyMs,
      ...(target.server ? { server: target.server } : {}),
      load: { before: loadBefore, after: os.loadavg()[0]! },
      operations,
      ...(lowerBound ? { lowerBound } : {}),
      ...(serverWork ? { serverWork } : {}),
      noopGetsByPath,
      noopLiveCounts,
      bumpActions,
      noopPhases,
    };
  } finally {
    await target.release(server);
  }
}

/** The plan pulpform would make now, computed here (not measured) to derive the lower bound and check the pin bump. */
async function planInProcess(server: BenchServer, path: string): Promise<{ plan: Plan; live: LiveState }> {
  const { state } = await loadDesired(path, { ...process.env, ARK_PASSWORD });
  const client = new PulpClient({ baseUrl: server.url, username: server.username, password: new Secret(server.password, 'bench') });
  try {
    const live = await readLiveState(client);
    return { plan: buildPlan(state, live), live };
  } finally {
    client.close();
  }
}

async function phasesOf(server: BenchServer, path: string, outputBase: string): Promise<Phases> {
  const env = { PULP_BASE_URL: server.url, PULP_USERNAME: server.username, PULP_PASSWORD: server.password, ARK_PASSWORD };
  await measureChild(server, { script: PHASES_CHILD, args: [path], env, outputBase });
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
  server: BenchServer,
  target: CellTarget,
  env: (server: BenchServer) => Record<string, string>,
  upstream: Upstream,
): Promise<{ stats: Map<Operation, BaselineStats>; applyEmptyTasks: string[] }> {
  const { baseline } = settings;
  const sampled = objectCounts(fullShape).total > baseline.fullMaxObjects;
  const sample = (shape: Shape): Shape => (sampled ? sampleShape(shape, baseline.sampleRpm, baseline.sampleImages) : shape);
  const bumped = new Set(fullShape.rpm.slice(0, settings.bumpCount).map((m) => m.name));
  const collected = new Map<Operation, Array<{ measured: Measurement; records: BaselineRecord[] }>>();
  const run = async (on: BenchServer, operation: Operation, shape: Shape, name: string): Promise<void> => {
    const job = join(dir, `${name}.job.json`);
    writeFileSync(job, JSON.stringify({ shape: sample(shape), upstreamUrl: upstream.url, pollMs: baseline.pollMs }));
    const measured = await measureChild(on, {
      script: BASELINE_CHILD,
      args: [BASELINE_MODE[operation], job],
      env: env(on),
      outputBase: join(dir, name),
    });
    const records = JSON.parse(readFileSync(join(dir, `${name}.out`), 'utf8')) as BaselineRecord[];
    settings.log(
      `[${tag}] ${name}: ${(measured.wallMs / 1000).toFixed(2)} s, ${measured.requests.total} requests, ${records.length} steps${sampled ? ' (sample)' : ''}`,
    );
    collected.set(operation, [...(collected.get(operation) ?? []), { measured, records }]);
  };
  let current = converged;
  for (let i = 1; i <= baseline.runs; i++) {
    await run(server, 'noop-plan', current, `baseline-noop-plan-${i}`);
    await run(server, 'noop-apply', current, `baseline-noop-apply-${i}`);
    current = bumpPins(current, settings.bumpCount, bumpStamp(100 + i));
    await run(server, 'pin-bump', current, `baseline-pin-bump-${i}`);
  }
  let applyEmptyTasks: string[] = [];
  for (let i = 1; i <= baseline.runs; i++) {
    const empty = await target.fresh();
    try {
      await run(empty, 'plan-empty', fullShape, `baseline-plan-empty-${i}`);
      await run(empty, 'apply-empty', fullShape, `baseline-apply-empty-${i}`);
      if (i === 1) applyEmptyTasks = empty.dispatchedTasks();
    } finally {
      await target.release(empty);
    }
  }
  const stats = new Map<Operation, BaselineStats>();
  for (const [operation, runs] of collected) {
    const extrapolated = runs.map(({ measured, records }) =>
      sampled ? extrapolate(measured, records, fullShape, bumped) : { wallMs: measured.wallMs, requests: measured.requests },
    );
    const pick = (f: (r: Requests) => number): number => median(extrapolated.map((e) => f(e.requests)));
    stats.set(operation, {
      wallMs: median(extrapolated.map((e) => e.wallMs)),
      requests: {
        GET: pick((r) => r.GET),
        POST: pick((r) => r.POST),
        PATCH: pick((r) => r.PATCH),
        PUT: pick((r) => r.PUT),
        DELETE: pick((r) => r.DELETE),
        total: pick((r) => r.total),
        writes: pick((r) => r.writes),
      },
      maxRssKb: median(runs.map((r) => r.measured.maxRssKb)),
      measuredObjects: objectCounts(sample(fullShape)).total,
      objects: objectCounts(fullShape).total,
      extrapolated: sampled,
      runs: runs.length,
      measuredWallMs: median(runs.map((r) => r.measured.wallMs)),
    });
  }
  return { stats, applyEmptyTasks };
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
export function extrapolate(
  measured: Measurement,
  records: BaselineRecord[],
  fullShape: Shape,
  bumped: ReadonlySet<string>,
): { wallMs: number; requests: Requests } {
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
