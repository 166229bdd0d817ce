import * as z from 'zod';
import type { DiagnosticCode, Json } from '../model/index.js';
import type { Path } from './yaml-file.js';
import { formatPath } from './yaml-file.js';
import { closest } from '../model/suggest.js';

/** A diagnostic before it is placed: the caller adds source, path and address. */
export interface Finding {
  severity: 'error' | 'warning';
  code: DiagnosticCode;
  summary: string;
  detail?: string;
  hint?: string;
  value?: Json;
}

export interface IssueContext {
  /** What is being validated, for messages: "rpm remote", "publication", "server block". */
  subject: string;
  /** Whether the value at this path is write-only (shown as `(sensitive)`). */
  isSecret(path: Path): boolean;
  /** A hint for an unknown key that a near-miss suggestion does not cover. */
  unknownKeyHint?(path: Path, key: string): string | undefined;
  report(path: Path, part: 'key' | 'value', finding: Finding): void;
}

export const SENSITIVE = '(sensitive)';

/** Turns zod issues into findings whose wording and hints pulpform controls. */
export function reportIssues(schema: z.ZodType, data: unknown, issues: readonly z.core.$ZodIssue[], context: IssueContext): void {
  // "ulr" beside a missing "url" is one mistake: reported once, as the misspelt key.
  const misspelt = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const allowed = Object.keys(objectAt(schema, issue.path as Path)?.shape ?? {});
    for (const key of issue.keys) {
      const guess = closest(key, allowed);
      if (guess !== undefined && valueAt(data, [...(issue.path as Path), guess]) === undefined)
        misspelt.add(JSON.stringify([...issue.path, guess]));
    }
  }
  for (const issue of issues) {
    const missing = issue.code === 'invalid_type' && valueAt(data, issue.path as Path) === undefined;
    if (missing && misspelt.has(JSON.stringify(issue.path))) continue;
    reportIssue(schema, data, issue, issue.path as Path, context);
  }
}

function reportIssue(schema: z.ZodType, data: unknown, issue: z.core.$ZodIssue, path: Path, context: IssueContext): void {
  const value = valueAt(data, path);
  const field = formatPath(path) || 'the item';
  const shown = (v: unknown): Json => (context.isSecret(path) ? SENSITIVE : toJson(v));
  const reportInvalidValue = (): void =>
    context.report(path, 'value', {
      severity: 'error',
      code: 'config.invalid_value',
      summary: 'Invalid value',
      detail: `"${field}": ${issue.message}.`,
      hint: fieldHint(schema, path),
      value: shown(value),
    });
  switch (issue.code) {
    case 'invalid_type': {
      if (value === undefined) {
        const description = schemaAt(schema, path)?.description;
        context.report(path.slice(0, -1), 'value', {
          severity: 'error',
          code: 'config.missing_field',
          summary: 'Missing required field',
          detail: `This ${context.subject} needs "${field}"${description ? `: ${lowerFirst(description)}` : '.'}`,
          hint: `Add "${String(path[path.length - 1])}: ..." to this item.`,
        });
        return;
      }
      reportWrongType(path, field, issue.expected, value, shown(value), context);
      return;
    }
    case 'custom':
      if (typeof issue.params?.expected === 'string') {
        reportWrongType(path, field, issue.params.expected, value, shown(value), context);
        return;
      }
      reportInvalidValue();
      return;
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
      context.report(path, 'value', {
        severity: 'error',
        code: 'config.invalid_value',
        summary: 'Invalid value',
        detail: `"${field}" must be one of: ${allowed.join(', ')}.`,
        hint: guess !== undefined ? `Use "${guess}".` : `Use one of: ${allowed.join(', ')}.`,
        value: shown(value),
      });
      return;
    }
    case 'too_small': {
      if (issue.origin === 'string') {
        context.report(path, 'value', {
          severity: 'error',
          code: 'config.invalid_value',
          summary: 'Empty value',
          detail: `"${field}" must not be empty.`,
          hint: 'Write a value, or remove the line.',
          value: shown(value),
        });
        return;
      }
      const nullable = schemaAt(schema, path)?.safeParse(null).success === true;
      context.report(path, 'value', {
        severity: 'error',
        code: 'config.below_minimum',
        summary: 'Value too small',
        detail: `"${field}" must be at least ${String(issue.minimum)}.`,
        hint: `Use ${String(issue.minimum)} or more${nullable ? ', or null for the server default' : ''}.`,
        value: shown(value),
      });
      return;
    }
    case 'unrecognized_keys':
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        const allowed = Object.keys(objectAt(schema, path)?.shape ?? {});
        const guess = closest(key, allowed);
        context.report(keyPath, 'key', {
          severity: 'error',
          code: 'config.unknown_field',
          summary: 'Unknown field',
          detail: `${capitalised(article(context.subject))} ${context.subject} has no field "${formatPath(keyPath)}".`,
          hint:
            guess !== undefined
              ? `Rename it to "${guess}"${valueAt(data, [...path, guess]) === undefined && isRequired(schema, [...path, guess]) ? ', which this item needs' : ''}.`
              : (context.unknownKeyHint?.(path, key) ?? `Remove it. Allowed here: ${allowed.join(', ')}.`),
          value: key,
        });
      }
      return;
    case 'invalid_union': {
      // Report the branch that matches the value's shape (a map given for `sync` is checked as sync options).
      const matching = issue.errors.filter((branch) => !branch.some((inner) => inner.path.length === 0 && inner.code === 'invalid_type'));
      if (matching.length === 1) {
        for (const inner of matching[0] ?? []) reportIssue(schema, data, inner, [...path, ...(inner.path as Path)], context);
        return;
      }
      const expected = issue.errors.flatMap((branch) =>
        branch
          .filter((inner) => inner.path.length === 0 && inner.code === 'invalid_type')
          .map((inner) => (inner as z.core.$ZodIssueInvalidType).expected),
      );
      reportWrongType(path, field, expected.join('|'), value, shown(value), context);
      return;
    }
    default:
      reportInvalidValue();
  }
}

