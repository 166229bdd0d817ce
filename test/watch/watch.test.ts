import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../../src/apply/lock.js';
import { serveDirectory } from '../../src/conformance/static-server.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { PulpClient } from '../../src/live/client.js';
import { Secret } from '../../src/model/secret.js';
import { runCli } from '../helpers/cli.js';
import { type LogLine, until, WatchProcess } from './process.js';

// `pulpform watch` as operators run it: the built CLI in a child process, against an
// in-process emulator over HTTP, every wait on a log event or a fact on the server.

const PASSWORD = 'watch-pass-42';
/** Nothing listens on the discard port, so a sync from it fails at once. */
const DEAD_UPSTREAM = 'http://127.0.0.1:9';

interface RemoteSpec {
  name: string;
  /** Default file. */
  type?: 'file' | 'rpm';
  concurrency?: number;
  /** Also declare a repository synced from it (from a dead upstream unless `url`: the sync fails). */
  synced?: boolean;
  /** A file upstream's base URL; default one where nothing listens. */
  url?: string;
}

function stateYaml(remotes: RemoteSpec[]): string {
  const lines = ['stack: watch', 'remotes:'];
  for (const remote of remotes) {
    lines.push(
      `  - name: ${remote.name}`,
      `    type: ${remote.type ?? 'file'}`,
      `    url: ${remote.url ?? `${DEAD_UPSTREAM}/${remote.name}`}/PULP_MANIFEST`,
    );
    if (remote.concurrency !== undefined) lines.push(`    download_concurrency: ${remote.concurrency}`);
  }
  const synced = remotes.filter((remote) => remote.synced);
  if (synced.length > 0) {
    lines.push('repositories:');
    for (const remote of synced) lines.push(`  - name: ${remote.name}`, '    type: file', `    remote: ${remote.name}`, '    sync: true');
  }
  return `${lines.join('\n')}\n`;
}

let emulator: Emulator;
let dir: string;
let watches: WatchProcess[];

beforeEach(async () => {
  emulator = await startEmulator({ taskMs: 5, password: PASSWORD });
  dir = await mkdtemp(join(tmpdir(), 'pulpform-watch-'));
  watches = [];
});

afterEach(async () => {
  await Promise.all(watches.map((watch) => watch.kill()));
  emulator.pulp.tasks.resume();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const statePath = (): string => join(dir, 'state.yaml');

function watch(args: string[] = [], server = emulator.url): WatchProcess {
  const child = new WatchProcess(['-f', 'state.yaml', '--server', server, ...args], { cwd: dir, env: { PULP_PASSWORD: PASSWORD } });
  watches.push(child);
  return child;
}

// biome-ignore lint/suspicious/noExplicitAny: the emulator's answers, read field by field by the assertions
async function api(path: string, init: { method?: string; body?: object } = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${emulator.url}${path}`, {
    method: init.method ?? 'GET',
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    headers: { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`, 'content-type': 'application/json' },
  });
  return { status: response.status, body: response.status === 204 ? undefined : await response.json() };
}

async function remote(name: string, type = 'file'): Promise<{ pulp_href: string; download_concurrency: number | null } | undefined> {
  return (await api(`/pulp/api/v3/remotes/${type}/${type}/?name=${name}`)).body.results[0];
}

function writes(method?: string): { method: string; path: string }[] {
  // The server lock (a content guard each applying cycle creates and deletes) is not a change to managed objects.
  return emulator
    .requests()
    .filter(
      (r) =>
        r.method !== 'GET' &&
        (method === undefined || r.method === method) &&
        !r.path.startsWith('/_emulator') &&
        !r.path.includes('/contentguards/'),
    );
}

const applied = (line: LogLine): boolean => line.outcome === 'applied';

