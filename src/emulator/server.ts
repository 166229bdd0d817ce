import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Json } from '../model/json.js';
import { type ApiDocument, type HttpMethod, type RouteMatch, allowHeader } from './api-doc.js';
import { newLoggingCid } from './clock.js';
import { CONTENT_PREFIX, handleContentRequest, handleRegistryRequest } from './content/index.js';
import { HtmlError, HttpError, htmlPage } from './errors.js';
import type { FaultPlan } from './faults.js';
import { Query } from './lists.js';
import type { PulpProfile } from './profiles.js';
import type { Pulp, Reply } from './pulp.js';
import { pythonJsonError } from './python-json.js';
import { isPlainObject } from './serializer.js';

export interface RequestRecord {
  method: string;
  path: string;
  /** The HTTP status answered; 0 when fault injection reset the connection. */
  status: number;
  /** An emulator bug behind a 500: the stack, so it shows up in the log rather than nowhere. */
  error?: string;
  /** The fault injected into this request, if any (`lost` and `slow` ones were handled: `status` is what the client did not get in time). */
  fault?: 'reset' | 'error' | 'lost' | 'slow';
}

export interface HttpLayerOptions {
  username: string;
  password: string;
  latencyMs: number;
  faults: FaultPlan;
  /** Content and registry only for these credentials (see EmulatorOptions.protectContent). */
  protectContent: boolean;
}

const V3 = '/pulp/api/v3/';
const API_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/**
 * The HTTP face of the emulator: Django's URL resolution (HTML 404, APPEND_SLASH 301), DRF's
 * authentication (403 in 3.23) and method checks (405 with Allow), JSON parsing, latency, fault
 * injection and the request log, in front of `Pulp`.
 */
export class HttpLayer {
  readonly log: RequestRecord[] = [];
  /** Slow answers still held back, released at once on close. */
  readonly #held = new Set<() => void>();

  constructor(
    private readonly doc: ApiDocument,
    private readonly profile: PulpProfile,
    private readonly pulp: Pulp,
    private readonly options: HttpLayerOptions,
  ) {}

