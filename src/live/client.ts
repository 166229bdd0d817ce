import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Json, JsonObject } from '../model/json.js';
import type { Secret } from '../model/secret.js';
import {
  ClientSetupError,
  excerptOf,
  PulpApiError,
  type PulpErrorCode,
  summarizeErrorBody,
} from './errors.js';
import { TaskPoller, type TaskPollerStats, type WaitForTaskOptions } from './task-poller.js';
import { requestText } from './http-text.js';

export type { ProgressReport, TaskProgress } from './task-progress.js';
export { describeProgress, progressReportsOf } from './task-progress.js';
export type { WaitForTaskOptions } from './task-poller.js';

export interface PulpClientOptions {
  /** `scheme://host[:port]`, or the API root URL itself. Must not contain credentials. */
  baseUrl: string;
  username?: string;
  password?: Secret;
  /** PEM text, or the path of a PEM file, of the CA that signed the server certificate. */
  caCert?: string;
  /** Skip TLS certificate verification (explicit opt-in). */
  insecure?: boolean;
  /** Per HTTP request. Default 60 s. */
  timeoutMs?: number;
  /** Retries of a request that failed in a way that is safe to retry. Default 3. */
  retries?: number;
  /** Default `/pulp/api/v3/`. */
  apiRoot?: string;
  /** First retry backoff; doubles on each retry. Default 250 ms. */
  retryDelayMs?: number;
  /** Cap on a server's Retry-After. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Open connections per host. Default 32. */
  maxSockets?: number;
  /** Page size of list requests (Pulp has no maximum). Default 1000. */
  pageSize?: number;
}

/** What a write answered: the object itself (201, or 200 on a no-op update), a task to wait for (202), or nothing (204). */
export type WriteResult = { kind: 'object'; object: JsonObject } | { kind: 'task'; taskHref: string } | { kind: 'empty' };

export interface ActiveTaskFilter {
  /** Href of an object the task holds a lock on; omitted: any task of that name. */
  resource?: string;
  /** `exclusive`: the task writes the object (sync, update); `shared`: it reads it (publish). */
  lock?: 'exclusive' | 'shared';
  /** Part of the task name, e.g. `synchroniz` or `publish`. */
  nameContains: string;
}

type Query = Record<string, string | number | boolean>;

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body, when the cut-short check already parsed it: a Pulp list page is parsed once, not twice. */
  parsed?: Json;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE']);
const MAX_BACKOFF_MS = 8000;
const CREDENTIAL_HINT = 'check --username and --password-file (or PULP_USERNAME / PULP_PASSWORD)';

/**
 * A small Pulp 3 REST client: JSON in and out, Basic auth, pagination, task waits, and
 * retries only where they cannot duplicate work (idempotent methods, or a request the server
 * never received). Credentials live only in a private header value; no error, event or
 * inspection of this object shows them.
 */
export class PulpClient {
  /** The server origin and path prefix, e.g. `http://127.0.0.1:24817` or `https://example.com/pulp-proxy`. */
  readonly baseUrl: string;
  /** Absolute path of the REST root, e.g. `/pulp/api/v3/`. */
  readonly apiRoot: string;
  readonly username: string | undefined;
  readonly #origin: string;
  /** Path a proxy serves Pulp under (`/pulp-proxy`), prepended to hrefs that lack it. */
  readonly #prefix: string;
  readonly #authorization: string | undefined;
  /** No password was given: a refusal then means it is missing, not wrong. */
  readonly #passwordMissing: boolean;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #retryDelayMs: number;
  readonly #maxRetryAfterMs: number;
  readonly #pageSize: number;
  readonly #ca: string | undefined;
  readonly #insecure: boolean;
  readonly #httpAgent: http.Agent;
  readonly #httpsAgent: https.Agent;
  readonly #counts = new Map<string, number>();
  /** Sent with every request: Pulp logs it and records it as the `logging_cid` of the tasks the request dispatches. */
  readonly #correlationId = randomUUID().replaceAll('-', '');
  #correlationRecorded = false;
  #serverVersions: Record<string, string> | undefined;
  readonly #tasks: TaskPoller;

