import { type PulpVersion, profileVersionOf, startEmulator } from '../emulator/index.js';
import type { Json } from '../model/json.js';
import { ACCEPTED_DIFFERENCES, type AcceptedDifference, isAccepted } from './accepted-differences.js';
import { type Difference, type Scenario, type ScenarioReport, runPrefix, runScenarios } from './differential.js';
import { serveUpstreams } from './replay.js';
import { SCENARIOS } from './scenarios/index.js';

export interface DifferentialOptions {
  /** The real Pulp server, e.g. `http://127.0.0.1:24927`. */
  url: string;
  username: string;
  password: string;
  /** The conformance directory whose `upstreams/` (rpm, file, deb) both servers sync from. */
  conformanceDir: string;
  /** The plain-HTTP container registry (`127.0.0.1:24950`) holding tiny/hello; scenarios that need it are left out without one. */
  registry?: string;
  /** The directory of the test images' OCI layouts (real-pulp's `images/`); push scenarios are left out without it. */
  images?: string;
  /** Only these scenarios (by name). */
  only?: string[];
  onScenario?: (report: ScenarioReport) => void;
}

export interface DifferentialResult {
  version: PulpVersion;
  /** pulpcore's exact version, e.g. `3.43.1`. */
  core: string;
  reports: ScenarioReport[];
  /** Differences not in the accepted list. */
  unexpected: Difference[];
  accepted: Array<{ difference: Difference; why: string }>;
  /** Accepted entries for this version that no difference matched: the list has rotted. */
  unused: AcceptedDifference[];
}

/** The Pulp version a server speaks, from its /status/. */
export async function serverVersion(url: string): Promise<{ core: string; version: PulpVersion; contentOrigin: string }> {
  const status = (await (await fetch(`${url.replace(/\/+$/, '')}/pulp/api/v3/status/`)).json()) as {
    versions?: Array<{ component: string; version: string }>;
    content_settings?: { content_origin?: string };
  };
  const core = status.versions?.find((v) => v.component === 'core')?.version;
  const version = core === undefined ? undefined : profileVersionOf(core);
  if (!core || !version) throw new Error(`${url} runs pulpcore ${core ?? '(unknown)'}, which no emulator profile speaks`);
  return { core, version, contentOrigin: status.content_settings?.content_origin ?? url };
}

/** A real server and a fresh emulator of its version, ready to run scenarios one at a time. */
export interface DifferentialRun {
  version: PulpVersion;
  core: string;
  /** The scenarios this run can do (those needing a registry or images only when given). */
  scenarios: Scenario[];
  run(scenario: Scenario): Promise<ScenarioReport>;
  /** Sorts the differences of the reports into accepted and unexpected ones, and finds unused entries. */
  result(reports: ScenarioReport[]): DifferentialResult;
  close(): Promise<void>;
}

export async function startDifferential(options: DifferentialOptions): Promise<DifferentialRun> {
  const { core, version, contentOrigin } = await serverVersion(options.url);
  const scenarios: Scenario[] = SCENARIOS.filter(
    (s) =>
      (options.only ? options.only.includes(s.name) : true) &&
      (!s.needsRegistry || options.registry !== undefined) &&
      (!s.needsImages || options.images !== undefined),
  );
  const emulator = await startEmulator({
    pulpVersion: version,
    taskMs: 5,
    contentOrigin,
    username: options.username,
    password: options.password,
  });
  const upstreams = await serveUpstreams(options.conformanceDir);
  const prefix = runPrefix();
  let count = 0;
  return {
    version,
    core,
    scenarios,
    run: async (scenario) => {
      const [report] = await runScenarios([scenario], {
        real: { url: options.url, username: options.username, password: options.password },
        emulator: { url: emulator.url, username: options.username, password: options.password },
        prefix: `${prefix}${count++}`,
        upstreams: { ...upstreams.upstreams, ...(options.registry ? { registry: `http://${options.registry}` } : {}) },
        ...(options.images ? { images: options.images } : {}),
      });
      options.onScenario?.(report as ScenarioReport);
      return report as ScenarioReport;
    },
    result: (reports) => {
      const ran = new Set(reports.map((r) => r.scenario));
      const entries = ACCEPTED_DIFFERENCES.filter((e) => e.versions.includes(version) && ran.has(e.scenario));
      const used = new Set<AcceptedDifference>();
      const unexpected: Difference[] = [];
      const accepted: DifferentialResult['accepted'] = [];
      for (const difference of reports.flatMap((r) => r.differences)) {
        const entry = entries.find((e) => isAccepted(e, version, difference));
        if (entry) {
          used.add(entry);
          accepted.push({ difference, why: entry.why });
        } else unexpected.push(difference);
      }
      return { version, core, reports, unexpected, accepted, unused: entries.filter((e) => !used.has(e)) };
    },
    close: async () => {
      await upstreams.close();
      await emulator.close();
    },
  };
}

/** Runs every scenario against a real server and a fresh emulator of its version, and sorts the differences. */
export async function runDifferential(options: DifferentialOptions): Promise<DifferentialResult> {
  const run = await startDifferential(options);
  try {
    const reports: ScenarioReport[] = [];
    for (const scenario of run.scenarios) reports.push(await run.run(scenario));
    return run.result(reports);
  } finally {
    await run.close();
  }
}

/** A report for people: per scenario its requests and differences, then the totals. */
export function formatDifferential(result: DifferentialResult): string {
  const lines = [`pulpcore ${result.core} (emulator profile ${result.version}):`];
  for (const r of result.reports) {
    const unexpected = result.unexpected.filter((d) => d.scenario === r.scenario).length;
    lines.push(
      `  ${r.scenario}: ${r.requests} requests compared, ${unexpected} unexpected difference(s)${r.error ? ', stopped by an error' : ''}`,
    );
    if (r.error)
      lines.push(
        ...r.error
          .split('\n')
          .slice(0, 6)
          .map((l) => `      ! ${l}`),
      );
  }
  for (const d of result.unexpected) {
    lines.push(`  DIFFERENCE ${d.scenario} / ${d.step} / ${d.path}`, `      real:     ${d.real}`, `      emulator: ${d.emulator}`);
  }
  for (const { difference: d, why } of result.accepted) lines.push(`  accepted ${d.scenario} / ${d.step} / ${d.path}: ${why}`);
  for (const e of result.unused) lines.push(`  UNUSED accepted difference ${e.scenario} / ${e.step} / ${e.path}: it no longer occurs`);
  const requests = result.reports.reduce((n, r) => n + r.requests, 0);
  lines.push(
    `  ${result.reports.length} scenarios, ${requests} requests compared, ${result.unexpected.length} unexpected and ${result.accepted.length} accepted difference(s)`,
  );
  return lines.join('\n');
}

/** For JSON output. */
export function differentialJson(result: DifferentialResult): Json {
  return JSON.parse(JSON.stringify(result)) as Json;
}