describe('pulpform watch', () => {
  test('converges at start, applies an edit, and logs every cycle as JSON lines with no secret in them', async () => {
    await writeFile(statePath(), stateYaml([{ name: 'a', concurrency: 2 }]));
    const w = watch();
    const first = await w.cycleDone();
    expect(first).toMatchObject({ level: 'info', cycle: 1, outcome: 'applied', changed: { create: 1 }, trigger: { reasons: ['start'] } });
    expect((await remote('a'))?.download_concurrency).toBe(2);

    const mark = w.mark();
    await writeFile(statePath(), stateYaml([{ name: 'a', concurrency: 5 }]));
    const edit = await w.cycleDone(mark);
    expect(edit).toMatchObject({ outcome: 'applied', changed: { update: 1 }, trigger: { reasons: ['change'], files: [statePath()] } });
    expect(edit.message).toContain('applied: 1 updated');
    expect((await remote('a'))?.download_concurrency).toBe(5);
    expect(w.lines.slice(mark).map((line) => line.code)).toEqual(
      expect.arrayContaining(['watch.files_changed', 'watch.cycle_start', 'action.start', 'action.done']),
    );

    expect(await w.stop()).toEqual({ status: 0, signal: null });
    expect(w.of('watch.stopped')).toHaveLength(1);
    expect(w.other).toEqual([]);
    expect(JSON.stringify(w.lines)).not.toContain(PASSWORD);
  });

  test('ten saves in a burst (plain writes, atomic renames, editor swap and backup files) give at most two reconciles, and the last save wins', async () => {
    await writeFile(statePath(), stateYaml([{ name: 'a', concurrency: 1 }]));
    const w = watch(['--debounce', '500']);
    await w.cycleDone();
    emulator.resetRequests();

    for (let i = 1; i <= 10; i++) {
      const text = stateYaml([{ name: 'a', concurrency: i + 1 }]);
      if (i % 2 === 0) {
        await writeFile(statePath(), text);
      } else {
        // An atomic save: the editor writes a temporary file and renames it over the original.
        await writeFile(join(dir, '.state.yaml.tmp'), text);
        await rename(join(dir, '.state.yaml.tmp'), statePath());
      }
      await writeFile(join(dir, '.state.yaml.swp'), `swap ${i}`);
      await writeFile(join(dir, 'state.yaml~'), text);
    }
    await until('the last save is applied and the watch is idle', async () => (await remote('a'))?.download_concurrency === 11 && w.idle());
    expect(await w.stop()).toEqual({ status: 0, signal: null });

    const reconciles = w.of('watch.cycle_start').filter((line) => (line.trigger as { reasons: string[] }).reasons.includes('change'));
    expect(reconciles.length).toBeGreaterThanOrEqual(1);
    expect(reconciles.length).toBeLessThanOrEqual(2);
    expect(writes('PATCH').length).toBeLessThanOrEqual(2);
    for (const line of w.of('watch.files_changed')) expect(line.files).toEqual([statePath()]);
  });

  test('an invalid edit changes nothing and is reported with file:line and the fix; the next valid edit is applied', async () => {
    await writeFile(statePath(), stateYaml([{ name: 'a', concurrency: 2 }]));
    const w = watch(['--interval', '0.2']);
    await w.cycleDone(0, applied);
    emulator.resetRequests();

    let mark = w.mark();
    await writeFile(statePath(), stateYaml([{ name: 'a', concurrency: 3 }]).replace('type: file', 'type: file\n    polcy: immediate'));
    const invalid = await w.cycleDone(mark, (line) => line.outcome === 'invalid');
    expect(invalid.level).toBe('error');
    const report = await w.waitFor('the invalid desired state report', (line) => line.code === 'watch.desired_invalid', mark);
    expect(report).toMatchObject({ applied: 'nothing', errors: 1 });
    const diagnostic = await w.waitFor('the diagnostic', (line) => line.code === 'watch.diagnostic', mark);
    expect(diagnostic.message).toMatch(/^state\.yaml:5:\d+: .*polcy/);
    expect(diagnostic.message).toContain('Fix: ');
    expect(diagnostic.diagnostic).toMatchObject({ severity: 'error', source: { file: 'state.yaml', line: 5 } });

    expect(writes()).toEqual([]);
    expect((await remote('a'))?.download_concurrency).toBe(2);

    // The last valid desired state stays in force: periodic cycles repair drift to it.
    mark = w.mark();
    expect((await api((await remote('a'))!.pulp_href, { method: 'PATCH', body: { download_concurrency: 9 } })).status).toBe(202);
    const repaired = await w.waitFor(
      'the drift repair',
      (line) => line.code === 'action.done' && line.actionId === 'update remote/file/a',
      mark,
    );
    const repair = await w.cycleDone(w.lines.indexOf(repaired));
    expect(repair).toMatchObject({ outcome: 'applied', trigger: { reasons: ['interval'] } });
    expect(w.lines.slice(mark).find((line) => line.code === 'watch.desired_invalid')).toMatchObject({
      level: 'warn',
      applied: 'last_good',
    });
    expect((await remote('a'))?.download_concurrency).toBe(2);

    mark = w.mark();
    await writeFile(statePath(), stateYaml([{ name: 'a', concurrency: 4 }]));
    expect(await w.cycleDone(mark, applied)).toMatchObject({ changed: { update: 1 } });
    expect((await remote('a'))?.download_concurrency).toBe(4);
    expect(await w.stop()).toEqual({ status: 0, signal: null });
  });

  test('drift made outside pulpform is repaired on the interval', async () => {
    await writeFile(statePath(), stateYaml([{ name: 'a', concurrency: 2 }, { name: 'b' }]));
    const w = watch(['--interval', '0.2']);
    await w.cycleDone(0, applied);

    // Someone changes one remote and deletes the other behind pulpform's back.
    const mark = w.mark();
    const a = (await remote('a'))!;
    const b = (await remote('b'))!;
    expect((await api(a.pulp_href, { method: 'PATCH', body: { download_concurrency: 9 } })).status).toBe(202);
    expect((await api(b.pulp_href, { method: 'DELETE' })).status).toBe(202);

    // The periodic cycles see the drift (whenever Pulp's tasks have made it) and undo it.
    const repairedA = await w.waitFor(
      'remote a repaired',
      (line) => line.code === 'action.done' && line.actionId === 'update remote/file/a',
      mark,
    );
    const recreatedB = await w.waitFor(
      'remote b recreated',
      (line) => line.code === 'action.done' && line.actionId === 'create remote/file/b',
      mark,
    );
    await w.cycleDone(w.lines.indexOf(repairedA));
    await w.cycleDone(w.lines.indexOf(recreatedB));
    expect((await remote('a'))?.download_concurrency).toBe(2);
    expect(await remote('b')).toBeDefined();
    for (const start of w.lines.slice(mark).filter((line) => line.code === 'watch.cycle_start')) {
      expect((start.trigger as { reasons: string[] }).reasons).toEqual(['interval']);
    }
    expect(await w.stop()).toEqual({ status: 0, signal: null });
  });

  test('deletes and replacements are reported and not performed without --prune, and are performed with it', async () => {
    await writeFile(statePath(), stateYaml([{ name: 'a' }, { name: 'b' }]));
    const w = watch();
    await w.cycleDone(0, applied);

    // b is dropped; a becomes an rpm remote, which Pulp can only do by deleting the file one first.
    let mark = w.mark();
    await writeFile(statePath(), stateYaml([{ name: 'a', type: 'rpm' }]));
    const held = await w.cycleDone(mark);
    expect(held).toMatchObject({ outcome: 'in_sync', heldBack: { deletes: 1, replacements: 1 } });
    expect(held.message).toContain('1 deletion and 1 replacement held back (run with --prune)');
    expect(await w.waitFor('the held-back report', (line) => line.code === 'watch.held_back', mark)).toMatchObject({
      level: 'warn',
      deletes: ['remote/file/b'],
      replacements: ['remote/rpm/a'],
    });
    expect(writes('DELETE')).toEqual([]);
    expect(await remote('a')).toBeDefined();
    expect(await remote('b')).toBeDefined();

    // Each later cycle still counts them, without repeating the full report.
    mark = w.mark();
    await writeFile(statePath(), stateYaml([{ name: 'a', type: 'rpm' }, { name: 'c' }]));
    expect(await w.cycleDone(mark)).toMatchObject({
      outcome: 'applied',
      changed: { create: 1 },
      heldBack: { deletes: 1, replacements: 1 },
    });
    expect(w.lines.slice(mark).filter((line) => line.code === 'watch.held_back')).toEqual([]);
    expect(writes('DELETE')).toEqual([]);
    expect(await w.stop()).toEqual({ status: 0, signal: null });

    const pruning = watch(['--prune']);
    expect(await pruning.cycleDone()).toMatchObject({
      outcome: 'applied',
      changed: { delete: 1, replace: 1 },
      heldBack: { deletes: 0, replacements: 0 },
    });
    expect(await remote('b')).toBeUndefined();
    expect(await remote('a')).toBeUndefined();
    expect(await remote('a', 'rpm')).toBeDefined();
    expect(await remote('c')).toBeDefined();
    expect(await pruning.stop()).toEqual({ status: 0, signal: null });
  });

  test('a sync whose upstream fails the preflight is left out and reported once with the fix while other edits apply; once its upstream serves, it syncs', async () => {
    const upstream = await serveDirectory(join(process.cwd(), '../shared/pulp/conformance/upstreams/file'));
    try {
      await writeFile(
        statePath(),
        stateYaml([
          { name: 'pinned', synced: true },
          { name: 'ok', concurrency: 2 },
        ]),
      );
      const w = watch();
      const first = await w.cycleDone();
      // The remote, the repository and the sync of "pinned" wait for an upstream that answers.
      expect(first).toMatchObject({ outcome: 'applied', changed: { create: 1 }, failed: [], upstreamFailed: 3 });
      expect(first.message).toContain('3 actions held back: the upstream check failed');
      const reported = w.of('watch.diagnostic').filter((line) => line.origin === 'preflight');
      expect(reported).toHaveLength(1);
      expect(reported[0]!.message).toMatch(
        /^state\.yaml:\d+:\d+: remote\/file\/pinned: cannot reach the upstream http:\/\/127\.0\.0\.1:9\. .*Fix: Check the URL of remote\/file\/pinned\./,
      );
      expect(await remote('pinned')).toBeUndefined();
      expect(writes('POST').filter((r) => r.path.endsWith('/sync/'))).toEqual([]);

      let mark = w.mark();
      await writeFile(
        statePath(),
        stateYaml([
          { name: 'pinned', synced: true },
          { name: 'ok', concurrency: 3 },
        ]),
      );
      expect(await w.cycleDone(mark)).toMatchObject({ outcome: 'applied', changed: { update: 1 }, upstreamFailed: 3 });
      expect(w.of('watch.diagnostic').filter((line) => line.origin === 'preflight')).toHaveLength(1);

      mark = w.mark();
      await writeFile(
        statePath(),
        stateYaml([
          { name: 'pinned', synced: true, url: upstream.url },
          { name: 'ok', concurrency: 3 },
        ]),
      );
      expect(await w.cycleDone(mark)).toMatchObject({ outcome: 'applied', changed: { create: 2, sync: 1 }, upstreamFailed: 0 });
      expect(await remote('pinned')).toBeDefined();
      expect(await w.stop()).toEqual({ status: 0, signal: null });
    } finally {
      await upstream.close();
    }
  });

  test('a failing object backs off: the next cycle leaves it out while it applies other edits', async () => {
    await writeFile(
      statePath(),
      stateYaml([
        { name: 'broken', synced: true },
        { name: 'ok', concurrency: 2 },
      ]),
    );
    // Without the preflight, which would leave the sync out before it could fail inside Pulp.
    const w = watch(['--backoff', '3600', '--skip-preflight']);
    const first = await w.cycleDone();
    expect(first).toMatchObject({ outcome: 'incomplete', failed: [{ actionId: 'sync repository/file/broken' }] });
    expect(first.backingOff).toEqual([expect.objectContaining({ address: 'repository/file/broken', failures: 1 })]);
    expect(first.message).toMatch(/1 failed: sync repository\/file\/broken; backing off: repository\/file\/broken until /);
    const syncs = (): number => writes('POST').filter((r) => r.path.endsWith('/sync/')).length;
    expect(syncs()).toBe(1);

    const mark = w.mark();
    await writeFile(
      statePath(),
      stateYaml([
        { name: 'broken', synced: true },
        { name: 'ok', concurrency: 3 },
      ]),
    );
    const next = await w.cycleDone(mark);
    expect(next).toMatchObject({ outcome: 'applied', changed: { update: 1 }, waiting: 1 });
    expect(next.backingOff).toEqual([expect.objectContaining({ address: 'repository/file/broken', failures: 1 })]);
    expect(syncs()).toBe(1);
    expect((await remote('ok'))?.download_concurrency).toBe(3);
    expect(await w.stop()).toEqual({ status: 0, signal: null });
  });

  test('when Pulp cannot be reached the cycle reports it and watch goes on, converging once Pulp answers', async () => {
    let down = true;
    const proxy = http.createServer((req, res) => {
      if (down) {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"detail":"maintenance"}');
        return;
      }
      const target = new URL(emulator.url);
      const forward = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      await writeFile(statePath(), stateYaml([{ name: 'a' }]));
      const w = watch(['--backoff', '0.2'], `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
      const failed = await w.cycleDone(0, (line) => line.outcome === 'error');
      expect(failed.message).toMatch(/could not reconcile: .*503/);
      expect(failed.retryAt).toEqual(expect.any(Number));
      expect(await w.waitFor('the server error', (line) => line.code === 'watch.server_error')).toMatchObject({ level: 'error' });

      down = false;
      const recovered = await w.cycleDone(0, applied);
      expect((recovered.trigger as { reasons: string[] }).reasons).toEqual(['retry']);
      expect(await remote('a')).toBeDefined();
      expect(await w.stop()).toEqual({ status: 0, signal: null });
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  test('a desired-state path that does not exist is an error at start, with the fix', async () => {
    const result = await runCli(['watch', '-f', 'missing', '--server', emulator.url], { cwd: dir, env: { PULP_PASSWORD: PASSWORD } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Desired state not found');
    expect(result.stderr).toContain('-f PATH');
    expect(emulator.requests()).toEqual([]);
  });

  test('SIGTERM during an apply abandons the task wait and exits 0; the task runs on in Pulp and a later apply converges', async () => {
    await writeFile(statePath(), stateYaml([{ name: 'a', concurrency: 2 }]));
    const w = watch();
    await w.cycleDone(0, applied);

    // Hold Pulp's tasks so the update's task stays waiting and the apply stays in flight.
    emulator.pulp.tasks.pause();
    const mark = w.mark();
    await writeFile(statePath(), stateYaml([{ name: 'a', concurrency: 7 }]));
    await w.waitFor('the update to start', (line) => line.code === 'action.start' && line.actionId === 'update remote/file/a', mark);
    await until('the update task is waiting in Pulp', () => [...emulator.pulp.tasks.all()].some((task) => task.state === 'waiting'));

    w.signal('SIGTERM');
    expect(await w.exited).toEqual({ status: 0, signal: null });
    const interrupted = await w.waitFor('the interrupted action', (line) => line.code === 'action.interrupted', mark);
    expect(interrupted.taskHref).toEqual(expect.stringContaining('/pulp/api/v3/tasks/'));
    expect(await w.cycleDone(mark)).toMatchObject({ outcome: 'interrupted' });
    expect(w.of('watch.stopped')).toHaveLength(1);

    emulator.pulp.tasks.resume();
    const env = { PULP_PASSWORD: PASSWORD };
    const apply = await runCli(['apply', '--auto-approve', '-f', 'state.yaml', '--server', emulator.url], { cwd: dir, env });
    expect(apply.status).toBe(0);
    await until('the abandoned task and the apply have converged the remote', async () => (await remote('a'))?.download_concurrency === 7);
    const plan = await runCli(['plan', '--detailed-exitcode', '-f', 'state.yaml', '--server', emulator.url], { cwd: dir, env });
    expect(plan.stdout).toContain('No changes.');
    expect(plan.status).toBe(0);
  });

  test('a cycle that finds the server lock held by another run changes nothing and says who holds it; it applies once the lock is released', async () => {
    const client = new PulpClient({ baseUrl: emulator.url, username: 'admin', password: new Secret(PASSWORD, 'test') });
    const other = await acquireLock(client, { stack: 'watch', operation: 'apply' });
    try {
      await writeFile(statePath(), stateYaml([{ name: 'a' }]));
      const w = watch(['--backoff', '0.2', '--backoff-max', '0.2']);
      const blocked = await w.waitFor('a cycle blocked by the lock', (line) => line.code === 'watch.server_error');
      expect(blocked.message).toContain('lock');
      expect(await remote('a')).toBeUndefined();

      await other.release();
      await w.cycleDone(w.mark(), applied);
      expect(await remote('a')).toBeDefined();
      expect(await w.stop()).toEqual({ status: 0, signal: null });
    } finally {
      await other.release();
      client.close();
    }
  });
});