function isRequired(schema: z.ZodType, path: Path): boolean {
  return schemaAt(schema, path)?.safeParse(undefined).success === false;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  int: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map',
  record: 'a map',
  null: 'null',
};

function reportWrongType(path: Path, field: string, expected: string, value: unknown, shown: Json, context: IssueContext): void {
  const phrases = expected.split('|').map((e) => EXPECTED[e] ?? e);
  const wanted = phrases.length > 1 ? `${phrases.slice(0, -1).join(', ')} or ${phrases[phrases.length - 1]}` : (phrases[0] ?? expected);
  context.report(path, 'value', {
    severity: 'error',
    code: 'config.invalid_type',
    summary: 'Wrong type',
    detail: `"${field}" must be ${wanted}, not ${describe(value)}.`,
    hint: typeHint(expected, value, context.isSecret(path)),
    value: shown,
  });
}

function typeHint(expected: string, value: unknown, secret: boolean): string {
  const wants = (t: string): boolean => expected.split('|').includes(t);
  if (value === null) return 'Write a value after the colon, or remove the line.';
  if (wants('string') && (typeof value === 'number' || typeof value === 'boolean')) {
    return secret
      ? 'Quote the value, or better use ${env:NAME} or ${file:PATH}.'
      : `Quote it: "${String(value)}" (unquoted, YAML reads it as a ${typeof value}).`;
  }
  if ((wants('int') || wants('number')) && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
    return `Write ${value} without quotes.`;
  if (wants('int') && typeof value === 'number') return `Use a whole number, e.g. ${Math.round(value)}.`;
  if (wants('boolean') && typeof value === 'string') return 'Write true or false (YAML 1.2 reads yes/no/on/off as strings).';
  if (wants('array') && !Array.isArray(value)) return 'Write a list: one "- item" per line, or [a, b].';
  if ((wants('object') || wants('record')) && !isPlainObject(value)) return 'Write a map of "key: value" lines, indented under this key.';
  return `Write ${EXPECTED[expected.split('|')[0] ?? ''] ?? 'a value of the right type'}.`;
}

function describe(value: unknown): string {
  if (value === null) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'number') return Number.isInteger(value) ? 'a whole number' : 'a number';
  if (typeof value === 'boolean') return 'true/false';
  return typeof value === 'string' ? 'a string' : typeof value;
}

function fieldHint(schema: z.ZodType, path: Path): string {
  const description = schemaAt(schema, path)?.description;
  return description ? `Expected: ${lowerFirst(description)}` : 'Correct the value.';
}

function article(noun: string): string {
  return /^(rpm|[aeiou])/.test(noun) ? 'an' : 'a';
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function valueAt(data: unknown, path: Path): unknown {
  let current = data;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isPlainObject(current) && Object.hasOwn(current, segment)) current = current[segment];
    else return undefined;
  }
  return current;
}

/** The JSON-safe form of a YAML value for Diagnostic.value. */
function toJson(value: unknown): Json {
  if (value === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(value)) as Json;
  } catch {
    return String(value);
  }
}

/** The sub-schema at a data path (with its optional/nullable wrappers and description), through arrays, records, unions and objects. */
function schemaAt(schema: z.ZodType, path: Path): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (const segment of path) {
    const inner = unwrap(current);
    current =
      inner instanceof z.ZodArray
        ? (inner.element as z.ZodType)
        : inner instanceof z.ZodRecord
          ? (inner.valueType as z.ZodType)
          : (asObject(inner)?.shape[String(segment)] as z.ZodType | undefined);
    if (current === undefined) return undefined;
  }
  return current;
}

function objectAt(schema: z.ZodType, path: Path): z.ZodObject | undefined {
  return asObject(schemaAt(schema, path));
}

function asObject(schema: z.ZodType | undefined): z.ZodObject | undefined {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) return inner;
  if (inner instanceof z.ZodUnion)
    return (inner.options as z.ZodType[]).map(unwrap).find((o): o is z.ZodObject => o instanceof z.ZodObject);
  return undefined;
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable) current = current.unwrap() as z.ZodType;
  return current;
}
