import { describe, expect, test } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { type DifferentialResult, formatDifferential, runDifferential } from '../../src/conformance/differential-run.js';
import { E2E_REGISTRY, EACH_SERVER } from './servers.js';

const conformanceDir = fileURLToPath(new URL('../../../shared/pulp/conformance', import.meta.url));

/**
 * The same request sequences sent to each real server and to an emulator speaking its version
 * (src/conformance/scenarios/): every difference must be fixed in the emulator or listed, with
 * its reason, in src/conformance/accepted-differences.ts.
 */
describe.each(EACH_SERVER)('%s: the emulator answers like the real server', (label, server) => {
  let result: DifferentialResult;

  test('every differential scenario', async () => {
    result = await runDifferential({
      url: server.url,
      username: server.username,
      password: server.password,
      conformanceDir,
      ...(E2E_REGISTRY ? { registry: E2E_REGISTRY } : {}),
    });
    process.stderr.write(`${formatDifferential(result)}\n`);
    expect(result.reports.filter((r) => r.error).map((r) => `${r.scenario}: ${r.error}`)).toEqual([]);
    expect(result.unexpected.map((d) => `${d.scenario} / ${d.step} / ${d.path}: real ${d.real}, emulator ${d.emulator}`)).toEqual([]);
  });

  test('every accepted difference still occurs', () => {
    expect(result.unused.map((e) => `${e.scenario} / ${e.step} / ${e.path}`)).toEqual([]);
    expect(label).toContain(result.core);
  });
});
