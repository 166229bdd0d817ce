import { resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { addressOf, canonicalJson, KINDS, labelProblem, LABELS } from '../model/index.js';
import type { Diagnostic, DiagnosticCode, DesiredState, Json } from '../model/index.js';
import { readDeclarations } from './document.js';
import type { FileDeclarations } from './document.js';
import { findDesiredStateFiles, readSourceFile } from './files.js';
import type { SourceFile } from './files.js';
import type { Finding } from './issues.js';
import { assignPlugins, itemName, validateItems } from './items.js';
import type { ReportItem } from './items.js';
import { toResources, toServerSettings } from './normalize.js';
import { RULES } from './rules/index.js';
import { urlFinding } from './rules/urls.js';
import { originOf } from './entries.js';
import { SECTIONS } from './sections.js';
import type { ExpandContext, Origin, ReportAt, SectionEntry } from './section-types.js';
import { readUpstreams, UPSTREAMS_KEY } from './upstreams.js';
import { describeLocation, formatPath, locate, parseYamlFile } from './yaml-file.js';
import type { ParsedFile, Path } from './yaml-file.js';

export const DEFAULT_STACK = 'default';

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Directory relative paths start from; also how file names are shown. Default: process.cwd(). */
  cwd?: string | undefined;
}

export interface LoadResult {
  /** Present if and only if no diagnostic is an error. */
  state?: DesiredState;
  diagnostics: Diagnostic[];
  /** Lines of each file read (by displayed path), secrets masked: snippets for renderDiagnostics. */
  sources: Map<string, string[]>;
}

/**
 * Reads, validates and normalises the desired state at `path` (a YAML file or a directory of
 * them). Bad input never throws: every problem found is a diagnostic, all reported at once.
 */
export async function loadDesiredState(path: string, options: LoadOptions = {}): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string[]>();

  const found = await findDesiredStateFiles(path, cwd);
  diagnostics.push(...found.diagnostics);
  const read: SourceFile[] = [];
  const parsed: ParsedFile[] = [];
  for (const absolute of found.files) {
    const file = await readSourceFile(absolute, cwd);
    diagnostics.push(...file.diagnostics);
    if (file.source === undefined) continue;
    read.push(file.source);
    const outcome = parseYamlFile(file.source);
    diagnostics.push(...outcome.diagnostics);
    sources.set(file.source.display, outcome.maskedLines);
    if (outcome.parsed !== undefined) parsed.push(outcome.parsed);
  }

  const reportAt: ReportAt = (origin, path, part, finding) => diagnostics.push(place(origin, path, part, finding));
  const reportItem: ReportItem = (item, path, part, finding) => {
    const name = itemName(item);
    const address = item.plugin !== undefined && name !== undefined ? addressOf(item.kind, item.plugin, name) : undefined;
    const written = originOf(item, path);
    diagnostics.push({ ...place(written.origin, written.path, part, finding), ...(address !== undefined ? { address } : {}) });
  };

  const declarations = parsed.map((file) => readDeclarations(file, env, reportAt));
  const stack = mergeStack(declarations, reportAt);
  const server = mergeServer(declarations, reportAt);
  const entriesOf = (key: string): SectionEntry[] => declarations.flatMap((declared) => declared.entries.get(key) ?? []);
  const context: ExpandContext = { report: reportAt, upstreams: readUpstreams(entriesOf(UPSTREAMS_KEY), reportAt) };
  const raw = SECTIONS.flatMap((section) => entriesOf(section.key).flatMap((entry) => section.expand(entry, context))).sort(
    (a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind),
  );
  const items = assignPlugins(raw, reportItem);
  validateItems(items, reportItem);
  for (const rule of RULES) rule({ items, report: reportItem });

  const failed = diagnostics.some((diagnostic) => diagnostic.severity === 'error');
  if (!failed && items.length === 0) {
    diagnostics.push({
      severity: 'warning',
      code: 'config.empty',
      summary: 'Empty desired state',
      detail: `${read.map((file) => file.display).join(', ')} declare${read.length === 1 ? 's' : ''} no remotes, repositories, publications or distributions (nor enabled mirrors).`,
      hint: 'Add items under "remotes:", "repositories:", "publications:", "distributions:", "package_mirrors:" or "container_mirrors:".',
      ...(read[0] !== undefined ? { source: { file: read[0].display, line: 1, column: 1 } } : {}),
    });
  }
  sortDiagnostics(
    diagnostics,
    read.map((file) => file.display),
  );
  if (failed) return { diagnostics: collapseRepeats(diagnostics), sources };

  const hash = createHash('sha256');
  for (const file of read) hash.update(file.bytes);
  const state: DesiredState = {
    stack: stack ?? DEFAULT_STACK,
    ...(stack === undefined ? { stackDefaulted: true as const } : {}),
    server: toServerSettings(server),
    resources: toResources(items),
    sources: { files: read.map((file) => file.display), sha256: hash.digest('hex'), path, cwd: resolve(cwd) },
  };
  return { state, diagnostics: collapseRepeats(diagnostics), sources };
}

