import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { lockStaleness, readLock } from '../../src/apply/lock.js';
import { seededRandom } from '../../src/emulator/faults.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { readLiveState } from '../../src/live/read.js';
import type { PulpClient } from '../../src/live/client.js';
import { runCli } from '../helpers/cli.js';
import { sweep } from '../helpers/secrets.js';
import { type RunningCli, startCli } from './child.js';
import { recordFigures } from './figures.js';
import { startProxy } from './proxy.js';
import {
  applyOnce,
  canonicalObjects,
  clientFor,
  DESIRED_ENV,
  desiredDirectory,
  desiredYaml,
  loadState,
  overlappingSyncs,
  tasksOf,
  UPSTREAM_PASSWORD,
  Upstreams,
} from './world.js';

// kill -9 the apply process (the built CLI) at seeded points of its conversation with Pulp: right
// after the server answered its Nth request, before the answer reaches it. The next apply must
// converge to what an uninterrupted apply makes, with nothing duplicated, and a plan after it
// must be empty. `npm run reliability` tries more points (PULPFORM_CRASH_POINTS).

const POINTS = Number(process.env.PULPFORM_CRASH_POINTS ?? 2);
const SEED = Number(process.env.PULPFORM_CRASH_SEED ?? 11);
const ENV = { ...DESIRED_ENV, PULP_PASSWORD: 'password' };

let upstreams: Upstreams;
let dir: string;
let removeDir: () => Promise<void>;
let expected: string[];
let points: number[] = [];
let length = 0;

beforeAll(async () => {
  upstreams = await Upstreams.start();
  ({ dir, remove: removeDir } = await desiredDirectory(desiredYaml(upstreams, 1)));
  const state = await loadState(dir);
  const reference = await startEmulator({ taskMs: 1 });
  const client = clientFor(reference);
  try {
    const pass = await applyOnce(state, client);
    if (!('result' in pass) || !pass.result?.ok) throw new Error('the uninterrupted apply failed');
    expected = canonicalObjects(await readLiveState(client));
  } finally {
    client.close();
    await reference.close();
  }
  // How long the conversation of an uninterrupted CLI apply is, to spread the crash points over it.
  const counting = await startEmulator({ taskMs: 1 });
  const result = await runCli(['apply', '--auto-approve', '-f', dir, '--server', counting.url], { env: ENV });
  length = counting.requests().length;
  await counting.close();
  if (result.status !== 0) throw new Error(`the uninterrupted CLI apply failed: ${result.stderr}`);
  const next = seededRandom(SEED);
  const chosen = new Set<number>();
  // Runs differ by a few task polls: keep clear of the very end, which another run may not reach.
  const span = Math.floor(length * 0.95);
  while (chosen.size < Math.min(POINTS, span)) chosen.add(1 + Math.floor(next() * span));
  points = [...chosen].sort((a, b) => a - b);
}, 60_000);

afterAll(async () => {
  await upstreams?.close();
  await removeDir?.();
});

/**
 * Kills the apply at `point`, with the emulator's task workers paused from that moment: the tasks
 * the dead run had dispatched are still queued when the next run starts.
 */
async function crashAt(point: number, emulator: Emulator): Promise<{ killed: boolean; output: string; queued: number }> {
  let run: RunningCli | undefined;
  const proxy = await startProxy(emulator.url, (exchange) => {
    if (exchange.index < point) return 'forward';
    if (exchange.index === point) {
      emulator.pulp.tasks.pause();
      run?.child.kill('SIGKILL');
    }
    return 'drop';
  });
  try {
    run = startCli(['apply', '--auto-approve', '-f', dir, '--server', proxy.url], { env: ENV });
    const ended = await run.done;
    const queued = [...emulator.pulp.tasks.all()].filter((task) => task.state === 'waiting').length;
    return { killed: ended.signal === 'SIGKILL', output: ended.stdout + ended.stderr, queued };
  } finally {
    await proxy.close();
  }
}

/**
 * The next apply, with the workers resumed once it waits for a task (a left one, or its own) or
 * writes: so it plans while the dead run's tasks are still queued, and can never wait forever.
 */
async function rerunAfter(emulator: Emulator): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const from = emulator.requests().length;
  const rerun = startCli(['apply', '--auto-approve', '-f', dir, '--server', emulator.url], { env: ENV });
  const waitsOrWrites = (): boolean =>
    emulator
      .requests()
      .slice(from)
      .some((r) => /\/tasks\/[0-9a-f-]{36}\/$/.test(r.path) || (r.method !== 'GET' && !r.path.includes('/contentguards/')));
  let ended = false;
  void rerun.done.then(() => (ended = true));
  while (!ended && !waitsOrWrites()) await new Promise((resolve) => setTimeout(resolve, 2));
  emulator.pulp.tasks.resume();
  return rerun.done;
}

describe('apply killed with SIGKILL, then run again', () => {
  test('the seeded crash points are distinct requests of one whole apply', () => {
    expect(points).toHaveLength(POINTS);
    expect(points.every((point) => point >= 1 && point <= length)).toBe(true);
  });

  test.each(Array.from({ length: POINTS }, (_, i) => i))('crash point #%i', async (i) => {
    const point = points[i]!;
    const emulator = await startEmulator({ taskMs: 1 });
    let client: PulpClient | undefined;
    try {
      const crash = await crashAt(point, emulator);
      const rerun = await rerunAfter(emulator);
      expect({ status: rerun.status, stderr: rerun.stderr }).toEqual({ status: 0, stderr: expect.not.stringMatching(/Error|\n\s+at /) });
      const plan = await runCli(['plan', '--detailed-exitcode', '-f', dir, '--server', emulator.url], { env: ENV });
      const outputs = { crashed: crash.output, rerun: rerun.stdout + rerun.stderr, plan: plan.stdout + plan.stderr };
      expect(await sweep(outputs, { secrets: [UPSTREAM_PASSWORD], emulator })).toEqual([]);
      expect({ status: plan.status, stdout: plan.stdout }).toEqual({ status: 0, stdout: expect.stringContaining('No changes') });
      client = clientFor(emulator);
      const actual = canonicalObjects(await readLiveState(client));
      expect(actual).toEqual(expected);
      expect(overlappingSyncs(await tasksOf(client))).toEqual([]);
      // A lock the killed run left is taken over by the next run that changes something; until then it is stale.
      const lock = await readLock(client, 'reliability');
      expect(lock === undefined || lockStaleness(lock).stale !== undefined).toBe(true);
      recordFigures('crash', {
        point,
        killed: crash.killed,
        queued: crash.queued,
        tookOver: rerun.stderr.includes('took over the server lock'),
        waitedForTasks: rerun.stderr.includes('Pulp task'),
        lost: expected.filter((line) => !actual.includes(line)).length,
        extra: actual.filter((line) => !expected.includes(line)).length,
      });
    } finally {
      client?.close();
      await emulator.close();
    }
  });
});
