import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type DifferentialRun, formatDifferential, startDifferential } from '../../src/conformance/differential-run.js';
import type { Scenario, ScenarioReport } from '../../src/conformance/differential.js';
import { SCENARIOS } from '../../src/conformance/scenarios/index.js';
import { E2E_REGISTRY, EACH_SERVER } from './servers.js';

const conformanceDir = fileURLToPath(new URL('../../../shared/pulp/conformance', import.meta.url));
const images = fileURLToPath(new URL('../../../shared/real-pulp/images', import.meta.url));

/**
 * The same request sequences (src/conformance/scenarios/) sent to each real server and to an
 * emulator speaking its version: every difference must be fixed in the emulator or listed, with
 * its reason, in src/conformance/accepted-differences.ts. One test per scenario; the last one of
 * each server also fails on accepted differences that no longer occur.
 */
describe.each(EACH_SERVER)('%s: the emulator answers like the real server', (label, server) => {
  let run: DifferentialRun;
  const reports: ScenarioReport[] = [];

  beforeAll(async () => {
    run = await startDifferential({
      url: server.url,
      username: server.username,
      password: server.password,
      conformanceDir,
      ...(E2E_REGISTRY ? { registry: E2E_REGISTRY } : {}),
      ...(existsSync(images) ? { images } : {}),
    });
  });

  afterAll(async () => {
    await run.close();
  });

  test.each(SCENARIOS.map((s): [string, Scenario] => [s.name, s]))('%s', async (name, scenario) => {
    if (!run.scenarios.includes(scenario)) {
      process.stderr.write(`${label}: ${name} left out (it needs ${scenario.needsRegistry ? 'PULP_E2E_REGISTRY' : 'the test images'})\n`);
      return;
    }
    const report = await run.run(scenario);
    reports.push(report);
    const result = run.result([report]);
    expect(report.error).toBeUndefined();
    expect(result.unexpected.map((d) => `${d.step} / ${d.path}: real ${d.real}, emulator ${d.emulator}`)).toEqual([]);
  });

  test('every accepted difference still occurs; the summary', () => {
    const result = run.result(reports);
    process.stderr.write(`${formatDifferential(result)}\n`);
    expect(label).toContain(result.core);
    expect(result.unused.map((e) => `${e.scenario} / ${e.step} / ${e.path}`)).toEqual([]);
  });
});