  /** Never rejects: a failure is answered with Django's 500 page (when still possible) and logged. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    try {
      await this.#handle(req, res, method);
    } catch (e) {
      const path = new URL(req.url ?? '/', 'http://emulator').pathname;
      this.log.push({ method, path, status: 500, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      if (!res.headersSent) send(res, 500, htmlPage(500), { 'Content-Type': 'text/html' }, method);
      else res.destroy();
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const raw = await readBody(req);
    if (url.pathname.startsWith('/_emulator/')) return this.#control(method, url.pathname, raw, res);
    if (this.options.latencyMs > 0) await new Promise((r) => setTimeout(r, this.options.latencyMs));
    const fault = this.options.faults.nextRequest();
    if (fault === 'reset') {
      this.log.push({ method, path: url.pathname, status: 0, fault });
      req.socket.destroy();
      return;
    }
    if (fault === 'error') {
      this.log.push({ method, path: url.pathname, status: 500, fault });
      return send(res, 500, htmlPage(500), { 'Content-Type': 'text/html' }, method);
    }
    if (url.pathname === `${V3}docs/api.json` && (method === 'GET' || method === 'HEAD')) {
      // The real server's document, byte for byte.
      this.log.push({ method, path: url.pathname, status: 200 });
      return sendBytes(res, 200, this.doc.bytes, { 'Content-Type': 'application/json', Allow: 'GET, HEAD, OPTIONS' }, method);
    }
    if (await this.#content(req, res, url.pathname, raw)) {
      this.log.push({ method, path: url.pathname, status: res.statusCode });
      return;
    }
    let reply: Reply | HtmlReply;
    try {
      reply = this.#api(req, method, url, raw);
    } catch (e) {
      if (e instanceof HttpError) reply = { status: e.status, body: e.body, headers: e.headers };
      else if (e instanceof HtmlError) reply = htmlReply(e.status);
      else throw e;
    }
    this.log.push({ method, path: url.pathname, status: reply.status, ...(fault ? { fault } : {}) });
    if (fault === 'lost') {
      req.socket.destroy();
      return;
    }
    if (fault === 'slow') await this.#holdBack(this.options.faults.slowMs);
    if ('html' in reply) send(res, reply.status, reply.html, { 'Content-Type': 'text/html', ...reply.headers }, method);
    else if (reply.body === undefined) send(res, reply.status, '', reply.headers ?? {}, method);
    else send(res, reply.status, JSON.stringify(reply.body), { 'Content-Type': 'application/json', ...reply.headers }, method);
  }

  /** Resolves after `ms`, or at once when the emulator closes. */
  #holdBack(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const release = (): void => {
        clearTimeout(timer);
        this.#held.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ms);
      this.#held.add(release);
    });
  }

  /** Releases held-back answers so no timer outlives the server. */
  close(): void {
    for (const release of [...this.#held]) release();
  }

  #api(req: IncomingMessage, method: string, url: URL, raw: Buffer): Reply | HtmlReply {
    const path = url.pathname;
    if (path === V3) return this.#root(req, method);
    const match = this.doc.match(path);
    if (!match) {
      if (!path.endsWith('/') && (this.doc.match(`${path}/`) || `${path}/` === V3)) {
        return { status: 301, html: '', headers: { 'Content-Type': 'text/html; charset=utf-8', Location: `${path}/${url.search}` } };
      }
      return htmlReply(404);
    }
    // DRF names the view's methods on every answer it gives, errors included.
    const allow = allowHeader(match.route);
    try {
      return this.#view(req, method, url, raw, match, allow);
    } catch (e) {
      if (e instanceof HttpError) throw new HttpError(e.status, e.body, { Allow: allow, ...e.headers });
      throw e;
    }
  }

  #view(req: IncomingMessage, method: string, url: URL, raw: Buffer, match: RouteMatch, allow: string): Reply {
    const path = url.pathname;
    const isStatus = path === `${V3}status/`;
    if (!isStatus) this.#authenticate(req);
    if (!API_METHODS.has(method) || (method === 'HEAD' && !allow.includes('HEAD'))) throw methodNotAllowed(method, allow);
    if (method === 'OPTIONS')
      return { status: 200, body: { renders: ['application/json'], parses: ['application/json'] }, headers: { Allow: allow } };
    const op = match.route.operations.get((method === 'HEAD' ? 'GET' : method) as HttpMethod);
    if (!op) throw methodNotAllowed(method, allow);
    if (isStatus) return { status: 200, body: this.pulp.status(), headers: { Allow: allow } };
    const host = req.headers.host ?? 'localhost';
    const reply = this.pulp.handle({
      method: op.method,
      path,
      query: new Query(url.search),
      body: op.method === 'GET' || op.method === 'DELETE' ? {} : this.#parseBody(req, raw),
      match,
      op,
      origin: `http://${host}`,
      host,
      loggingCid: newLoggingCid(),
    });
    return { ...reply, headers: { Allow: allow, ...reply.headers } };
  }

  /** The content app (`/pulp/content/`) and the registry (`/v2/`, `/token/`); false for API paths. */
  async #content(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): Promise<boolean> {
    const checkCredentials = (username: string, password: string): boolean =>
      username === this.options.username && password === this.options.password;
    if (path.startsWith(CONTENT_PREFIX)) {
      return handleContentRequest(req, res, {
        distribution: (basePath) => this.pulp.servedFiles(basePath),
        basePathsUnder: (prefix) =>
          [...this.pulp.store.distributionsUnder(prefix)].map((distribution) => String(distribution.values['base_path'])),
        ...(this.options.protectContent ? { checkCredentials } : {}),
      });
    }
    if (path === '/v2' || path.startsWith('/v2/') || path === '/token/' || path === '/token') {
      return handleRegistryRequest(
        req,
        res,
        {
          repository: (name) => this.pulp.registryRepository(name),
          checkCredentials,
          requireAuthentication: this.options.protectContent,
          catalog: () => this.pulp.registryCatalog(),
          push: this.pulp.pushes,
        },
        body,
      );
    }
    return false;
  }

  #root(req: IncomingMessage, method: string): Reply {
    const allow = 'GET, HEAD, OPTIONS';
    try {
      if (req.headers.authorization) this.#authenticate(req);
    } catch (e) {
      if (e instanceof HttpError) throw new HttpError(e.status, e.body, { Allow: allow, ...e.headers });
      throw e;
    }
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, allow);
    const origin = `http://${req.headers.host ?? 'localhost'}`;
    return {
      status: 200,
      body: Object.fromEntries(this.profile.apiRoot.map((name) => [name, `${origin}${V3}${name}/`])),
      headers: { Allow: 'GET, HEAD, OPTIONS' },
    };
  }

  /**
   * 3.23 lists SessionAuthentication first, so DRF answers 403 without a challenge; from 3.24
   * BasicAuthentication comes first: 401 with `WWW-Authenticate`.
   */
  #authenticate(req: IncomingMessage): void {
    const { status, challenge } = this.profile.unauthenticated;
    const refuse = (detail: string) => new HttpError(status, { detail }, challenge ? { 'WWW-Authenticate': challenge } : {});
    const header = req.headers.authorization ?? '';
    const m = /^Basic\s+(.*)$/i.exec(header);
    if (!m) throw refuse('Authentication credentials were not provided.');
    const decoded = Buffer.from((m[1] as string).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw refuse('Invalid basic header. Credentials not correctly base64 encoded.');
    if (decoded.slice(0, colon) !== this.options.username || decoded.slice(colon + 1) !== this.options.password) {
      throw refuse('Invalid username/password.');
    }
  }

  /** A JSON body that is not an object reaches the serializer (400) or, on some versions, crashes first (500). */
  #parseBody(req: IncomingMessage, raw: Buffer): unknown {
    const body = parseBody(req, raw);
    if (!isPlainObject(body) && this.profile.nonObjectBody === 'server-error') throw new HtmlError(500);
    return body;
  }

  #control(method: string, path: string, raw: Buffer, res: ServerResponse): void {
    const json = (status: number, body: Json) => send(res, status, JSON.stringify(body), { 'Content-Type': 'application/json' }, method);
    try {
      if (path === '/_emulator/requests' && method === 'GET')
        return json(200, { requests: this.log.map((r) => ({ ...r })), counts: requestCounts(this.log) });
      if (path === '/_emulator/requests' && method === 'DELETE') {
        this.log.length = 0;
        return send(res, 204, '', {}, method);
      }
      if (path === '/_emulator/registry_push' && method === 'POST') {
        const body = JSON.parse(raw.toString('utf8') || '{}') as unknown;
        if (!isPlainObject(body) || typeof body['name'] !== 'string' || typeof body['tag'] !== 'string') {
          return json(400, { detail: 'registry_push needs a JSON body {"name": "<repository path>", "tag": "<tag>"}.' });
        }
        const repository = this.pulp.registryPush(body['name'], body['tag']);
        return json(200, { name: body['name'], tag: body['tag'], repository: repository.href });
      }
      return json(404, {
        detail: `Unknown emulator control endpoint ${method} ${path}; see GET /_emulator/requests, DELETE /_emulator/requests, POST /_emulator/registry_push.`,
      });
    } catch (e) {
      if (e instanceof HttpError) return json(e.status, e.body);
      return json(400, { detail: e instanceof Error ? e.message : String(e) });
    }
  }
}

