import type * as z from 'zod';
import { isPlainObject, reportIssues } from './issues.js';
import type { Origin, RawItem, ReportAt, SectionEntry } from './section-types.js';
import type { Path } from './yaml-file.js';

/** The origin of a value inside another: `within(entry, 'distributions', 'production')`. */
export function within(origin: Origin, ...path: Path): Origin {
  return { file: origin.file, path: [...origin.path, ...path] };
}

/** The entry's fields, or undefined once it is reported as not being a map. */
export function entryFields(entry: SectionEntry, section: string, report: ReportAt): Record<string, unknown> | undefined {
  if (isPlainObject(entry.data)) return entry.data;
  report(entry.origin, [], 'value', {
    severity: 'error',
    code: 'config.item_not_a_map',
    summary: 'Item is not a map',
    detail: `Each item of "${section}" must be a map of fields (name: ..., type: ...).`,
    hint: 'Write the item\'s fields as "key: value" lines after the "- ".',
  });
  return undefined;
}

/** Checks an entry against its schema; every issue is reported where it is written. */
export function checkEntry(
  schema: z.ZodType,
  data: Record<string, unknown>,
  origin: Origin,
  options: {
    subject: string;
    report: ReportAt;
    isSecret?: (path: Path) => boolean;
    unknownKeyHint?: (path: Path, key: string) => string | undefined;
  },
): boolean {
  const result = schema.safeParse(data);
  if (result.success) return true;
  reportIssues(schema, data, result.error.issues, {
    subject: options.subject,
    isSecret: options.isSecret ?? (() => false),
    report: (path, part, finding) => options.report(origin, path, part, finding),
    ...(options.unknownKeyHint !== undefined ? { unknownKeyHint: options.unknownKeyHint } : {}),
  });
  return false;
}

/** Where the value at `path` of an item is written in the YAML. */
export function originOf(item: RawItem, path: Path): { origin: Origin; path: Path } {
  const field = path[0];
  const written = typeof field === 'string' ? item.generated?.fieldOrigins?.[field] : undefined;
  return written === undefined ? { origin: item.origin, path } : { origin: written, path: path.slice(1) };
}
