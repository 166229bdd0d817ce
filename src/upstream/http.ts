// How Pulp fetches from an upstream (Basic auth, proxy, TLS, timeouts, retries; its error texts are in download-errors.ts).
// The emulator's sync fetches through it to behave like Pulp; preflight probes through it so a
// probe fails the way the sync would.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { createHash } from 'node:crypto';
import { connectionError, DownloadError, ResponseError, timeoutError } from './download-errors.js';
import type { RemoteConnection } from './remote.js';

export { DownloadError, ResponseError } from './download-errors.js';
export { connectionOf, type RemoteConnection, type RemoteFields } from './remote.js';

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface FetchResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The URL finally answered (after redirects). */
  url: string;
}

export interface FetchOptions {
  headers?: Record<string, string>;
  expectedSha256?: string | null;
  expectedSize?: number | null;
  /** Send the remote's Basic credentials (false for a registry, which uses its token flow). */
  basicAuth?: boolean;
}

const USER_AGENT = 'pulpcore/3.23.24 (pulpform emulator)';
const MAX_REDIRECTS = 10;

/**
 * Downloads from one remote the way pulpcore's HttpDownloader does: preemptive Basic auth,
 * the remote's headers, proxy (CONNECT for https), TLS options, redirects, retries with
 * exponential backoff on connection errors, 5xx and 429 (max_retries), digest and size checks,
 * at most download_concurrency requests at a time. Errors carry Pulp's wording.
 */
