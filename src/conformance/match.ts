import { randomUUID } from 'node:crypto';
import type { Json, JsonObject } from '../model/json.js';

/**
 * Placeholder substitution and structural comparison of a recorded body with an actual one, by
 * the rules of the conformance README: `{{uuid:N}}` binds to what the server returned the first
 * time it appears in a response (and gets a fresh UUID when it first appears in a request),
 * `{{datetime}}`, `{{logging_cid}}` and `{{worker-uuid}}` match any value of their shape, the
 * deployment placeholders are literal, `volatile` paths only need their key, `unordered` lists
 * are multisets.
 */

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const DATETIME = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:Z|[+-]\\d{2}:\\d{2})';
const PLACEHOLDER = /\{\{([^{}]+)\}\}/g;

export interface Deployment {
  /** `{{origin}}`, `{{content_origin}}`, `{{host}}`, `{{upstream}}`, `{{file_upstream}}`, `{{deb_upstream}}`. */
  [name: string]: string;
}

/** Placeholder bindings of one scenario: `{{uuid:N}}` → the UUID it stands for. */
export class Bindings {
  constructor(readonly uuids = new Map<number, string>()) {}

  clone(): Bindings {
    return new Bindings(new Map(this.uuids));
  }

  adopt(other: Bindings): void {
    for (const [k, v] of other.uuids) this.uuids.set(k, v);
  }
}

/** Fills a request value: bound UUIDs, fresh ones for first sight (the recorder's probes of objects that do not exist). */
export function fillRequest(value: Json, deployment: Deployment, bindings: Bindings): Json {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (whole, name: string) => {
      const uuid = /^uuid:(\d+)$/.exec(name);
      if (uuid) {
        const n = Number(uuid[1]);
        if (!bindings.uuids.has(n)) bindings.uuids.set(n, randomUUID());
        return bindings.uuids.get(n) as string;
      }
      if (name === 'datetime') return new Date().toISOString();
      return deployment[name] ?? whole;
    });
  }
  if (Array.isArray(value)) return value.map((v) => fillRequest(v, deployment, bindings));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillRequest(v, deployment, bindings)]));
  }
  return value;
}

