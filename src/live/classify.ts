// What went wrong in an exchange with Pulp, from what came back (a status and a body, or a socket
// error): the PulpApiError with its code, its one-line reason and a hint naming the fix. Pure, so
// every message can be tested without a server; none of them carries a credential.
import type { Json } from '../model/json.js';
import { excerptOf, PulpApiError, type PulpErrorKind, summarizeErrorBody } from './errors.js';
import { headerOf } from './http-text.js';

/** What the messages say about the server and the account they talked to. */
export interface ServerContext {
  /** The server origin and path prefix, e.g. `https://example.com/pulp-proxy`. */
  baseUrl: string;
  /** Absolute path of the REST root, e.g. `/pulp/api/v3/`. */
  apiRoot: string;
  username: string | undefined;
  /** No password was given: a refusal then means it is missing, not wrong. */
  passwordMissing: boolean;
  /** For a request and its retries. */
  timeoutMs: number;
}

/** An HTTP answer as it arrived: the status, the headers, the body as text. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** How often a request was sent before it failed, and over how long. */
export interface Tried {
  attempts: number;
  elapsedMs: number;
}

const CREDENTIAL_HINT = 'check --username and --password-file (or PULP_USERNAME / PULP_PASSWORD)';

/** A status of 300 or more, said in terms of what the user can fix. */
export function httpError(server: ServerContext, method: string, path: string, response: HttpAnswer): PulpApiError {
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
  const base = { kind: 'http' as const, method, path, status, bodyExcerpt: excerptOf(response.text) };
  const detail = summary ? `: ${summary}` : '';
  if (status >= 300 && status < 400) {
    const location = headerOf(response, 'location');
    return new PulpApiError({
      ...base,
      kind: 'redirect',
      reason: `the server redirected to ${location ?? 'another address'}`,
      hint: 'use the address the server redirects to as the server URL',
      outcomeUnknown: false,
    });
  }
  if (status === 401 || (status === 403 && !/permission/i.test(summary))) {
    if (server.passwordMissing) {
      return new PulpApiError({
        ...base,
        reason: `the server needs credentials, and no password was given for ${server.username ?? 'admin'}${detail}`,
        hint: 'give the password: PULP_PASSWORD, --password-file FILE, the server: block of the desired state, or a pulp-cli profile',
        outcomeUnknown: false,
      });
    }
    return new PulpApiError({
      ...base,
      reason: `the server rejected the credentials${detail}`,
      hint: CREDENTIAL_HINT,
      outcomeUnknown: false,
    });
  }
  if (status === 403) {
    return new PulpApiError({
      ...base,
      reason: `user ${server.username ?? '(none)'} may not do this${detail}`,
      hint: 'use an account with permission for this, or ask the Pulp administrator',
      outcomeUnknown: false,
    });
  }
  if (status === 404 && (isHtml || parsed === undefined)) {
    return new PulpApiError({
      ...base,
      reason: 'the server has no such path',
      hint: `check the server URL and the API root (${server.apiRoot}); the Pulp plugin serving this path may not be installed`,
      outcomeUnknown: false,
    });
  }
  if (status === 404)
    return new PulpApiError({
      ...base,
      reason: `not found${detail}`,
      hint: 'it may have been deleted meanwhile: run plan again',
      outcomeUnknown: false,
    });
  if (status === 429) {
    return new PulpApiError({
      ...base,
      reason: `the server is rate limiting requests${detail}`,
      hint: 'lower --concurrency or try again later',
      outcomeUnknown: false,
    });
  }
  if (isHtml && status < 500) {
    // Pulp answers its API errors in JSON; an HTML error page comes from something else at this address.
    return new PulpApiError({
      ...base,
      reason: `the server answered with an HTML page${detail}`,
      hint: notPulpHint(server),
      outcomeUnknown: false,
    });
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

/** A successful answer that is not what a Pulp API root sends. */
export function notPulpError(server: ServerContext, method: string, path: string, reason: string): PulpApiError {
  return new PulpApiError({ kind: 'not_json', method, path, reason, hint: notPulpHint(server), outcomeUnknown: false });
}

function notPulpHint(server: ServerContext): string {
  return `this URL does not look like a Pulp API root: check the server URL (${server.baseUrl}) and the API root (${server.apiRoot})`;
}

/** A successful answer whose JSON does not parse: it was cut short on the way. */
export function cutShortError(method: string, path: string, response: HttpAnswer): PulpApiError {
  return new PulpApiError({
    kind: 'cut_short',
    method,
    path,
    status: response.status,
    reason: `the JSON answer is incomplete (${response.text.length} bytes)`,
    hint: 'a proxy or the server cut the answer short; running again is safe',
    outcomeUnknown: method !== 'GET',
  });
}

/** A request that got no HTTP answer: refused, unresolved, timed out, reset, or failed in TLS. */
export function networkError(server: ServerContext, method: string, path: string, error: unknown, tried: Tried): PulpApiError {
  const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : '';
  const raw = error instanceof Error ? error.message : String(error);
  const outcomeUnknown = method !== 'GET';
  const make = (kind: PulpErrorKind, reason: string, hint: string | undefined, unknown: boolean): PulpApiError =>
    new PulpApiError({ kind, method, path, reason, ...(hint ? { hint } : {}), outcomeUnknown: unknown });
  if (code === 'ECONNREFUSED')
    return make('connection_refused', `connection refused by ${server.baseUrl}`, `is Pulp running at ${server.baseUrl}?`, false);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return make('dns', `cannot resolve the host of ${server.baseUrl}`, 'check the server URL', false);
  if (code === 'ETIMEDOUT' || (error as { name?: string }).name === 'TimeoutError') {
    return make(
      'timeout',
      `no answer within ${Math.round(server.timeoutMs / 1000)} s (${triedText(tried)})`,
      `is Pulp at ${server.baseUrl} overloaded? A longer --request-timeout may help`,
      outcomeUnknown,
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(raw)) {
    // A server that speaks only HTTPS hangs up on plain HTTP.
    const plain = server.baseUrl.startsWith('http:')
      ? `; if it happens every time, check whether ${server.baseUrl} should be https://`
      : '';
    return make(
      'connection_reset',
      `the connection was closed before an answer arrived (${triedText(tried)})`,
      `running again is safe${plain}`,
      outcomeUnknown,
    );
  }
  if (/wrong version number|packet length too long|http request/i.test(raw)) {
    return make(
      'tls',
      `${server.baseUrl} does not speak TLS`,
      `use http:// in the server URL, or the port where the server speaks HTTPS`,
      false,
    );
  }
  if (/CERT|SSL|TLS|EPROTO|self[- ]signed|unable to verify/i.test(`${code} ${raw}`)) {
    return make(
      'tls',
      `TLS failure talking to ${server.baseUrl}: ${raw}`,
      'pass the CA certificate with --ca-cert, or (unsafe) --insecure to skip verification',
      false,
    );
  }
  return make('network', `network error${code ? ` ${code}` : ''}: ${raw}`, `is Pulp reachable at ${server.baseUrl}?`, outcomeUnknown);
}

/** `3 attempts over 12 s` */
function triedText(tried: Tried): string {
  return `${tried.attempts} attempt${tried.attempts === 1 ? '' : 's'} over ${Math.round(tried.elapsedMs / 1000)} s`;
}
