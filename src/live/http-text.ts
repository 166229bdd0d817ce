import http from 'node:http';
import https from 'node:https';

/**
 * One HTTP exchange with a text answer, on node:http directly. pulpform's clients need only
 * this (JSON in, text out, no redirects, no retries: they decide those themselves); a general
 * HTTP client costs some 20 MB of loaded code and tens of KB of allocation per request, which at
 * 25,000 requests was most of an apply's memory churn.
 */

export interface TextRequest {
  method: string;
  headers: Record<string, string>;
  /** Sent as JSON (content-type and content-length set here). */
  json?: unknown;
  /** For the whole exchange, answer body included; then the request fails with a TimeoutError. */
  timeoutMs: number;
  agent?: http.Agent | https.Agent;
  /** https: the CA certificates (PEM) to trust instead of the system ones. */
  ca?: string | undefined;
  rejectUnauthorized?: boolean;
  signal?: AbortSignal;
}

export interface TextAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** The request took longer than its `timeoutMs` (name as undici's and got's, which callers test). */
export class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(timeoutMs: number) {
    super(`Timeout awaiting the answer for ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

export function requestText(url: string, request: TextRequest): Promise<TextAnswer> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const body = request.json === undefined ? undefined : Buffer.from(JSON.stringify(request.json));
  const headers: Record<string, string | number> = { ...request.headers };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = body.length;
  }
  return new Promise<TextAnswer>((resolve, reject) => {
    const options: https.RequestOptions = {
      method: request.method,
      headers,
      ...(request.agent !== undefined ? { agent: request.agent } : {}),
      ...(request.signal !== undefined ? { signal: request.signal } : {}),
      ...(secure
        ? { rejectUnauthorized: request.rejectUnauthorized ?? true, ...(request.ca !== undefined ? { ca: request.ca } : {}) }
        : {}),
    };
    const sent = (secure ? https : http).request(target, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('aborted', () => fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
      response.on('end', () => {
        clearTimeout(timer);
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text: body.toString('utf8') });
      });
    });
    const timer = setTimeout(() => {
      const error = new TimeoutError(request.timeoutMs);
      sent.destroy(error);
      reject(error);
    }, request.timeoutMs);
    function fail(error: Error): void {
      clearTimeout(timer);
      reject(error);
    }
    sent.on('error', fail);
    sent.end(body);
  });
}

/** A header's value; of a repeated header, the first. */
export function headerOf(answer: { headers: Record<string, string | string[] | undefined> }, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
