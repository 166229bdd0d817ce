import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node, ParsedNode } from 'yaml';
import type { SourceLocation } from '../model/index.js';
import type { SourceFile } from './files.js';
import { MAX_DEPTH } from './nesting.js';

export type Path = readonly (string | number)[];

/**
 * Where the nodes of a document are written, and nothing else of its syntax tree (which takes
 * ten times the memory of the data): a scalar is its offset; a collection its offset and its
 * children's; an alias its own offset and what it points at.
 */
export type Spot = number | MapSpot | SeqSpot | AliasSpot;

export interface MapSpot {
  kind: 'map';
  at: number;
  /** Scalar keys as strings, with the offsets of the keys and the spots of their values (null: no value). */
  keys: string[];
  keyAt: number[];
  values: (Spot | null)[];
  /** Values of `<<` merge keys, looked through for keys the map lacks. */
  merges?: Spot[];
}

export interface SeqSpot {
  kind: 'seq';
  at: number;
  items: Spot[];
}

interface AliasSpot {
  kind: 'alias';
  at: number;
  target: Spot;
}

export interface ParsedFile {
  source: SourceFile;
  /** Where the document's nodes are written; undefined for an empty document. */
  spots: Spot | undefined;
  lineCounter: LineCounter;
  /** The document as plain data (aliases and merge keys expanded). */
  data: unknown;
}

export const PARSE_OPTIONS = { merge: true, uniqueKeys: true, logLevel: 'error' } as const;

/** The spots of a node and its children, offsets shifted by `base` (where its piece starts in the file). */
export function spotsOf(doc: Document.Parsed, node: unknown, base: number, seen: Map<unknown, Spot>): Spot {
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

/**
 * Where `path` (into the document's data) is written. Falls back to the deepest node that
 * exists, so a missing field points at its map and a merged or aliased value at the alias.
 */
export function locate(parsed: ParsedFile, path: Path, part: 'value' | 'key' = 'value'): SourceLocation {
  let spot: Spot | undefined = parsed.spots;
  let offset = 0;
  for (const [index, segment] of path.entries()) {
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

/** `remotes[3].sync.skip_types[0]` */
export function formatPath(path: Path): string {
  return path.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join('');
}
