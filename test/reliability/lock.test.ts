import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { acquireLock, ForeignLockError, LOCK_ENDPOINT, LockHeldError, lockName, parseDuration, readLock } from '../../src/apply/lock.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import type { PulpClient } from '../../src/live/client.js';
import { LIVE_ENDPOINTS, readLiveState } from '../../src/live/read.js';
import { buildPlan } from '../../src/plan/index.js';
import { startProxy } from './proxy.js';
import { clientFor } from './world.js';

let emulator: Emulator;
let client: PulpClient;

beforeEach(async () => {
  emulator = await startEmulator({ taskMs: 1 });
  client = clientFor(emulator);
});

afterEach(async () => {
  client.close();
  await emulator.close();
});

async function guards(on: PulpClient = client): Promise<{ name: string; description: string; href: string }[]> {
  return (await on.list(LOCK_ENDPOINT)).map((g) => ({
    name: String(g['name']),
    description: String(g['description']),
    href: String(g['pulp_href']),
  }));
}

/** A lock as another run would have left it. */
async function plantLock(fields: Record<string, unknown>): Promise<string> {
  const now = Date.now();
  const description = JSON.stringify({
    pulpform_lock: 1,
    stack: 'prod',
    holder: 'bob@elsewhere',
    pid: 4242,
    operation: 'apply',
    created_at: new Date(now - 90_000).toISOString(),
    expires_at: new Date(now + 60_000).toISOString(),
    id: 'planted',
    machine: 'elsewhere boot-x',
    ...fields,
  });
  const made = await client.create(LOCK_ENDPOINT, { name: lockName('prod'), description });
  return String(made.kind === 'object' ? made.object['pulp_href'] : '');
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('the server lock', () => {
  test('is a content guard named after the stack, saying who holds it; release deletes it', async () => {
    const lock = await acquireLock(client, { stack: 'prod', operation: 'apply' });
    const [guard] = await guards();
    expect(guard!.name).toBe('pulpform-lock-prod');
    expect(JSON.parse(guard!.description)).toMatchObject({
      pulpform_lock: 1,
      stack: 'prod',
      pid: process.pid,
      operation: 'apply',
      id: lock.info.id,
    });
    expect(lock.info.holder).toMatch(/^.+@.+$/);
    expect(await readLock(client, 'prod')).toEqual(lock.info);
    await lock.release();
    await lock.release();
    expect(await guards()).toEqual([]);
  });

  test('a second run is refused with the holder and the age; another stack has its own lock', async () => {
    const first = await acquireLock(client, { stack: 'prod', operation: 'watch' });
    const refused = await acquireLock(client, { stack: 'prod', operation: 'apply' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(LockHeldError);
    expect((refused as LockHeldError).message).toMatch(
      new RegExp(`^the server is locked by .+@.+ \\(pid ${process.pid}, watch\\), for \\d+ s$`),
    );
    expect((refused as LockHeldError).hint).toContain('--lock-timeout');
    const other = await acquireLock(client, { stack: 'staging', operation: 'apply' });
    await Promise.all([first.release(), other.release()]);
  });

  test('of ten runs racing for it, exactly one gets it', async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => acquireLock(client, { stack: 'prod', operation: 'apply' })));
    const held = outcomes.filter((o) => o.status === 'fulfilled');
    expect(held).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof LockHeldError)).toHaveLength(9);
    expect(await guards()).toHaveLength(1);
    await (held[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value.release();
  });

  test('with a timeout, a blocked run waits and gets the lock once the holder releases it', async () => {
    const first = await acquireLock(client, { stack: 'prod', operation: 'apply' });
    const seen: string[] = [];
    const second = await acquireLock(client, {
      stack: 'prod',
      operation: 'apply',
      timeoutMs: 60_000,
      pollMs: 5,
      onBlocked: (holder) => {
        seen.push(holder.id);
        if (seen.length === 2) void first.release();
      },
    });
    expect(seen.every((id) => id === first.info.id)).toBe(true);
    expect((await readLock(client, 'prod'))!.id).toBe(second.info.id);
    await second.release();
  });

  test('a wait that runs out says how long it waited', async () => {
    await plantLock({});
    await expect(acquireLock(client, { stack: 'prod', operation: 'apply', timeoutMs: 30, pollMs: 5 })).rejects.toThrow(
      /locked by bob@elsewhere \(pid 4242, apply\), for 1 min 30 s \(waited 0 s\)/,
    );
  });

  test('an expired lock is taken over, naming the holder that left it', async () => {
    await plantLock({ expires_at: new Date(Date.now() - 1000).toISOString() });
    const takeovers: string[] = [];
    const lock = await acquireLock(client, {
      stack: 'prod',
      operation: 'apply',
      onTakeover: (stale, why) => takeovers.push(`${stale.holder}: ${why}`),
    });
    expect(takeovers).toEqual([expect.stringMatching(/^bob@elsewhere: it expired at .* without being renewed$/)]);
    expect((await guards()).map((g) => JSON.parse(g.description).id)).toEqual([lock.info.id]);
    await lock.release();
  });

  test('a lock whose holder process is gone from this machine is taken over at once', async () => {
    const probe = await acquireLock(client, { stack: 'probe', operation: 'apply' });
    await probe.release();
    const pid = await deadPid();
    await plantLock({ pid, machine: probe.info.machine });
    const takeovers: string[] = [];
    const lock = await acquireLock(client, { stack: 'prod', operation: 'apply', onTakeover: (_, why) => takeovers.push(why) });
    expect(takeovers).toEqual([`process ${pid} on this machine is gone`]);
    await lock.release();
  });

  test('a live holder on another machine is never taken over before its lock expires', async () => {
    await plantLock({ pid: await deadPid() });
    await expect(acquireLock(client, { stack: 'prod', operation: 'apply' })).rejects.toThrow(LockHeldError);
  });

  test('a content guard with the lock name that is not a lock is left alone', async () => {
    await client.create(LOCK_ENDPOINT, { name: lockName('prod'), description: 'guards the web site' });
    await expect(acquireLock(client, { stack: 'prod', operation: 'apply' })).rejects.toThrow(ForeignLockError);
    expect(await guards()).toEqual([expect.objectContaining({ description: 'guards the web site' })]);
  });

  test('is renewed while held, and reports its loss when someone deletes it', async () => {
    const lock = await acquireLock(client, { stack: 'prod', operation: 'apply', ttlMs: 40 });
    const firstExpiry = lock.info.expiresAt;
    while ((await readLock(client, 'prod'))!.expiresAt === firstExpiry) await new Promise((resolve) => setTimeout(resolve, 5));
    const lost = new Promise<unknown>((resolve) => lock.lost.addEventListener('abort', () => resolve(lock.lost.reason)));
    await client.delete(lock.info.href);
    expect(await lost).toBe('the lock pulpform-lock-prod was deleted by someone else');
    await lock.release();
  });

  test('a create whose answer is lost is recognised as ours, not as a lock held by someone else', async () => {
    const proxy = await startProxy(emulator.url, (exchange) => (exchange.method === 'POST' ? 'drop' : 'forward'));
    const viaProxy = clientFor(proxy);
    try {
      const lock = await acquireLock(viaProxy, { stack: 'prod', operation: 'apply' });
      expect((await guards()).map((g) => JSON.parse(g.description).id)).toEqual([lock.info.id]);
      await lock.release();
      expect(await guards()).toEqual([]);
    } finally {
      viaProxy.close();
      await proxy.close();
    }
  });

  test('is no resource: the live state does not read it and a prune plan never deletes it', async () => {
    const lock = await acquireLock(client, { stack: 'prod', operation: 'apply' });
    expect(LIVE_ENDPOINTS.some((endpoint) => LOCK_ENDPOINT.startsWith(endpoint))).toBe(false);
    const plan = buildPlan({ stack: 'prod', resources: [], sources: { files: [], sha256: '' } } as never, await readLiveState(client), {
      prune: true,
      allowDeleteAll: true,
    });
    expect(plan.waves.flat()).toEqual([]);
    await lock.release();
  });
});

