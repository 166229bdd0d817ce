import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import type { ApplyEvent } from '../../src/apply/events.js';
import { type ApplyOptions, applyPlan, InvalidPlanError } from '../../src/apply/executor.js';
import { PulpClient } from '../../src/live/client.js';
import { readLiveState } from '../../src/live/read.js';
import type { Plan, PlanAction } from '../../src/model/plan.js';
import { Secret } from '../../src/model/secret.js';
import { action as act } from '../builders.js';
import { FakePulp, sendJson } from '../live/fake-pulp.js';

const ARK_PASSWORD = 's3cret-ark-password';
const SECRETS: Record<string, string> = { 'env:ARK_PASSWORD': ARK_PASSWORD };

let pulp: FakePulp;
let client: PulpClient;

beforeEach(async () => {
  pulp = await FakePulp.start();
  client = new PulpClient({ baseUrl: pulp.url, username: 'admin', password: new Secret('password', 'test'), retryDelayMs: 1 });
});

afterEach(async () => {
  client.close();
  await pulp.close();
});

function planOf(...waves: PlanAction[][]): Plan {
  return {
    formatVersion: '1.0',
    createdAt: '2026-01-01T00:00:00.000Z',
    stack: 'test',
    source: { files: [], sha256: '' },
    server: { url: pulp.url, versions: {} },
    waves,
    diagnostics: [],
    summary: { add: 0, change: 0, destroy: 0, replace: 0, adopt: 0, sync: 0 },
    options: { prune: false },
  };
}

async function apply(
  plan: Plan,
  extra: Partial<ApplyOptions> = {},
): Promise<{ result: Awaited<ReturnType<typeof applyPlan>>; events: ApplyEvent[] }> {
  const events: ApplyEvent[] = [];
  const result = await applyPlan(plan, {
    client,
    secrets: (source) => (source in SECRETS ? new Secret(SECRETS[source]!, source) : null),
    ...extra,
    onEvent: (event) => {
      events.push(event);
      extra.onEvent?.(event);
    },
  });
  return { result, events };
}

function rpmMirror(): PlanAction[][] {
  const remote = act('create', 'remote/rpm/baseos', {
    body: { name: 'baseos', url: 'https://ark.example.com/baseos/', policy: 'on_demand', pulp_labels: { pulpform_stack: 'test' } },
    secrets: [{ field: 'password', source: 'env:ARK_PASSWORD' }],
  });
  const repository = act('create', 'repository/rpm/baseos', {
    body: { name: 'baseos', remote: { $ref: 'remote/rpm/baseos' }, pulp_labels: { pulpform_stack: 'test' } },
    dependsOn: [remote.id],
  });
  const sync = act('sync', 'repository/rpm/baseos', {
    body: { remote: { $ref: 'remote/rpm/baseos' }, sync_policy: 'mirror_complete' },
    labelsAfter: { pulpform_synced: '20240101T000000' },
    dependsOn: [remote.id, repository.id],
  });
  const publication = act('create', 'publication/rpm/baseos', {
    body: { repository_version: { $ref: 'repository/rpm/baseos', output: 'version' } },
    dependsOn: [sync.id],
  });
  const distribution = act('create', 'distribution/rpm/baseos', {
    body: {
      name: 'baseos',
      base_path: 'rocky/9/baseos',
      publication: { $ref: 'publication/rpm/baseos' },
      pulp_labels: { pulpform_stack: 'test' },
    },
    dependsOn: [publication.id],
  });
  return [[remote], [repository], [sync], [publication], [distribution]];
}

