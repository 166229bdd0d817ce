import { Secret } from '../model/index.js';
import type { Finding } from './issues.js';
import { isPlainObject, reportIssues, SENSITIVE } from './issues.js';
import { interpolate, resolveSecret } from './interpolate.js';
import type { InterpolationContext } from './interpolate.js';
import { serverSchema, topLevelSchema } from './schema.js';
import type { Origin, ReportAt, SectionEntry } from './section-types.js';
import { SECTIONS } from './sections.js';
import type { ParsedFile, Path } from './yaml-file.js';
import { locate } from './yaml-file.js';

/** What one file declares, with ${...} resolved. */
export interface FileDeclarations {
  file: ParsedFile;
  stack?: { value: string; origin: Origin };
  server?: { value: Record<string, unknown>; origin: Origin };
  entries: Map<string, SectionEntry[]>;
}

const placeholderSecret = new Secret('', 'unresolved');

/** Top-level keys starting with this are ignored: a place for YAML anchors shared by items (as in docker-compose). */
export const EXTENSION_PREFIX = 'x-';

const TOP_LEVEL = topLevelSchema(SECTIONS.map((section) => section.key));
const SERVER = serverSchema('runtime');

const TOP_LEVEL_KEYS = ['stack', 'server', ...SECTIONS.map((section) => section.key)];

export function readDeclarations(file: ParsedFile, env: NodeJS.ProcessEnv, report: ReportAt): FileDeclarations {
  const declarations: FileDeclarations = { file, entries: new Map() };
  const data = file.data;
  const origin = (path: Path): Origin => ({ file, path });
  if (data === null || data === undefined) return declarations;
  if (!isPlainObject(data)) {
    report(origin([]), [], 'value', {
      severity: 'error',
      code: 'config.not_a_map',
      summary: 'Desired-state file is not a map',
      detail: 'A desired-state file is a map of top-level keys.',
      hint: `Start the file with top-level keys such as "remotes:"; allowed: ${TOP_LEVEL_KEYS.join(', ')}.`,
    });
    return declarations;
  }

  const declared = Object.fromEntries(Object.entries(data).filter(([key]) => !key.startsWith(EXTENSION_PREFIX)));
  const checked = TOP_LEVEL.safeParse(declared);
  if (!checked.success) {
    reportIssues(TOP_LEVEL, declared, checked.error.issues, {
      subject: 'desired-state file',
      isSecret: () => false,
      unknownKeyHint: () =>
        `Remove it, or move it into an item. Top-level keys are ${TOP_LEVEL_KEYS.join(', ')}, and x-... for YAML anchors.`,
      report: (path, part, finding) =>
        report(
          origin([]),
          path,
          part,
          finding.code === 'config.unknown_field'
            ? { ...finding, code: 'config.unknown_section', summary: 'Unknown top-level key' }
            : finding,
        ),
    });
  }
  const resolver: Resolver = {
    context: { env, dir: file.source.dir },
    inlineSource: (path) => `inline:${file.source.display}:${locate(file, path).line}`,
    file: origin([]),
    report,
  };
  if (typeof data.stack === 'string') {
    const resolved = resolveTree(data.stack, ['stack'], () => false, resolver);
    if (typeof resolved === 'string') declarations.stack = { value: resolved, origin: origin(['stack']) };
  }
  if (isPlainObject(data.server)) {
    const server = resolveTree(data.server, ['server'], (path) => path.length === 2 && path[1] === 'password', resolver);
    const result = SERVER.safeParse(server);
    if (result.success) {
      declarations.server = { value: server as Record<string, unknown>, origin: origin(['server']) };
    } else {
      reportIssues(SERVER, server, result.error.issues, {
        subject: 'server block',
        isSecret: (path) => path[0] === 'password',
        report: (path, part, finding) => report(origin(['server']), path, part, finding),
      });
    }
  }
  for (const section of SECTIONS) {
    const list = data[section.key];
    if (!Array.isArray(list)) continue;
    const isSecret = (path: Path): boolean => path.length === 3 && typeof path[2] === 'string' && section.isSecretField(path[2]);
    declarations.entries.set(
      section.key,
      list.map((entry, index) => ({
        origin: origin([section.key, index]),
        data: resolveTree(entry, [section.key, index], isSecret, resolver),
      })),
    );
  }
  return declarations;
}

/** What resolving ${...} in one file needs besides the value. */
interface Resolver {
  context: InterpolationContext;
  /** The Secret source of a literal at this path: `inline:<file>:<line>`. */
  inlineSource(path: Path): string;
  file: Origin;
  report: ReportAt;
}

/**
 * Resolves ${...} in every string of a value. Write-only fields become Secrets: a literal one
 * is accepted with a warning, and an unresolvable one becomes a placeholder so the schema
 * check does not report the same field twice.
 */
const NOT_CONFIDENTIAL = new Set(['username', 'proxy_username']);

function resolveTree(value: unknown, path: Path, isSecret: (path: Path) => boolean, resolver: Resolver): unknown {
  const problem = (finding: Finding): void => resolver.report(resolver.file, path, 'value', finding);
  if (typeof value === 'string') {
    if (isSecret(path)) {
      const resolved = resolveSecret(value, resolver.context, resolver.inlineSource(path));
      if (!resolved.ok) {
        problem({ severity: 'error', ...resolved.problem });
        return placeholderSecret;
      }
      // Usernames are write-only in Pulp but not secret: writing them literally is fine.
      if (resolved.inline && !NOT_CONFIDENTIAL.has(String(path[path.length - 1]))) {
        problem({
          severity: 'warning',
          code: 'config.inline_secret',
          summary: 'Secret written in the file',
          detail: `"${String(path[path.length - 1])}" is written literally in ${resolver.file.file.source.display}; anyone who can read the file or its history can read it.`,
          hint: 'Use ${env:NAME} or ${file:PATH} instead.',
          value: SENSITIVE,
        });
      }
      return resolved.value;
    }
    const resolved = interpolate(value, resolver.context);
    if (!resolved.ok) {
      problem({ severity: 'error', ...resolved.problem });
      return value;
    }
    return resolved.value;
  }
  if (Array.isArray(value)) return value.map((item, index) => resolveTree(item, [...path, index], isSecret, resolver));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveTree(item, [...path, key], isSecret, resolver)]));
  }
  return value;
}
