import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApplyEvent, ApplyResult } from '../../src/apply/events.js';
import { type ApplyOptions, applyPlan } from '../../src/apply/executor.js';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/index.js';
import { PulpClient } from '../../src/live/client.js';
import { LIVE_ENDPOINTS, readLiveState } from '../../src/live/read.js';
import type { Plan, PlanAction } from '../../src/model/plan.js';
import type { LiveObject, LiveState } from '../../src/model/resource.js';
import { Secret } from '../../src/model/secret.js';
import { action as act } from '../builders.js';

// Integration: the live reader and the executor against the real emulator over HTTP.

const UPSTREAM_PASSWORD = 'upstream-pa55word';

/** A pulp_file upstream (PULP_MANIFEST + files) on 127.0.0.1 whose content a test can change. */
class FileUpstream {
  files = new Map<string, string>([['a.txt', 'first file\n']]);
  server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    const body = path === 'PULP_MANIFEST' ? this.manifest() : this.files.get(path);
    if (body === undefined) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(body);
  });
  url = '';

  manifest(): string {
    return [...this.files]
      .map(([name, text]) => `${name},${createHash('sha256').update(text).digest('hex')},${Buffer.byteLength(text)}\n`)
      .join('');
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const upstream = new FileUpstream();
let emulator: Emulator;
let client: PulpClient;

beforeAll(() => upstream.start());
afterAll(() => upstream.close());

async function startWith(options: EmulatorOptions = {}): Promise<void> {
  emulator = await startEmulator({ taskMs: 2, ...options });
  client = new PulpClient({
    baseUrl: emulator.url,
    username: 'admin',
    password: new Secret('password', 'test'),
    retryDelayMs: 1,
    retries: 5,
  });
}

beforeEach(() => startWith());

afterEach(async () => {
  client.close();
  await emulator.close();
});

function planOf(actions: PlanAction[]): Plan {
  return {
    formatVersion: '1.0',
    createdAt: '2026-01-01T00:00:00.000Z',
    stack: 'test',
    source: { files: [], sha256: '' },
    server: { url: emulator.url, versions: {} },
    waves: [actions],
    diagnostics: [],
    summary: { add: 0, change: 0, destroy: 0, replace: 0, adopt: 0, sync: 0 },
    options: { prune: false },
  };
}

async function apply(actions: PlanAction[], extra: Partial<ApplyOptions> = {}): Promise<{ result: ApplyResult; events: ApplyEvent[] }> {
  const events: ApplyEvent[] = [];
  const result = await applyPlan(planOf(actions), {
    client,
    secrets: (source) => (source === 'env:UPSTREAM_PASSWORD' ? new Secret(UPSTREAM_PASSWORD, source) : null),
    onEvent: (event) => events.push(event),
    ...extra,
  });
  return { result, events };
}

const LABELS = { pulpform_stack: 'test', pulpform_scheme: '1' };

function guardOf(object: LiveObject): NonNullable<PlanAction['guard']> {
  return { href: object.href, fingerprint: object.fingerprint, ...(object.lastUpdated ? { lastUpdated: object.lastUpdated } : {}) };
}

function find(live: LiveState, address: string): LiveObject[] {
  return live.objects.filter((o) => o.address === address);
}

/** remote → repository → sync → publication → distribution for a file mirror pinned to `snapshot`. */
function fileMirror(snapshot: string): PlanAction[] {
  const remote = act('create', 'remote/file/files', {
    body: { name: 'files', url: `${upstream.url}/PULP_MANIFEST`, policy: 'immediate', pulp_labels: LABELS },
    secrets: [
      { field: 'username', source: 'env:UPSTREAM_PASSWORD' },
      { field: 'password', source: 'env:UPSTREAM_PASSWORD' },
    ],
  });
  const repository = act('create', 'repository/file/files', {
    body: { name: 'files', remote: { $ref: remote.address }, pulp_labels: LABELS },
    dependsOn: [remote.id],
  });
  const sync = act('sync', 'repository/file/files', {
    body: { remote: { $ref: remote.address } },
    labelsAfter: { pulpform_synced: snapshot },
    dependsOn: [repository.id],
  });
  const publication = act('create', 'publication/file/files', {
    body: { repository_version: { $ref: repository.address, output: 'version' } },
    dependsOn: [sync.id],
  });
  const distribution = act('create', 'distribution/file/files', {
    body: { name: 'files', base_path: 'mirror/files', publication: { $ref: publication.address }, pulp_labels: LABELS },
    dependsOn: [publication.id],
  });
  return [remote, repository, sync, publication, distribution];
}

describe('against the emulator', () => {
  test('readLiveState makes one request per endpoint plus status', async () => {
    emulator.resetRequests();
    const live = await readLiveState(client);
    // The emulator's default profile is the newest release it speaks.
    expect(live.server.versions).toMatchObject({ core: '3.116.0', rpm: '3.38.5', file: '3.116.0', deb: '3.10.0', container: '2.29.0' });
    expect(emulator.requestCounts().byMethod).toEqual({ GET: 1 + LIVE_ENDPOINTS.length });
    expect(live.objects).toEqual([]);
  });

  test('file: create, sync, publish and distribute; then a pin bump syncs, republishes and repoints', async () => {
    const first = await apply(fileMirror('20240101T000000'));
    expect(first.result.failed).toEqual([]);
    expect(first.result.ok).toBe(true);

    let live = await readLiveState(client);
    const [repository] = find(live, 'repository/file/files');
    const [publication] = find(live, 'publication/file/files');
    const [distribution] = find(live, 'distribution/file/files');
    const [remote] = find(live, 'remote/file/files');
    expect(repository!.versionHref).toBe(`${repository!.href}versions/1/`);
    expect(repository!.labels).toEqual({
      ...LABELS,
      pulpform_synced: '20240101T000000',
      pulpform_snapshot_20240101T000000: '1',
      pulpform_synced_version: '1',
    });
    expect(publication!.versionHref).toBe(repository!.versionHref);
    expect(distribution!.fields['publication']).toBe(publication!.href);
    expect(remote!.secretsSet).toMatchObject({ username: true, password: true });
    expect(JSON.stringify(first)).not.toContain(UPSTREAM_PASSWORD);

    upstream.files.set('b.txt', 'second file\n');
    const sync = act('sync', 'repository/file/files', {
      body: { remote: remote!.href },
      labelsAfter: { pulpform_synced: '20240301T000000' },
      guard: guardOf(repository!),
    });
    const publish = act('create', 'publication/file/files', {
      body: { repository_version: { $ref: 'repository/file/files', output: 'version' } },
      dependsOn: [sync.id],
    });
    const repoint = act('update', 'distribution/file/files', {
      body: { publication: { $ref: 'publication/file/files' } },
      guard: guardOf(distribution!),
      dependsOn: [publish.id],
    });
    const second = await apply([sync, publish, repoint], { liveForStaleness: live });
    expect(second.result.ok).toBe(true);

    live = await readLiveState(client);
    const [after] = find(live, 'repository/file/files');
    const newest = find(live, 'publication/file/files').find((p) => p.versionHref === `${after!.href}versions/2/`);
    expect(after!.labels).toMatchObject({
      pulpform_synced: '20240301T000000',
      pulpform_snapshot_20240101T000000: '1',
      pulpform_snapshot_20240301T000000: '2',
    });
    expect(find(live, 'distribution/file/files')[0]!.fields['publication']).toBe(newest!.href);
  });

  test('a sync with nothing new leaves no version and the labels still move', async () => {
    expect((await apply(fileMirror('20240101T000000'))).result.ok).toBe(true);
    const live = await readLiveState(client);
    const [repository] = find(live, 'repository/file/files');
    const sync = act('sync', 'repository/file/files', {
      body: {},
      labelsAfter: { pulpform_synced: '20240102T000000' },
      guard: guardOf(repository!),
    });
    const { result } = await apply([sync]);
    expect(result.succeeded[0]!.note).toBe(`no new version; latest is ${repository!.href}versions/1/`);
    const [after] = find(await readLiveState(client), 'repository/file/files');
    expect(after!.labels).toMatchObject({ pulpform_synced: '20240102T000000', pulpform_snapshot_20240102T000000: '1' });
  });

  test('rpm, deb and container: create, update, then delete everything, each kind on its own endpoint', async () => {
    const created = await apply([
      act('create', 'remote/rpm/baseos', {
        body: { name: 'baseos', url: 'https://ark.example.com/baseos/', policy: 'on_demand', pulp_labels: LABELS },
      }),
      act('create', 'repository/rpm/baseos', {
        body: { name: 'baseos', remote: { $ref: 'remote/rpm/baseos' }, pulp_labels: LABELS },
        dependsOn: ['create remote/rpm/baseos'],
      }),
      act('create', 'publication/rpm/baseos', {
        body: { repository_version: { $ref: 'repository/rpm/baseos', output: 'version' } },
        dependsOn: ['create repository/rpm/baseos'],
      }),
      act('create', 'distribution/rpm/baseos', {
        body: { name: 'baseos', base_path: 'rocky/9/baseos', publication: { $ref: 'publication/rpm/baseos' }, pulp_labels: LABELS },
        dependsOn: ['create publication/rpm/baseos'],
      }),
      act('create', 'remote/deb/ubuntu', {
        body: { name: 'ubuntu', url: 'https://ark.example.com/ubuntu/', distributions: 'jammy', pulp_labels: LABELS },
      }),
      act('create', 'repository/deb/ubuntu', {
        body: { name: 'ubuntu', remote: { $ref: 'remote/deb/ubuntu' }, pulp_labels: LABELS },
        dependsOn: ['create remote/deb/ubuntu'],
      }),
      act('create', 'publication/deb/ubuntu', {
        body: { repository_version: { $ref: 'repository/deb/ubuntu', output: 'version' }, simple: true },
        dependsOn: ['create repository/deb/ubuntu'],
      }),
      act('create', 'distribution/deb/ubuntu', {
        body: { name: 'ubuntu', base_path: 'ubuntu/jammy', publication: { $ref: 'publication/deb/ubuntu' }, pulp_labels: LABELS },
        dependsOn: ['create publication/deb/ubuntu'],
      }),
      act('create', 'remote/container/kolla/nova', {
        body: {
          name: 'kolla/nova',
          url: 'https://ark.example.com',
          upstream_name: 'stackhpc/nova',
          include_tags: ['2024.1'],
          pulp_labels: LABELS,
        },
      }),
      act('create', 'repository/container/kolla/nova', {
        body: { name: 'kolla/nova', remote: { $ref: 'remote/container/kolla/nova' }, pulp_labels: LABELS },
        dependsOn: ['create remote/container/kolla/nova'],
      }),
      act('create', 'distribution/container/kolla/nova', {
        body: { name: 'kolla/nova', base_path: 'kolla/nova', repository: { $ref: 'repository/container/kolla/nova' }, pulp_labels: LABELS },
        dependsOn: ['create repository/container/kolla/nova'],
      }),
    ]);
    expect(created.result.failed).toEqual([]);
    let live = await readLiveState(client);
    expect(live.objects.map((o) => o.address).sort()).toEqual([
      'distribution/container/kolla/nova',
      'distribution/deb/ubuntu',
      'distribution/rpm/baseos',
      'publication/deb/ubuntu',
      'publication/rpm/baseos',
      'remote/container/kolla/nova',
      'remote/deb/ubuntu',
      'remote/rpm/baseos',
      'repository/container/kolla/nova',
      'repository/deb/ubuntu',
      'repository/rpm/baseos',
    ]);
    expect(find(live, 'distribution/container/kolla/nova')[0]!.fields['repository']).toBe(
      find(live, 'repository/container/kolla/nova')[0]!.href,
    );

    const one = (address: string): LiveObject => find(live, address)[0]!;
    const updated = await apply(
      [
        act('update', 'remote/rpm/baseos', { body: { policy: 'immediate' }, guard: guardOf(one('remote/rpm/baseos')) }),
        act('update', 'remote/container/kolla/nova', {
          body: { include_tags: ['2024.1', '2025.1'] },
          guard: guardOf(one('remote/container/kolla/nova')),
        }),
        act('update', 'distribution/rpm/baseos', {
          body: { publication: null, repository: one('repository/rpm/baseos').href },
          guard: guardOf(one('distribution/rpm/baseos')),
        }),
        act('update', 'distribution/container/kolla/nova', {
          body: { private: true },
          guard: guardOf(one('distribution/container/kolla/nova')),
        }),
      ],
      { liveForStaleness: live },
    );
    expect(updated.result.failed).toEqual([]);
    live = await readLiveState(client);
    expect(one('remote/rpm/baseos').fields['policy']).toBe('immediate');
    expect(one('remote/container/kolla/nova').fields['include_tags']).toEqual(['2024.1', '2025.1']);
    expect(one('distribution/rpm/baseos').fields).toMatchObject({ publication: null, repository: one('repository/rpm/baseos').href });
    expect(one('distribution/container/kolla/nova').fields['private']).toBe(true);

    // Publications and distributions go before the repositories they use, repositories before remotes.
    const order = ['distribution', 'publication', 'repository', 'remote'];
    const deletes = live.objects.map((o) => act('delete', o.address, { id: `delete ${o.href}`, guard: guardOf(o) }));
    for (const d of deletes) d.dependsOn = deletes.filter((e) => order.indexOf(e.kind) < order.indexOf(d.kind)).map((e) => e.id);
    const removed = await apply(deletes, { liveForStaleness: live });
    expect(removed.result.failed).toEqual([]);
    expect((await readLiveState(client)).objects).toEqual([]);
  });

  test('a partial failure skips the dependents and finishes the rest', async () => {
    const { result } = await apply([
      act('create', 'remote/rpm/bad', { body: { name: 'bad', url: 'https://x/', policy: 'sometimes' } }),
      act('create', 'repository/rpm/bad', {
        body: { name: 'bad', remote: { $ref: 'remote/rpm/bad' } },
        dependsOn: ['create remote/rpm/bad'],
      }),
      act('create', 'remote/rpm/good', { body: { name: 'good', url: 'https://x/' } }),
    ]);
    expect(result.failed).toEqual([
      expect.objectContaining({
        actionId: 'create remote/rpm/bad',
        error: expect.objectContaining({ status: 400, message: expect.stringContaining('"sometimes" is not a valid choice.') }),
      }),
    ]);
    expect(result.skipped).toEqual([
      expect.objectContaining({ actionId: 'create repository/rpm/bad', reason: 'depends on create remote/rpm/bad, which failed' }),
    ]);
    expect(result.succeeded.map((s) => s.actionId)).toEqual(['create remote/rpm/good']);
  });

  test('a failed sync task is reported with Pulp’s description', async () => {
    const actions = fileMirror('20240101T000000');
    (actions[0]!.body as { url: string }).url = `${upstream.url}/no/such/PULP_MANIFEST`;
    const { result } = await apply(actions);
    expect(result.failed[0]).toMatchObject({
      actionId: 'sync repository/file/files',
      error: { code: 'task.failed', taskHref: expect.stringContaining('/tasks/') },
    });
    expect(result.skipped.map((s) => s.actionId)).toEqual(['create publication/file/files', 'create distribution/file/files']);
  });

  test('an object changed since the plan is refused and nothing is written', async () => {
    await apply([act('create', 'remote/rpm/baseos', { body: { name: 'baseos', url: 'https://x/' } })]);
    const planned = find(await readLiveState(client), 'remote/rpm/baseos')[0]!;
    const changed = await client.patch(planned.href, { policy: 'streamed' });
    if (changed.kind === 'task') await client.waitForTask(changed.taskHref);
    const fresh = await readLiveState(client);
    emulator.resetRequests();
    const { result } = await apply([act('update', 'remote/rpm/baseos', { body: { url: 'https://y/' }, guard: guardOf(planned) })], {
      liveForStaleness: fresh,
    });
    expect(result.failed[0]!.error.code).toBe('apply.stale');
    expect(emulator.requests().filter((r) => r.method !== 'GET')).toEqual([]);
  });

  test('with injected 5xx and connection resets, at most one re-run converges with nothing duplicated', async () => {
    client.close();
    await emulator.close();
    await startWith({ faults: { seed: 7, errorRate: 0.15, resetRate: 0.1 } });
    const mirror = fileMirror('20240101T000000');
    const extra = Array.from({ length: 8 }, (_, i) =>
      act('create', `distribution/rpm/d${i}`, { body: { name: `d${i}`, base_path: `d${i}`, pulp_labels: LABELS } }),
    );
    const all = [...mirror, ...extra];
    let { result } = await apply(all);
    let rerunSync = false;
    if (!result.ok) {
      // The re-run a user would do; a fresh plan would hold exactly what is not on the server yet.
      const live = await readLiveState(client);
      const done = (a: PlanAction): boolean =>
        a.type === 'sync' ? find(live, a.address)[0]?.labels['pulpform_synced'] === '20240101T000000' : find(live, a.address).length > 0;
      const todo = all.filter((a) => !done(a));
      const ids = new Set(todo.map((a) => a.id));
      rerunSync = ids.has('sync repository/file/files');
      ({ result } = await apply(todo.map((a) => ({ ...a, dependsOn: a.dependsOn.filter((d) => ids.has(d)) }))));
    }
    expect(result.failed).toEqual([]);
    const live = await readLiveState(client);
    const counts = new Map<string, number>();
    for (const object of live.objects) counts.set(object.address, (counts.get(object.address) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(counts.size).toBe(4 + extra.length);
    expect(find(live, 'repository/file/files')[0]!.labels['pulpform_synced']).toBe('20240101T000000');
    // Faults strike before Pulp handles a request, so a lost sync POST started nothing: one sync per run at most.
    const syncTasks = (await client.list('tasks/', { name__contains: 'synchroniz' })).filter((t) => t['state'] === 'completed');
    expect(syncTasks.length).toBeGreaterThanOrEqual(1);
    expect(syncTasks.length).toBeLessThanOrEqual(rerunSync ? 2 : 1);
  });
});
