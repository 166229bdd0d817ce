import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, Pair, ParsedNode, YAMLError, YAMLMap, YAMLSeq } from 'yaml';
import type { Diagnostic, SourceLocation } from '../model/index.js';
import type { SourceFile } from './files.js';
import { firstTooDeep } from './nesting.js';
import { SECRET_FIELD_NAMES } from './secret-fields.js';
import { closest } from '../model/suggest.js';

/** Deeper documents are refused before conversion: the schema needs 5 levels, and yaml recurses. */
export const MAX_DEPTH = 32;
/** yaml's guard against alias bombs ("billion laughs"): expanding more aliases than this fails. */
export const MAX_ALIAS_COUNT = 100;

export type Path = readonly (string | number)[];

/**
 * Where the nodes of a document are written, and nothing else of its syntax tree (which takes
 * ten times the memory of the data): a scalar is its offset; a collection its offset and its
 * children's; an alias its own offset and what it points at.
 */
export type Spot = number | MapSpot | SeqSpot | AliasSpot | PieceSpot;

interface MapSpot {
  kind: 'map';
  at: number;
  /** Scalar keys as strings, with the offsets of the keys and the spots of their values (null: no value). */
  keys: string[];
  keyAt: number[];
  values: (Spot | null)[];
  /** Values of `<<` merge keys, looked through for keys the map lacks. */
  merges?: Spot[];
}

interface SeqSpot {
  kind: 'seq';
  at: number;
  items: Spot[];
}

interface AliasSpot {
  kind: 'alias';
  at: number;
  target: Spot;
}

/** An item of a top-level list parsed on its own: where it starts, and the text to parse again for what is inside it (diagnostics only ask). */
interface PieceSpot {
  kind: 'piece';
  at: number;
  from: number;
  to: number;
}

export interface ParsedFile {
  source: SourceFile;
  /** Where the document's nodes are written; undefined for an empty document. */
  spots: Spot | undefined;
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

  const chunked = parseInChunks(source.text, lines);
  if (chunked !== undefined) return { parsed: { source, spots: chunked.spots, lineCounter: chunked.lineCounter, data: chunked.data }, diagnostics: [], maskedLines: chunked.maskedLines };

  // logLevel 'error': yaml would otherwise print its own warnings to the process's stderr.
  const doc = parseDocument(source.text, { lineCounter, prettyErrors: false, ...PARSE_OPTIONS });
  const diagnostics: Diagnostic[] = [
    ...firstPerLine(doc.errors.map((error) => misindented(source.text, error, at) ?? yamlErrorDiagnostic(error, 'error', source.text, at))),
    ...doc.warnings.map((warning) => yamlErrorDiagnostic(warning, 'warning', source.text, at)),
  ];
  if (doc.errors.length > 0) return { diagnostics, maskedLines: maskLinesByPattern(lines) };
  const deepNode = findTooDeep(doc.contents, 0);
  if (deepNode !== undefined) return tooDeep(deepNode.range?.[0] ?? 0);

  const maskedLines = [...lines];
  maskLines(maskedLines, doc.contents, lineCounter, 0);
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
    return { diagnostics, maskedLines: maskUrlCredentials(maskedLines) };
  }
  return { parsed: { source, spots: spotsOf(doc, doc.contents, 0, new Map()), lineCounter, data }, diagnostics, maskedLines: maskUrlCredentials(maskedLines) };
}

const PARSE_OPTIONS = { merge: true, uniqueKeys: true, logLevel: 'error' } as const;

/**
 * Parses a large, plain desired state one top-level key at a time, and each item of a
 * top-level list on its own, so that only one small syntax tree lives at a time: parsing a
 * 1.6 MB file whole peaks at ten times its data. Splitting at lines that start a top-level key
 * (column 0) or an item of a top-level list (a dash at that list's indentation) gives the
 * parser the same nodes. Anything that could reach across pieces (anchors, aliases, merge keys,
 * directives, document markers, flow or complex top-level keys), any error or warning and any
 * duplicate top-level key returns undefined: the file is parsed whole, as before.
 */
