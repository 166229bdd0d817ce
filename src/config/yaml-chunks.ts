import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, ParsedNode } from 'yaml';
import { findTooDeep } from './nesting.js';
import { isSignificant, nextSignificant, readSimpleItem, readSimpleValue, simpleKey } from './yaml-simple-items.js';
import { maskLines, maskUrlCredentials } from './yaml-masking.js';
import { PARSE_OPTIONS, spotsOf } from './yaml-spots.js';
import type { MapSpot, SeqSpot, Spot } from './yaml-spots.js';

/**
 * Parses a plain desired state one top-level key at a time, and each item of a top-level list
 * on its own, so that only one small syntax tree lives at a time (parsing a 1.6 MB file whole
 * peaks at ten times its data) and simple items need none at all (the parser costs 0.1 s even
 * for the Rocky 9 client's 57 KB file). Splitting at lines that start a top-level key (column
 * 0) or an item of a top-level list (a dash at that list's indentation) gives the parser the
 * same nodes. Anything that could reach across pieces (anchors, aliases, merge keys,
 * directives, document markers, flow or complex top-level keys), any error or warning and any
 * duplicate top-level key returns undefined: the file is parsed whole, as before.
 */
export function parseInChunks(
  text: string,
  lines: readonly string[],
): { data: unknown; spots: Spot; maskedLines: string[]; lineCounter: LineCounter } | undefined {
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
  const keyLines: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lineOf(i);
    if (!isSignificant(line) || /^\s/.test(line)) continue;
    // Only plain `key:` lines at column 0; a top-level sequence, flow, directive or marker is parsed whole.
    if (!/^[A-Za-z_][\w .-]*:(\s|$)/.test(line)) return undefined;
    keyLines.push(i);
  }
  if (keyLines.length === 0) return undefined;
  if (lines.slice(0, keyLines[0]).some(isSignificant)) return undefined;

  const data: Record<string, unknown> = {};
  const top: MapSpot = { kind: 'map', at: 0, keys: [], keyAt: [], values: [] };
  const maskedLines = [...lines];
  const parse = (from: number, to: number): { doc: Document.Parsed; base: number } | undefined => {
    const base = starts[from] ?? 0;
    const end = to < starts.length ? (starts[to] ?? text.length) : text.length;
    const doc = parseDocument(text.slice(base, end), PARSE_OPTIONS);
    if (doc.errors.length > 0 || doc.warnings.length > 0 || reachesAcross(doc.contents) || findTooDeep(doc.contents, 1) !== undefined)
      return undefined;
    maskLines(maskedLines, doc.contents, lineCounter, base);
    return { doc, base };
  };
  const keyOf = (first: number): { key: string; keyAt: number } | undefined => {
    const simple = simpleKey(lineOf(first));
    if (simple !== undefined) return { key: simple, keyAt: starts[first] ?? 0 };
    const keyLine = parse(first, first + 1);
    const keyPair = keyLine && isMap(keyLine.doc.contents) ? keyLine.doc.contents.items[0] : undefined;
    if (keyLine === undefined || keyPair === undefined || !isScalar(keyPair.key)) return undefined;
    const key = Object.keys(keyLine.doc.toJS() as Record<string, unknown>)[0];
    return key === undefined ? undefined : { key, keyAt: keyLine.base + (keyPair.key as ParsedNode).range[0] };
  };
  for (const [k, first] of keyLines.entries()) {
    const next = keyLines[k + 1] ?? lines.length;
    const head = keyOf(first);
    if (head === undefined || top.keys.includes(head.key)) return undefined;
    const { key, keyAt } = head;
    const itemIndent = /^( *)-( |$)/.exec(lineOf(nextSignificant(lines, first + 1, next)))?.[1];
    let value: unknown;
    let spot: Spot | null;
    const valueBelow = /^[^:]*:\s*(#.*)?$/.test(lineOf(first));
    const simple = valueBelow && itemIndent !== undefined ? undefined : readSimpleValue(lines, starts, first, next, maskedLines);
    if (simple !== undefined) {
      value = simple.data;
      spot = simple.spot;
    } else if (valueBelow && itemIndent !== undefined) {
      // A block list: each item parsed on its own.
      const marker = new RegExp(`^ {${itemIndent.length}}-( |$)`);
      const itemStarts: number[] = [];
      for (let i = first + 1; i < next; i++) if (marker.test(lineOf(i))) itemStarts.push(i);
      if (lines.slice(first + 1, itemStarts[0]).some(isSignificant)) return undefined;
      const items: unknown[] = [];
      const seq: SeqSpot = { kind: 'seq', at: (starts[itemStarts[0]!] ?? 0) + itemIndent.length, items: [] };
      for (const [j, itemStart] of itemStarts.entries()) {
        const to = itemStarts[j + 1] ?? next;
        const simple = readSimpleItem(lines, starts, itemStart, to, itemIndent.length, maskedLines);
        if (simple !== undefined) {
          items.push(simple.data);
          seq.items.push(simple.spot);
          continue;
        }
        const piece = parse(itemStart, to);
        if (piece === undefined || !isSeq(piece.doc.contents) || piece.doc.contents.items.length !== 1) return undefined;
        items.push((piece.doc.toJS() as unknown[])[0]);
        seq.items.push(spotsOf(piece.doc, piece.doc.contents.items[0], piece.base, new Map()));
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
