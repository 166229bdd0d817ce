import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { type DiagnosticCodeAt, Secret } from '../model/index.js';
import { closest } from '../model/suggest.js';

/** Files read through ${file:...} hold a key, a certificate or a password: anything larger is a mistake. */
export const MAX_REFERENCED_FILE_BYTES = 1024 * 1024;

export interface InterpolationContext {
  env: NodeJS.ProcessEnv;
  /** Directory of the YAML file: relative ${file:...} paths start there. */
  dir: string;
}

/** What went wrong with a `${...}` reference; `value` is the reference as written, never what it resolves to. */
export interface InterpolationProblem {
  code: DiagnosticCodeAt<'error'>;
  summary: string;
  detail: string;
  hint: string;
  value: string;
}

export type Resolution<T> = { ok: true; value: T } | { ok: false; problem: InterpolationProblem };

type Part = { literal: string } | { fn: string; arg: string; expression: string };

const FUNCTIONS = ['env', 'file'];
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SYNTAX_HINT = 'Write ${env:NAME} or ${file:PATH}; write $${ for a literal "${".';

/** Resolves `${env:NAME}` (anywhere in the value) and `${file:PATH}` (the whole value) in a plain string. */
export function interpolate(raw: string, context: InterpolationContext): Resolution<string> {
  const parsed = parseTemplate(raw);
  if (!parsed.ok) return parsed;
  let result = '';
  for (const part of parsed.value) {
    if ('literal' in part) {
      result += part.literal;
      continue;
    }
    if (part.fn === 'file' && parsed.value.length > 1) {
      return problem(
        'config.interpolation_syntax',
        'File reference inside a longer value',
        `${part.expression} must be the whole value, not part of "${raw}".`,
        'Put the whole value in the file, or use ${env:NAME} for the embedded part.',
        raw,
      );
    }
    const resolved = resolvePart(part, context);
    if (!resolved.ok) return resolved;
    result += resolved.value;
  }
  return { ok: true, value: result };
}

/**
 * A write-only field's value as a Secret. The value must be one reference (source
 * `env:NAME` / `file:/abs/path`) or a literal (source `inlineSource`, reported with `inline: true`).
 */
export function resolveSecret(raw: string, context: InterpolationContext, inlineSource: string): Resolution<Secret> & { inline?: boolean } {
  const parsed = parseTemplate(raw);
  if (!parsed.ok) return parsed;
  const parts = parsed.value;
  const references = parts.filter((part) => !('literal' in part));
  if (references.length === 0) {
    return {
      ok: true,
      value: new Secret(parts.map((part) => ('literal' in part ? part.literal : '')).join(''), inlineSource),
      inline: true,
    };
  }
  const [only] = parts;
  if (parts.length > 1 || only === undefined || 'literal' in only) {
    return problem(
      'config.secret_template',
      'Secret reference inside a longer value',
      'A secret field must be exactly one ${env:NAME} or ${file:PATH} reference, or a literal; mixing text and references is not supported.',
      'Put the whole secret in the environment variable or the file.',
      parts.map((part) => ('literal' in part ? '…' : part.expression)).join(''),
    );
  }
  const resolved = resolvePart(only, context);
  if (!resolved.ok) return resolved;
  const source = only.fn === 'env' ? `env:${only.arg}` : `file:${resolve(context.dir, only.arg)}`;
  return { ok: true, value: new Secret(resolved.value, source) };
}