describe('applyPlan', () => {
  test('creates, syncs, publishes and distributes, feeding created hrefs to later actions', async () => {
    const { result, events } = await apply(planOf(...rpmMirror()));
    expect(result.ok).toBe(true);
    expect(result.succeeded.map((s) => s.actionId)).toEqual([
      'create remote/rpm/baseos',
      'create repository/rpm/baseos',
      'sync repository/rpm/baseos',
      'create publication/rpm/baseos',
      'create distribution/rpm/baseos',
    ]);
    const remote = pulp.byName('remotes/rpm/rpm', 'baseos')!;
    const repository = pulp.byName('repositories/rpm/rpm', 'baseos')!;
    const [publication] = pulp.ofEndpoint('publications/rpm/rpm');
    const distribution = pulp.byName('distributions/rpm/rpm', 'baseos')!;
    expect(repository['remote']).toBe(remote['pulp_href']);
    expect(publication!['repository_version']).toBe(`${String(repository['pulp_href'])}versions/1/`);
    expect(distribution['publication']).toBe(publication!['pulp_href']);
    expect(repository['pulp_labels']).toEqual({
      pulpform_stack: 'test',
      pulpform_synced: '20240101T000000',
      pulpform_snapshot_20240101T000000: '1',
      pulpform_synced_version: '1',
    });
    expect(pulp.secrets.get(String(remote['pulp_href']))).toEqual({ password: ARK_PASSWORD });
    expect(JSON.stringify({ result, events })).not.toContain(ARK_PASSWORD);
    const codes = events.map((e) => e.code);
    expect(codes.filter((c) => c === 'action.start')).toHaveLength(5);
    expect(codes.at(-1)).toBe('apply.summary');
  });

  test('starts an action as soon as its own dependencies succeed, not wave by wave', async () => {
    const slow = act('create', 'remote/file/slow', { body: { name: 'slow', url: 'https://x/' } });
    const fast = act('create', 'remote/file/fast', { body: { name: 'fast', url: 'https://x/' } });
    const after = act('create', 'repository/file/after', {
      body: { name: 'after', remote: { $ref: 'remote/file/fast' } },
      dependsOn: [fast.id],
    });
    const order: string[] = [];
    let release: (() => void) | undefined;
    const afterStarted = new Promise<void>((resolve) => (release = resolve));
    pulp.intercept = (req, res) => {
      if (req.method !== 'POST' || (req.body as { name?: string }).name !== 'slow') return false;
      // Hold the slow create until the dependent of the fast one has started.
      void afterStarted.then(() => {
        pulp.intercept = () => false;
        sendJson(res, 201, pulp.seed('remotes/file/file', { name: 'slow', url: 'https://x/' }));
      });
      return true;
    };
    const { result } = await apply(planOf([slow, fast], [after]), {
      onEvent: (event) => {
        if (event.code === 'action.start' || event.code === 'action.done') order.push(`${event.code} ${event.actionId}`);
        if (event.code === 'action.start' && event.actionId === after.id) release!();
      },
    });
    expect(result.ok).toBe(true);
    expect(order.indexOf(`action.start ${after.id}`)).toBeLessThan(order.indexOf(`action.done ${slow.id}`));
  });

  test('never has more actions in flight than the concurrency', async () => {
    pulp.taskPolls = () => 2;
    const actions = Array.from({ length: 7 }, (_, i) =>
      act('create', `distribution/file/d${i}`, { body: { name: `d${i}`, base_path: `d${i}` } }),
    );
    let inFlight = 0;
    let most = 0;
    const { result } = await apply(planOf(actions), {
      concurrency: 3,
      onEvent: (event) => {
        if (event.code === 'action.start') most = Math.max(most, ++inFlight);
        if (event.code === 'action.done') inFlight -= 1;
      },
    });
    expect(result.succeeded).toHaveLength(7);
    expect(most).toBe(3);
  });

  test('a failed action skips its dependents, names them, and lets independent actions go on', async () => {
    pulp.intercept = (req, res) => {
      if (req.method !== 'POST' || !req.path.includes('/remotes/rpm/')) return false;
      sendJson(res, 400, { url: ['This field is required.'] });
      return true;
    };
    const plan = rpmMirror();
    const other = act('create', 'remote/file/other', { body: { name: 'other', url: 'https://x/' } });
    plan[0]!.push(other);
    const { result, events } = await apply(planOf(...plan));
    expect(result.ok).toBe(false);
    expect(result.failed).toEqual([
      expect.objectContaining({
        actionId: 'create remote/rpm/baseos',
        error: expect.objectContaining({
          code: 'pulp.http',
          status: 400,
          message: expect.stringContaining('url: This field is required.'),
        }),
      }),
    ]);
    expect(result.succeeded.map((s) => s.actionId)).toEqual(['create remote/file/other']);
    expect(result.skipped.map((s) => [s.actionId, s.reason])).toEqual([
      ['create repository/rpm/baseos', 'depends on create remote/rpm/baseos, which failed'],
      ['sync repository/rpm/baseos', 'depends on create remote/rpm/baseos, which failed'],
      ['create publication/rpm/baseos', 'depends on sync repository/rpm/baseos, which was skipped'],
      ['create distribution/rpm/baseos', 'depends on create publication/rpm/baseos, which was skipped'],
    ]);
    const summary = events.at(-1)!;
    expect(summary).toMatchObject({ code: 'apply.summary', counts: { succeeded: 1, failed: 1, skipped: 4, interrupted: 0 } });
  });

  test('a failed task is reported with its description', async () => {
    pulp.failTask = (name) => (name.includes('synchroniz') ? "404, message='File not found'" : undefined);
    const { result } = await apply(planOf(...rpmMirror()));
    expect(result.failed[0]).toMatchObject({
      actionId: 'sync repository/rpm/baseos',
      error: { code: 'task.failed', message: expect.stringContaining("404, message='File not found'") },
    });
    expect(result.skipped.map((s) => s.actionId)).toEqual(['create publication/rpm/baseos', 'create distribution/rpm/baseos']);
  });

  test('refuses actions on objects that changed since the plan, and skips their dependents', async () => {
    const remote = pulp.seed('remotes/rpm/rpm', {
      name: 'baseos',
      url: 'https://old/',
      policy: 'immediate',
      pulp_labels: { pulpform_stack: 'test' },
    });
    const planned = (await readLiveState(client)).objects[0]!;
    remote['policy'] = 'streamed';
    remote['pulp_last_updated'] = '2026-02-01T00:00:00.000Z';
    const fresh = await readLiveState(client);
    const update = act('update', 'remote/rpm/baseos', {
      body: { url: 'https://new/' },
      guard: { href: planned.href, fingerprint: planned.fingerprint, lastUpdated: planned.lastUpdated! },
    });
    const dependent = act('update', 'repository/rpm/other', { body: { description: 'x' }, dependsOn: [update.id] });
    const { result } = await apply(planOf([update], [dependent]), { liveForStaleness: fresh });
    expect(result.failed[0]).toMatchObject({
      actionId: update.id,
      error: {
        code: 'apply.stale',
        message: 'remote/rpm/baseos changed on the server since the plan was made; refusing to update it',
        hint: 'run plan again and review what changed',
      },
    });
    expect(result.skipped[0]).toMatchObject({ actionId: dependent.id, cause: 'dependency' });
    expect(pulp.writes()).toHaveLength(0);
  });

  test('applies actions whose guard still matches a fresh read', async () => {
    pulp.seed('remotes/rpm/rpm', { name: 'baseos', url: 'https://old/', policy: 'immediate' });
    const live = await readLiveState(client);
    const planned = live.objects[0]!;
    const update = act('update', 'remote/rpm/baseos', {
      body: { url: 'https://new/' },
      guard: { href: planned.href, fingerprint: planned.fingerprint },
    });
    const { result } = await apply(planOf([update]), { liveForStaleness: await readLiveState(client) });
    expect(result.ok).toBe(true);
    expect(pulp.byName('remotes/rpm/rpm', 'baseos')!['url']).toBe('https://new/');
  });
});

