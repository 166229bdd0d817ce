import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Json, JsonObject } from '../model/json.js';

/**
 * Differential conformance: the same request sequence sent to a real Pulp server and to an
 * emulator speaking that server's version, answer by answer. Statuses must be equal; bodies are
 * compared structurally (same keys, same types, same values) after normalising what legitimately
 * differs between two servers: each side's ids are mapped to the object they name (the first
 * time an id shows up in the same place on both sides binds the pair; later it must name the
 * same object), datetimes, the API host, correlation ids, worker names, storage figures.
 *
 * A scenario is written as if it talked to one server (the real one): it reads hrefs from the
 * real answers, and the session translates every real id in a request into the emulator's id
 * for the same object before sending it there.
 */

export interface SideOptions {
  /** e.g. `http://127.0.0.1:24927` */
  url: string;
  username: string;
  password: string;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  /** The parsed JSON body; undefined when the body is empty or not JSON. */
  body: Json | undefined;
  text: string;
}

export interface Difference {
  scenario: string;
  /** The step's label, e.g. `POST remotes/rpm/rpm/ (bad url)`. */
  step: string;
  /** Where the answers differ: `status`, `header www-authenticate`, `body.results.0.name`. */
  path: string;
  real: string;
  emulator: string;
}

export interface RequestOptions {
  body?: Json;
  /** Appended as the query string; repeated keys as arrays. */
  query?: Record<string, string | string[]>;
  auth?: 'admin' | 'none' | 'wrong';
  /** Names the step in reports (default: method and path). */
  label?: string;
  /** Body paths (`results.*.digest`) whose values may differ; keys and nullness must still agree. */
  volatile?: string[];
  /** Body paths whose values are the servers' own state, null or not (a worker's current task): only the key must be there. */
  ignore?: string[];
  /** Body paths of lists compared as multisets (`progress_reports` always are: Pulp does not order them). */
  unordered?: string[];
  /** Raw body text instead of JSON (a JSON string body, a malformed one). */
  rawBody?: string;
}

export interface Scenario {
  name: string;
  /** What it covers, for reports. */
  covers: string;
  /** Needs the container test registry (PULP_E2E_REGISTRY). */
  needsRegistry?: boolean;
  /** Needs the OCI layouts of the test images (real-pulp's images/) to push. */
  needsImages?: boolean;
  run: (session: DifferentialSession) => Promise<void>;
}

export interface ScenarioReport {
  scenario: string;
  requests: number;
  differences: Difference[];
  /** An exception that stopped the scenario (a broken assumption, a server that did not answer). */
  error?: string;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const DATETIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;
const FINAL_TASK_STATES = ['completed', 'failed', 'canceled', 'skipped'];
/** Headers compared when either side sends them. */
const COMPARED_HEADERS = ['www-authenticate', 'allow'];
/**
 * Values that differ between any two servers, wherever they appear: correlation ids, process
 * names of workers and apps, disk figures, the text of a traceback (the emulator has no Python).
 */
const ALWAYS_VOLATILE = [
  '**.logging_cid',
  '**.last_heartbeat',
  'online_workers.*.name',
  'online_api_apps.*.name',
  'online_content_apps.*.name',
  'storage.*',
  '**.error.traceback',
  // Which of the real server's workers took a task is chance; whether one did is compared.
  '**.worker',
];

export interface SessionOptions {
  scenario: string;
  real: SideOptions;
  emulator: SideOptions;
  /** Prefix of every object name this run creates (unique per run: the real server is shared). */
  prefix: string;
  /** Upstream URLs the scenarios sync from, reachable by both servers. */
  upstreams: Record<string, string>;
  /** The directory of the test images' OCI layouts (`hello/`, `other/`), for pushes. */
  images?: string;
  pollIntervalMs?: number;
  taskTimeoutMs?: number;
}

/** One scenario on one real server and one emulator. */
export class DifferentialSession {
  readonly differences: Difference[] = [];
  requests = 0;
  /** Real id → emulator id, and back: the bijection of the objects both sides named. */
  readonly #toEmulator = new Map<string, string>();
  readonly #toReal = new Map<string, string>();
  /** Objects to delete at the end, newest first: real hrefs. */
  readonly #created: string[] = [];
  // A connection per request: scenarios idle while the real server's tasks run, and a kept-alive
  // socket the other side closed meanwhile fails the next request with ECONNRESET.
  readonly #agents = { real: new Agent({ keepAlive: false }), emulator: new Agent({ keepAlive: false }) };