function parseTemplate(raw: string): Resolution<Part[]> {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  while (i < raw.length) {
    if (raw.startsWith('$${', i)) {
      literal += '${';
      i += 3;
    } else if (raw.startsWith('${', i)) {
      const end = raw.indexOf('}', i + 2);
      if (end < 0)
        return problem(
          'config.interpolation_syntax',
          'Unterminated reference',
          `The reference starting at "${raw.slice(i, i + 20)}" has no closing "}".`,
          SYNTAX_HINT,
          raw.slice(i),
        );
      const expression = raw.slice(i, end + 1);
      const inner = raw.slice(i + 2, end);
      const colon = inner.indexOf(':');
      const fn = (colon < 0 ? inner : inner.slice(0, colon)).trim();
      const arg = colon < 0 ? '' : inner.slice(colon + 1).trim();
      if (!FUNCTIONS.includes(fn)) {
        const guess = closest(fn, FUNCTIONS);
        return problem(
          'config.unknown_function',
          'Unknown reference function',
          `"${expression}" uses "${fn}", which pulpform does not know; the functions are env and file.`,
          guess === undefined ? SYNTAX_HINT : `Write \${${guess}:${arg || '...'}}. ${SYNTAX_HINT}`,
          expression,
        );
      }
      if (arg === '')
        return problem(
          'config.interpolation_syntax',
          'Empty reference',
          `"${expression}" names no ${fn === 'env' ? 'variable' : 'file'}.`,
          SYNTAX_HINT,
          expression,
        );
      if (literal !== '') parts.push({ literal });
      literal = '';
      parts.push({ fn, arg, expression });
      i = end + 1;
    } else {
      // Up to the next `$` in one slice: a string built a character at a time is kept as a chain of one-character pieces.
      const next = raw.indexOf('$', i + 1);
      const stop = next < 0 ? raw.length : next;
      literal += raw.slice(i, stop);
      i = stop;
    }
  }
  if (literal !== '' || parts.length === 0) parts.push({ literal });
  return { ok: true, value: parts };
}

function resolvePart(part: { fn: string; arg: string; expression: string }, context: InterpolationContext): Resolution<string> {
  if (part.fn === 'env') {
    if (!ENV_NAME.test(part.arg)) {
      return problem(
        'config.interpolation_syntax',
        'Invalid environment variable name',
        `"${part.arg}" in ${part.expression} is not a variable name.`,
        'Use letters, digits and underscores, not starting with a digit.',
        part.expression,
      );
    }
    const value = context.env[part.arg];
    if (value === undefined) {
      return problem(
        'config.env_missing',
        'Environment variable not set',
        `${part.expression} refers to the environment variable ${part.arg}, which is not set.`,
        `Set ${part.arg} in the environment pulpform runs in (export ${part.arg}=...), or change the reference.`,
        part.expression,
      );
    }
    return { ok: true, value };
  }
  const path = resolve(context.dir, part.arg);
  const fail = (code: DiagnosticCodeAt<'error'>, summary: string, detail: string): Resolution<string> =>
    problem(
      code,
      summary,
      detail,
      `Create the file or correct the path; relative paths start at the YAML file's directory (${context.dir}).`,
      part.expression,
    );
  try {
    const info = statSync(path);
    if (!info.isFile())
      return fail(
        'config.file_unreadable',
        'Referenced file is not a regular file',
        `${part.expression} refers to ${path}, which is not a regular file.`,
      );
    if (info.size > MAX_REFERENCED_FILE_BYTES)
      return fail(
        'config.file_unreadable',
        'Referenced file too large',
        `${part.expression} refers to ${path}, which is ${info.size} bytes (limit ${MAX_REFERENCED_FILE_BYTES}).`,
      );
    return { ok: true, value: readFileSync(path, 'utf8').replace(/\r?\n$/, '') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? fail('config.file_missing', 'Referenced file not found', `${part.expression} refers to ${path}, which does not exist.`)
      : fail(
          'config.file_unreadable',
          'Referenced file unreadable',
          `${part.expression} refers to ${path}, which cannot be read (${code ?? String(error)}).`,
        );
  }
}

function problem(
  code: DiagnosticCodeAt<'error'>,
  summary: string,
  detail: string,
  hint: string,
  value: string,
): { ok: false; problem: InterpolationProblem } {
  return { ok: false, problem: { code, summary, detail, hint, value } };
}