function parseInChunks(text: string, lines: readonly string[]): { data: unknown; spots: Spot; maskedLines: string[]; lineCounter: LineCounter } | undefined {
  if (text.length < CHUNKED_MIN_BYTES) return undefined;
  const lineCounter = new LineCounter();
  const starts: number[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    starts.push(offset);
    offset += line.length + 1;
  }
  // No parse sees the whole text: fill the line counter here.
  for (const start of starts) lineCounter.addNewLine(start);
  const lineOf = (index: number): string => lines[index] ?? '';
  const significant = (line: string): boolean => line.trim() !== '' && !line.trimStart().startsWith('#');
  const keyLines: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lineOf(i);
    if (!significant(line) || /^\s/.test(line)) continue;
    // Only plain `key:` lines at column 0; a top-level sequence, flow, directive or marker is parsed whole.
    if (!/^[A-Za-z_][\w .-]*:(\s|$)/.test(line)) return undefined;
    keyLines.push(i);
  }
  if (keyLines.length === 0) return undefined;
  if (lines.slice(0, keyLines[0]).some(significant)) return undefined;

  const data: Record<string, unknown> = {};
  const top: MapSpot = { kind: 'map', at: 0, keys: [], keyAt: [], values: [] };
  const maskedLines = [...lines];
  const parse = (from: number, to: number): { doc: Document.Parsed; base: number } | undefined => {
    const base = starts[from] ?? 0;
    const end = to < starts.length ? (starts[to] ?? text.length) : text.length;
    const doc = parseDocument(text.slice(base, end), PARSE_OPTIONS);
    if (doc.errors.length > 0 || doc.warnings.length > 0 || reachesAcross(doc.contents) || findTooDeep(doc.contents, 1) !== undefined) return undefined;
    maskLines(maskedLines, doc.contents, lineCounter, base);
    return { doc, base };
  };
  for (const [k, first] of keyLines.entries()) {
    const next = keyLines[k + 1] ?? lines.length;
    const keyLine = parse(first, first + 1);
    const keyPair = keyLine && isMap(keyLine.doc.contents) ? keyLine.doc.contents.items[0] : undefined;
    if (keyLine === undefined || keyPair === undefined || !isScalar(keyPair.key)) return undefined;
    const key = Object.keys(keyLine.doc.toJS() as Record<string, unknown>)[0];
    if (key === undefined || top.keys.includes(key)) return undefined;
    const keyAt = keyLine.base + (keyPair.key as ParsedNode).range[0];
    const itemIndent = /^( *)-( |$)/.exec(lineOf(nextSignificant(lines, first + 1, next)))?.[1];
    let value: unknown;
    let spot: Spot | null;
    const valueBelow = /^[^:]*:\s*(#.*)?$/.test(lineOf(first));
    if (valueBelow && itemIndent !== undefined) {
      // A block list: each item parsed on its own.
      const marker = new RegExp(`^ {${itemIndent.length}}-( |$)`);
      const itemStarts: number[] = [];
      for (let i = first + 1; i < next; i++) if (marker.test(lineOf(i))) itemStarts.push(i);
      if (lines.slice(first + 1, itemStarts[0]).some(significant)) return undefined;
      const items: unknown[] = [];
      const seq: SeqSpot = { kind: 'seq', at: (starts[itemStarts[0]!] ?? 0) + itemIndent.length, items: [] };
      for (const [j, itemStart] of itemStarts.entries()) {
        const to = itemStarts[j + 1] ?? next;
        const piece = parse(itemStart, to);
        if (piece === undefined || !isSeq(piece.doc.contents) || piece.doc.contents.items.length !== 1) return undefined;
        items.push((piece.doc.toJS() as unknown[])[0]);
        const item = piece.doc.contents.items[0] as Node | null;
        seq.items.push({ kind: 'piece', at: piece.base + (item?.range?.[0] ?? 0), from: piece.base, to: to < starts.length ? (starts[to] ?? text.length) : text.length });
      }
      value = items;
      spot = seq;
    } else {
      const block = parse(first, next);
      const pair = block && isMap(block.doc.contents) && block.doc.contents.items.length === 1 ? block.doc.contents.items[0] : undefined;
      if (block === undefined || pair === undefined) return undefined;
      value = (block.doc.toJS() as Record<string, unknown>)[key];
      spot = pair.value === null ? null : spotsOf(block.doc, pair.value, block.base, new Map());
    }
    // As yaml's toJS does: a key such as __proto__ becomes an own property.
    if (key in data) Object.defineProperty(data, key, { value, writable: true, enumerable: true, configurable: true });
    else data[key] = value;
    top.keys.push(key);
    top.keyAt.push(keyAt);
    top.values.push(spot);
  }
  top.at = top.keyAt[0] ?? 0;
  return { data, spots: top, maskedLines: maskUrlCredentials(maskedLines), lineCounter };
}

/** Smaller files are parsed whole: the pieces only pay off when the syntax tree is large. */
const CHUNKED_MIN_BYTES = 64 * 1024;

function nextSignificant(lines: readonly string[], from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const line = lines[i] ?? '';
    if (line.trim() !== '' && !line.trimStart().startsWith('#')) return i;
  }
  return to;
}

/** Anchors, aliases and merge keys tie nodes across the pieces of a chunked parse. */
function reachesAcross(node: unknown): boolean {
  if (isAlias(node)) return true;
  if ((isScalar(node) || isMap(node) || isSeq(node)) && node.anchor !== undefined) return true;
  if (!isMap(node) && !isSeq(node)) return false;
  for (const item of node.items) {
    if (isPair(item)) {
      if (isScalar(item.key) && typeof item.key.value === 'symbol') return true;
      if (!isScalar(item.key) || reachesAcross(item.value) || item.key.anchor !== undefined) return true;
    } else if (reachesAcross(item)) {
      return true;
    }
  }
  return false;
}