describe('applyPlan secrets', () => {
  test('sends secrets from their sources, clears unset ones, and keeps values out of results and events', async () => {
    const remote = pulp.seed('remotes/rpm/rpm', { name: 'baseos', url: 'https://x/', username: 'old', password: 'old' });
    const update = act('update', 'remote/rpm/baseos', {
      body: { url: 'https://y/' },
      secrets: [
        { field: 'password', source: 'env:ARK_PASSWORD' },
        { field: 'username', source: 'unset' },
      ],
      guard: { href: String(remote['pulp_href']), fingerprint: 'x' },
    });
    const { result, events } = await apply(planOf([update]));
    expect(result.ok).toBe(true);
    expect(pulp.secrets.get(String(remote['pulp_href']))).toEqual({ username: null, password: ARK_PASSWORD });
    expect(JSON.stringify({ result, events })).not.toContain(ARK_PASSWORD);
  });

  test('a secret whose source is unavailable fails the action with the source named, before any request', async () => {
    const create = act('create', 'remote/rpm/baseos', {
      body: { name: 'baseos', url: 'https://x/' },
      secrets: [{ field: 'password', source: 'env:MISSING' }],
    });
    const { result } = await apply(planOf([create]), { live: { server: { url: pulp.url, versions: {} }, objects: [] } });
    expect(result.failed[0]!.error).toMatchObject({
      code: 'apply.secret_missing',
      message: 'the value of password for remote/rpm/baseos is not available from env:MISSING',
    });
    expect(pulp.requests).toHaveLength(0);
  });

  test('a server error that echoes a secret is scrubbed before it is reported', async () => {
    pulp.intercept = (req, res) => {
      if (req.method !== 'POST') return false;
      sendJson(res, 400, { password: [`'${ARK_PASSWORD}' is too weak`] });
      return true;
    };
    const create = act('create', 'remote/rpm/baseos', {
      body: { name: 'baseos', url: 'https://x/' },
      secrets: [{ field: 'password', source: 'env:ARK_PASSWORD' }],
    });
    const { result, events } = await apply(planOf([create]));
    expect(result.failed[0]!.error.message).toContain("'(sensitive)' is too weak");
    expect(JSON.stringify({ result, events })).not.toContain(ARK_PASSWORD);
  });
});

