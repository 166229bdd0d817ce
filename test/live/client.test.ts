import { afterEach, describe, expect, test } from '@jest/globals';
import { inspect } from 'node:util';
import { PulpClient, type TaskProgress } from '../../src/live/client.js';
import { PulpApiError, TaskFailedError, TaskTimeoutError, TaskWaitAbandonedError } from '../../src/live/errors.js';
import { Secret } from '../../src/model/secret.js';
import { type Handler, resetConnection, sendJson, startServer, type TestServer } from './http-fixture.js';

const PASSWORD = 'correct-horse-battery-staple';
let server: TestServer | undefined;
let client: PulpClient | undefined;

afterEach(async () => {
  client?.close();
  await server?.close();
  server = undefined;
  client = undefined;
});

async function serve(handler: Handler, options: { retries?: number } = {}): Promise<{ server: TestServer; client: PulpClient }> {
  server = await startServer(handler);
  client = new PulpClient({
    baseUrl: server.url,
    username: 'admin',
    password: new Secret(PASSWORD, 'test'),
    retryDelayMs: 5,
    retries: options.retries ?? 3,
  });
  return { server, client };
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('PulpClient requests', () => {
  test('sends Basic credentials and JSON accept headers to paths under the API root', async () => {
    const { server, client } = await serve((_req, res) => sendJson(res, 200, { versions: [] }));
    await client.status();
    const request = server.requests[0]!;
    expect(request.path).toBe('/pulp/api/v3/status/');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`);
    expect(request.headers.accept).toBe('application/json');
  });

  test('accepts the API root URL as the base URL', async () => {
    server = await startServer((_req, res) => sendJson(res, 200, {}));
    client = new PulpClient({ baseUrl: `${server.url}/pulp/api/v3/` });
    await client.get('remotes/rpm/rpm/');
    expect(server.requests[0]!.path).toBe('/pulp/api/v3/remotes/rpm/rpm/');
    expect(client.baseUrl).toBe(server.url);
  });

  test('puts a path prefix of the base URL in front of the API root and of hrefs', async () => {
    server = await startServer((_req, res) => sendJson(res, 200, {}));
    client = new PulpClient({ baseUrl: `${server.url}/proxy/` });
    await client.get('remotes/rpm/rpm/');
    await client.get('/pulp/api/v3/remotes/rpm/rpm/1/');
    await client.get('/proxy/pulp/api/v3/remotes/rpm/rpm/2/');
    expect(server.requests.map((r) => r.path)).toEqual([
      '/proxy/pulp/api/v3/remotes/rpm/rpm/',
      '/proxy/pulp/api/v3/remotes/rpm/rpm/1/',
      '/proxy/pulp/api/v3/remotes/rpm/rpm/2/',
    ]);
    expect(client.baseUrl).toBe(`${server.url}/proxy`);
  });

  test('refuses a base URL with embedded credentials without repeating them', () => {
    expect(() => new PulpClient({ baseUrl: `http://admin:${PASSWORD}@127.0.0.1:1` })).toThrow(/contains credentials/);
    try {
      new PulpClient({ baseUrl: `http://admin:${PASSWORD}@127.0.0.1:1` });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(PASSWORD);
    }
  });

  test('list follows next links (re-rooted on our origin) with a large page size and returns every result', async () => {
    const all = Array.from({ length: 5 }, (_, i) => ({ name: `r${i}` }));
    const { server, client } = await serve((req, res) => {
      const offset = Number(req.query.get('offset'));
      const page = all.slice(offset, offset + 2);
      const next = offset + 2 < all.length ? `http://pulp.invalid/pulp/api/v3/remotes/rpm/rpm/?limit=2&offset=${offset + 2}` : null;
      sendJson(res, 200, { count: all.length, next, previous: null, results: page });
    });
    const results = await client.list('remotes/rpm/rpm/', { name__startswith: 'r' });
    expect(results.map((r) => r['name'])).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(server.requests).toHaveLength(3);
    expect(server.requests[0]!.query.get('limit')).toBe('1000');
    expect(server.requests[0]!.query.get('name__startswith')).toBe('r');
    expect(client.requestCounts()).toEqual({ GET: 3 });
  });

  test('list drops an object that a shifted offset shows twice', async () => {
    const { client } = await serve((req, res) => {
      const offset = Number(req.query.get('offset'));
      if (offset === 0)
        sendJson(res, 200, {
          next: 'http://x/pulp/api/v3/remotes/rpm/rpm/?limit=2&offset=2',
          results: [{ pulp_href: '/a/' }, { pulp_href: '/b/' }],
        });
      else sendJson(res, 200, { next: null, results: [{ pulp_href: '/b/' }, { pulp_href: '/c/' }] });
    });
    expect((await client.list('remotes/rpm/rpm/')).map((r) => r['pulp_href'])).toEqual(['/a/', '/b/', '/c/']);
  });

  test('treats 201 + object, 200 + object and 202 + task alike as write results', async () => {
    const { client } = await serve((req, res) => {
      if (req.method === 'POST') sendJson(res, 201, { pulp_href: '/pulp/api/v3/remotes/rpm/rpm/1/', name: 'a' });
      else if (req.path.endsWith('/1/')) sendJson(res, 200, { pulp_href: '/pulp/api/v3/remotes/rpm/rpm/1/', name: 'a' });
      else sendJson(res, 202, { task: '/pulp/api/v3/tasks/9/' });
    });
    expect(await client.create('remotes/rpm/rpm/', { name: 'a' })).toEqual({
      kind: 'object',
      object: { pulp_href: '/pulp/api/v3/remotes/rpm/rpm/1/', name: 'a' },
    });
    expect((await client.patch('/pulp/api/v3/remotes/rpm/rpm/1/', { policy: 'on_demand' })).kind).toBe('object');
    expect(await client.patch('/pulp/api/v3/remotes/rpm/rpm/2/', { policy: 'on_demand' })).toEqual({
      kind: 'task',
      taskHref: '/pulp/api/v3/tasks/9/',
    });
  });
});

describe('PulpClient retries', () => {
  test('retries a GET answered 503 and succeeds', async () => {
    let calls = 0;
    const { client } = await serve((_req, res) => {
      calls += 1;
      if (calls < 3) sendJson(res, 503, { detail: 'busy' });
      else sendJson(res, 200, { ok: true });
    });
    expect(await client.get('status/')).toEqual({ ok: true });
    expect(client.requestCounts()).toEqual({ GET: 3 });
  });

  test('honours Retry-After on 429', async () => {
    const times: number[] = [];
    const { client } = await serve((_req, res) => {
      times.push(Date.now());
      if (times.length === 1) sendJson(res, 429, { detail: 'slow down' }, { 'retry-after': '0.3' });
      else sendJson(res, 200, { ok: true });
    });
    await client.get('status/');
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(290);
  });

  test('retries a GET whose connection was reset', async () => {
    let calls = 0;
    const { client } = await serve((_req, res) => {
      calls += 1;
      if (calls === 1) resetConnection(res);
      else sendJson(res, 200, { ok: true });
    });
    expect(await client.get('status/')).toEqual({ ok: true });
    expect(calls).toBe(2);
  });

  test('never retries a POST answered 503, and says the outcome is unknown', async () => {
    const { server, client } = await serve((_req, res) => sendJson(res, 503, { detail: 'busy' }));
    const error = await errorOf(client.create('remotes/rpm/rpm/', { name: 'a' }));
    expect(error).toBeInstanceOf(PulpApiError);
    expect((error as PulpApiError).status).toBe(503);
    expect((error as PulpApiError).outcomeUnknown).toBe(true);
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  test('never retries a POST whose connection was reset', async () => {
    const { server, client } = await serve((_req, res) => resetConnection(res));
    const error = (await errorOf(client.post('/pulp/api/v3/repositories/rpm/rpm/1/sync/', {}))) as PulpApiError;
    expect(error.kind).toBe('connection_reset');
    expect(error.outcomeUnknown).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  test('retries a POST answered 429, which the server did not start', async () => {
    let calls = 0;
    const { client } = await serve((_req, res) => {
      calls += 1;
      if (calls === 1) sendJson(res, 429, {}, { 'retry-after': '0' });
      else sendJson(res, 201, { pulp_href: '/x/' });
    });
    expect((await client.create('remotes/rpm/rpm/', { name: 'a' })).kind).toBe('object');
    expect(calls).toBe(2);
  });

  test('a DELETE whose first answer was lost and whose retry finds nothing counts as done', async () => {
    let deleted = false;
    const { server, client } = await serve((_req, res) => {
      if (!deleted) {
        deleted = true;
        resetConnection(res);
      } else sendJson(res, 404, { detail: 'Not found.' });
    });
    expect(await client.delete('/pulp/api/v3/publications/rpm/rpm/1/')).toEqual({ kind: 'empty' });
    expect(server.requests).toHaveLength(2);
  });

  test('a DELETE answered 404 on the first attempt is an error', async () => {
    const { client } = await serve((_req, res) => sendJson(res, 404, { detail: 'Not found.' }));
    const error = (await errorOf(client.delete('/pulp/api/v3/publications/rpm/rpm/1/'))) as PulpApiError;
    expect(error.status).toBe(404);
  });

  test('one deadline for a request and its retries: a server that never answers is given up on once', async () => {
    server = await startServer(() => undefined);
    client = new PulpClient({ baseUrl: server.url, timeoutMs: 300, retries: 3, retryDelayMs: 5 });
    const error = (await errorOf(client.get('status/'))) as PulpApiError;
    expect(error.kind).toBe('timeout');
    expect(error.message).toMatch(/no answer within 0 s \(1 attempt over 0 s\)$/);
    expect(server.requests).toHaveLength(1);
  });

  test('retries stop at the deadline, and the error counts them', async () => {
    server = await startServer((_req, res) => resetConnection(res));
    client = new PulpClient({ baseUrl: server.url, timeoutMs: 1000, retries: 50, retryDelayMs: 5 });
    const error = (await errorOf(client.get('status/'))) as PulpApiError;
    expect(error.kind).toBe('connection_reset');
    // A 5 ms backoff doubling within 1 s: far fewer than 50 retries fit, but more than one.
    expect(server.requests.length).toBeGreaterThan(1);
    expect(server.requests.length).toBeLessThan(12);
    expect(error.message).toContain(`(${server.requests.length} attempts over`);
  });

  test('gives up after the configured number of retries', async () => {
    const { server, client } = await serve((_req, res) => sendJson(res, 500, { detail: 'boom' }), { retries: 2 });
    const error = (await errorOf(client.get('status/'))) as PulpApiError;
    expect(error.status).toBe(500);
    expect(error.message).toContain('server error');
    expect(server.requests).toHaveLength(3);
  });
});

describe('PulpClient errors', () => {
  test('a refusal without a password given says the password is missing, not wrong', async () => {
    server = await startServer((_req, res) => sendJson(res, 401, { detail: 'Authentication credentials were not provided.' }));
    client = new PulpClient({ baseUrl: server.url, username: 'admin' });
    const error = (await errorOf(client.get('remotes/rpm/rpm/'))) as PulpApiError;
    expect(error.message).toContain('the server needs credentials, and no password was given for admin');
    expect(error.hint).toContain('PULP_PASSWORD');
  });

  test('403 names the credentials as the cause, without revealing them', async () => {
    const { client } = await serve((_req, res) => sendJson(res, 403, { detail: 'Invalid username/password.' }));
    const error = (await errorOf(client.list('remotes/rpm/rpm/'))) as PulpApiError;
    expect(error.status).toBe(403);
    expect(error.reason).toContain('rejected the credentials');
    expect(error.hint).toContain('--password-file');
    const everything = `${error.message} ${error.hint} ${error.bodyExcerpt} ${inspect(error)} ${JSON.stringify(error)} ${inspect(client)}`;
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(Buffer.from(`admin:${PASSWORD}`).toString('base64'));
  });

  test('HTML instead of JSON says the URL does not look like a Pulp API root', async () => {
    const { client } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><head><title>Welcome to nginx!</title></head><body>hi</body></html>');
    });
    const error = (await errorOf(client.status())) as PulpApiError;
    expect(error.kind).toBe('not_json');
    expect(error.message).toContain('Welcome to nginx!');
    expect(error.hint).toContain('does not look like a Pulp API root');
  });

  test('a JSON answer cut short is retried on GET, and reported as such when it stays broken', async () => {
    let calls = 0;
    const { client } = await serve((req, res) => {
      calls += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(calls === 1 || req.path.includes('broken') ? '{"count": 3, "resu' : '{"ok": true}');
    });
    expect(await client.get('status/')).toEqual({ ok: true });
    const error = (await errorOf(client.get('broken/'))) as PulpApiError;
    expect(error.kind).toBe('cut_short');
    expect(error.hint).toContain('cut the answer short');
  });

  test('an HTML 404 points at the server URL and API root', async () => {
    const { client } = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html><title>Not Found</title><h1>Not Found</h1></html>');
    });
    const error = (await errorOf(client.list('remotes/deb/apt/'))) as PulpApiError;
    expect(error.status).toBe(404);
    expect(error.hint).toContain('API root (/pulp/api/v3/)');
  });

  test('a 400 summarises the validation errors in one line', async () => {
    const { client } = await serve((_req, res) =>
      sendJson(res, 400, { name: ['This field must be unique.'], base_path: { base_path: 'Overlaps with existing distribution' } }),
    );
    const error = (await errorOf(client.create('distributions/rpm/rpm/', { name: 'a' }))) as PulpApiError;
    expect(error.message).toBe(
      'POST /pulp/api/v3/distributions/rpm/rpm/: HTTP 400: Pulp refused the request: name: This field must be unique.; base_path: base_path: Overlaps with existing distribution',
    );
    expect(error.outcomeUnknown).toBe(false);
  });

  test('error bodies are stripped of credentials in URLs', async () => {
    const { client } = await serve((_req, res) => sendJson(res, 400, { url: ['bad url http://user:hunter2@example.com/x'] }));
    const error = (await errorOf(client.create('remotes/rpm/rpm/', { name: 'a' }))) as PulpApiError;
    expect(error.message).toContain('http://(redacted)@example.com/x');
    expect(`${error.message}${error.bodyExcerpt}`).not.toContain('hunter2');
  });

  test('connection refused asks whether Pulp is running at the URL', async () => {
    const closed = await startServer(() => undefined);
    const url = closed.url;
    await closed.close();
    client = new PulpClient({ baseUrl: url, retries: 1, retryDelayMs: 1 });
    const error = (await errorOf(client.status())) as PulpApiError;
    expect(error.kind).toBe('connection_refused');
    expect(error.hint).toBe(`is Pulp running at ${url}?`);
  });

  test('a redirect is reported instead of followed', async () => {
    const { client } = await serve((_req, res) => {
      res.writeHead(301, { location: 'https://pulp.example.com/pulp/api/v3/status/' });
      res.end();
    });
    const error = (await errorOf(client.status())) as PulpApiError;
    expect(error.kind).toBe('redirect');
    expect(error.reason).toContain('https://pulp.example.com/pulp/api/v3/status/');
  });
});

interface TaskScript {
  /** The task as each look at it shows it; the last one stays. */
  states: Array<Record<string, unknown>>;
  looks: number;
  finishedAt?: string;
}

/**
 * Tasks on a fake Pulp: every look at a task (its GET, or a list answer holding it) shows the
 * next of its scripted states. Lists by `pulp_href__in` from core 3.24; the newest tasks first
 * everywhere (narrowed by `logging_cid`); echoes the Correlation-ID when `echo`.
 */
function taskPulp(
  core: string,
  scripts: Record<string, Array<Record<string, unknown>>>,
  options: { echo?: boolean; others?: number; foreign?: string[] } = {},
): Handler {
  const tasks = new Map<string, TaskScript>(Object.entries(scripts).map(([href, states]) => [href, { states, looks: 0 }]));
  let clock = 0;
  const look = (href: string): Record<string, unknown> => {
    const task = tasks.get(href)!;
    const state = task.states[Math.min(task.looks, task.states.length - 1)]!;
    task.looks += 1;
    if (['completed', 'failed', 'canceled'].includes(String(state['state'])) && task.finishedAt === undefined) {
      clock += 1;
      task.finishedAt = new Date(Date.UTC(2026, 0, 1, 0, 0, clock)).toISOString();
    }
    return { pulp_href: href, name: 'pulp_rpm.app.tasks.synchronizing.synchronize', finished_at: task.finishedAt ?? null, ...state };
  };
  return (req, res) => {
    const headers: Record<string, string> = options.echo ? { 'correlation-id': String(req.headers['correlation-id']) } : {};
    if (req.path === '/pulp/api/v3/status/') return sendJson(res, 200, { versions: [{ component: 'core', version: core }] }, headers);
    if (req.path === '/pulp/api/v3/tasks/') {
      const hrefs = req.query.get('pulp_href__in');
      if (hrefs !== null) {
        if (core.startsWith('3.23')) return sendJson(res, 400, { errors: ["Invalid Filter: 'pulp_href__in'"] }, headers);
        const results = hrefs
          .split(',')
          .filter((href) => tasks.has(href))
          .map(look);
        return sendJson(res, 200, { count: results.length, next: null, previous: null, results }, headers);
      }
      // Another client's tasks carry another logging_cid.
      const own = req.query.get('logging_cid') !== null;
      const answered = [...tasks.keys()].filter((href) => !own || !options.foreign?.includes(href)).map(look);
      const others = own
        ? []
        : Array.from({ length: options.others ?? 0 }, (_, i) => ({
            pulp_href: `/pulp/api/v3/tasks/other-${i}/`,
            state: 'running',
            finished_at: null,
          }));
      // The newest first: others' tasks were created after this client's.
      const results = [...others, ...answered.reverse()];
      const limit = Number(req.query.get('limit') ?? 100);
      return sendJson(res, 200, { count: results.length, next: null, previous: null, results: results.slice(0, limit) }, headers);
    }
    if (tasks.has(req.path)) return sendJson(res, 200, look(req.path), headers);
    sendJson(res, 404, { detail: 'Not found.' }, headers);
  };
}

const taskHrefs = (n: number): string[] => Array.from({ length: n }, (_, i) => `/pulp/api/v3/tasks/${i + 1}/`);
const running = (looks: number): Array<Record<string, unknown>> => [
  ...Array.from({ length: looks }, () => ({ state: 'running' })),
  { state: 'completed', created_resources: [] },
];

describe('PulpClient.waitForTask', () => {
  test('polls until the task completes and reports progress', async () => {
    const { client } = await serve(
      taskPulp('3.43.1', {
        '/pulp/api/v3/tasks/1/': [
          { state: 'waiting', progress_reports: [] },
          {
            state: 'running',
            progress_reports: [
              { message: 'Downloading Metadata Files', code: 'sync.downloading.metadata', state: 'running', done: 1, total: null },
            ],
          },
          { state: 'completed', created_resources: ['/pulp/api/v3/repositories/rpm/rpm/1/versions/1/'] },
        ],
      }),
    );
    await client.status();
    const seen: TaskProgress[] = [];
    const task = await client.waitForTask('/pulp/api/v3/tasks/1/', { onProgress: (p) => seen.push(p) });
    expect(task['created_resources']).toEqual(['/pulp/api/v3/repositories/rpm/rpm/1/versions/1/']);
    expect(seen.map((p) => p.state)).toEqual(['waiting', 'running', 'completed']);
    expect(seen[1]!.reports[0]).toEqual({
      message: 'Downloading Metadata Files',
      code: 'sync.downloading.metadata',
      state: 'running',
      done: 1,
      total: null,
    });
  });

  test('on a server that lists tasks by href, one list request per tick covers every task in flight', async () => {
    const hrefs = taskHrefs(8);
    const { server, client } = await serve(taskPulp('3.43.1', Object.fromEntries(hrefs.map((href, i) => [href, running(2 + i)]))));
    await client.status();
    const tasks = await Promise.all(hrefs.map((href) => client.waitForTask(href)));
    expect(tasks.map((t) => t['state'])).toEqual(hrefs.map(() => 'completed'));
    const polls = server.requests.filter((r) => r.path !== '/pulp/api/v3/status/');
    // The last task needs 10 looks: 10 ticks, each one request, and no GET of a single task.
    expect(polls).toHaveLength(10);
    expect(polls.every((r) => r.path === '/pulp/api/v3/tasks/' && r.query.get('pulp_href__in') !== null)).toBe(true);
    expect(polls[0]!.query.get('pulp_href__in')!.split(',').sort()).toEqual([...hrefs].sort());
    // Finished tasks leave the list.
    expect(polls.at(-1)!.query.get('pulp_href__in')).toBe(hrefs[7]);
    expect(client.taskPollStats()).toEqual({ ticks: 10, listRequests: 10, taskRequests: 0 });
  });

  test('hundreds of tasks in flight are split into requests short enough for gunicorn', async () => {
    const hrefs = Array.from({ length: 200 }, (_, i) => `/pulp/api/v3/tasks/0190a1b2-c3d4-7e5f-8a9b-${String(i).padStart(12, '0')}/`);
    const { server, client } = await serve(taskPulp('3.116.0', Object.fromEntries(hrefs.map((href) => [href, running(0)]))));
    await client.status();
    await Promise.all(hrefs.map((href) => client.waitForTask(href)));
    const polls = server.requests.filter((r) => r.path === '/pulp/api/v3/tasks/');
    expect(polls.length).toBeGreaterThan(1);
    expect(polls.every((r) => `${r.path}?${r.query.toString()}`.length < 4000)).toBe(true);
    expect(polls.flatMap((r) => r.query.get('pulp_href__in')!.split(',')).sort()).toEqual([...hrefs].sort());
  });

  test('on pulpcore 3.23 one list of the newest tasks per tick covers the tasks in flight, narrowed to this client where the server records its Correlation-ID', async () => {
    const hrefs = taskHrefs(6);
    const { server, client } = await serve(
      taskPulp('3.23.24', Object.fromEntries(hrefs.map((href, i) => [href, running(1 + i)])), { echo: true }),
    );
    await client.status();
    const tasks = await Promise.all(hrefs.map((href) => client.waitForTask(href)));
    expect(tasks.map((t) => t['state'])).toEqual(hrefs.map(() => 'completed'));
    const polls = server.requests.filter((r) => r.path !== '/pulp/api/v3/status/');
    expect(polls.every((r) => r.path === '/pulp/api/v3/tasks/')).toBe(true);
    expect(polls).toHaveLength(7);
    const sent = String(server.requests[0]!.headers['correlation-id']);
    expect(sent).toMatch(/^[0-9a-f]{32}$/);
    expect(
      polls.every((r) => r.query.get('logging_cid') === sent && r.query.get('ordering') === null && r.query.get('pulp_href__in') === null),
    ).toBe(true);
    expect(client.taskPollStats()).toMatchObject({ listRequests: 7, taskRequests: 0 });
  });

  test("on pulpcore 3.23 a task of another client, which the list of this client's tasks leaves out, is asked for on its own", async () => {
    const { server, client } = await serve(
      taskPulp(
        '3.23.24',
        { '/pulp/api/v3/tasks/1/': running(2), '/pulp/api/v3/tasks/9/': running(4) },
        { echo: true, foreign: ['/pulp/api/v3/tasks/9/'] },
      ),
    );
    await client.status();
    const tasks = await Promise.all([client.waitForTask('/pulp/api/v3/tasks/1/'), client.waitForTask('/pulp/api/v3/tasks/9/')]);
    expect(tasks.map((t) => t['state'])).toEqual(['completed', 'completed']);
    expect(server.requests.some((r) => r.path === '/pulp/api/v3/tasks/9/')).toBe(true);
    expect(server.requests.some((r) => r.path === '/pulp/api/v3/tasks/1/')).toBe(false);
  });

  test("on pulpcore 3.23 where the Correlation-ID is not recorded, the newest tasks of the server; a task others' pushed out of them is asked for on its own", async () => {
    const hrefs = taskHrefs(4);
    const { server, client } = await serve(
      taskPulp('3.23.24', Object.fromEntries(hrefs.map((href, i) => [href, running(1 + i)])), { others: 60 }),
    );
    await client.status();
    const tasks = await Promise.all(hrefs.map((href) => client.waitForTask(href)));
    expect(tasks.map((t) => t['state'])).toEqual(hrefs.map(() => 'completed'));
    const lists = server.requests.filter((r) => r.path === '/pulp/api/v3/tasks/');
    expect(lists.every((r) => r.query.get('logging_cid') === null && Number(r.query.get('limit')) >= 16)).toBe(true);
    expect(client.taskPollStats().taskRequests).toBeGreaterThan(0);
  });

  test('before the server status is known, waits work without listing tasks by href', async () => {
    const { server, client } = await serve(taskPulp('3.43.1', { '/pulp/api/v3/tasks/1/': running(1) }));
    const task = await client.waitForTask('/pulp/api/v3/tasks/1/');
    expect(task['state']).toBe('completed');
    expect(server.requests.every((r) => r.query.get('pulp_href__in') === null)).toBe(true);
  });

  test('two waits for one task share its polls', async () => {
    const { server, client } = await serve(taskPulp('3.43.1', { '/pulp/api/v3/tasks/1/': running(3) }));
    await client.status();
    const [a, b] = await Promise.all([client.waitForTask('/pulp/api/v3/tasks/1/'), client.waitForTask('/pulp/api/v3/tasks/1/')]);
    expect(a).toEqual(b);
    expect(server.requests.filter((r) => r.path === '/pulp/api/v3/tasks/')).toHaveLength(4);
  });

  test("learns from the tasks' own timestamps how long this server's tasks take, and polls less often for slow ones", async () => {
    const slow = (i: number): Array<Record<string, unknown>> => [
      { state: 'running' },
      { state: 'completed', pulp_created: `2026-01-01T00:00:0${i}.000Z`, finished_at: `2026-01-01T00:00:0${i + 2}.000Z` },
    ];
    const { server, client } = await serve(taskPulp('3.43.1', { '/pulp/api/v3/tasks/1/': slow(0), '/pulp/api/v3/tasks/2/': running(2) }));
    await client.status();
    await client.waitForTask('/pulp/api/v3/tasks/1/');
    const before = server.requests.length;
    const started = Date.now();
    await client.waitForTask('/pulp/api/v3/tasks/2/');
    // Tasks take 2 s here: a tenth of that between looks, three looks.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 200 - 5);
    expect(server.requests.length - before).toBe(3);
  });

  test('a failed task throws with its name and error description', async () => {
    const { client } = await serve(
      taskPulp('3.43.1', {
        '/pulp/api/v3/tasks/1/': [{ state: 'failed', error: { description: "404, message='File not found'", traceback: '...' } }],
      }),
    );
    await client.status();
    const error = (await errorOf(client.waitForTask('/pulp/api/v3/tasks/1/'))) as TaskFailedError;
    expect(error).toBeInstanceOf(TaskFailedError);
    expect(error.description).toBe("404, message='File not found'");
    expect(error.message).toContain('pulp_rpm.app.tasks.synchronizing.synchronize');
    expect(error.taskHref).toBe('/pulp/api/v3/tasks/1/');
  });

  test('a failed poll request fails the waits it covered', async () => {
    const { client } = await serve((req, res) => {
      if (req.path === '/pulp/api/v3/status/') return sendJson(res, 200, { versions: [{ component: 'core', version: '3.43.1' }] });
      sendJson(res, 403, { detail: 'You do not have permission to perform this action.' });
    });
    await client.status();
    const errors = await Promise.all(taskHrefs(2).map((href) => errorOf(client.waitForTask(href))));
    expect(errors.every((e) => e instanceof PulpApiError && e.status === 403)).toBe(true);
  });

  test('times out with a message naming the task, what it was doing and its last progress', async () => {
    const { client } = await serve(
      taskPulp('3.43.1', {
        '/pulp/api/v3/tasks/1/': [
          { state: 'running', progress_reports: [{ message: 'Parsed Packages', code: 'x', state: 'running', done: 7, total: 10 }] },
        ],
      }),
    );
    await client.status();
    const error = (await errorOf(
      client.waitForTask('/pulp/api/v3/tasks/1/', { timeoutMs: 150, doing: 'sync of repository/rpm/baseos' }),
    )) as TaskTimeoutError;
    expect(error).toBeInstanceOf(TaskTimeoutError);
    expect(error.message).toContain('pulp_rpm.app.tasks.synchronizing.synchronize (sync of repository/rpm/baseos) did not finish');
    expect(error.message).toContain('still running on the server');
    expect(error.message).toContain('Parsed Packages 7/10');
  });

  test('aborting the signal abandons the wait, and the other waits go on', async () => {
    const controller = new AbortController();
    const { client } = await serve(
      taskPulp('3.43.1', { '/pulp/api/v3/tasks/1/': [{ state: 'running' }], '/pulp/api/v3/tasks/2/': running(3) }),
    );
    await client.status();
    const abandoned = errorOf(
      client.waitForTask('/pulp/api/v3/tasks/1/', { signal: controller.signal, onProgress: () => controller.abort() }),
    );
    const other = client.waitForTask('/pulp/api/v3/tasks/2/');
    expect(await abandoned).toBeInstanceOf(TaskWaitAbandonedError);
    expect((await other)['state']).toBe('completed');
  });
});

describe('PulpClient.activeTasks', () => {
  test('asks for waiting/running tasks locking the resource and keeps only true matches', async () => {
    const repo = '/pulp/api/v3/repositories/rpm/rpm/1/';
    const { server, client } = await serve((_req, res) =>
      sendJson(res, 200, {
        count: 3,
        next: null,
        previous: null,
        results: [
          {
            pulp_href: '/t/1/',
            state: 'running',
            name: 'pulp_rpm.app.tasks.synchronizing.synchronize',
            reserved_resources_record: [repo, 'shared:/r/'],
          },
          { pulp_href: '/t/2/', state: 'running', name: 'pulpcore.app.tasks.base.general_update', reserved_resources_record: [repo] },
          {
            pulp_href: '/t/3/',
            state: 'completed',
            name: 'pulp_rpm.app.tasks.synchronizing.synchronize',
            reserved_resources_record: [repo],
          },
        ],
      }),
    );
    const tasks = await client.activeTasks({ resource: repo, lock: 'exclusive', nameContains: 'synchroniz' });
    expect(tasks.map((t) => t['pulp_href'])).toEqual(['/t/1/']);
    const query = server.requests[0]!.query;
    expect(server.requests[0]!.path).toBe('/pulp/api/v3/tasks/');
    expect(query.get('state__in')).toBe('waiting,running');
    expect(query.get('exclusive_resources')).toBe(repo);
    expect(query.get('name__contains')).toBe('synchroniz');
  });
});