/** The spots of a node and its children, offsets shifted by `base` (where its piece starts in the file). */
function spotsOf(doc: Document.Parsed, node: unknown, base: number, seen: Map<unknown, Spot>): Spot {
  const known = seen.get(node);
  if (known !== undefined) return known;
  const at = base + ((node as Node | null)?.range?.[0] ?? 0);
  if (isAlias(node)) {
    const target = node.resolve(doc);
    return { kind: 'alias', at, target: target === undefined ? at : spotsOf(doc, target, base, seen) };
  }
  if (isMap(node)) {
    const spot: MapSpot = { kind: 'map', at, keys: [], keyAt: [], values: [] };
    seen.set(node, spot);
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      if (typeof pair.key.value === 'symbol') {
        const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
        spot.merges = [...(spot.merges ?? []), ...sources.map((merged) => spotsOf(doc, merged, base, seen))];
        continue;
      }
      spot.keys.push(String(pair.key.value));
      spot.keyAt.push(base + (pair.key as ParsedNode).range[0]);
      spot.values.push(pair.value === null ? null : spotsOf(doc, pair.value, base, seen));
    }
    return spot;
  }
  if (isSeq(node)) {
    const spot: SeqSpot = { kind: 'seq', at, items: [] };
    seen.set(node, spot);
    for (const item of node.items) spot.items.push(spotsOf(doc, item, base, seen));
    return spot;
  }
  return at;
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
  let spot: Spot | undefined = parsed.spots;
  let offset = 0;
  for (const [index, segment] of path.entries()) {
    if (typeof spot === 'object' && spot.kind === 'piece') spot = pieceSpots(parsed.source.text, spot);
    if (typeof spot === 'object' && spot.kind === 'alias') spot = spot.target;
    if (spot !== undefined) offset = typeof spot === 'number' ? spot : spot.at;
    if (typeof spot === 'object' && spot.kind === 'map') {
      const found = findKey(spot, String(segment), 0);
      if (found === undefined) break;
      if ((index === path.length - 1 && part === 'key') || found.value === null) {
        offset = found.keyAt;
        spot = undefined;
        break;
      }
      spot = found.value;
    } else if (typeof spot === 'object' && spot.kind === 'seq' && typeof segment === 'number' && segment < spot.items.length) {
      spot = spot.items[segment];
    } else {
      spot = undefined;
      break;
    }
  }
  if (spot !== undefined) offset = typeof spot === 'number' ? spot : spot.at;
  const { line, col } = parsed.lineCounter.linePos(offset);
  return { file: parsed.source.display, line, column: col };
}

/** What is inside an item parsed on its own: the same text parsed again (nothing of it was kept). */
function pieceSpots(text: string, piece: PieceSpot): Spot {
  const doc = parseDocument(text.slice(piece.from, piece.to), PARSE_OPTIONS);
  const item = isSeq(doc.contents) ? doc.contents.items[0] : undefined;
  return item === undefined ? piece.at : spotsOf(doc, item, piece.from, new Map());
}

/** The key's offset and value in a map, looking through `<<` merge keys (and their aliases) when the map lacks it. */
function findKey(map: MapSpot, key: string, depth: number): { keyAt: number; value: Spot | null } | undefined {
  const index = map.keys.indexOf(key);
  if (index >= 0) return { keyAt: map.keyAt[index]!, value: map.values[index]! };
  if (depth > MAX_DEPTH) return undefined;
  for (const merged of map.merges ?? []) {
    const target = typeof merged === 'object' && merged.kind === 'alias' ? merged.target : merged;
    const found = typeof target === 'object' && target.kind === 'map' ? findKey(target, key, depth + 1) : undefined;
    if (found !== undefined) return found;
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
 * Masks, in `masked`, the literal values of secret fields (and of keys that look like misspelt
 * secret fields) under `node`, keeping the line count so snippets stay aligned; `base` is where
 * the node's piece of text starts in the file.
 */
function maskLines(masked: string[], node: unknown, lineCounter: LineCounter, base: number): void {
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
      const sensitive = key !== undefined && isSensitiveKey(key);
      const reference = isScalar(value) && typeof value.value === 'string' && SOLE_REFERENCE.test(value.value);
      if (sensitive && isNode(value) && value.range && !reference) {
        maskRange(value.range[0], value.range[1]);
      } else {
        walk(value);
      }
    }
  };
  walk(node);
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

function maskUrlCredentials(lines: string[]): string[] {
  return lines.map((line) => line.replace(URL_USERINFO, '$1(sensitive)@'));
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