  constructor(options: PulpClientOptions) {
    const { origin, prefix, apiRoot } = splitBaseUrl(options.baseUrl, options.apiRoot ?? '/pulp/api/v3/');
    this.baseUrl = `${origin}${prefix}`;
    this.#origin = origin;
    this.#prefix = prefix;
    this.apiRoot = apiRoot;
    this.username = options.username;
    this.#passwordMissing = options.password === undefined || options.password.reveal() === '';
    if (options.username !== undefined || options.password !== undefined) {
      const token = Buffer.from(`${options.username ?? ''}:${options.password?.reveal() ?? ''}`).toString('base64');
      this.#authorization = `Basic ${token}`;
    }
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#retries = options.retries ?? 3;
    this.#retryDelayMs = options.retryDelayMs ?? 250;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.#pageSize = options.pageSize ?? 1000;
    this.#ca = options.caCert === undefined ? undefined : loadCaCert(options.caCert);
    this.#insecure = options.insecure ?? false;
    const maxSockets = options.maxSockets ?? 32;
    this.#httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.#httpsAgent = new https.Agent({ keepAlive: true, maxSockets });
    this.#tasks = new TaskPoller({
      get: (path, query, signal) => this.get(path, query, signal),
      serverVersions: () => this.#serverVersions,
      recordedCorrelationId: () => (this.#correlationRecorded ? this.#correlationId : undefined),
    });
  }

  /** Objects per page of a list (`limit`). */
  get pageSize(): number {
    return this.#pageSize;
  }

  /** HTTP requests sent so far (retries included), by method. */
  requestCounts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  resetRequestCounts(): void {
    this.#counts.clear();
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  /** `GET status/` (no authentication needed). Its component versions decide how tasks are polled. */
  async status(): Promise<JsonObject> {
    const status = await this.get('status/');
    const versions = status['versions'];
    if (Array.isArray(versions)) {
      this.#serverVersions = {};
      for (const entry of versions) {
        if (entry && typeof entry === 'object' && !Array.isArray(entry) && typeof entry['component'] === 'string' && typeof entry['version'] === 'string') {
          this.#serverVersions[entry['component']] = entry['version'];
        }
      }
    }
    return status;
  }

  /** Task polls sent so far: list requests covering many tasks, and GETs of single tasks. */
  taskPollStats(): TaskPollerStats {
    return this.#tasks.stats();
  }

  /** GET one object: an href (`/pulp/api/v3/...`), a path relative to the API root, or an absolute URL on this server. */
  async get(path: string, query?: Query, signal?: AbortSignal): Promise<JsonObject> {
    const target = withQuery(path, query);
    const body = await this.#json('GET', target, undefined, signal);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw this.#notPulp('GET', this.#displayPath(target), 'the response is not a JSON object');
    }
    return body;
  }

  /** Every object of a list endpoint, following `next` links, `pageSize` per request. */
  async list(endpoint: string, query: Query = {}): Promise<JsonObject[]> {
    const results: JsonObject[] = [];
    const seen = new Set<string>();
    let next: string | null = withQuery(endpoint, { ...query, limit: this.#pageSize, offset: 0 });
    while (next !== null) {
      const page = await this.get(next);
      const items = page['results'];
      if (!Array.isArray(items)) throw this.#notPulp('GET', this.#displayPath(next), 'the response is not a Pulp list (no `results`)');
      for (const item of items) {
        if (item === null || typeof item !== 'object' || Array.isArray(item)) continue;
        // An object created while we page shifts the offsets and shows an object twice.
        const href = item['pulp_href'];
        if (typeof href === 'string') {
          if (seen.has(href)) continue;
          seen.add(href);
        }
        results.push(item);
      }
      const link = page['next'];
      next = typeof link === 'string' && items.length > 0 ? link : null;
    }
    return results;
  }

  /** POST to a list endpoint. Never retried once the server may have received it. */
  async create(endpoint: string, body: JsonObject): Promise<WriteResult> {
    return this.#write('POST', endpoint, body);
  }

  /** POST to an action (`<repo href>sync/`). Never retried once the server may have received it. */
  async post(path: string, body: JsonObject): Promise<WriteResult> {
    return this.#write('POST', path, body);
  }

  async patch(href: string, body: JsonObject): Promise<WriteResult> {
    return this.#write('PATCH', href, body);
  }

  async put(href: string, body: JsonObject): Promise<WriteResult> {
    return this.#write('PUT', href, body);
  }

  /** DELETE; a 404 after a retry counts as done (the first attempt got through). */
  async delete(href: string): Promise<WriteResult> {
    return this.#write('DELETE', href, undefined);
  }

  /**
   * Waits until a task is final, polled together with every other task this client waits for
   * (one list request per tick: see TaskPoller). Resolves with the completed task; throws
   * TaskFailedError (failed/canceled), TaskTimeoutError or TaskWaitAbandonedError (signal aborted).
   */
  waitForTask(taskHref: string, options: WaitForTaskOptions = {}): Promise<JsonObject> {
    return this.#tasks.wait(taskHref, options);
  }

  /** Tasks still waiting or running whose name contains `nameContains` (and that hold a lock on `resource`, if given). */
  async activeTasks(filter: ActiveTaskFilter): Promise<JsonObject[]> {
    const query: Query = { state__in: 'waiting,running', name__contains: filter.nameContains };
    const shared = filter.lock === 'shared';
    if (filter.resource !== undefined) query[shared ? 'shared_resources' : 'exclusive_resources'] = filter.resource;
    const tasks = await this.list('tasks/', query);
    // Filter again here: a server that ignores one of these query filters must not make us wait on unrelated tasks.
    return tasks.filter((task) => {
      const state = task['state'];
      const name = task['name'];
      const reserved = task['reserved_resources_record'];
      return (
        (state === 'waiting' || state === 'running') &&
        typeof name === 'string' &&
        name.includes(filter.nameContains) &&
        (filter.resource === undefined || (Array.isArray(reserved) && reserved.some((record) => locksObject(record, filter.resource!, shared))))
      );
    });
  }

  async #write(method: string, path: string, body: JsonObject | undefined): Promise<WriteResult> {
    const response = await this.#json(method, path, body);
    if (response === null) return { kind: 'empty' };
    if (typeof response !== 'object' || Array.isArray(response)) return { kind: 'object', object: { value: response } };
    const task = response['task'];
    if (typeof task === 'string' && Object.keys(response).length === 1) return { kind: 'task', taskHref: task };
    return { kind: 'object', object: response };
  }

  async #json(method: string, path: string, body?: JsonObject, signal?: AbortSignal): Promise<Json> {
    const response = await this.#send(method, path, body, signal);
    if (response.status >= 300) throw this.#httpError(method, this.#displayPath(path), response);
    if (response.status === 204 || response.text.trim() === '') return null;
    if (response.parsed !== undefined) return response.parsed;
    try {
      return JSON.parse(response.text) as Json;
    } catch {
      throw this.#notPulp(method, this.#displayPath(path), `the response is not JSON (${headerOf(response, 'content-type') ?? 'no content type'}): ${excerptOf(response.text)}`);
    }
  }

  async #send(method: string, path: string, body: JsonObject | undefined, signal: AbortSignal | undefined): Promise<RawResponse> {
    const url = this.#url(path);
    // One deadline for the request and all its retries: --request-timeout is what a user waits at most.
    const started = Date.now();
    const deadline = started + this.#timeoutMs;
    for (let attempt = 0; ; attempt++) {
      this.#counts.set(method, (this.#counts.get(method) ?? 0) + 1);
      let response: RawResponse | undefined;
      let failure: PulpApiError | undefined;
      try {
        response = await requestText(url, {
          method,
          headers: this.#headers(),
          ...(body === undefined ? {} : { json: body }),
          timeoutMs: Math.max(1, deadline - Date.now()),
          agent: url.startsWith('https:') ? this.#httpsAgent : this.#httpAgent,
          ca: this.#ca,
          rejectUnauthorized: !this.#insecure,
          ...(signal ? { signal } : {}),
        });
        if (!this.#correlationRecorded && headerOf(response, 'correlation-id') === this.#correlationId) this.#correlationRecorded = true;
        if (response.status < 300 && isCutShort(response)) {
          failure = new PulpApiError({
            code: 'cut_short',
            method,
            path: this.#displayPath(path),
            status: response.status,
            reason: `the JSON answer is incomplete (${response.text.length} bytes)`,
            hint: 'a proxy or the server cut the answer short; running again is safe',
            outcomeUnknown: method !== 'GET',
          });
          response = undefined;
        }
      } catch (error) {
        if (isAbort(error)) throw error;
        failure = this.#networkError(method, this.#displayPath(path), error, { attempts: attempt + 1, elapsedMs: Date.now() - started });
      }
      if (response && method === 'DELETE' && response.status === 404 && attempt > 0) return { status: 204, headers: {}, text: '' };
      const retryable = response ? this.#statusRetryable(method, response.status) : this.#failureRetryable(method, failure!);
      const backoff = retryable ? this.#backoff(attempt, response) : 0;
      if (!retryable || attempt >= this.#retries || Date.now() + backoff >= deadline) {
        if (response) return response;
        throw failure!;
      }
      await sleep(backoff, undefined, signal ? { signal } : undefined);
    }
  }

  #statusRetryable(method: string, status: number): boolean {
    // 429 means the server refused to start the work, so even a POST may go again.
    if (status === 429) return true;
    return status >= 500 && IDEMPOTENT.has(method);
  }

  #failureRetryable(method: string, failure: PulpApiError): boolean {
    if (failure.code === 'connection_refused') return true;
    return IDEMPOTENT.has(method) && ['connection_reset', 'timeout', 'network', 'cut_short'].includes(failure.code);
  }

  #backoff(attempt: number, response: RawResponse | undefined): number {
    const retryAfter = response ? parseRetryAfter(headerOf(response, 'retry-after')) : undefined;
    if (retryAfter !== undefined) return Math.min(retryAfter, this.#maxRetryAfterMs);
    const base = Math.min(this.#retryDelayMs * 2 ** attempt, MAX_BACKOFF_MS);
    return base * (0.8 + Math.random() * 0.4);
  }

  #headers(): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'pulpform', 'correlation-id': this.#correlationId };
    if (this.#authorization) headers['authorization'] = this.#authorization;
    return headers;
  }

  #url(path: string): string {
    let absolute = path;
    if (/^https?:\/\//i.test(path)) {
      // Pulp builds `next` links from its own idea of its host; keep talking to the one we were given.
      const parsed = new URL(path);
      absolute = `${parsed.pathname}${parsed.search}`;
    } else if (!path.startsWith('/')) {
      absolute = `${this.apiRoot}${path}`;
    }
    const prefixed = this.#prefix && !absolute.startsWith(`${this.#prefix}/`) ? `${this.#prefix}${absolute}` : absolute;
    return `${this.#origin}${prefixed}`;
  }

  #displayPath(path: string): string {
    const url = new URL(this.#url(path));
    return `${url.pathname}${url.search}`;
  }

  #httpError(method: string, path: string, response: RawResponse): PulpApiError {
    const { status } = response;
    const isHtml = /^\s*</.test(response.text);
    let parsed: Json | undefined;
    if (!isHtml) {
      try {
        parsed = JSON.parse(response.text) as Json;
      } catch {
        parsed = undefined;
      }
    }
    const summary = parsed === undefined ? excerptOf(response.text) : excerptOf(summarizeErrorBody(parsed));
    const base = { code: 'http' as const, method, path, status, bodyExcerpt: excerptOf(response.text) };
    const detail = summary ? `: ${summary}` : '';
    if (status >= 300 && status < 400) {
      const location = headerOf(response, 'location');
      return new PulpApiError({
        ...base,
        code: 'redirect',
        reason: `the server redirected to ${location ?? 'another address'}`,
        hint: 'use the address the server redirects to as the server URL',
        outcomeUnknown: false,
      });
    }
    if (status === 401 || (status === 403 && !/permission/i.test(summary))) {
      if (this.#passwordMissing) {
        return new PulpApiError({
          ...base,
          reason: `the server needs credentials, and no password was given for ${this.username ?? 'admin'}${detail}`,
          hint: 'give the password: PULP_PASSWORD, --password-file FILE, the server: block of the desired state, or a pulp-cli profile',
          outcomeUnknown: false,
        });
      }
      return new PulpApiError({ ...base, reason: `the server rejected the credentials${detail}`, hint: CREDENTIAL_HINT, outcomeUnknown: false });
    }
    if (status === 403) {
      return new PulpApiError({
        ...base,
        reason: `user ${this.username ?? '(none)'} may not do this${detail}`,
        hint: 'use an account with permission for this, or ask the Pulp administrator',
        outcomeUnknown: false,
      });
    }
    if (status === 404 && (isHtml || parsed === undefined)) {
      return new PulpApiError({
        ...base,
        reason: 'the server has no such path',
        hint: `check the server URL and the API root (${this.apiRoot}); the Pulp plugin serving this path may not be installed`,
        outcomeUnknown: false,
      });
    }
    if (status === 404) return new PulpApiError({ ...base, reason: `not found${detail}`, hint: 'it may have been deleted meanwhile: run plan again', outcomeUnknown: false });
    if (status === 429) {
      return new PulpApiError({ ...base, reason: `the server is rate limiting requests${detail}`, hint: 'lower --concurrency or try again later', outcomeUnknown: false });
    }
    if (isHtml && status < 500) {
      // Pulp answers its API errors in JSON; an HTML error page comes from something else at this address.
      return new PulpApiError({ ...base, reason: `the server answered with an HTML page${detail}`, hint: this.#notPulpHint(), outcomeUnknown: false });
    }
    if (status === 400) return new PulpApiError({ ...base, reason: `Pulp refused the request${detail}`, outcomeUnknown: false });
    if (status === 405) return new PulpApiError({ ...base, reason: `Pulp does not allow ${method} here${detail}`, outcomeUnknown: false });
    if (status >= 500) {
      return new PulpApiError({
        ...base,
        reason: `server error${detail}`,
        hint: 'see the Pulp server logs; running again is safe',
        outcomeUnknown: method !== 'GET',
      });
    }
    return new PulpApiError({ ...base, reason: `unexpected answer${detail}`, outcomeUnknown: false });
  }

  #notPulp(method: string, path: string, reason: string): PulpApiError {
    return new PulpApiError({ code: 'not_json', method, path, reason, hint: this.#notPulpHint(), outcomeUnknown: false });
  }

  #notPulpHint(): string {
    return `this URL does not look like a Pulp API root: check the server URL (${this.baseUrl}) and the API root (${this.apiRoot})`;
  }

  #networkError(method: string, path: string, error: unknown, tried: { attempts: number; elapsedMs: number }): PulpApiError {
    const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : '';
    const raw = error instanceof Error ? error.message : String(error);
    const outcomeUnknown = method !== 'GET';
    const make = (kind: PulpErrorCode, reason: string, hint: string | undefined, unknown: boolean): PulpApiError =>
      new PulpApiError({ code: kind, method, path, reason, ...(hint ? { hint } : {}), outcomeUnknown: unknown });
    if (code === 'ECONNREFUSED') return make('connection_refused', `connection refused by ${this.baseUrl}`, `is Pulp running at ${this.baseUrl}?`, false);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return make('dns', `cannot resolve the host of ${this.baseUrl}`, 'check the server URL', false);
    if (code === 'ETIMEDOUT' || (error as { name?: string }).name === 'TimeoutError') {
      return make('timeout', `no answer within ${Math.round(this.#timeoutMs / 1000)} s (${triedText(tried)})`, `is Pulp at ${this.baseUrl} overloaded? A longer --request-timeout may help`, outcomeUnknown);
    }
    if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(raw)) {
      // A server that speaks only HTTPS hangs up on plain HTTP.
      const plain = this.baseUrl.startsWith('http:') ? `; if it happens every time, check whether ${this.baseUrl} should be https://` : '';
      return make('connection_reset', `the connection was closed before an answer arrived (${triedText(tried)})`, `running again is safe${plain}`, outcomeUnknown);
    }
    if (/wrong version number|packet length too long|http request/i.test(raw)) {
      return make('tls', `${this.baseUrl} does not speak TLS`, `use http:// in the server URL, or the port where the server speaks HTTPS`, false);
    }
    if (/CERT|SSL|TLS|EPROTO|self[- ]signed|unable to verify/i.test(`${code} ${raw}`)) {
      return make('tls', `TLS failure talking to ${this.baseUrl}: ${raw}`, 'pass the CA certificate with --ca-cert, or (unsafe) --insecure to skip verification', false);
    }
    return make('network', `network error${code ? ` ${code}` : ''}: ${raw}`, `is Pulp reachable at ${this.baseUrl}?`, outcomeUnknown);
  }
}

