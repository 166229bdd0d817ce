import { PulpformError } from '../model/errors.js';
import type { Json } from '../model/json.js';

/** What kind of failure a PulpApiError is, for callers that branch on it (never parse messages); its `code` is `pulp.<kind>`. */
export type PulpErrorKind =
  | 'http'
  | 'not_json'
  | 'cut_short'
  | 'redirect'
  | 'connection_refused'
  | 'connection_reset'
  | 'dns'
  | 'tls'
  | 'timeout'
  | 'network';

export interface PulpApiErrorInit {
  kind: PulpErrorKind;
  method: string;
  /** Path and query on the server, never with credentials. */
  path: string;
  status?: number;
  reason: string;
  hint?: string;
  bodyExcerpt?: string;
  /** The server may have carried the request out although we got no usable answer (5xx, reset, timeout). */
  outcomeUnknown: boolean;
}

/**
 * A failed HTTP exchange with Pulp: one line saying what went wrong, where, and (in `hint`)
 * how to fix it. Never carries the request, its headers or the underlying client error, so
 * printing or inspecting it cannot reveal credentials.
 */
export class PulpApiError extends PulpformError {
  readonly kind: PulpErrorKind;
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly reason: string;
  // Initialised to keep it an own property of every PulpApiError, hint or none, as before the base class.
  override readonly hint?: string = undefined;
  readonly bodyExcerpt?: string;
  readonly outcomeUnknown: boolean;

  constructor(init: PulpApiErrorInit) {
    const where = `${init.method} ${init.path}`;
    super(init.status === undefined ? `${where}: ${init.reason}` : `${where}: HTTP ${init.status}: ${init.reason}`);
    this.name = 'PulpApiError';
    this.kind = init.kind;
    this.method = init.method;
    this.path = init.path;
    if (init.status !== undefined) this.status = init.status;
    this.reason = init.reason;
    if (init.hint !== undefined) this.hint = init.hint;
    if (init.bodyExcerpt !== undefined) this.bodyExcerpt = init.bodyExcerpt;
    this.outcomeUnknown = init.outcomeUnknown;
  }

  /** `pulp.http`, `pulp.connection_refused`, ...: what apply's failures and the CLI's result line report. */
  get code(): string {
    return `pulp.${this.kind}`;
  }
}

/** The client cannot be set up as asked (a bad server URL, an unreadable CA file); `hint` says how to fix it. */
export class ClientSetupError extends PulpformError {
  constructor(
    message: string,
    override readonly hint: string,
  ) {
    super(message);
    this.name = 'ClientSetupError';
  }

  get code(): string {
    return 'connection';
  }
}

/** A Pulp task that ended `failed` or `canceled`. */
export class TaskFailedError extends PulpformError {
  readonly taskHref: string;
  readonly taskName: string;
  readonly state: string;
  readonly description: string;

  constructor(taskHref: string, taskName: string, state: string, description: string) {
    super(`task ${taskName} (${taskHref}) ${state}: ${description}`);
    this.name = 'TaskFailedError';
    this.taskHref = taskHref;
    this.taskName = taskName;
    this.state = state;
    this.description = description;
  }

  get code(): string {
    return 'task.failed';
  }
}

/** The wait for a task gave up; the task itself goes on in Pulp. */
export class TaskTimeoutError extends PulpformError {
  readonly taskHref: string;
  readonly taskName: string;
  readonly state: string;
  readonly elapsedMs: number;

  constructor(
    taskHref: string,
    taskName: string,
    state: string,
    elapsedMs: number,
    doing: string | undefined,
    lastProgress: string | undefined,
  ) {
    const what = doing ? ` (${doing})` : '';
    const progress = lastProgress ? `; last progress: ${lastProgress}` : '';
    super(
      `task ${taskName || taskHref}${what} did not finish within ${formatSeconds(elapsedMs)}; it is still ${state} on the server (${taskHref})${progress}. ` +
        'Raise the task timeout, or wait for the task and run again.',
    );
    this.name = 'TaskTimeoutError';
    this.taskHref = taskHref;
    this.taskName = taskName;
    this.state = state;
    this.elapsedMs = elapsedMs;
  }

  get code(): string {
    return 'task.timeout';
  }
}

/** The caller aborted the wait (SIGINT); the task itself goes on in Pulp. */
export class TaskWaitAbandonedError extends PulpformError {
  readonly taskHref: string;

  constructor(taskHref: string) {
    super(`stopped waiting for task ${taskHref}; it goes on running in Pulp`);
    this.name = 'TaskWaitAbandonedError';
    this.taskHref = taskHref;
  }

  get code(): string {
    return 'task.abandoned';
  }
}

function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

const CREDENTIALS_IN_URL = /([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]*@/gi;

/** Replaces `scheme://user:password@` in free text (error bodies, URLs) with `scheme://(redacted)@`. */
export function redactUrlCredentials(text: string): string {
  return text.replace(CREDENTIALS_IN_URL, '$1(redacted)@');
}

/** One line from a DRF error body: `{"name": ["This field must be unique."]}` → `name: This field must be unique.` */
export function summarizeErrorBody(body: Json): string {
  if (body === null) return '';
  if (typeof body === 'string') return body;
  if (typeof body !== 'object') return String(body);
  if (Array.isArray(body)) return body.map(summarizeErrorBody).join('; ');
  const detail = body['detail'];
  if (typeof detail === 'string' && Object.keys(body).length === 1) return detail;
  return Object.entries(body)
    .map(([key, value]) =>
      key === 'non_field_errors' || key === 'errors' ? summarizeErrorBody(value) : `${key}: ${summarizeErrorBody(value)}`,
    )
    .join('; ');
}

const EXCERPT_LENGTH = 300;

/** A short, single-line, credential-free excerpt of a response body (HTML reduced to its title or text). */
export function excerptOf(text: string): string {
  let plain = text;
  if (/^\s*</.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    plain = title || text.replace(/<[^>]*>/g, ' ');
  }
  plain = redactUrlCredentials(plain.replace(/\s+/g, ' ').trim());
  return plain.length > EXCERPT_LENGTH ? `${plain.slice(0, EXCERPT_LENGTH)}…` : plain;
}
