import { parseDocument } from 'yaml';
import { masksValue, maskToLineEnd } from './yaml-masking.js';
import { PARSE_OPTIONS } from './yaml-spots.js';
import type { MapSpot, SeqSpot, Spot } from './yaml-spots.js';

/**
 * An item of a top-level list written in block style with plain one-line scalars only
 * (`key: value`, nested maps of them, lists of scalars), read without the YAML parser: at
 * 10,000 objects `yaml` spent about 0.9 s on such items, most of a no-op plan's CPU. Anything
 * else (quotes, flow collections, comments after a value, anchors, tags, empty values,
 * duplicate keys, non-ASCII) returns undefined and the item goes to the parser, so the result
 * is always the parser's: data, spots and masked lines alike (a test compares them).
 */
export function readSimpleItem(
  lines: readonly string[],
  starts: readonly number[],
  first: number,
  end: number,
  indent: number,
  masked: string[],
): { data: Record<string, unknown>; spot: MapSpot } | undefined {
  return readWholeMap(new BlockReader(lines, starts, end), first, indent + 2, `${' '.repeat(indent)}- `, masked);
}

/** The value of a top-level key (at column 0 of `first`, the next one at `end`), when it is simple: a scalar or such a map. */
export function readSimpleValue(
  lines: readonly string[],
  starts: readonly number[],
  first: number,
  end: number,
  masked: string[],
): { data: unknown; spot: Spot } | undefined {
  const read = readWholeMap(new BlockReader(lines, starts, end), first, 0, '', masked);
  if (read === undefined || read.spot.keys.length !== 1) return undefined;
  return { data: read.data[read.spot.keys[0]!], spot: read.spot.values[0]! };
}

/** The key of a line `key:` or `key: value` whose key is a plain identifier. */
export function simpleKey(line: string): string | undefined {
  return pairOf(line)?.key;
}

/** Whether a line holds anything but blanks or a whole-line comment. */
export function isSignificant(line: string): boolean {
  return !SKIPPED_LINE.test(line);
}

/** The first significant line from `from` (up to `to`); `to` if none. */
export function nextSignificant(lines: readonly string[], from: number, to: number): number {
  let i = from;
  while (i < to && !isSignificant(lines[i] ?? '')) i++;
  return i;
}

/** A map that takes every line up to `end`, its secrets masked. */
function readWholeMap(
  reader: BlockReader,
  first: number,
  indent: number,
  lead: string,
  masked: string[],
): { data: Record<string, unknown>; spot: MapSpot } | undefined {
  const map = reader.map(first, indent, lead);
  if (map === undefined || reader.next(map.next) < reader.end) return undefined;
  for (const [line, column] of reader.secrets) maskToLineEnd(masked, line, column);
  return { data: map.data, spot: map.spot };
}

/** A key that is a plain identifier (not `null`, `true`, `<<` or `__proto__`), then `: value` or nothing. */
const PAIR = /^([a-z][a-z0-9_]*):(?: (.+))?$/;
const RESERVED_KEY = /^(?:null|true|false)$/;