/** Matches one recorded string (with placeholders) against an actual string, binding new UUIDs on success. */
export function matchString(expected: string, actual: string, deployment: Deployment, bindings: Bindings): boolean {
  if (!expected.includes('{{')) return expected === actual;
  const groups: number[] = [];
  let pattern = '';
  let last = 0;
  for (const m of expected.matchAll(PLACEHOLDER)) {
    pattern += escapeRegex(expected.slice(last, m.index));
    last = (m.index as number) + m[0].length;
    const name = m[1] as string;
    const uuid = /^uuid:(\d+)$/.exec(name);
    if (uuid) {
      const n = Number(uuid[1]);
      const bound = bindings.uuids.get(n);
      if (bound !== undefined) pattern += escapeRegex(bound);
      else if (groups.includes(n)) pattern += `\\k<u${n}>`;
      else {
        groups.push(n);
        pattern += `(?<u${n}>${UUID})`;
      }
    } else if (name === 'datetime') pattern += DATETIME;
    else if (name === 'logging_cid') pattern += '[0-9a-f]{32}';
    else if (name === 'worker-uuid') pattern += UUID;
    else pattern += escapeRegex(deployment[name] ?? m[0]);
  }
  pattern += escapeRegex(expected.slice(last));
  const result = new RegExp(`^${pattern}$`, 's').exec(actual);
  if (!result) return false;
  for (const n of groups) bindings.uuids.set(n, result.groups?.[`u${n}`] as string);
  return true;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface CompareOptions {
  deployment: Deployment;
  /** Dotted paths (`error.traceback`, `progress_reports.*.done`) whose values are ignored. */
  volatile: string[];
  /** Dotted paths of lists compared as multisets. */
  unordered: string[];
  /** Also require the recorded key order (the server's serializer order). */
  strictKeyOrder: boolean;
}

type PathPattern = string[];

function patterns(paths: string[], listResponse: boolean): PathPattern[] {
  const out: PathPattern[] = [];
  for (const p of paths) {
    const segments = p.replace(/^body\./, '').split('.');
    out.push(segments);
    if (listResponse) out.push(['results', '*', ...segments]);
  }
  return out;
}

function matches(pattern: PathPattern, path: string[]): boolean {
  return pattern.length === path.length && pattern.every((seg, i) => seg === '*' || seg === path[i]);
}

function isListResponse(body: Json): boolean {
  return body !== null && typeof body === 'object' && !Array.isArray(body) && 'results' in body && 'count' in body;
}

/** Compares a recorded body with an actual one; returns readable mismatches (empty when they agree). */
export function compareBodies(expected: Json, actual: Json | undefined, options: CompareOptions, bindings: Bindings): string[] {
  const list = isListResponse(expected);
  const ctx = { ...options, vol: patterns(options.volatile, list), uno: patterns(options.unordered, list) };
  const problems: string[] = [];
  compare(expected, actual, [], ctx, bindings, problems);
  return problems;
}

interface Ctx extends CompareOptions {
  vol: PathPattern[];
  uno: PathPattern[];
}

function show(value: Json | undefined): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

function compare(expected: Json, actual: Json | undefined, path: string[], ctx: Ctx, bindings: Bindings, problems: string[]): void {
  const where = path.length === 0 ? 'body' : path.join('.');
  if (ctx.vol.some((p) => matches(p, path))) return;
  if (typeof expected === 'string') {
    if (typeof actual !== 'string' || !matchString(expected, actual, ctx.deployment, bindings)) {
      problems.push(`${where}: expected ${show(expected)}, got ${show(actual)}`);
    }
    return;
  }
  if (expected === null || typeof expected !== 'object') {
    if (expected !== actual) problems.push(`${where}: expected ${show(expected)}, got ${show(actual)}`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      problems.push(`${where}: expected a list ${show(expected)}, got ${show(actual)}`);
      return;
    }
    if (expected.length !== actual.length) {
      problems.push(`${where}: expected ${expected.length} items ${show(expected)}, got ${actual.length} ${show(actual)}`);
      return;
    }
    if (ctx.uno.some((p) => matches(p, path))) return compareMultiset(expected, actual, path, ctx, bindings, problems);
    expected.forEach((e, i) => compare(e, actual[i], [...path, String(i)], ctx, bindings, problems));
    return;
  }
  if (actual === null || actual === undefined || typeof actual !== 'object' || Array.isArray(actual)) {
    problems.push(`${where}: expected an object ${show(expected)}, got ${show(actual)}`);
    return;
  }
  const got = actual as JsonObject;
  const missing = Object.keys(expected).filter((k) => !(k in got));
  const extra = Object.keys(got).filter((k) => !(k in expected));
  if (missing.length > 0) problems.push(`${where}: missing keys ${missing.join(', ')}`);
  if (extra.length > 0) problems.push(`${where}: unexpected keys ${extra.join(', ')}`);
  if (ctx.strictKeyOrder && missing.length === 0 && extra.length === 0) {
    const want = Object.keys(expected).join(',');
    const have = Object.keys(got).join(',');
    if (want !== have) problems.push(`${where}: key order differs: expected ${want}, got ${have}`);
  }
  for (const [k, v] of Object.entries(expected)) if (k in got) compare(v, got[k], [...path, k], ctx, bindings, problems);
}

function compareMultiset(expected: Json[], actual: Json[], path: string[], ctx: Ctx, bindings: Bindings, problems: string[]): void {
  const remaining = actual.map((value, index) => ({ value, index }));
  for (const [i, e] of expected.entries()) {
    const found = remaining.findIndex((candidate) => {
      const trial = bindings.clone();
      const p: string[] = [];
      compare(e, candidate.value, [...path, String(candidate.index)], ctx, trial, p);
      if (p.length > 0) return false;
      bindings.adopt(trial);
      return true;
    });
    if (found < 0) problems.push(`${[...path, String(i)].join('.')}: no match for ${show(e)} among ${show(remaining.map((r) => r.value))}`);
    else remaining.splice(found, 1);
  }
}
