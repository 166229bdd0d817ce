import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import type { Ark } from '../../src/ark/index.js';
import { CLI, type CliResult } from '../helpers/cli.js';
import { expectExit, FULL_TRAIN, runId, startTrainArk, TrainStack } from './harness.js';
import type { Fault, ProxiedRequest } from './proxy.js';
import { listAll } from './pulp.js';
import { EACH_SERVER, type RealServer } from './servers.js';

// Recovery on each real server: answers lost after Pulp acted, 5xx from a proxy, and a kill -9
// in the middle of an apply. Whatever happened, a later apply converges, the plan after it is
// empty, and no object or publication exists twice.

const SEED = Number(process.env.PULPFORM_E2E_FAULT_SEED ?? 7);

/** A small seeded generator (mulberry32), so a failing run can be repeated. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Loses the answer to a third of the creates, syncs and publications after Pulp acted, and
 * answers 503 to one request in ten of any other kind (never the server lock's, which has its
 * own tests), each path at most once so every run can make progress.
 */
function faultPlan(seed: number): (request: ProxiedRequest) => Fault | undefined {
  const next = random(seed);
  const hit = new Set<string>();
  return (request) => {
    const key = `${request.method} ${request.path.replace(/\?.*$/, '')}`;
    if (hit.has(key) || request.path.includes('/contentguards/') || request.path.includes('/status/')) return undefined;
    const roll = next();
    const fault: Fault | undefined = request.method === 'POST' && roll < 0.35 ? 'lose' : roll < 0.1 ? 'unavailable' : undefined;
    if (fault) hit.add(key);
    return fault;
  };
}

/** Publications of the stack's repositories made more than once for one repository version. */
async function duplicatePublications(server: RealServer, stack: string): Promise<string[]> {
  const duplicates: string[] = [];
  for (const plugin of ['rpm/rpm', 'deb/apt', 'file/file']) {
    for (const repository of await listAll(server, `repositories/${plugin}/`, { pulp_label_select: `pulpform_stack=${stack}` })) {
      const counts = new Map<string, number>();
      const type = plugin === 'deb/apt' ? ['deb/apt', 'deb/verbatim'] : [plugin];
      for (const endpoint of type) {
        for (const publication of await listAll(server, `publications/${endpoint}/`, { repository: String(repository['pulp_href']) })) {
          const key = `${endpoint} ${String(publication['repository_version'])}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
      duplicates.push(
        ...[...counts].filter(([, n]) => n > 1).map(([key, n]) => `${String(repository['name'])}: ${n} publications of ${key}`),
      );
    }
  }
  return duplicates;
}

let ark: Ark;
beforeAll(async () => {
  ark = await startTrainArk(`ark-secret-${runId('')}`);
});
afterAll(() => ark.close());

describe.each(EACH_SERVER)('%s: recovery', (_label, server: RealServer) => {
  let stack: TrainStack | undefined;
  const results: CliResult[] = [];

  afterEach(async () => {
    await stack?.destroy();
    stack = undefined;
  });

  async function expectConverged(current: TrainStack): Promise<void> {
    current.proxy.faults = () => undefined;
    const plan = await current.run(['plan', '--detailed-exitcode']);
    results.push(plan);
    expectExit(plan, 0);
    expect(await duplicatePublications(server, current.id)).toEqual([]);
    const leaks = (await Promise.all(results.map((result) => current.leaks(result)))).flat();
    expect(leaks).toEqual([]);
  }

  test(`through lost answers and 5xx (seed ${SEED}), apply converges with no duplicate object`, async () => {
    stack = await TrainStack.create({ server, ark });
    await stack.write(FULL_TRAIN);
    stack.proxy.faults = faultPlan(SEED);
    let applied: CliResult | undefined;
    // Each run may end in a fault it cannot see past (a lost answer to a delete of the lock, a 503 on the last poll); at most a few.
    for (let attempt = 0; attempt < 4 && applied?.status !== 0; attempt++) {
      applied = await stack.run(['apply', '--auto-approve']);
      results.push(applied);
    }
    expect(stack.proxy.injected.filter((f) => f.fault === 'lose').length).toBeGreaterThan(0);
    expect(stack.proxy.injected.filter((f) => f.fault === 'unavailable').length).toBeGreaterThan(0);
    expectExit(applied!, 0);
    await expectConverged(stack);
  });

  test('kill -9 in the middle of an apply, then apply converges', async () => {
    stack = await TrainStack.create({ server, ark });
    await stack.write(FULL_TRAIN);
    const current = stack;
    const child = spawn(process.execPath, [CLI, 'apply', '--auto-approve'], {
      cwd: current.dir,
      env: { PATH: process.env.PATH ?? '', ...current.env },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    // Killed once Pulp has started syncing: creates done, syncs dispatched, publications and distributions not yet.
    const deadline = Date.now() + 120_000;
    while (!current.proxy.writes().some((w) => w.path.endsWith('/sync/')) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGKILL');
    await exited;
    expect(current.proxy.writes().some((w) => w.path.endsWith('/sync/'))).toBe(true);
    const applied = await current.run(['apply', '--auto-approve']);
    results.push(applied);
    expectExit(applied, 0);
    await expectConverged(current);
  });
});
