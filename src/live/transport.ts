import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Json, JsonObject } from '../model/json.js';
import type { Secret } from '../model/secret.js';
import { cutShortError, httpError, networkError, notPulpError, type ServerContext } from './classify.js';
import { ClientSetupError, excerptOf, type PulpApiError } from './errors.js';
import { headerOf, requestText } from './http-text.js';

export interface PulpClientOptions {
  /** `scheme://host[:port]`, or the API root URL itself. Must not contain credentials. */
  baseUrl: string;
  username?: string | undefined;
  password?: Secret | undefined;
  /** PEM text, or the path of a PEM file, of the CA that signed the server certificate. */
  caCert?: string | undefined;
  /** Skip TLS certificate verification (explicit opt-in). */
  insecure?: boolean | undefined;
  /** Per HTTP request. Default 60 s. */
  timeoutMs?: number | undefined;
  /** Retries of a request that failed in a way that is safe to retry. Default 3. */
  retries?: number | undefined;
  /** Default `/pulp/api/v3/`. */
  apiRoot?: string | undefined;
  /** First retry backoff; doubles on each retry. Default 250 ms. */
  retryDelayMs?: number | undefined;
  /** Cap on a server's Retry-After. Default 60 s. */
  maxRetryAfterMs?: number | undefined;
  /** Open connections per host. Default 32. */
  maxSockets?: number | undefined;
  /** Page size of list requests (Pulp has no maximum). Default 1000. */
  pageSize?: number | undefined;
}

export type Query = Record<string, string | number | boolean>;

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body, when the cut-short check already parsed it: a Pulp list page is parsed once, not twice. */
  parsed?: Json;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE']);
const MAX_BACKOFF_MS = 8000;

/**
 * JSON requests to one Pulp server over kept-alive connections: Basic auth, one deadline for a
 * request and its retries, retries only where they cannot duplicate work (idempotent methods, or
 * a request the server never received), pagination. Credentials live only in a private header
 * value; no error or inspection of this object shows them.
 */
export class PulpTransport {
  /** The server origin and path prefix, e.g. `http://127.0.0.1:24817` or `https://example.com/pulp-proxy`. */
  readonly baseUrl: string;
  /** Absolute path of the REST root, e.g. `/pulp/api/v3/`. */
  readonly apiRoot: string;
  readonly username: string | undefined;
  readonly #origin: string;
  /** Path a proxy serves Pulp under (`/pulp-proxy`), prepended to hrefs that lack it. */
  readonly #prefix: string;
  readonly #authorization: string | undefined;
  readonly #server: ServerContext;
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

  constructor(options: PulpClientOptions) {
    const { origin, prefix, apiRoot } = splitBaseUrl(options.baseUrl, options.apiRoot ?? '/pulp/api/v3/');
    this.baseUrl = `${origin}${prefix}`;
    this.#origin = origin;
    this.#prefix = prefix;
    this.apiRoot = apiRoot;
    this.username = options.username;
    if (options.username !== undefined || options.password !== undefined) {
      const token = Buffer.from(`${options.username ?? ''}:${options.password?.reveal() ?? ''}`).toString('base64');
      this.#authorization = `Basic ${token}`;
    }
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#server = {
      baseUrl: this.baseUrl,
      apiRoot,
      username: options.username,
      passwordMissing: options.password === undefined || options.password.reveal() === '',
      timeoutMs: this.#timeoutMs,
    };
    this.#retries = options.retries ?? 3;
    this.#retryDelayMs = options.retryDelayMs ?? 250;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.#pageSize = options.pageSize ?? 1000;
    this.#ca = options.caCert === undefined ? undefined : loadCaCert(options.caCert);
    this.#insecure = options.insecure ?? false;
    const maxSockets = options.maxSockets ?? 32;
    this.#httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.#httpsAgent = new https.Agent({ keepAlive: true, maxSockets });
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

  /** The correlation id every request carries, once the server has shown that it records it. */
  recordedCorrelationId(): string | undefined {
    return this.#correlationRecorded ? this.#correlationId : undefined;
  }

  /** GET one object: an href (`/pulp/api/v3/...`), a path relative to the API root, or an absolute URL on this server. */
  async get(path: string, query?: Query, signal?: AbortSignal): Promise<JsonObject> {
    const target = withQuery(path, query);
    const body = await this.json('GET', target, undefined, signal);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw notPulpError(this.#server, 'GET', this.#displayPath(target), 'the response is not a JSON object');
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
      if (!Array.isArray(items))
        throw notPulpError(this.#server, 'GET', this.#displayPath(next), 'the response is not a Pulp list (no `results`)');
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

  /** The parsed answer of a request; null for 204 or an empty body. A status of 300 or more throws. */
  async json(method: string, path: string, body?: JsonObject, signal?: AbortSignal): Promise<Json> {
    const response = await this.#send(method, path, body, signal);
    if (response.status >= 300) throw httpError(this.#server, method, this.#displayPath(path), response);
    if (response.status === 204 || response.text.trim() === '') return null;
    if (response.parsed !== undefined) return response.parsed;
    try {
      return JSON.parse(response.text) as Json;
    } catch {
      throw notPulpError(
        this.#server,
        method,
        this.#displayPath(path),
        `the response is not JSON (${headerOf(response, 'content-type') ?? 'no content type'}): ${excerptOf(response.text)}`,
      );
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
          failure = cutShortError(method, this.#displayPath(path), response);
          response = undefined;
        }
      } catch (error) {
        if (isAbort(error)) throw error;
        failure = networkError(this.#server, method, this.#displayPath(path), error, {
          attempts: attempt + 1,
          elapsedMs: Date.now() - started,
        });
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
    if (failure.kind === 'connection_refused') return true;
    return IDEMPOTENT.has(method) && ['connection_reset', 'timeout', 'network', 'cut_short'].includes(failure.kind);
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
    throw new ClientSetupError(
      `the server URL '${url.protocol}//(redacted)@${url.host}' contains credentials`,
      'remove them and use --username and --password-file',
    );
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
