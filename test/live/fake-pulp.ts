import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { type RecordedRequest, resetConnection, sendJson, startServer, type TestServer } from './http-fixture.js';

type Obj = Record<string, unknown>;

const API = '/pulp/api/v3/';
const SECRET_FIELDS = ['client_key', 'proxy_username', 'proxy_password', 'username', 'password'];
const TASK_CREATED_KINDS = new Set(['distributions', 'publications']);

export interface FakeTask {
  href: string;
  name: string;
  state: string;
  reserved: string[];
  /** Polls left before the task runs. */
  pollsLeft: number;
  run: () => string[];
  result?: { created: string[] } | { error: string };
  created: string;
  finished?: string;
}

/**
 * Just enough of pulpcore 3.23 over HTTP for client, reader and executor tests: creates (201 for
 * remotes and repositories, 202 tasks for distributions and publications), PATCH/DELETE as tasks,
 * publication DELETE 204, sync making versions, name filters, pagination, write-only secrets.
 * `intercept` lets a test answer (or break) any request before the fake handles it.
 */
export class FakePulp {
  readonly objects = new Map<string, Obj>();
  readonly tasks = new Map<string, FakeTask>();
  /** Secret values received, by object href (to check what was sent, never returned by the API). */
  readonly secrets = new Map<string, Record<string, unknown>>();
  /** Polls a task stays `waiting`/`running` before it runs (per task name and reserved resources). */
  taskPolls: (name: string, reserved: string[]) => number = () => 0;
  /** Description of the failure of a task, if it should fail. */
  failTask: (name: string, reserved: string[]) => string | undefined = () => undefined;
  /** Return true when the request was answered (or dropped) here. */
  intercept: (req: RecordedRequest, res: http.ServerResponse) => boolean = () => false;
  /** Return true to carry the request out and then drop the connection instead of answering. */
  loseAnswer: (req: RecordedRequest) => boolean = () => false;
  /** Syncs add no content (no new version). */
  syncsChangeNothing = false;
  /** pulpcore's version in status/: from 3.24 tasks can be listed by `pulp_href__in`. */
  coreVersion = '3.23.24';
  server!: TestServer;
  #clock = 0;

  static async start(): Promise<FakePulp> {
    const fake = new FakePulp();
    fake.server = await startServer((req, res) => fake.#handle(req, res));
    return fake;
  }

  get url(): string {
    return this.server.url;
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** Adds an object directly, as if it had been there before the test. */
  seed(endpoint: string, fields: Obj): Obj {
    return this.#insert(endpoint, fields);
  }

  byName(endpoint: string, name: string): Obj | undefined {
    return [...this.objects.values()].find((o) => o['__endpoint'] === endpoint && o['name'] === name);
  }

  ofEndpoint(endpoint: string): Obj[] {
    return [...this.objects.values()].filter((o) => o['__endpoint'] === endpoint);
  }

  #now(): string {
    this.#clock += 1;
    return new Date(Date.UTC(2026, 0, 1, 0, 0, 0, this.#clock)).toISOString();
  }

  #insert(endpoint: string, fields: Obj): Obj {
    const href = `${API}${endpoint}/${randomUUID()}/`;
    const object: Obj = { pulp_href: href, pulp_created: this.#now(), ...fields, __endpoint: endpoint };
    if (endpoint.startsWith('repositories/')) {
      object['pulp_labels'] ??= {};
      object['latest_version_href'] = `${href}versions/0/`;
      object['__version'] = 0;
    }
    if (endpoint.startsWith('remotes/') || endpoint.startsWith('distributions/')) object['pulp_labels'] ??= {};
    if (endpoint.startsWith('remotes/')) {
      object['pulp_last_updated'] = object['pulp_created'];
      this.#takeSecrets(href, object);
    }
    this.objects.set(href, object);
    return object;
  }

  #takeSecrets(href: string, object: Obj): void {
    const stored = this.secrets.get(href) ?? {};
    for (const field of SECRET_FIELDS) {
      if (field in object) {
        stored[field] = object[field];
        delete object[field];
      }
    }
    this.secrets.set(href, stored);
    object['hidden_fields'] = SECRET_FIELDS.map((name) => ({
      name,
      is_set: stored[name] !== undefined && stored[name] !== null && stored[name] !== '',
    }));
  }

  #view(object: Obj): Obj {
    return Object.fromEntries(Object.entries(object).filter(([key]) => !key.startsWith('__')));
  }

  #task(name: string, reserved: string[], run: () => string[]): string {
    const href = `${API}tasks/${randomUUID()}/`;
    this.tasks.set(href, { href, name, state: 'waiting', reserved, pollsLeft: this.taskPolls(name, reserved), run, created: this.#now() });
    return href;
  }

  #runTask(task: FakeTask): void {
    if (task.state !== 'waiting' && task.state !== 'running') return;
    if (task.pollsLeft > 0) {
      task.pollsLeft -= 1;
      task.state = 'running';
      return;
    }
    task.finished = this.#now();
    const failure = this.failTask(task.name, task.reserved);
    if (failure) {
      task.state = 'failed';
      task.result = { error: failure };
      return;
    }
    try {
      task.result = { created: task.run() };
      task.state = 'completed';
    } catch (error) {
      task.result = { error: `IntegrityError: ${(error as Error).message}` };
      task.state = 'failed';
    }
  }

  /** Runs every task still pending, as the workers would eventually. */
  drainTasks(): void {
    for (const task of this.tasks.values()) {
      task.pollsLeft = 0;
      this.#runTask(task);
    }
  }

  #taskView(task: FakeTask): Obj {
    const created = task.result && 'created' in task.result ? task.result.created : [];
    const error = task.result && 'error' in task.result ? { description: task.result.error, traceback: '' } : null;
    return {
      pulp_href: task.href,
      state: task.state,
      name: task.name,
      error,
      progress_reports: task.state === 'running' ? [{ message: 'Working', code: 'work', state: 'running', done: 1, total: 2 }] : [],
      created_resources: created,
      reserved_resources_record: task.reserved,
      pulp_created: task.created,
      finished_at: task.finished ?? null,
    };
  }