/** `key: text` or `key:` (text undefined), for a key that is a plain identifier. */
function pairOf(line: string): { key: string; text: string | undefined } | undefined {
  const pair = PAIR.exec(line);
  return pair === null || RESERVED_KEY.test(pair[1]!) ? undefined : { key: pair[1]!, text: pair[2] };
}
/** Blank lines and whole-line comments. */
const SKIPPED_LINE = /^\s*(?:#.*)?$/s;
const NOT_PLAIN = Symbol('not a plain scalar');

type Read<T, S> = { data: T; spot: S; next: number } | undefined;

class BlockReader {
  readonly secrets: [line: number, column: number][] = [];

  constructor(
    private readonly lines: readonly string[],
    private readonly starts: readonly number[],
    readonly end: number,
  ) {}

  next(from: number): number {
    return nextSignificant(this.lines, from, this.end);
  }

  /** A block map whose keys are at column `indent`; its first line starts with `lead` (a list item's `- `). */
  map(first: number, indent: number, lead = ' '.repeat(indent)): Read<Record<string, unknown>, MapSpot> {
    const data: Record<string, unknown> = {};
    const spot: MapSpot = { kind: 'map', at: this.#offset(first, indent), keys: [], keyAt: [], values: [] };
    const prefix = ' '.repeat(indent);
    let i = first;
    while (i < this.end) {
      const line = this.lines[i] ?? '';
      if (!line.startsWith(i === first ? lead : prefix)) break;
      const pair = pairOf(line.slice(indent));
      if (pair === undefined || Object.hasOwn(data, pair.key)) return undefined;
      const { key } = pair;
      spot.keys.push(key);
      spot.keyAt.push(this.#offset(i, indent));
      if (pair.text !== undefined) {
        const value = scalarOf(pair.text);
        if (value === NOT_PLAIN) return undefined;
        const column = indent + key.length + 2;
        data[key] = value;
        spot.values.push(this.#offset(i, column));
        if (masksValue(key, value)) this.secrets.push([i, column]);
        i = this.next(i + 1);
        continue;
      }
      // `key:` with a collection below: a map indented further, or a list (which may sit at the key's own column).
      const below = this.next(i + 1);
      const text = this.lines[below] ?? '';
      const column = text.length - text.trimStart().length;
      const nested =
        below < this.end && column >= indent && text.startsWith('- ', column)
          ? this.#scalarList(below, column)
          : below < this.end && column > indent
            ? this.map(below, column)
            : undefined;
      if (nested === undefined || masksValue(key, nested.data)) return undefined;
      data[key] = nested.data;
      spot.values.push(nested.spot);
      i = nested.next;
    }
    return spot.keys.length === 0 ? undefined : { data, spot, next: i };
  }

  /** A block list of plain scalars, its dashes at column `indent`. */
  #scalarList(first: number, indent: number): Read<unknown[], SeqSpot> {
    const data: unknown[] = [];
    const spot: SeqSpot = { kind: 'seq', at: this.#offset(first, indent), items: [] };
    const lead = `${' '.repeat(indent)}- `;
    let i = first;
    while (i < this.end && (this.lines[i] ?? '').startsWith(lead)) {
      const value = scalarOf((this.lines[i] ?? '').slice(lead.length));
      if (value === NOT_PLAIN) return undefined;
      data.push(value);
      spot.items.push(this.#offset(i, lead.length));
      i = this.next(i + 1);
    }
    return { data, spot, next: i };
  }

  #offset(line: number, column: number): number {
    return (this.starts[line] ?? 0) + column;
  }
}

/**
 * A one-line plain scalar of printable ASCII that cannot start anything else (no indicator
 * first, no `: ` or ` #` inside, nothing trailing), resolved as the YAML 1.2 core schema does:
 * whatever could be null, a boolean or a number is handed to `yaml` in the same position, and
 * everything else is a string.
 */
function scalarOf(text: string): unknown {
  if (!PLAIN.test(text) || text.includes(': ') || text.includes(' #') || text.endsWith(':')) return NOT_PLAIN;
  if (!MAYBE_TYPED.test(text)) return text;
  let value = typed.get(text);
  if (value === undefined) {
    const doc = parseDocument(`k: ${text}`, PARSE_OPTIONS);
    const parsed = doc.toJS() as { k?: unknown } | null;
    value = doc.errors.length > 0 || doc.warnings.length > 0 || parsed === null || !Object.hasOwn(parsed, 'k') ? NOT_PLAIN : parsed.k;
    if (typed.size < 10_000) typed.set(text, value);
  }
  return value;
}

const PLAIN = /^(?![?:,[\]{}#&*!|>'"%@`]|-(?: |$))[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const MAYBE_TYPED = /^(?:[-+.~0-9]|(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$)/;
const typed = new Map<string, unknown>();