  constructor(readonly options: SessionOptions) {}

  get upstreams(): Record<string, string> {
    return this.options.upstreams;
  }

  get images(): string {
    if (!this.options.images) throw new Error('this scenario pushes images: give the directory of their OCI layouts');
    return this.options.images;
  }

  /** One server's registry and credentials (Pulp serves its registry on the API port). */
  side(side: 'real' | 'emulator'): { registry: string; username: string; password: string } {
    const { url, username, password } = this.options[side];
    return { registry: url, username, password };
  }

  /** A name unique to this run: `<prefix>-<suffix>`. */
  name(suffix: string): string {
    return `${this.options.prefix}-${suffix}`;
  }

  /**
   * Sends the request to both servers, compares the answers, and returns the real one. A 201
   * with a `pulp_href` and objects a task created are deleted at the end of the scenario.
   */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    const label = options.label ?? `${method} ${shortPath(path)}`;
    const query = queryString(options.query ?? {});
    const text = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const [real, emulated] = await Promise.all([
      this.#send('real', method, apiPath(path) + query, options.auth ?? 'admin', text),
      this.#send('emulator', method, this.#translate(apiPath(path) + query), options.auth ?? 'admin', text === undefined ? undefined : this.#translate(text)),
    ]);
    this.requests += 1;
    this.#compare(label, real, emulated, options);
    if (real.status === 201 && isObject(real.body) && typeof real.body['pulp_href'] === 'string') this.#created.unshift(real.body['pulp_href']);
    return real;
  }

  /** `request`, then, when it dispatched a task, waits for the task on both sides and compares them. */
  async call(method: string, path: string, options: RequestOptions & { taskLabel?: string; taskVolatile?: string[] } = {}): Promise<Answer> {
    const answer = await this.request(method, path, options);
    if (answer.status === 202 && isObject(answer.body) && typeof answer.body['task'] === 'string') {
      return this.waitTask(answer.body['task'], {
        label: options.taskLabel ?? `task of ${options.label ?? `${method} ${shortPath(path)}`}`,
        ...(options.taskVolatile ? { volatile: options.taskVolatile } : {}),
      });
    }
    return answer;
  }

