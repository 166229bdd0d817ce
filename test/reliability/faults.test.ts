import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type Emulator, type FaultOptions, parseFaultSpec, startEmulator } from '../../src/emulator/index.js';
import type { PulpClient } from '../../src/live/client.js';
import { readLiveState } from '../../src/live/read.js';
import type { DesiredState } from '../../src/model/resource.js';
import { startProxy } from './proxy.js';
import { recordFigures } from './figures.js';
import {
  applyOnce,
  canonicalObjects,
  clientFor,
  desiredDirectory,
  desiredYaml,
  loadState,
  overlappingSyncs,
  remainingActions,
  syncsPerRepository,
  tasksOf,
  UPSTREAM_PASSWORD,
  Upstreams,
} from './world.js';

// Apply a realistic desired state while the server fails requests, loses answers, answers too
// late and fails tasks; then at most one re-run without faults. The server must then hold exactly
// what a fault-free apply makes: nothing lost, nothing duplicated, nothing orphaned.
// `npm run reliability` runs more seeds at a larger scale (PULPFORM_FAULT_SEEDS, PULPFORM_FAULT_SCALE).

const SEEDS = (process.env.PULPFORM_FAULT_SEEDS ?? '1,2,3').split(',').map(Number);
const SCALE = Number(process.env.PULPFORM_FAULT_SCALE ?? 2);
const CLIENT_TIMEOUT_MS = 400;
const FAULTS: FaultOptions = process.env.PULPFORM_FAULT_SPEC
  ? { slowMs: 1500, ...parseFaultSpec(process.env.PULPFORM_FAULT_SPEC) }
  : { errorRate: 0.04, resetRate: 0.03, lostRate: 0.03, slowRate: 0.015, slowMs: 1500, taskFailureRate: 0.05 };

let upstreams: Upstreams;
let smallState: DesiredState;
let state: DesiredState;
let expected: string[];
let expectedSmall: string[];
const removals: (() => Promise<void>)[] = [];

async function stateAt(scale: number): Promise<DesiredState> {
  const desired = await desiredDirectory(desiredYaml(upstreams, scale));
  removals.push(desired.remove);
  return loadState(desired.dir);
}

/** What a fault-free apply leaves on a fresh server. */
async function reference(desired: DesiredState): Promise<string[]> {
  const emulator = await startEmulator({ taskMs: 1 });
  const client = clientFor(emulator);
  try {
    const pass = await applyOnce(desired, client);
    if (!('result' in pass) || !pass.result?.ok) throw new Error(`the fault-free apply failed: ${JSON.stringify(pass)}`);
    return canonicalObjects(await readLiveState(client));
  } finally {
    client.close();
    await emulator.close();
  }
}

beforeAll(async () => {
  upstreams = await Upstreams.start();
  [state, smallState] = await Promise.all([stateAt(SCALE), stateAt(1)]);
  [expected, expectedSmall] = await Promise.all([reference(state), reference(smallState)]);
}, 60_000);

afterAll(async () => {
  await upstreams?.close();
  await Promise.all(removals.map((remove) => remove()));
});

describe('apply under injected faults converges to the fault-free result', () => {
  test.each(SEEDS)('seed %i', async (seed) => {
    const emulator: Emulator = await startEmulator({ taskMs: 1, faults: { seed, ...FAULTS } });
    const client = clientFor(emulator, { timeoutMs: CLIENT_TIMEOUT_MS });
    try {
      const first = await applyOnce(state, client);
      emulator.setFaults();
      const faulted = emulator.requests().filter((r) => r.fault);
      const firstTasks = await tasksOf(client);
      const needsRerun = !('result' in first && first.result?.ok === true);
      if (needsRerun) {
        const rerun = await applyOnce(state, client);
        expect('result' in rerun && rerun.result ? rerun.result.failed : rerun).toEqual([]);
      }
      const allTasks = await tasksOf(client);
      const rerunTasks = allTasks.filter((task) => !firstTasks.some((t) => t.href === task.href));
      const live = await readLiveState(client);
      const actual = canonicalObjects(live);

      expect(await remainingActions(state, client)).toEqual([]);
      expect(actual).toEqual(expected);
      expect(overlappingSyncs(allTasks)).toEqual([]);
      expect(Math.max(0, ...syncsPerRepository(firstTasks).values())).toBeLessThanOrEqual(1);
      expect(Math.max(0, ...syncsPerRepository(rerunTasks).values())).toBeLessThanOrEqual(1);
      expect(JSON.stringify(first)).not.toContain(UPSTREAM_PASSWORD);
      expect(faulted.length).toBeGreaterThan(0);

      const byType: Record<string, number> = {};
      for (const record of faulted) byType[record.fault!] = (byType[record.fault!] ?? 0) + 1;
      byType['task'] = firstTasks.filter((task) => task.error.includes('fault injection')).length;
      recordFigures('faults', {
        seed,
        objects: live.objects.length,
        requests: emulator.requests().length,
        injected: byType,
        rerun: needsRerun,
        lost: expected.filter((line) => !actual.includes(line)).length,
        extra: actual.filter((line) => !expected.includes(line)).length,
      });
    } finally {
      client.close();
      await emulator.close();
    }
  });
});

