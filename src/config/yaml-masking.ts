import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { LineCounter, Node } from 'yaml';
import { SECRET_FIELD_NAMES } from './secret-fields.js';
import { closest } from '../model/suggest.js';

const SOLE_REFERENCE = /^\$\{(env|file):[^}]*\}$/;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@'"]+)@/gi;
const SECRET_LINE = new RegExp(
  `^(\\s*(?:-\\s+)?["']?(?:${[...SECRET_FIELD_NAMES].join('|')})["']?\\s*:\\s*)(?!\\$\\{(?:env|file):[^}]*\\}\\s*$)(\\S.*)$`,
);

function isNode(value: unknown): value is Node {
  return isMap(value) || isSeq(value) || isScalar(value) || isAlias(value);
}

/**
 * Masks, in `masked`, the literal values of secret fields (and of keys that look like misspelt
 * secret fields) under `node`, keeping the line count so snippets stay aligned; `base` is where
 * the node's piece of text starts in the file.
 */
export function maskLines(masked: string[], node: unknown, lineCounter: LineCounter, base: number): void {
  const maskRange = (start: number, end: number): void => {
    const from = lineCounter.linePos(base + start);
    const to = lineCounter.linePos(base + Math.max(start, end - 1));
    for (let line = from.line; line <= to.line; line++) {
      const text = masked[line - 1] ?? '';
      const begin = line === from.line ? from.col - 1 : text.length - text.trimStart().length;
      const finish = line === to.line ? to.col : text.length;
      masked[line - 1] = `${text.slice(0, begin)}${line === from.line ? '(sensitive)' : ''}${text.slice(finish)}`;
    }
  };
  const walk = (current: unknown): void => {
    if (!isMap(current) && !isSeq(current)) return;
    for (const item of current.items) {
      if (!isPair(item)) {
        walk(item);
        continue;
      }
      const key = isScalar(item.key) ? String(item.key.value) : undefined;
      const value = item.value;
      if (key !== undefined && isNode(value) && value.range && masksValue(key, isScalar(value) ? value.value : value)) {
        maskRange(value.range[0], value.range[1]);
      } else {
        walk(value);
      }
    }
  };
  walk(node);
}

/** Masks, in `masked`, a one-line value that starts at `column` (0-based) of line `index` and runs to the line's end. */
export function maskToLineEnd(masked: string[], index: number, column: number): void {
  masked[index] = `${(masked[index] ?? '').slice(0, column)}(sensitive)`;
}

/** Whether the value of `key` is masked: a secret field's, unless it is a sole `${env:...}` or `${file:...}` reference. */
export function masksValue(key: string, value: unknown): boolean {
  return isSensitiveKey(key) && !(typeof value === 'string' && SOLE_REFERENCE.test(value));
}

/** Keys repeat in every item: each distinct key is judged once. */
const looksSecret = new Map<string, boolean>();

function isSensitiveKey(key: string): boolean {
  let sensitive = looksSecret.get(key);
  if (sensitive === undefined) {
    sensitive = SECRET_FIELD_NAMES.has(key) || closest(key, SECRET_FIELD_NAMES) !== undefined;
    if (looksSecret.size < 10_000) looksSecret.set(key, sensitive);
  }
  return sensitive;
}

export function maskUrlCredentials(lines: string[]): string[] {
  return lines.map((line) => line.replace(URL_USERINFO, '$1(sensitive)@'));
}

/** For files that did not parse: the same masking by line patterns. */
export function maskLinesByPattern(lines: string[]): string[] {
  let inKey = false;
  return lines.map((line) => {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(line)) inKey = true;
    const masked = inKey ? line.replace(/\S.*/, '(sensitive)') : line.replace(SECRET_LINE, '$1(sensitive)');
    if (/-----END [A-Z ]*PRIVATE KEY-----/.test(line)) inKey = false;
    return masked.replace(URL_USERINFO, '$1(sensitive)@');
  });
}
