import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, Pair, ParsedNode, YAMLError, YAMLMap, YAMLSeq } from 'yaml';
import type { Diagnostic, SourceLocation } from '../model/index.js';
import type { SourceFile } from './files.js';
import { firstTooDeep } from './nesting.js';
import { SECRET_FIELD_NAMES } from './secret-fields.js';
import { closest } from './suggest.js';

/** Deeper documents are refused before conversion: the schema needs 5 levels, and yaml recurses. */
export const MAX_DEPTH = 32;
/** yaml's guard against alias bombs ("billion laughs"): expanding more aliases than this fails. */
export const MAX_ALIAS_COUNT = 100;

export type Path = readonly (string | number)[];

export interface ParsedFile {
  source: SourceFile;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The document as plain data (aliases and merge keys expanded). */
  data: unknown;
}

export interface ParseOutcome {
  parsed?: ParsedFile;
  diagnostics: Diagnostic[];
  /** The file's lines with literal secrets and URL credentials masked, for diagnostic snippets. */
  maskedLines: string[];
}

const SOLE_REFERENCE = /^\$\{(env|file):[^}]*\}$/;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@'"]+)@/gi;
const SECRET_LINE = new RegExp(`^(\\s*(?:-\\s+)?["']?(?:${[...SECRET_FIELD_NAMES].join('|')})["']?\\s*:\\s*)(?!\\$\\{(?:env|file):[^}]*\\}\\s*$)(\\S.*)$`);

export function parseYamlFile(source: SourceFile): ParseOutcome {
  const lineCounter = new LineCounter();
  const lines = source.text.split(/\r?\n/);
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: source.display, line, column: col };
  };
  const tooDeep = (offset: number): ParseOutcome => ({
    diagnostics: [{
      severity: 'error',
      code: 'config.too_deep',
      summary: 'YAML nested too deeply',
      detail: `The document nests collections more than ${MAX_DEPTH} levels deep here; a desired state needs at most 5.`,
      hint: 'Remove the extra nesting: items are maps inside the top-level lists (remotes, repositories, publications, distributions).',
      source: at(offset),
    }],
    maskedLines: maskLinesByPattern(lines),
  });
  const estimated = firstTooDeep(source.text, MAX_DEPTH);
  if (estimated !== undefined) {
    // The parser fills the line counter; without a parse, fill it here.
    lineCounter.addNewLine(0);
    for (const newline of source.text.matchAll(/\n/g)) lineCounter.addNewLine(newline.index + 1);
    return tooDeep(estimated);
  }

  // logLevel 'error': yaml would otherwise print its own warnings to the process's stderr.
  const doc = parseDocument(source.text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true, logLevel: 'error' });
  const diagnostics: Diagnostic[] = [
    ...firstPerLine(doc.errors.map((error) => misindented(source.text, error, at) ?? yamlErrorDiagnostic(error, 'error', source.text, at))),
    ...doc.warnings.map((warning) => yamlErrorDiagnostic(warning, 'warning', source.text, at)),
  ];
  if (doc.errors.length > 0) return { diagnostics, maskedLines: maskLinesByPattern(lines) };
  const deepNode = findTooDeep(doc.contents, 0);
  if (deepNode !== undefined) return tooDeep(deepNode.range?.[0] ?? 0);

  const maskedLines = maskLines(lines, doc, lineCounter);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    diagnostics.push({
      severity: 'error',
      code: 'config.yaml_aliases',
      summary: 'Too many YAML alias expansions',
      detail: `Expanding the aliases (*name) of this document would create too much data (${(error as Error).message}).`,
      hint: 'Repeat the values instead of nesting aliases of aliases; a desired state needs few aliases.',
      source: at(firstAliasOffset(doc.contents) ?? 0),
    });
    return { diagnostics, maskedLines };
  }
  return { parsed: { source, doc, lineCounter, data }, diagnostics, maskedLines };
}

/** The parser reports one slip several ways (13 for one misindented line): the first of each line says it. */
function firstPerLine(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<number>();
  return diagnostics.filter((diagnostic) => {
    const line = diagnostic.source?.line ?? 0;
    if (seen.has(line)) return false;
    seen.add(line);
    return true;
  });
}

const INDENTATION_CODES = new Set(['MISSING_CHAR', 'BAD_INDENT', 'BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY', 'UNEXPECTED_TOKEN']);

/**
 * In plain words, when the line of a parse error is indented differently from every line that
 * could hold it: the usual cause of the parser's "implicit key" and "sequence item" errors.
 */
