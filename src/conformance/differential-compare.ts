import type { Json, JsonObject } from '../model/json.js';
import type { Answer } from './differential-http.js';
import { isObject } from './differential-http.js';

export const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const DATETIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;
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

/** Body paths compared loosely: see RequestOptions. */
export interface CompareOptions {
  volatile?: string[];
  ignore?: string[];
  unordered?: string[];
}

/** What comparing two answers needs of the session: the two API hosts, its id bijection, and where differences go. */
export interface Comparison {
  /** The real and the emulator's API host (`127.0.0.1:24927`), equal for comparison. */
  hosts: [string, string];
  bind: (real: string, emulated: string) => boolean;
  /** Whether `bind` would succeed, without binding. */
  canBind: (real: string, emulated: string) => boolean;
  differ: (path: string, real: string, emulated: string) => void;
}

/** Statuses, the compared headers and the bodies of two answers to one step; each difference goes to `differ`. */
export function compareAnswers(real: Answer, emulated: Answer, options: CompareOptions, comparison: Comparison): void {
  const { differ } = comparison;
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
    hosts: comparison.hosts,
    bind: comparison.bind,
    canBind: comparison.canBind,
    differ: (path, r, e) => differ(path.length === 0 ? 'body' : `body.${path.join('.')}`, r, e),
  };
  compareJson(real.body as Json, emulated.body as Json, [], ctx);
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

function show(value: Json | undefined): string {
  return value === undefined ? '(nothing)' : JSON.stringify(value);
}