/** `3 attempts over 12 s` */
function triedText(tried: { attempts: number; elapsedMs: number }): string {
  return `${tried.attempts} attempt${tried.attempts === 1 ? '' : 's'} over ${Math.round(tried.elapsedMs / 1000)} s`;
}

function splitBaseUrl(baseUrl: string, apiRootOption: string): { origin: string; prefix: string; apiRoot: string } {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ClientSetupError(`the server URL '${baseUrl}' is not a URL`, 'give it as http(s)://host[:port]');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ClientSetupError(`the server URL '${url.protocol}//${url.host}' must use http or https`, 'e.g. https://pulp.example.com');
  }
  if (url.username || url.password) {
    throw new ClientSetupError(`the server URL '${url.protocol}//(redacted)@${url.host}' contains credentials`, 'remove them and use --username and --password-file');
  }
  const apiRoot = `/${apiRootOption.replace(/^\/+|\/+$/g, '')}/`;
  const path = url.pathname.replace(/\/+$/, '');
  if (`${path}/` === apiRoot) return { origin: url.origin, prefix: '', apiRoot };
  if (/\/api\/v3$/.test(path)) return { origin: url.origin, prefix: '', apiRoot: `${path}/` };
  return { origin: url.origin, prefix: path, apiRoot };
}