export function requestCounts(log: RequestRecord[]): { byMethod: Record<string, number>; byPath: Record<string, number> } {
  const byMethod: Record<string, number> = {};
  const byPath: Record<string, number> = {};
  for (const r of log) {
    byMethod[r.method] = (byMethod[r.method] ?? 0) + 1;
    byPath[r.path] = (byPath[r.path] ?? 0) + 1;
  }
  return { byMethod, byPath };
}

function methodNotAllowed(method: string, allow: string): HttpError {
  return new HttpError(405, { detail: `Method "${method}" not allowed.` }, { Allow: allow });
}

interface HtmlReply {
  status: number;
  html: string;
  headers?: Record<string, string>;
}

function htmlReply(status: 404 | 500): HtmlReply {
  return { status, html: htmlPage(status) };
}

/** DRF's parsers: JSON and form bodies; an empty body is empty data. */
function parseBody(req: IncomingMessage, raw: Buffer): unknown {
  if (raw.length === 0) return {};
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') {
    const text = raw.toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new HttpError(400, { detail: `JSON parse error - ${pythonJsonError(text)}` });
    }
  }
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  throw new HttpError(415, { detail: `Unsupported media type "${req.headers['content-type']}" in request.` });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>, method: string): void {
  sendBytes(res, status, Buffer.from(body, 'utf8'), headers, method);
}

function sendBytes(res: ServerResponse, status: number, body: Buffer, headers: Record<string, string>, method: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { ...headers, 'Content-Length': body.length });
  res.end(method === 'HEAD' ? undefined : body);
}