describe('applyPlan when answers are lost', () => {
  test('a create whose answer was lost is found by name instead of being sent again', async () => {
    pulp.loseAnswer = (req) => req.method === 'POST';
    const create = act('create', 'remote/rpm/baseos', { body: { name: 'baseos', url: 'https://x/' } });
    const { result } = await apply(planOf([create]));
    expect(result.succeeded[0]).toMatchObject({
      note: 'found on the server after an uncertain create',
      href: pulp.byName('remotes/rpm/rpm', 'baseos')!['pulp_href'],
    });
    expect(pulp.ofEndpoint('remotes/rpm/rpm')).toHaveLength(1);
    expect(pulp.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  test('a distribution create whose answer was lost waits for the queued task and finds the distribution', async () => {
    pulp.taskPolls = () => 2;
    pulp.loseAnswer = (req) => req.method === 'POST';
    const create = act('create', 'distribution/rpm/baseos', { body: { name: 'baseos', base_path: 'baseos' } });
    const { result } = await apply(planOf([create]));
    expect(result.ok).toBe(true);
    expect(pulp.ofEndpoint('distributions/rpm/rpm')).toHaveLength(1);
    expect(pulp.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  test('a create sent again after a lost answer and refused as a duplicate is found by name', async () => {
    let posts = 0;
    pulp.loseAnswer = (req) => req.method === 'POST' && ++posts === 1;
    pulp.intercept = (req) => {
      // The lost create is not visible yet when the executor first looks for it.
      if (req.method === 'GET' && req.query.get('name') === 'baseos' && posts === 1) {
        posts += 1;
        const [object] = pulp.ofEndpoint('remotes/rpm/rpm');
        object!['name'] = 'hidden';
        setImmediate(() => (object!['name'] = 'baseos'));
      }
      return false;
    };
    const create = act('create', 'remote/rpm/baseos', { body: { name: 'baseos', url: 'https://x/' } });
    const { result } = await apply(planOf([create]));
    expect(result.ok).toBe(true);
    expect(pulp.ofEndpoint('remotes/rpm/rpm')).toHaveLength(1);
  });

  test('a sync whose answer was lost is waited for, never started twice', async () => {
    pulp.taskPolls = (name) => (name.includes('synchroniz') ? 3 : 0);
    pulp.loseAnswer = (req) => req.path.endsWith('/sync/');
    const remote = pulp.seed('remotes/rpm/rpm', { name: 'baseos', url: 'https://x/' });
    const repo = pulp.seed('repositories/rpm/rpm', { name: 'baseos', remote: remote['pulp_href'] });
    const sync = act('sync', 'repository/rpm/baseos', { body: {}, guard: { href: String(repo['pulp_href']), fingerprint: 'x' } });
    const { result } = await apply(planOf([sync]));
    expect(result.ok).toBe(true);
    expect([...pulp.tasks.values()].filter((t) => t.name.includes('synchroniz'))).toHaveLength(1);
    expect(repo['latest_version_href']).toBe(`${String(repo['pulp_href'])}versions/1/`);
  });

  test('a publication create whose answer was lost is found through its publish task', async () => {
    pulp.taskPolls = () => 2;
    pulp.loseAnswer = (req) => req.method === 'POST';
    const repo = pulp.seed('repositories/rpm/rpm', { name: 'baseos' });
    const publish = act('create', 'publication/rpm/baseos', {
      body: { repository_version: { $ref: 'repository/rpm/baseos', output: 'version' } },
    });
    const { result } = await apply(planOf([publish]));
    expect(result.ok).toBe(true);
    const publications = pulp.ofEndpoint('publications/rpm/rpm');
    expect(publications).toHaveLength(1);
    expect(publications[0]!['repository_version']).toBe(repo['latest_version_href']);
  });
});

describe('applyPlan actions', () => {
  test('deletes with tasks (202) and without (204), and counts an already deleted object as done', async () => {
    const remote = pulp.seed('remotes/rpm/rpm', { name: 'gone-soon', url: 'https://x/' });
    const repo = pulp.seed('repositories/rpm/rpm', { name: 'r' });
    const publication = pulp.seed('publications/rpm/rpm', {
      repository: repo['pulp_href'],
      repository_version: repo['latest_version_href'],
    });
    const plan = planOf([
      act('delete', 'remote/rpm/gone-soon', { guard: { href: String(remote['pulp_href']), fingerprint: 'x' } }),
      act('delete', 'publication/rpm/r', { guard: { href: String(publication['pulp_href']), fingerprint: 'x' } }),
      act('delete', 'distribution/rpm/never', { guard: { href: '/pulp/api/v3/distributions/rpm/rpm/0/', fingerprint: 'x' } }),
    ]);
    const { result } = await apply(plan);
    expect(result.ok).toBe(true);
    expect(pulp.objects.has(String(remote['pulp_href']))).toBe(false);
    expect(pulp.objects.has(String(publication['pulp_href']))).toBe(false);
    expect(result.succeeded[2]).toMatchObject({ note: 'was already deleted' });
  });

  test('a delete task that fails because an earlier attempt already deleted the object counts as done', async () => {
    const remote = pulp.seed('remotes/rpm/rpm', { name: 'r', url: 'https://x/' });
    pulp.failTask = (name) => {
      if (name.includes('general_delete')) pulp.objects.delete(String(remote['pulp_href']));
      return name.includes('general_delete') ? 'DoesNotExist: Remote matching query does not exist.' : undefined;
    };
    const { result } = await apply(
      planOf([act('delete', 'remote/rpm/r', { guard: { href: String(remote['pulp_href']), fingerprint: 'x' } })]),
    );
    expect(result.ok).toBe(true);
  });

  test('replacing a container push repository is refused with the way out, without a request', async () => {
    const push = pulp.seed('repositories/container/container-push', { name: 'kolla/nova' });
    const replace = act('replace', 'repository/container/kolla/nova', {
      body: { name: 'kolla/nova' },
      guard: { href: String(push['pulp_href']), fingerprint: 'x' },
    });
    const { result } = await apply(planOf([replace]));
    expect(result.failed[0]!.error).toMatchObject({
      code: 'apply.push_repository',
      hint: expect.stringContaining('delete the container distribution'),
    });
    expect(pulp.writes()).toHaveLength(0);
  });

  test('replace deletes the old object first, then creates the new one under the same name', async () => {
    const old = pulp.seed('repositories/file/file', { name: 'mirror' });
    const replace = act('replace', 'repository/rpm/mirror', {
      body: { name: 'mirror' },
      guard: { href: String(old['pulp_href']), fingerprint: 'x' },
    });
    const describe = act('update', 'repository/rpm/mirror', { body: { description: 'now rpm' }, dependsOn: [replace.id] });
    const { result } = await apply(planOf([replace], [describe]));
    expect(result.ok).toBe(true);
    expect(pulp.objects.has(String(old['pulp_href']))).toBe(false);
    const created = pulp.byName('repositories/rpm/rpm', 'mirror')!;
    expect(created['description']).toBe('now rpm');
    expect(result.succeeded[0]!.href).toBe(created['pulp_href']);
  });

  test('a sync that makes no new version records the latest one and keeps existing labels', async () => {
    pulp.syncsChangeNothing = true;
    const remote = pulp.seed('remotes/rpm/rpm', { name: 'r', url: 'https://x/' });
    const repo = pulp.seed('repositories/rpm/rpm', {
      name: 'r',
      remote: remote['pulp_href'],
      pulp_labels: { pulpform_stack: 'test', team: 'infra' },
    });
    const sync = act('sync', 'repository/rpm/r', {
      body: {},
      labelsAfter: { pulpform_synced: 'https://x/' },
      guard: { href: String(repo['pulp_href']), fingerprint: 'x' },
    });
    const publish = act('create', 'publication/rpm/r', {
      body: { repository_version: { $ref: 'repository/rpm/r', output: 'version' } },
      dependsOn: [sync.id],
    });
    const { result } = await apply(planOf([sync], [publish]));
    expect(result.ok).toBe(true);
    expect(result.succeeded[0]!.note).toBe(`no new version; latest is ${String(repo['pulp_href'])}versions/0/`);
    // A URL marker cannot be a label key, so no snapshot record is written for it.
    expect(repo['pulp_labels']).toEqual({
      pulpform_stack: 'test',
      team: 'infra',
      pulpform_synced: 'https://x/',
      pulpform_synced_version: '0',
    });
    expect(pulp.ofEndpoint('publications/rpm/rpm')[0]!['repository_version']).toBe(`${String(repo['pulp_href'])}versions/0/`);
  });

  test('serves the version recorded for a snapshot when no sync in this run made it', async () => {
    const repo = pulp.seed('repositories/rpm/rpm', {
      name: 'r',
      pulp_labels: { pulpform_snapshot_20240101T000000: '3', pulpform_snapshot_20240301T000000: '5' },
    });
    const publish = act('create', 'publication/rpm/r@20240101T000000', {
      body: { repository_version: { $ref: 'repository/rpm/r', output: 'version', snapshot: '20240101T000000' } },
    });
    const { result } = await apply(planOf([publish]));
    expect(result.ok).toBe(true);
    expect(pulp.ofEndpoint('publications/rpm/rpm')[0]!['repository_version']).toBe(`${String(repo['pulp_href'])}versions/3/`);
  });

  test('a reference to a snapshot the repository never synced fails the action clearly', async () => {
    pulp.seed('repositories/rpm/rpm', { name: 'r' });
    const publish = act('create', 'publication/rpm/r', {
      body: { repository_version: { $ref: 'repository/rpm/r', output: 'version', snapshot: '20990101T000000' } },
    });
    const { result } = await apply(planOf([publish]));
    expect(result.failed[0]!.error).toMatchObject({
      code: 'apply.unresolved_ref',
      message: 'repository/rpm/r has no version synced from snapshot 20990101T000000',
    });
  });

  test('points a distribution at the live publication of the version a snapshot recorded', async () => {
    const repo = pulp.seed('repositories/rpm/rpm', { name: 'r', pulp_labels: { pulpform_snapshot_20240101T000000: '3' } });
    const href = String(repo['pulp_href']);
    pulp.seed('publications/rpm/rpm', { repository: href, repository_version: `${href}versions/2/` });
    const wanted = pulp.seed('publications/rpm/rpm', { repository: href, repository_version: `${href}versions/3/` });
    const distribute = act('create', 'distribution/rpm/r-prod', {
      body: { name: 'r-prod', base_path: 'r/prod', publication: { $ref: 'publication/rpm/r@20240101T000000' } },
    });
    const { result } = await apply(planOf([distribute]));
    expect(result.ok).toBe(true);
    expect(pulp.byName('distributions/rpm/rpm', 'r-prod')!['publication']).toBe(wanted['pulp_href']);
  });

  test('reports no progress for short tasks, whose action.done says enough', async () => {
    const { events } = await apply(planOf([act('create', 'distribution/rpm/d', { body: { name: 'd', base_path: 'd' } })]));
    expect(events.map((e) => e.code)).toEqual(['action.start', 'action.done', 'apply.summary']);
  });

  test('reports task progress while a long task runs', async () => {
    pulp.taskPolls = () => 4;
    const create = act('create', 'distribution/rpm/d', { body: { name: 'd', base_path: 'd' } });
    const { events } = await apply(planOf([create]), { progressIntervalMs: 0 });
    const progress = events.filter((e) => e.code === 'action.progress');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[0]).toMatchObject({
      actionId: create.id,
      step: 'create',
      taskState: 'running',
      reports: [{ message: 'Working', done: 1, total: 2 }],
    });
  });
});

describe('applyPlan interruption and bad plans', () => {
  test('an abort abandons task waits, starts nothing new, and resolves with what happened', async () => {
    pulp.taskPolls = (name) => (name.includes('synchroniz') ? 1_000_000 : 0);
    const controller = new AbortController();
    const remote = pulp.seed('remotes/rpm/rpm', { name: 'r', url: 'https://x/' });
    const repo = pulp.seed('repositories/rpm/rpm', { name: 'r', remote: remote['pulp_href'] });
    const sync = act('sync', 'repository/rpm/r', { body: {}, guard: { href: String(repo['pulp_href']), fingerprint: 'x' } });
    const publish = act('create', 'publication/rpm/r', {
      body: { repository_version: { $ref: 'repository/rpm/r', output: 'version' } },
      dependsOn: [sync.id],
    });
    const later = act('create', 'remote/file/later', { body: { name: 'later', url: 'https://x/' }, dependsOn: [sync.id] });
    const { result, events } = await apply(planOf([sync], [publish, later]), {
      signal: controller.signal,
      progressIntervalMs: 0,
      onEvent: (event) => {
        if (event.code === 'action.progress') controller.abort();
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.interrupted).toEqual([expect.objectContaining({ actionId: sync.id, taskHref: expect.stringContaining('/tasks/') })]);
    expect(result.skipped.map((s) => s.actionId).sort()).toEqual([later.id, publish.id].sort());
    expect(events.at(-1)).toMatchObject({
      code: 'apply.summary',
      aborted: true,
      counts: { succeeded: 0, failed: 0, skipped: 2, interrupted: 1 },
    });
    expect(pulp.ofEndpoint('remotes/file/file')).toHaveLength(0);
  });

  test('an already aborted signal skips everything', async () => {
    const controller = new AbortController();
    controller.abort();
    const { result } = await apply(planOf([act('create', 'remote/file/a', { body: { name: 'a', url: 'https://x/' } })]), {
      signal: controller.signal,
    });
    expect(result.skipped).toEqual([expect.objectContaining({ cause: 'interrupted' })]);
    expect(pulp.writes()).toHaveLength(0);
  });

  test('refuses a plan whose dependencies are unknown or circular', async () => {
    const a = act('create', 'remote/file/a', { dependsOn: ['create remote/file/b'] });
    const b = act('create', 'remote/file/b', { dependsOn: ['create remote/file/a'] });
    await expect(apply(planOf([a, b]))).rejects.toThrow(InvalidPlanError);
    await expect(apply(planOf([a, b]))).rejects.toThrow('the dependencies of create remote/file/a, create remote/file/b form a cycle');
    await expect(apply(planOf([act('create', 'remote/file/c', { dependsOn: ['nope'] })]))).rejects.toThrow(
      "'create remote/file/c' depends on 'nope', which is not in the plan",
    );
  });

  test('an empty plan makes no request', async () => {
    const { result } = await apply(planOf());
    expect(result).toMatchObject({ ok: true, succeeded: [], failed: [] });
    expect(pulp.requests).toHaveLength(0);
  });
});