/** A CA certificate given as PEM text or as the path of a PEM file. */
export function loadCaCert(caCert: string): string {
  if (caCert.includes('-----BEGIN')) return caCert;
  try {
    return readFileSync(caCert, 'utf8');
  } catch (error) {
    throw new ClientSetupError(
      `cannot read the CA certificate file '${caCert}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      'give --ca-cert (or server.ca_cert) the path of a PEM file this user can read',
    );
  }
}

function withQuery(path: string, query: Query | undefined): string {
  if (!query || Object.keys(query).length === 0) return path;
  const params = new URLSearchParams(Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]));
  return `${path}${path.includes('?') ? '&' : '?'}${params.toString()}`;
}

/**
 * A JSON answer that does not parse: cut short in transit (a non-JSON answer is judged later,
 * with a hint about the API root). One that parses keeps the result in `parsed`.
 */
function isCutShort(response: RawResponse): boolean {
  if (!/json/i.test(headerOf(response, 'content-type') ?? '') || response.text.trim() === '') return false;
  try {
    response.parsed = JSON.parse(response.text) as Json;
    return false;
  } catch {
    return true;
  }
}

function headerOf(response: RawResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  const code = (error as { code?: unknown })?.code;
  return name === 'AbortError' || code === 'ABORT_ERR' || code === 'ERR_ABORTED';
}

/**
 * Whether a task's lock record is a lock on the object at `href`: the href itself, or (pulpcore
 * 3.50 and later) its PRN `prn:rpm.rpmrepository:<uuid>`; shared locks are prefixed `shared:`.
 */
export function locksObject(record: Json, href: string, shared: boolean): boolean {
  if (typeof record !== 'string' || record.startsWith('shared:') !== shared) return false;
  const id = /([0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})\/?$/i.exec(href)?.[1];
  const lock = record.replace(/^shared:/, '');
  return lock === href || (id !== undefined && lock.startsWith('prn:') && lock.endsWith(`:${id}`));
}