function misindented(text: string, error: YAMLError, at: (offset: number) => SourceLocation): Diagnostic | undefined {
  if (!INDENTATION_CODES.has(error.code)) return undefined;
  const source = at(Math.max(0, Math.min(error.pos[0], text.trimEnd().length - 1)));
  const lines = text.split('\n');
  const here = lines[source.line - 1] ?? '';
  const indent = /^ */.exec(here)![0].length;
  const previous = lines.slice(0, source.line - 1).map((line, index) => ({ line, number: index + 1 })).filter(({ line }) => line.trim() !== '' && !line.trim().startsWith('#'));
  const last = previous.at(-1);
  if (last === undefined) return undefined;
  // A key's indentation; for "- key:" the column of the key after the dash.
  const keyIndent = (line: string): number => /^( *)(- +)?/.exec(line)!.slice(1).reduce((n, part) => n + (part?.length ?? 0), 0);
  const open = new Set(previous.map(({ line }) => keyIndent(line)));
  if (open.has(indent)) return undefined;
  const lastIndent = keyIndent(last.line);
  return {
    severity: 'error',
    code: 'config.yaml_indentation',
    summary: 'Line indented wrongly',
    detail: `Line ${source.line} is indented by ${indent} space${indent === 1 ? '' : 's'}, and the line before it by ${lastIndent}. YAML reads nesting from indentation, so this line belongs to no map: ${here.trim().split(':')[0]} is not read as part of the item above.`,
    hint: `Indent it by ${lastIndent} spaces, like "${last.line.trim()}" on line ${last.number} (or by the indentation of the map it belongs to).`,
    source: { ...source, column: indent + 1 },
  };
}

