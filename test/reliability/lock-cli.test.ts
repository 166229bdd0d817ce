import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock, LOCK_ENDPOINT, readLock } from '../../src/apply/lock.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import type { PulpClient } from '../../src/live/client.js';
import { readLiveState } from '../../src/live/read.js';
import { runCli } from '../helpers/cli.js';
import { startCli } from './child.js';
import { clientFor } from './world.js';

// The server lock as users meet it: the built CLI against the emulator.

const YAML = `
stack: locked
remotes:
  - { name: one, type: rpm, url: "https://ark.example.com/one/" }
  - { name: two, type: file, url: "https://ark.example.com/two/PULP_MANIFEST" }
distributions:
  - { name: three, type: file, base_path: three }
`;

let emulator: Emulator;
let client: PulpClient;
let dir: string;

beforeEach(async () => {
  emulator = await startEmulator({ taskMs: 1 });
  client = clientFor(emulator);
  dir = await mkdtemp(join(tmpdir(), 'pulpform-lock-cli-'));
  await writeFile(join(dir, 'state.yaml'), YAML);
});

afterEach(async () => {
  client.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const args = (...extra: string[]): string[] => [...extra, '-f', dir, '--server', emulator.url];
const env = { PULP_PASSWORD: 'password' };

function changes(): string[] {
  return emulator
    .requests()
    .filter((r) => r.method !== 'GET' && !r.path.startsWith(`/pulp/api/v3/${LOCK_ENDPOINT}`))
    .map((r) => `${r.method} ${r.path}`);
}

async function managedNames(): Promise<string[]> {
  return (await readLiveState(client)).objects.map((o) => o.address).sort();
}

const ALL = ['distribution/file/three', 'remote/file/two', 'remote/rpm/one'];

describe('pulpform apply and the server lock', () => {
  test('a run blocked by another run’s lock exits 1 naming the holder and its age, and changes nothing', async () => {
    const other = await acquireLock(client, { stack: 'locked', operation: 'watch' });
    try {
      const result = await runCli(['apply', '--auto-approve', ...args()], { env });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`Error: the server is locked by .+@.+ \\(pid ${process.pid}, watch\\), for \\d+ s\\n`));
      expect(result.stderr).toContain('Hint: wait for that run to finish, or pass --lock-timeout 10m');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(changes()).toEqual([]);
    } finally {
      await other.release();
    }
  });

  test('--lock-timeout waits for the holder to finish, then applies', async () => {
    const other = await acquireLock(client, { stack: 'locked', operation: 'apply' });
    const run = startCli(['apply', '--auto-approve', '--lock-timeout', '1m', ...args()], { env });
    await run.stderrMatches(/Waiting for the server lock, held by .+ \(pid \d+, apply\) for \d+ s \(--lock-timeout 1 min\)\.\.\./);
    expect(changes()).toEqual([]);
    await other.release();
    expect((await run.done).status).toBe(0);
    expect(await managedNames()).toEqual(ALL);
    expect(await readLock(client, 'locked')).toBeUndefined();
  });

  test('--lock=false goes ahead with a warning and leaves the other run’s lock alone', async () => {
    const other = await acquireLock(client, { stack: 'locked', operation: 'apply' });
    try {
      const result = await runCli(['apply', '--auto-approve', '--lock=false', ...args()], { env });
      expect(result.status).toBe(0);
      expect(result.stderr).toContain('Warning: --lock=false: running without the server lock');
      expect(await managedNames()).toEqual(ALL);
      expect((await readLock(client, 'locked'))?.id).toBe(other.info.id);
    } finally {
      await other.release();
    }
  });

  test('unlock shows the holder and its age, asks (or needs --force without a terminal), and removes only that lock', async () => {
    const other = await acquireLock(client, { stack: 'locked', operation: 'watch' });
    try {
      const asked = await runCli(['unlock', ...args()], { env });
      expect(asked.status).toBe(1);
      expect(asked.stdout).toMatch(/The server lock of stack "locked" is held by .+ \(pid \d+, watch\), taken \d+ s ago/);
      expect(asked.stdout).toContain('Its holder may still be running');
      expect(asked.stderr).toContain('unlock needs confirmation, but there is no terminal to ask on');
      expect((await readLock(client, 'locked'))?.id).toBe(other.info.id);
      const forced = await runCli(['unlock', '--force', ...args()], { env });
      expect(forced.status).toBe(0);
      expect(forced.stdout).toContain('Lock removed.');
      expect(await readLock(client, 'locked')).toBeUndefined();
      const none = await runCli(['unlock', ...args()], { env });
      expect(none.stdout).toBe(`No lock is held for stack "locked" on ${emulator.url}.\n`);
    } finally {
      await other.release().catch(() => undefined);
    }
  });

  test('bad lock flags are refused with the reason', async () => {
    const badBool = await runCli(['apply', '--auto-approve', '--lock=maybe', ...args()], { env });
    expect(badBool.status).toBe(2);
    expect(badBool.stderr).toContain('--lock takes true or false, not "maybe".');
    const badDuration = await runCli(['apply', '--auto-approve', '--lock-timeout', 'soon', ...args()], { env });
    expect(badDuration.status).toBe(2);
    expect(badDuration.stderr).toContain('"soon" is not a duration: use e.g. 30s, 10m, 1h30m, or a number of seconds.');
  });

  test('a first SIGTERM during apply starts nothing new but waits for the actions in flight and reports them', async () => {
    emulator.pulp.tasks.pause();
    const run = startCli(['apply', '--auto-approve', '--concurrency', '1', ...args()], { env });
    // The distribution create is a task, which waits while tasks are paused.
    while (!emulator.requests().some((r) => r.method === 'POST' && r.path.startsWith('/pulp/api/v3/distributions/')))
      await new Promise((resolve) => setTimeout(resolve, 5));
    run.child.kill('SIGTERM');
    await run.stderrMatches(
      /Stopping: starting nothing new; waiting for the action in flight to finish \(create distribution\/file\/three\)/,
    );
    emulator.pulp.tasks.resume();
    const result = await run.done;
    expect(result.stdout).toContain('distribution/file/three: Creation complete');
    expect(result.stdout).toMatch(/remote\/\w+\/\w+: Skipped: the apply was interrupted before this action started/);
    expect(result.status).toBe(1);
    expect(await readLock(client, 'locked')).toBeUndefined();
  });

  test('a second SIGTERM stops waiting, reports the task left running and releases the lock; the next apply waits for it, then converges', async () => {
    emulator.pulp.tasks.pause();
    const run = startCli(['apply', '--auto-approve', ...args()], { env });
    while (!emulator.requests().some((r) => r.method === 'POST' && r.path.startsWith('/pulp/api/v3/distributions/')))
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await readLock(client, 'locked')).toBeDefined();
    run.child.kill('SIGTERM');
    await run.stderrMatches(/Stopping: starting nothing new/);
    run.child.kill('SIGTERM');
    const result = await run.done;
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Second interrupt: no longer waiting for the tasks in flight');
    expect(result.stdout).toMatch(/distribution\/file\/three: Interrupted \(task \/pulp\/api\/v3\/tasks\/[^ ]+\/ runs on in Pulp\)/);
    expect(await readLock(client, 'locked')).toBeUndefined();

    const next = startCli(['apply', '--auto-approve', ...args()], { env });
    await next.stderrMatches(/Waiting for 1 Pulp task still running, perhaps left by an interrupted run\.\.\./);
    emulator.pulp.tasks.resume();
    expect((await next.done).status).toBe(0);
    expect(await managedNames()).toEqual(ALL);
    expect(changes().filter((c) => c.startsWith('POST /pulp/api/v3/distributions/'))).toHaveLength(1);
  });

  test('two applies started at once: one applies, the other waits and then finds nothing to do', async () => {
    const runs = [
      startCli(['apply', '--auto-approve', '--lock-timeout', '1m', ...args()], { env }),
      startCli(['apply', '--auto-approve', '--lock-timeout', '1m', ...args()], { env }),
    ];
    const results = await Promise.all(runs.map((r) => r.done));
    expect(results.map((r) => r.status)).toEqual([0, 0]);
    expect(results.filter((r) => r.stdout.includes('Apply complete! Resources: 3 added')).length).toBe(1);
    expect(await managedNames()).toEqual(ALL);
    expect(changes().filter((c) => c.startsWith('POST'))).toHaveLength(3);
    expect(await readLock(client, 'locked')).toBeUndefined();
  });

  test('plan while another run holds the lock says who, and still plans', async () => {
    const other = await acquireLock(client, { stack: 'locked', operation: 'apply' });
    try {
      const result = await runCli(['plan', ...args()], { env });
      expect(result.status).toBe(0);
      expect(result.stderr).toMatch(
        new RegExp(
          `Note: .+@.+ \\(pid ${process.pid}, apply\\) has held the server lock for \\d+ s; this plan may change once that run ends\\.`,
        ),
      );
      expect(result.stdout).toContain('3 to add');
    } finally {
      await other.release();
    }
  });

  test('export writes the managed objects and never the lock', async () => {
    expect((await runCli(['apply', '--auto-approve', ...args()], { env })).status).toBe(0);
    const other = await acquireLock(client, { stack: 'locked', operation: 'watch' });
    try {
      const exported = await runCli(['export', '--server', emulator.url], { env });
      expect(exported.status).toBe(0);
      expect(exported.stdout).toContain('name: one');
      expect(exported.stdout).not.toContain('pulpform-lock');
      expect(exported.stdout).not.toMatch(/contentguards/);
    } finally {
      await other.release();
    }
  });
});