  #handle(req: RecordedRequest, res: http.ServerResponse): void {
    if (this.intercept(req, res)) return;
    if (this.loseAnswer(req)) {
      const discard = { writeHead: () => discard, end: () => discard } as unknown as http.ServerResponse;
      this.#serve(req, discard);
      resetConnection(res);
      return;
    }
    this.#serve(req, res);
  }

  #serve(req: RecordedRequest, res: http.ServerResponse): void {
    const path = req.path;
    if (!path.startsWith(API)) return sendJson(res, 404, { detail: 'Not found.' });
    const rest = path.slice(API.length);
    if (rest === 'status/') {
      return sendJson(res, 200, {
        versions: ['core', 'rpm', 'deb', 'file', 'container'].map((component) => ({
          component,
          version: component === 'core' ? this.coreVersion : '1.0.0',
        })),
        content_settings: { content_origin: 'http://127.0.0.1:24816', content_path_prefix: '/pulp/content/' },
      });
    }
    if (rest.startsWith('tasks/')) return this.#tasks(req, res, rest);
    const sync = /^(.*\/)sync\/$/.exec(path);
    if (sync && req.method === 'POST') return this.#sync(res, sync[1]!, req.body as Obj);
    const collection = /^((?:remotes|repositories|publications|distributions)\/[\w-]+\/[\w-]+)\/$/.exec(rest);
    if (collection) {
      const endpoint = collection[1]!;
      if (req.method === 'GET') return this.#list(req, res, endpoint);
      if (req.method === 'POST') return this.#create(res, endpoint, req.body as Obj);
      return sendJson(res, 405, { detail: `Method "${req.method}" not allowed.` });
    }
    const object = this.objects.get(path);
    if (!object) return sendJson(res, 404, { detail: 'Not found.' });
    if (req.method === 'GET') return sendJson(res, 200, this.#view(object));
    if (req.method === 'PATCH') return this.#patch(res, object, req.body as Obj);
    if (req.method === 'DELETE') return this.#delete(res, object);
    return sendJson(res, 405, {});
  }

  #tasks(req: RecordedRequest, res: http.ServerResponse, rest: string): void {
    const poll = req.query.has('pulp_href__in') || req.query.has('fields');
    if (rest === 'tasks/' && poll) return this.#pollTasks(req, res);
    if (rest === 'tasks/') {
      const states = req.query.get('state__in')?.split(',');
      const exclusive = req.query.get('exclusive_resources');
      const shared = req.query.get('shared_resources');
      const nameContains = req.query.get('name__contains');
      const results = [...this.tasks.values()]
        .filter((t) => !states || states.includes(t.state))
        .filter((t) => !exclusive || t.reserved.includes(exclusive))
        .filter((t) => !shared || t.reserved.includes(`shared:${shared}`))
        .filter((t) => !nameContains || t.name.includes(nameContains))
        .map((t) => this.#taskView(t));
      return sendJson(res, 200, { count: results.length, next: null, previous: null, results });
    }
    const task = this.tasks.get(`${API}${rest}`);
    if (!task) return sendJson(res, 404, { detail: 'Not found.' });
    this.#runTask(task);
    sendJson(res, 200, this.#taskView(task));
  }

  /** A poll of many tasks: each task it covers counts as polled once, as a GET of it would. */
  #pollTasks(req: RecordedRequest, res: http.ServerResponse): void {
    const hrefs = req.query.get('pulp_href__in');
    let tasks: FakeTask[];
    if (hrefs !== null) {
      const [major = 0, minor = 0] = this.coreVersion.split('.').map(Number);
      if (major === 3 && minor < 24) return sendJson(res, 400, { errors: ["Invalid Filter: 'pulp_href__in'"] });
      const wanted = new Set(hrefs.split(','));
      tasks = [...this.tasks.values()].filter((t) => wanted.has(t.href));
      for (const task of tasks) this.#runTask(task);
    } else {
      for (const task of this.tasks.values()) this.#runTask(task);
      // Pulp's default order: the newest first.
      tasks = [...this.tasks.values()].reverse();
    }
    const limit = Number(req.query.get('limit') ?? 100) || 100;
    const fields = req.query.get('fields')?.split(',');
    const results = tasks.slice(0, limit).map((t) => {
      const view = this.#taskView(t);
      return fields ? Object.fromEntries(Object.entries(view).filter(([key]) => fields.includes(key))) : view;
    });
    sendJson(res, 200, { count: tasks.length, next: null, previous: null, results });
  }

  #list(req: RecordedRequest, res: http.ServerResponse, endpoint: string): void {
    let items = this.ofEndpoint(endpoint).sort((a, b) => String(b['pulp_created']).localeCompare(String(a['pulp_created'])));
    const name = req.query.get('name');
    if (name !== null) items = items.filter((o) => o['name'] === name);
    const version = req.query.get('repository_version');
    if (version !== null) items = items.filter((o) => o['repository_version'] === version);
    const limit = Number(req.query.get('limit') ?? 100) || 100;
    const offset = Number(req.query.get('offset') ?? 0);
    const page = items.slice(offset, offset + limit);
    const next =
      offset + limit < items.length ? `http://pulp.example/pulp/api/v3/${endpoint}/?limit=${limit}&offset=${offset + limit}` : null;
    sendJson(res, 200, { count: items.length, next, previous: null, results: page.map((o) => this.#view(o)) });
  }

  #create(res: http.ServerResponse, endpoint: string, body: Obj): void {
    const kind = endpoint.split('/')[0]!;
    if (
      kind !== 'publications' &&
      [...this.objects.values()].some((o) => String(o['__endpoint']).startsWith(`${kind}/`) && o['name'] === body['name'])
    ) {
      return sendJson(res, 400, { name: ['This field must be unique.'] });
    }
    if (!TASK_CREATED_KINDS.has(kind)) {
      const object = this.#insert(endpoint, body);
      return sendJson(res, 201, this.#view(object), { location: String(object['pulp_href']) });
    }
    const fields = { ...body };
    if (kind === 'publications' && typeof fields['repository_version'] === 'string') {
      fields['repository'] = String(fields['repository_version']).replace(/versions\/\d+\/$/, '');
    }
    const reserved = kind === 'publications' ? [`shared:${String(fields['repository'])}`] : ['/api/v3/distributions/'];
    const name = kind === 'publications' ? 'pulp_rpm.app.tasks.publishing.publish' : 'pulpcore.app.tasks.base.general_create';
    const href = this.#task(name, reserved, () => {
      if (
        kind === 'distributions' &&
        [...this.objects.values()].some((o) => String(o['__endpoint']).startsWith('distributions/') && o['name'] === body['name'])
      ) {
        throw new Error('duplicate');
      }
      return [String(this.#insert(endpoint, fields)['pulp_href'])];
    });
    sendJson(res, 202, { task: href });
  }

  #patch(res: http.ServerResponse, object: Obj, body: Obj): void {
    const href = String(object['pulp_href']);
    const taskHref = this.#task('pulpcore.app.tasks.base.general_update', [href], () => {
      Object.assign(object, body);
      if (String(object['__endpoint']).startsWith('remotes/')) {
        this.#takeSecrets(href, object);
        object['pulp_last_updated'] = this.#now();
      }
      return [];
    });
    sendJson(res, 202, { task: taskHref });
  }

  #delete(res: http.ServerResponse, object: Obj): void {
    const href = String(object['pulp_href']);
    if (String(object['__endpoint']).startsWith('publications/')) {
      this.objects.delete(href);
      res.writeHead(204);
      res.end();
      return;
    }
    const taskHref = this.#task('pulpcore.app.tasks.base.general_delete', [href], () => {
      this.objects.delete(href);
      return [];
    });
    sendJson(res, 202, { task: taskHref });
  }

  #sync(res: http.ServerResponse, repoHref: string, body: Obj): void {
    const repo = this.objects.get(repoHref);
    if (!repo) return sendJson(res, 404, { detail: 'Not found.' });
    const remote = body['remote'] ?? repo['remote'];
    if (typeof remote !== 'string') return sendJson(res, 400, ['A remote must be specified']);
    const href = this.#task('pulp_rpm.app.tasks.synchronizing.synchronize', [repoHref, `shared:${remote}`], () => {
      if (this.syncsChangeNothing) return [];
      const number = Number(repo['__version']) + 1;
      repo['__version'] = number;
      repo['latest_version_href'] = `${repoHref}versions/${number}/`;
      return [repo['latest_version_href'] as string];
    });
    sendJson(res, 202, { task: href });
  }
}

export { resetConnection, sendJson };