function yamlErrorDiagnostic(error: YAMLError, severity: 'error' | 'warning', text: string, at: (offset: number) => SourceLocation): Diagnostic {
  const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
  // Errors found at the end of the text (an unclosed quote or bracket) point at its last character instead.
  const source = at(Math.max(0, Math.min(error.pos[0], text.trimEnd().length - 1)));
  switch (error.code) {
    case 'DUPLICATE_KEY': {
      const key = /^["']?([^"':\s]+)/.exec(text.slice(error.pos[0]))?.[1] ?? '';
      return {
        severity, code: 'config.duplicate_key', summary: 'Duplicate key', source, value: key,
        detail: `The key "${key}" appears twice in the same map; YAML keeps only one of them.`,
        hint: `Remove or rename one of the two "${key}" keys.`,
      };
    }
    case 'MULTIPLE_DOCS':
      return {
        severity, code: 'config.multiple_documents', summary: 'More than one YAML document in a file', source,
        detail: 'This file holds several documents separated by "---"; pulpform reads one document per file.',
        hint: 'Split the documents into separate files in the same directory.',
      };
    case 'RESOURCE_EXHAUSTION':
      return {
        severity, code: 'config.too_deep', summary: 'YAML too large or nested too deeply', source,
        detail: `The YAML parser gave up: ${message}.`,
        hint: 'Remove the extra nesting: items are maps inside the top-level lists (remotes, repositories, publications, distributions).',
      };
    case 'TAB_AS_INDENT':
      return { severity, code: 'config.yaml_syntax', summary: 'Tab used for indentation', source, detail: message, hint: 'Indent with spaces; YAML does not allow tabs.' };
    default:
      return {
        severity,
        code: severity === 'error' ? 'config.yaml_syntax' : 'config.yaml_warning',
        summary: severity === 'error' ? 'Invalid YAML' : 'YAML warning',
        detail: `${message.replace(/\.$/, '')}.`,
        hint: severity === 'error'
          ? 'Fix the YAML syntax at this position: check indentation, colons after keys, and quotes around values with ": " or " #".'
          : 'Check the value at this position.',
        source,
      };
  }
}

/** The first node deeper than MAX_DEPTH; recursion stops there, so the walk itself stays shallow. */
function findTooDeep(node: unknown, depth: number): Node | undefined {
  if (!isMap(node) && !isSeq(node)) return undefined;
  if (depth >= MAX_DEPTH) return node;
  for (const child of children(node)) {
    const found = findTooDeep(child, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function firstAliasOffset(node: unknown): number | undefined {
  if (isAlias(node)) return node.range?.[0];
  if (!isMap(node) && !isSeq(node)) return undefined;
  for (const child of children(node)) {
    const found = firstAliasOffset(child);
    if (found !== undefined) return found;
  }
  return undefined;
}

function children(collection: YAMLMap | YAMLSeq): unknown[] {
  return collection.items.flatMap((item) => (isPair(item) ? [item.key, item.value] : [item]));
}

/**
 * Where `path` (into the document's data) is written. Falls back to the deepest node that
 * exists, so a missing field points at its map and a merged or aliased value at the alias.
 */
export function locate(parsed: ParsedFile, path: Path, part: 'value' | 'key' = 'value'): SourceLocation {
  let node: unknown = parsed.doc.contents;
  let offset = 0;
  for (const [index, segment] of path.entries()) {
    if (isAlias(node)) node = node.resolve(parsed.doc);
    if (isNode(node)) offset = node.range?.[0] ?? offset;
    if (isMap(node)) {
      const pair = findPair(parsed, node, String(segment), 0);
      if (pair === undefined) break;
      const keyOffset = (pair.key as ParsedNode).range[0];
      if ((index === path.length - 1 && part === 'key') || pair.value === null) {
        offset = keyOffset;
        node = undefined;
        break;
      }
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      node = node.items[segment];
    } else {
      node = undefined;
      break;
    }
  }
  if (isNode(node)) offset = node.range?.[0] ?? offset;
  const { line, col } = parsed.lineCounter.linePos(offset);
  return { file: parsed.source.display, line, column: col };
}

/** The pair for `key` in a map, looking through `<<` merge keys (and their aliases) when the map lacks it. */
function findPair(parsed: ParsedFile, map: YAMLMap, key: string, depth: number): Pair | undefined {
  const direct = map.items.find((p) => isScalar(p.key) && typeof p.key.value !== 'symbol' && String(p.key.value) === key);
  if (direct !== undefined || depth > MAX_DEPTH) return direct;
  for (const merge of map.items.filter((p) => isScalar(p.key) && typeof p.key.value === 'symbol')) {
    const sources = isSeq(merge.value) ? merge.value.items : [merge.value];
    for (const source of sources) {
      const target = isAlias(source) ? source.resolve(parsed.doc) : source;
      const found = isMap(target) ? findPair(parsed, target, key, depth + 1) : undefined;
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** "a.yaml line 12": where `path` is written, for details that point at a second place. */
export function describeLocation(parsed: ParsedFile, path: Path): string {
  const { file, line } = locate(parsed, path);
  return `${file} line ${line}`;
}

function isNode(value: unknown): value is Node {
  return isMap(value) || isSeq(value) || isScalar(value) || isAlias(value);
}

/** `remotes[3].sync.skip_types[0]` */
export function formatPath(path: Path): string {
  return path.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join('');
}

/**
 * Masks the literal values of secret fields (and of keys that look like misspelt secret
 * fields) and credentials in URLs, keeping the line count so snippets stay aligned.
 */
function maskLines(lines: string[], doc: Document.Parsed, lineCounter: LineCounter): string[] {
  const masked = [...lines];
  const maskRange = (start: number, end: number): void => {
    const from = lineCounter.linePos(start);
    const to = lineCounter.linePos(Math.max(start, end - 1));
    for (let line = from.line; line <= to.line; line++) {
      const text = masked[line - 1] ?? '';
      const begin = line === from.line ? from.col - 1 : text.length - text.trimStart().length;
      const finish = line === to.line ? to.col : text.length;
      masked[line - 1] = `${text.slice(0, begin)}${line === from.line ? '(sensitive)' : ''}${text.slice(finish)}`;
    }
  };
  // Keys repeat in every item: judge each distinct key once.
  const looksSecret = new Map<string, boolean>();
  const isSensitiveKey = (key: string): boolean => {
    let sensitive = looksSecret.get(key);
    if (sensitive === undefined) {
      sensitive = SECRET_FIELD_NAMES.has(key) || closest(key, SECRET_FIELD_NAMES) !== undefined;
      looksSecret.set(key, sensitive);
    }
    return sensitive;
  };
  const walk = (node: unknown): void => {
    if (!isMap(node) && !isSeq(node)) return;
    for (const item of node.items) {
      if (!isPair(item)) {
        walk(item);
        continue;
      }
      const key = isScalar(item.key) ? String(item.key.value) : undefined;
      const value = item.value;
      const sensitive = key !== undefined && isSensitiveKey(key);
      const reference = isScalar(value) && typeof value.value === 'string' && SOLE_REFERENCE.test(value.value);
      if (sensitive && isNode(value) && value.range && !reference) {
        maskRange(value.range[0], value.range[1]);
      } else {
        walk(value);
      }
    }
  };
  walk(doc.contents);
  return masked.map((line) => line.replace(URL_USERINFO, '$1(sensitive)@'));
}

/** For files that did not parse: the same masking by line patterns. */
function maskLinesByPattern(lines: string[]): string[] {
  let inKey = false;
  return lines.map((line) => {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(line)) inKey = true;
    const masked = inKey ? line.replace(/\S.*/, '(sensitive)') : line.replace(SECRET_LINE, '$1(sensitive)');
    if (/-----END [A-Z ]*PRIVATE KEY-----/.test(line)) inKey = false;
    return masked.replace(URL_USERINFO, '$1(sensitive)@');
  });
}