  /** Polls the task on both servers until it ends, compares the final answers, returns the real one. */
  async waitTask(href: string, options: { label?: string; volatile?: string[]; unordered?: string[] } = {}): Promise<Answer> {
    const [real, emulated] = await Promise.all([this.#settle('real', href), this.#settle('emulator', this.#translate(href))]);
    this.requests += 1;
    this.#compare(options.label ?? `task ${shortPath(href)}`, real, emulated, { unordered: ['created_resources', 'created_resource_prns', ...(options.unordered ?? [])], ...(options.volatile ? { volatile: options.volatile } : {}) });
    if (isObject(real.body) && Array.isArray(real.body['created_resources'])) {
      for (const href of real.body['created_resources']) if (typeof href === 'string' && !/\/versions\/\d+\/$/.test(href)) this.#created.unshift(href);
    }
    return real;
  }

  /** Sends to one side only, uncompared (for set-up a scenario needs on both, like a registry push). */
  async raw(side: 'real' | 'emulator', method: string, path: string, body?: Json): Promise<Answer> {
    const target = side === 'real' ? apiPath(path) : this.#translate(apiPath(path));
    return this.#send(side, method, target, 'admin', body === undefined ? undefined : JSON.stringify(side === 'real' ? body : JSON.parse(this.#translate(JSON.stringify(body)))));
  }

  /** Records an object created outside `request` (a push) for the clean-up. */
  track(realHref: string): void {
    this.#created.unshift(realHref);
  }

  /** The emulator's href for a real one (after both sides named it). */
  emulatorHref(realHref: string): string {
    return this.#translate(realHref);
  }

  /** Binds a real id to the emulator's id of the same object (when a scenario knows better than the answers). */
  bind(realHref: string, emulatorHref: string): void {
    const r = realHref.match(UUID) ?? [];
    const e = emulatorHref.match(UUID) ?? [];
    r.forEach((id, i) => {
      if (e[i]) this.#bindId(id, e[i] as string);
    });
  }

  /** Deletes what the scenario created, newest first, on both servers; answers are not compared. */
  async cleanUp(): Promise<string[]> {
    const problems: string[] = [];
    for (const href of this.#created) {
      for (const side of ['real', 'emulator'] as const) {
        const target = side === 'real' ? href : this.#translate(href);
        try {
          const answer = await this.#send(side, 'DELETE', target, 'admin');
          if (answer.status === 202 && isObject(answer.body)) await this.#settle(side, String(answer.body['task']));
          else if (answer.status >= 300 && answer.status !== 404) problems.push(`${side} DELETE ${target}: ${answer.status} ${answer.text.slice(0, 200)}`);
        } catch (e) {
          problems.push(`${side} DELETE ${target}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
    this.#created.length = 0;
    problems.push(...(await this.#sweep()));
    return problems;
  }

  /**
   * Deletes from the real server whatever still carries this scenario's prefix (an object a
   * request made where the emulator refused, a task's by-product): the server is shared.
   */
  async #sweep(): Promise<string[]> {
    const problems: string[] = [];
    for (const endpoint of ['distributions/', 'repositories/', 'remotes/', 'pulp_container/namespaces/']) {
      const listed = await this.#send('real', 'GET', `${apiPath(endpoint)}?name__startswith=${encodeURIComponent(this.options.prefix)}&fields=pulp_href&limit=1000`, 'admin');
      const results = isObject(listed.body) && Array.isArray(listed.body['results']) ? listed.body['results'] : [];
      for (const item of results) {
        const href = isObject(item) ? item['pulp_href'] : undefined;
        if (typeof href !== 'string') continue;
        const answer = await this.#send('real', 'DELETE', href, 'admin');
        if (answer.status === 202 && isObject(answer.body)) await this.#settle('real', String(answer.body['task']));
        else if (answer.status >= 300 && answer.status !== 404) problems.push(`real DELETE ${href}: ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    }
    return problems;
  }

  close(): void {
    this.#agents.real.destroy();
    this.#agents.emulator.destroy();
  }

  /** Every real id replaced by the emulator's id of the same object (unknown ids stay: a probe of nothing). */
  #translate(text: string): string {
    return text.replace(UUID, (id) => this.#toEmulator.get(id) ?? id);
  }

  #bindId(real: string, emulated: string): boolean {
    const known = this.#toEmulator.get(real);
    const back = this.#toReal.get(emulated);
    if (known === undefined && back === undefined) {
      this.#toEmulator.set(real, emulated);
      this.#toReal.set(emulated, real);
      return true;
    }
    return known === emulated && back === real;
  }

  #canBind(real: string, emulated: string): boolean {
    const known = this.#toEmulator.get(real);
    const back = this.#toReal.get(emulated);
    return (known === undefined && back === undefined) || (known === emulated && back === real);
  }

  async #settle(side: 'real' | 'emulator', href: string): Promise<Answer> {
    const deadline = Date.now() + (this.options.taskTimeoutMs ?? 120_000);
    for (;;) {
      const answer = await this.#send(side, 'GET', href, 'admin');
      const state = isObject(answer.body) ? answer.body['state'] : undefined;
      if (answer.status !== 200 || (typeof state === 'string' && FINAL_TASK_STATES.includes(state))) return answer;
      if (Date.now() > deadline) throw new Error(`${side} task ${href} is still ${String(state)} after ${this.options.taskTimeoutMs ?? 120_000} ms`);
      await new Promise((r) => setTimeout(r, this.options.pollIntervalMs ?? 100));
    }
  }

  #send(side: 'real' | 'emulator', method: string, path: string, auth: 'admin' | 'none' | 'wrong', body?: string): Promise<Answer> {
    const target = this.options[side];
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (auth !== 'none') {
      const password = auth === 'wrong' ? `${target.password}-wrong` : target.password;
      headers['Authorization'] = `Basic ${Buffer.from(`${target.username}:${password}`).toString('base64')}`;
    }
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const url = new URL(path, target.url);
    const requester = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = requester(url, { method, headers, ...(url.protocol === 'http:' ? { agent: this.#agents[side] } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: out, text, body: parseJson(text, out['content-type']) });
        });
        res.on('error', reject);
      });
      req.setTimeout(120_000, () => req.destroy(new Error(`${side} ${method} ${path}: no answer in 120 s`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  #compare(step: string, real: Answer, emulated: Answer, options: Pick<RequestOptions, 'volatile' | 'unordered' | 'ignore'>): void {
    const differ = (path: string, r: string, e: string) =>
      this.differences.push({ scenario: this.options.scenario, step, path, real: clip(r), emulator: clip(e) });
    if (real.status !== emulated.status) differ('status', String(real.status), String(emulated.status));
    for (const name of COMPARED_HEADERS) {
      const r = real.headers[name];
      const e = emulated.headers[name];
      if ((r ?? '') !== (e ?? '')) differ(`header ${name}`, r ?? '(none)', e ?? '(none)');
    }
    const realJson = real.body !== undefined;
    const emulatedJson = emulated.body !== undefined;
    if (realJson !== emulatedJson) {
      differ('body', realJson ? real.text : `(${contentKind(real)})`, emulatedJson ? emulated.text : `(${contentKind(emulated)})`);
      return;
    }
    if (!realJson) {
      if (contentKind(real) !== contentKind(emulated)) differ('body', `(${contentKind(real)})`, `(${contentKind(emulated)})`);
      return;
    }
    const ctx: CompareContext = {
      volatile: [...ALWAYS_VOLATILE, ...(options.volatile ?? [])].map(pathPattern),
      ignore: (options.ignore ?? []).map(pathPattern),
      // Pulp does not order progress reports, and keeps a task's resources in a Python set.
      unordered: ['**.progress_reports', '**.reserved_resources_record', ...(options.unordered ?? [])].map(pathPattern),
      hosts: [new URL(this.options.real.url).host, new URL(this.options.emulator.url).host],
      bind: (r, e) => this.#bindId(r, e),
      canBind: (r, e) => this.#canBind(r, e),
      differ: (path, r, e) => differ(path.length === 0 ? 'body' : `body.${path.join('.')}`, r, e),
    };
    compareJson(real.body as Json, emulated.body as Json, [], ctx);
  }
}

interface CompareContext {
  volatile: PathPattern[];
  ignore: PathPattern[];
  unordered: PathPattern[];
  /** The real and the emulator's API host (`127.0.0.1:24927`), equal for comparison. */
  hosts: [string, string];
  bind: (real: string, emulated: string) => boolean;
  /** Whether `bind` would succeed, without binding. */
  canBind: (real: string, emulated: string) => boolean;
  differ: (path: string[], real: string, emulated: string) => void;
}

/** `a.*.b` (one segment per `*`), and `**.b` (b at any depth). */
type PathPattern = { segments: string[]; anyDepth: boolean };

function pathPattern(text: string): PathPattern {
  const anyDepth = text.startsWith('**.');
  return { segments: (anyDepth ? text.slice(3) : text).split('.'), anyDepth };
}

function matchesPath(pattern: PathPattern, path: string[]): boolean {
  const segs = pattern.segments;
  const tail = pattern.anyDepth ? path.slice(Math.max(0, path.length - segs.length)) : path;
  return tail.length === segs.length && segs.every((s, i) => s === '*' || s === tail[i]);
}

/**
 * How many artifacts a sync downloads depends on what the server already stores from earlier
 * syncs of any repository (artifacts outlive repositories), not on the rules being compared.
 */
function serverHistory(value: Json): boolean {
  return isObject(value) && value['code'] === 'sync.downloading.artifacts';
}

function compareJson(real: Json, emulated: Json, path: string[], ctx: CompareContext): void {
  if (serverHistory(real) && serverHistory(emulated)) {
    const { done: _real, ...r } = real as JsonObject;
    const { done: _emulated, ...e } = emulated as JsonObject;
    for (const [k, v] of Object.entries(r)) compareJson(v, (e[k] ?? null) as Json, [...path, k], ctx);
    return;
  }
  if (ctx.ignore.some((p) => matchesPath(p, path))) return;
  if (ctx.volatile.some((p) => matchesPath(p, path))) {
    if ((real === null) !== (emulated === null)) ctx.differ(path, show(real), show(emulated));
    return;
  }
  if (typeof real === 'string' && typeof emulated === 'string') {
    if (!sameString(real, emulated, ctx)) ctx.differ(path, show(real), show(emulated));
    return;
  }
  if (Array.isArray(real) && Array.isArray(emulated)) {
    if (real.length !== emulated.length) {
      ctx.differ(path, `${real.length} items ${show(real)}`, `${emulated.length} items ${show(emulated)}`);
      return;
    }
    if (ctx.unordered.some((p) => matchesPath(p, path))) return compareMultiset(real, emulated, path, ctx);
    real.forEach((r, i) => compareJson(r, emulated[i] as Json, [...path, String(i)], ctx));
    return;
  }
  if (isObject(real) && isObject(emulated)) {
    const missing = Object.keys(real).filter((k) => !(k in emulated));
    const extra = Object.keys(emulated).filter((k) => !(k in real));
    if (missing.length > 0) ctx.differ(path, `keys ${missing.join(', ')}`, '(missing)');
    if (extra.length > 0) ctx.differ(path, '(absent)', `keys ${extra.join(', ')}`);
    for (const [k, v] of Object.entries(real)) if (k in emulated) compareJson(v, emulated[k] as Json, [...path, k], ctx);
    return;
  }
  if (real !== emulated) ctx.differ(path, show(real), show(emulated));
}

/**
 * Lists whose order the server does not define: each real item must match a distinct emulator
 * item. An item that several emulator items could match (two new publications' hrefs) is matched
 * without binding ids, so a later ordered answer decides which object is which.
 */
function compareMultiset(real: Json[], emulated: Json[], path: string[], ctx: CompareContext): void {
  const matches = (r: Json, e: Json, at: string[]) => {
    let same = true;
    compareJson(r, e, at, { ...ctx, bind: ctx.canBind, differ: () => (same = false) });
    return same;
  };
  const left = [...emulated];
  for (const [i, r] of real.entries()) {
    const at = [...path, String(i)];
    const found = left.findIndex((e) => matches(r, e, at));
    if (found < 0) {
      ctx.differ(at, show(r), `no match among ${show(left)}`);
      continue;
    }
    if (emulated.filter((e) => matches(r, e, at)).length === 1) compareJson(r, left[found] as Json, at, ctx);
    left.splice(found, 1);
  }
}

/** Equal after normalising datetimes and hosts, with every id pair bound (or already bound to each other). */
function sameString(real: string, emulated: string, ctx: CompareContext): boolean {
  const normalise = (s: string, host: string) => s.split(host).join('<host>').replace(DATETIME, '<datetime>');
  const r = normalise(real, ctx.hosts[0]);
  const e = normalise(emulated, ctx.hosts[1]);
  const realIds = r.match(UUID) ?? [];
  const emulatedIds = e.match(UUID) ?? [];
  if (r.replace(UUID, '<id>') !== e.replace(UUID, '<id>') || realIds.length !== emulatedIds.length) return false;
  return realIds.every((id, i) => ctx.bind(id, emulatedIds[i] as string));
}

function contentKind(answer: Answer): string {
  if (answer.text === '') return 'empty';
  return (answer.headers['content-type'] ?? 'no content type').split(';')[0] as string;
}

function parseJson(text: string, contentType: string | undefined): Json | undefined {
  if (!contentType?.includes('json') || text === '') return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: Json | undefined): string {
  return value === undefined ? '(nothing)' : JSON.stringify(value);
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** `remotes/rpm/rpm/` → `/pulp/api/v3/remotes/rpm/rpm/`; absolute paths and URLs pass through. */
function apiPath(path: string): string {
  if (/^https?:\/\//.test(path)) return new URL(path).pathname + new URL(path).search;
  return path.startsWith('/') ? path : `/pulp/api/v3/${path}`;
}

/** A readable step name: the API prefix and ids left out. */
function shortPath(path: string): string {
  return apiPath(path).replace(/^\/pulp\/api\/v3\//, '').replace(UUID, '<id>');
}

function queryString(query: Record<string, string | string[]>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    for (const item of Array.isArray(v) ? v : [v]) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(item)}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** A prefix for one run's object names: short, unique, valid in every name and base path Pulp accepts. */
export function runPrefix(): string {
  return `diff${randomBytes(3).toString('hex')}`;
}

/** Runs scenarios against a real server and an emulator of its version; never throws for a difference. */
export async function runScenarios(
  scenarios: Scenario[],
  options: Omit<SessionOptions, 'scenario' | 'prefix'> & { prefix?: string },
): Promise<ScenarioReport[]> {
  const prefix = options.prefix ?? runPrefix();
  const reports: ScenarioReport[] = [];
  for (const [i, scenario] of scenarios.entries()) {
    const session = new DifferentialSession({ ...options, scenario: scenario.name, prefix: `${prefix}${i}` });
    let error: string | undefined;
    try {
      await scenario.run(session);
    } catch (e) {
      error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    } finally {
      const problems = await session.cleanUp();
      if (problems.length > 0) error = [error, ...problems.map((p) => `clean-up: ${p}`)].filter(Boolean).join('\n');
      session.close();
    }
    reports.push({ scenario: scenario.name, requests: session.requests, differences: session.differences, ...(error ? { error } : {}) });
  }
  return reports;
}
