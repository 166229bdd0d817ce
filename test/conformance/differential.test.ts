import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { ACCEPTED_DIFFERENCES } from '../../src/conformance/accepted-differences.js';
import { type Scenario, runScenarios } from '../../src/conformance/differential.js';
import { serveUpstreams } from '../../src/conformance/replay.js';
import { SCENARIOS } from '../../src/conformance/scenarios/index.js';
import { type Emulator, PULP_VERSIONS, startEmulator } from '../../src/emulator/index.js';

// The differential runner itself, with an emulator standing in for the real server: one profile
// against itself must agree everywhere; two profiles must differ exactly where their versions do.

const conformanceDir = fileURLToPath(new URL('../../../shared/pulp/conformance', import.meta.url));

describe('differential conformance runner', () => {
  let upstreams: Awaited<ReturnType<typeof serveUpstreams>>;
  const emulators: Emulator[] = [];
  const start = async (pulpVersion: (typeof PULP_VERSIONS)[number]) => {
    const emulator = await startEmulator({ pulpVersion, taskMs: 1 });
    emulators.push(emulator);
    return emulator;
  };
  const side = (emulator: Emulator) => ({ url: emulator.url, username: 'admin', password: 'password' });

  beforeAll(async () => {
    upstreams = await serveUpstreams(conformanceDir);
  });

  afterAll(async () => {
    await Promise.all(emulators.map((e) => e.close()));
    await upstreams.close();
  });

  test.each(PULP_VERSIONS.map((v) => [v]))(
    'finds no difference between two emulators speaking %s in any scenario without a registry',
    async (version) => {
      const [a, b] = [await start(version), await start(version)];
      const scenarios = SCENARIOS.filter((s) => !s.needsRegistry && !s.needsImages && s.name !== 'status-and-root');
      const reports = await runScenarios(scenarios, {
        real: side(a),
        emulator: side(b),
        upstreams: upstreams.upstreams,
        pollIntervalMs: 2,
      });
      expect(reports.filter((r) => r.error).map((r) => r.error)).toEqual([]);
      expect(reports.flatMap((r) => r.differences)).toEqual([]);
      expect(reports.reduce((n, r) => n + r.requests, 0)).toBeGreaterThan(400);
    },
    60_000,
  );

  test('binds each side’s ids to the object they name and reports what differs between versions', async () => {
    const [old, recent] = [await start('3.23'), await start('3.43')];
    const scenario: Scenario = {
      name: 'probe',
      covers: 'the runner',
      run: async (s) => {
        await s.request('GET', 'remotes/', { auth: 'none' });
        const created = await s.request('POST', 'remotes/file/file/', { body: { name: s.name('r'), url: 'http://127.0.0.1:1/' } });
        const href = (created.body as { pulp_href: string }).pulp_href;
        await s.request('GET', href, { label: 'GET the remote by the first side’s href' });
        await s.call('PATCH', href, { body: { url: 'http://127.0.0.1:2/' } });
      },
    };
    const [report] = await runScenarios([scenario], {
      real: side(old),
      emulator: side(recent),
      upstreams: upstreams.upstreams,
      pollIntervalMs: 2,
    });
    const where = report?.differences.map((d) => `${d.step} ${d.path}`) ?? [];
    expect(where).toEqual(
      expect.arrayContaining(['GET remotes/ status', 'GET remotes/ header www-authenticate', 'task of PATCH remotes/file/file/<id>/ body']),
    );
    // The remote itself answers alike on both: its ids were bound, its datetimes normalised.
    expect(where.filter((w) => w.startsWith('POST') || w.startsWith('GET the remote'))).toEqual([]);
    expect(report?.error).toBeUndefined();
  });

  test('every accepted difference names a scenario that exists and says why', () => {
    for (const entry of ACCEPTED_DIFFERENCES) {
      expect(SCENARIOS.map((s) => s.name)).toContain(entry.scenario);
      expect(entry.why.length).toBeGreaterThan(20);
    }
  });
});