function place(origin: Origin, path: Path, part: 'key' | 'value', finding: Finding): Diagnostic {
  const full = [...origin.path, ...path];
  const formatted = formatPath(full);
  return { ...finding, source: locate(origin.file, full, part), ...(formatted !== '' ? { path: formatted } : {}) };
}

function mergeStack(declarations: readonly FileDeclarations[], report: ReportAt): string | undefined {
  let first: FileDeclarations['stack'];
  for (const { stack } of declarations) {
    if (stack === undefined) continue;
    const problem = labelProblem(LABELS.stack, stack.value);
    if (problem !== undefined) {
      report(stack.origin, [], 'value', {
        severity: 'error',
        code: 'config.invalid_stack',
        summary: 'Invalid stack name',
        detail: `The stack is written into the ${LABELS.stack} label of every managed object, and Pulp 3.23 refuses this value: ${problem}.`,
        hint: `Use letters, digits, "-", "_" or ".", e.g. "${stack.value.replace(/[,()]/g, '').replace(/\s+/g, '-') || DEFAULT_STACK}".`,
        value: stack.value,
      });
    }
    if (first === undefined) {
      first = stack;
    } else if (first.value !== stack.value) {
      report(stack.origin, [], 'value', {
        severity: 'error',
        code: 'config.conflicting_stack',
        summary: 'Conflicting stack names',
        detail: `This file says stack "${stack.value}", but ${describeLocation(first.origin.file, first.origin.path)} says "${first.value}". One desired state belongs to one stack.`,
        hint: 'Declare "stack:" in one file only, or make the values agree.',
        value: stack.value,
      });
    }
  }
  return first?.value;
}

function mergeServer(declarations: readonly FileDeclarations[], report: ReportAt): FileDeclarations['server'] {
  let first: FileDeclarations['server'];
  for (const { server } of declarations) {
    if (server === undefined) continue;
    if (typeof server.value.url === 'string') {
      const finding = urlFinding(server.value.url, false, {
        credentials:
          'Remove the credentials from the URL and set server.username and server.password (e.g. password: ${env:PULP_PASSWORD}).',
        format: "Write the server's base URL, e.g. https://pulp.example.com.",
      });
      if (finding !== undefined) report(server.origin, ['url'], 'value', finding);
    }
    if (first === undefined) {
      first = server;
    } else if (
      canonicalJson(JSON.parse(JSON.stringify(first.value)) as Json) !== canonicalJson(JSON.parse(JSON.stringify(server.value)) as Json)
    ) {
      report(server.origin, [], 'key', {
        severity: 'error',
        code: 'config.conflicting_server',
        summary: 'Conflicting server blocks',
        detail: `This file's "server:" differs from the one at ${describeLocation(first.origin.file, first.origin.path)}.`,
        hint: 'Declare "server:" in one file only, or make the blocks identical.',
      });
    }
  }
  return first;
}

/**
 * One diagnostic per missing variable or file, at its first reference: a desired state with a
 * hundred remotes sharing ${env:ARK_PASSWORD} would otherwise print the same error a hundred
 * times. Identical diagnostics (same place, same words) are kept once.
 */
function collapseRepeats(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const repeatable = new Set<DiagnosticCode>(['config.env_missing', 'config.file_missing']);
  const firsts = new Map<string, { diagnostic: Diagnostic; repeats: number }>();
  const kept: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const diagnostic of diagnostics) {
    // One mistake in a mirror entry can show on each item the entry generates: report it once.
    const identity = JSON.stringify([diagnostic.code, diagnostic.source, diagnostic.path, diagnostic.summary, diagnostic.detail]);
    if (seen.has(identity)) continue;
    seen.add(identity);
    const key = `${diagnostic.code} ${JSON.stringify(diagnostic.value)}`;
    const first = repeatable.has(diagnostic.code) ? firsts.get(key) : undefined;
    if (first !== undefined) {
      first.repeats += 1;
      continue;
    }
    const copy = { ...diagnostic };
    if (repeatable.has(diagnostic.code)) firsts.set(key, { diagnostic: copy, repeats: 0 });
    kept.push(copy);
  }
  for (const { diagnostic, repeats } of firsts.values()) {
    if (repeats > 0)
      diagnostic.detail =
        `${diagnostic.detail ?? ''} It is referenced ${repeats} more time${repeats === 1 ? '' : 's'} after this one.`.trim();
  }
  return kept;
}

/** File order, then position; diagnostics without a file first. */
function sortDiagnostics(diagnostics: Diagnostic[], files: readonly string[]): void {
  const rank = (d: Diagnostic): [number, number, number] =>
    d.source === undefined ? [-1, 0, 0] : [files.indexOf(d.source.file), d.source.line, d.source.column];
  diagnostics.sort((a, b) => {
    const [fa, la, ca] = rank(a);
    const [fb, lb, cb] = rank(b);
    return fa - fb || la - lb || ca - cb;
  });
}