export class Downloader {
  readonly connection: RemoteConnection;
  readonly #retryDelayMs: number;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(connection: RemoteConnection, options: { retryDelayMs?: number | undefined } = {}) {
    this.connection = connection;
    this.#retryDelayMs = options.retryDelayMs ?? 20;
  }

  async fetch(url: string, options: FetchOptions = {}): Promise<FetchResult> {
    await this.#acquire();
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const result = await this.#fetchFollowing(url, options);
          verify(result, options);
          return result;
        } catch (error) {
          const retryable = error instanceof DownloadError && error.retryable;
          if (!retryable || attempt >= this.connection.maxRetries) throw error;
          await new Promise((resolve) => setTimeout(resolve, this.#retryDelayMs * 2 ** attempt));
        }
      }
    } finally {
      this.#release();
    }
  }

  async #acquire(): Promise<void> {
    if (this.#active < Math.max(1, this.connection.downloadConcurrency)) {
      this.#active++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#active++;
  }

  #release(): void {
    this.#active--;
    this.#waiting.shift()?.();
  }

  async #fetchFollowing(url: string, options: FetchOptions): Promise<FetchResult> {
    let current = url;
    const origin = originOf(url);
    for (let hop = 0; ; hop++) {
      const sameOrigin = originOf(current) === origin;
      const result = await this.#request(current, options, sameOrigin);
      const location = result.headers.location;
      if ([301, 302, 303, 307, 308].includes(result.status) && location && hop < MAX_REDIRECTS) {
        current = new URL(location, current).toString();
        continue;
      }
      if (result.status >= 400) {
        throw new ResponseError(result.status, result.reason, current, result.headers);
      }
      return { status: result.status, headers: result.headers, body: result.body, url: current };
    }
  }

  #request(url: string, options: FetchOptions, sendCredentials: boolean): Promise<FetchResult & { reason: string }> {
    const target = new URL(url);
    const c = this.connection;
    const headers: Record<string, string> = { 'User-Agent': USER_AGENT, ...c.headers, ...options.headers };
    if (sendCredentials && options.basicAuth !== false && c.username !== null) {
      headers.Authorization = basic(c.username, c.password?.reveal() ?? '');
    }
    const isHttps = target.protocol === 'https:';
    const port = Number(target.port || (isHttps ? 443 : 80));
    const describeTarget = { host: target.hostname, port, ssl: c.tlsValidation ? 'default' : 'False' };
    const tlsOptions: tls.ConnectionOptions = {
      rejectUnauthorized: c.tlsValidation,
      ...(c.caCert ? { ca: c.caCert } : {}),
      ...(c.clientCert ? { cert: c.clientCert } : {}),
      ...(c.clientKey ? { key: c.clientKey.reveal() } : {}),
      ...(isIP(target.hostname) ? {} : { servername: target.hostname }),
    };
    if (target.protocol !== 'http:' && !isHttps) {
      return Promise.reject(new DownloadError(`URL scheme '${target.protocol.replace(':', '')}' is not supported: ${url}`, false));
    }

    return new Promise((resolve, reject) => {
      let settled = false;
      let request: http.ClientRequest | undefined;
      const timers: NodeJS.Timeout[] = [];
      const stopTimers = () => timers.forEach((t) => clearTimeout(t));
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        stopTimers();
        reject(error);
      };
      const expireAfter = (ms: number | null) => {
        if (!ms) return undefined;
        const timer = setTimeout(() => {
          request?.destroy();
          fail(timeoutError(url));
        }, ms);
        timers.push(timer);
        return timer;
      };
      expireAfter(c.totalTimeoutMs);

      const onResponse = (response: http.IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => fail(connectionError(error, describeTarget, url)));
        response.on('end', () => {
          if (settled) return;
          settled = true;
          stopTimers();
          resolve({
            status: response.statusCode ?? 0,
            reason: response.statusMessage ?? '',
            headers: response.headers,
            body: Buffer.concat(chunks),
            url,
          });
        });
      };

      const send = (socket?: Duplex) => {
        const base = {
          method: 'GET',
          headers,
          timeout: c.readTimeoutMs ?? undefined,
        };
        if (c.proxyUrl && !isHttps) {
          const proxy = new URL(c.proxyUrl);
          const proxyHeaders = { ...headers, Host: target.host, ...proxyAuthorization(c) };
          request = http.request({
            ...base,
            host: proxy.hostname,
            port: Number(proxy.port || 80),
            path: url,
            headers: proxyHeaders,
          });
        } else if (isHttps) {
          request = https.request({
            ...base,
            ...tlsOptions,
            host: target.hostname,
            port,
            path: `${target.pathname}${target.search}`,
            agent: false,
            ...(socket ? { createConnection: () => tls.connect({ ...tlsOptions, socket }) } : {}),
          });
        } else {
          request = http.request({ ...base, host: target.hostname, port, path: `${target.pathname}${target.search}`, agent: false });
        }
        const connectTimer = expireAfter(c.connectTimeoutMs);
        request.on('socket', (s) => s.once(isHttps ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer)));
        request.on('response', onResponse);
        request.on('timeout', () => {
          request?.destroy();
          fail(timeoutError(url));
        });
        request.on('error', (error) => fail(connectionError(error, describeTarget, url)));
        request.end();
      };

      if (c.proxyUrl && isHttps) {
        const proxy = new URL(c.proxyUrl);
        const connect = http.request({
          method: 'CONNECT',
          host: proxy.hostname,
          port: Number(proxy.port || 80),
          path: `${target.hostname}:${port}`,
          headers: { Host: `${target.hostname}:${port}`, ...proxyAuthorization(c) },
        });
        connect.on('connect', (response, socket) => {
          if (response.statusCode !== 200) {
            socket.destroy();
            fail(new ResponseError(response.statusCode ?? 0, response.statusMessage ?? '', c.proxyUrl ?? '', response.headers));
            return;
          }
          send(socket);
        });
        connect.on('error', (error) => {
          const proxyTarget = { host: proxy.hostname, port: Number(proxy.port || 80), ssl: describeTarget.ssl };
          fail(connectionError(error, proxyTarget, url));
        });
        connect.end();
      } else {
        send();
      }
    });
  }
}

function verify(result: FetchResult, options: FetchOptions): void {
  if (options.expectedSha256) {
    const actual = sha256Hex(result.body);
    if (actual !== options.expectedSha256) {
      throw new DownloadError(
        `A file located at the url ${result.url} failed validation due to checksum. Expected '${options.expectedSha256}', Actual '${actual}'`,
        true,
      );
    }
  }
  if (options.expectedSize !== undefined && options.expectedSize !== null && result.body.length !== options.expectedSize) {
    throw new DownloadError(
      `A file located at the url ${result.url} failed validation due to size. Expected '${options.expectedSize}', Actual '${result.body.length}'`,
      true,
    );
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function proxyAuthorization(c: RemoteConnection): Record<string, string> {
  return c.proxyUsername ? { 'Proxy-Authorization': basic(c.proxyUsername, c.proxyPassword?.reveal() ?? '') } : {};
}

/** Joins a base URL and a relative path the way pulp's urlpath_sanitize does (one slash between). */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