/** Runs `body` against a fresh emulator on which the small desired state was applied. */
async function onAppliedServer(body: (emulator: Emulator, client: PulpClient) => Promise<void>): Promise<void> {
  const emulator = await startEmulator({ taskMs: 1 });
  const client = clientFor(emulator);
  try {
    expect(await applyOnce(smallState, client)).toMatchObject({ result: { ok: true } });
    await body(emulator, client);
  } finally {
    client.close();
    await emulator.close();
  }
}

/** Leaves only the ownership labels on a repository, as if no sync of it had been recorded. */
async function forgetSyncs(client: PulpClient, href: string): Promise<void> {
  const answer = await client.patch(href, { pulp_labels: { pulpform_stack: 'reliability', pulpform_scheme: '1' } });
  if (answer.kind === 'task') await client.waitForTask(answer.taskHref);
}

describe('lost answers and what interrupted runs leave behind', () => {
  test('a sync whose answer is lost after its task finished is found, never started again', async () => {
    const emulator = await startEmulator({ taskMs: 1 });
    const finished = async (href: string): Promise<void> => {
      while (!['completed', 'failed'].includes(emulator.pulp.tasks.get(href)?.state ?? 'completed'))
        await new Promise((resolve) => setTimeout(resolve, 2));
    };
    const proxy = await startProxy(emulator.url, async (exchange) => {
      if (exchange.method !== 'POST' || !exchange.path.endsWith('/sync/')) return 'forward';
      await finished((JSON.parse(exchange.body) as { task: string }).task);
      return 'drop';
    });
    const client = clientFor(proxy);
    try {
      const pass = await applyOnce(smallState, client);
      expect('result' in pass && pass.result?.failed).toEqual([]);
      const syncs = syncsPerRepository(await tasksOf(client));
      expect(syncs.size).toBe(4);
      expect([...syncs.values()]).toEqual([1, 1, 1, 1]);
      expect(canonicalObjects(await readLiveState(client))).toEqual(expectedSmall);
    } finally {
      client.close();
      await proxy.close();
      await emulator.close();
    }
  });

  test('a re-run after a sync whose labels were never written publishes nothing twice', async () => {
    await onAppliedServer(async (_, client) => {
      // As if the run died between the sync and its label write: the next plan syncs again (nothing new) and publishes.
      for (const repository of (await readLiveState(client)).objects.filter((o) => o.kind === 'repository'))
        await forgetSyncs(client, repository.href);
      const rerun = await applyOnce(smallState, client);
      expect(
        'result' in rerun &&
          rerun.result?.succeeded
            .filter((s) => s.type === 'create')
            .map((s) => `${s.address}: ${s.note}`)
            .sort(),
      ).toEqual([
        'publication/deb/jammy-1: the version was published already',
        'publication/file/files-1: the version was published already',
        'publication/rpm/rocky-1: the version was published already',
      ]);
      expect(canonicalObjects(await readLiveState(client))).toEqual(expectedSmall);
    });
  });

  test('a sync an interrupted run left running is waited for before the next one is started', async () => {
    await onAppliedServer(async (emulator, client) => {
      const repository = (await readLiveState(client)).objects.find((o) => o.address === 'repository/file/files-1')!;
      await forgetSyncs(client, repository.href);
      emulator.pulp.tasks.pause();
      const leftOver = await client.post(`${repository.href}sync/`, {});
      const leftOverHref = leftOver.kind === 'task' ? leftOver.taskHref : '';
      // The rerun looks for earlier syncs of the repository, then polls the one it found: the task list, or the task itself.
      const looks = (): number =>
        emulator.requests().filter((r) => r.method === 'GET' && (r.path === '/pulp/api/v3/tasks/' || r.path === leftOverHref)).length;
      const before = looks();
      const rerun = applyOnce(smallState, client);
      while (looks() < before + 2) await new Promise((resolve) => setTimeout(resolve, 2));
      emulator.pulp.tasks.resume();
      expect(await rerun).toMatchObject({ result: { ok: true } });
      expect(overlappingSyncs(await tasksOf(client))).toEqual([]);
      expect(canonicalObjects(await readLiveState(client))).toEqual(expectedSmall);
    });
  });
});