describe('--lock-timeout durations', () => {
  test.each([
    ['0', 0],
    ['30', 30_000],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['', 'soon', '10 minutes', '5m-', '-1s'])('"%s" is refused', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('the server lock under faults', () => {
  const FAULTS = { errorRate: 0.15, resetRate: 0.1, lostRate: 0.15, slowRate: 0.05, slowMs: 1000 };

  test('of five runs racing for it through lost and late answers, at most one holds it', async () => {
    for (const seed of [1, 2, 3]) {
      const faulty = await startEmulator({ taskMs: 1, faults: { seed, ...FAULTS } });
      const clients = Array.from({ length: 5 }, () => clientFor(faulty, { timeoutMs: 300 }));
      try {
        const outcomes = await Promise.allSettled(clients.map((c) => acquireLock(c, { stack: 'prod', operation: 'apply' })));
        const holders = outcomes
          .filter((o) => o.status === 'fulfilled')
          .map((o) => (o as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>>).value);
        expect(holders.length).toBeLessThanOrEqual(1);
        faulty.setFaults();
        const onServer = await readLock(clients[0]!, 'prod');
        if (holders[0]) expect(onServer?.id).toBe(holders[0].info.id);
        await holders[0]?.release();
      } finally {
        for (const c of clients) c.close();
        await faulty.close();
      }
    }
  });

  test('acquire and release, forty times through faults: whatever fails, the next clean attempt gets the lock at once', async () => {
    const faulty = await startEmulator({ taskMs: 1, faults: { seed: 42, ...FAULTS } });
    const viaFaults = clientFor(faulty, { timeoutMs: 300 });
    const clean = clientFor(faulty);
    let held = 0;
    const takeovers: string[] = [];
    try {
      for (let cycle = 0; cycle < 40; cycle++) {
        const lock = await acquireLock(viaFaults, { stack: 'prod', operation: 'apply', onTakeover: (_, why) => takeovers.push(why) }).catch(
          () => undefined,
        );
        if (lock) held += 1;
        await lock?.release().catch(() => undefined);
      }
      faulty.setFaults();
      const last = await acquireLock(clean, { stack: 'prod', operation: 'apply' });
      await last.release();
      expect(await guards(clean)).toEqual([]);
      expect(held).toBeGreaterThan(0);
      // The only leftovers a single live process can meet are its own failed attempts'.
      expect(takeovers.every((why) => why === 'an earlier attempt of this process left it')).toBe(true);
    } finally {
      viaFaults.close();
      clean.close();
      await faulty.close();
    }
  });
});
