import { isAlias, isMap, isScalar, isSeq, parseDocument, type Pair, type YAMLMap } from 'yaml';
import type { SourceLocation } from '../model/index.js';
import { PulpformError } from '../model/errors.js';

/**
 * Setting one pin of a package mirror in its YAML as a person would: only the characters of the
 * stamp change (or one `snapshot:` is added where none was), so comments, anchors, quoting and
 * layout stay byte for byte. Pure: text in, text out.
 */

export interface PinEdit {
  /** 1-based line of the change in the edited text. */
  line: number;
  /** That line before (empty when the pin was added) and after. */
  before: string;
  after: string;
  /** The pin it replaced, if there was one. */
  previous?: string;
}

export class PinEditError extends PulpformError {
  override readonly name = 'PinEditError';
  get code(): string {
    return 'pin.refused';
  }
}

/**
 * `path`: `['snapshot']` for the mirror's own pin (what development follows), or
 * `['distributions', ENV, 'snapshot']` for an environment pinned on its own (added if missing).
 */
export function editPin(
  text: string,
  entry: SourceLocation,
  path: readonly [string] | readonly [string, string, string],
  snapshot: string,
): { text: string; edit: PinEdit } {
  const where = `${entry.file} line ${entry.line}`;
  const document = parseDocument(text, { keepSourceTokens: false });
  const offset =
    text
      .split('\n')
      .slice(0, entry.line - 1)
      .reduce((n, line) => n + line.length + 1, 0) +
    entry.column -
    1;
  const lists = isMap(document.contents) ? document.contents.items.flatMap((pair) => (isSeq(pair.value) ? [pair.value] : [])) : [];
  const item = lists
    .flatMap((list) => list.items)
    .find((candidate) => isMap(candidate) && candidate.range != null && candidate.range[0] <= offset && offset < candidate.range[2]);
  if (!isMap(item)) throw new PinEditError(`${where}: no package mirror entry found there`);
  const parentPath = path.slice(0, -1);
  const parent = parentPath.length === 0 ? item : item.getIn(parentPath, true);
  if (isAlias(parent))
    throw new PinEditError(
      `${where}: ${parentPath.join('.')} is an alias of an anchor shared by other entries; write that environment out in this entry to pin it on its own`,
    );
  if (!isMap(parent)) throw new PinEditError(`${where}: the mirror has no ${parentPath.join('.')} to pin`);
  const key = path[path.length - 1]!;
  const pair = (parent as YAMLMap).items.find((candidate): candidate is Pair => isScalar(candidate.key) && candidate.key.value === key);
  if (pair !== undefined) {
    if (isAlias(pair.value))
      throw new PinEditError(
        `${where}: ${path.join('.')} is an alias (*${pair.value.source}); change the anchor, which other entries share, or write the stamp here`,
      );
    if (!isScalar(pair.value) || pair.value.range == null) throw new PinEditError(`${where}: ${path.join('.')} is not a plain value`);
    const [start, end] = pair.value.range;
    const previous = String(pair.value.value);
    const quote = /^["']/.test(text.slice(start, end)) ? text[start] : '';
    return finish(text, `${text.slice(0, start)}${quote}${snapshot}${quote}${text.slice(end)}`, start, previous);
  }
  if (parentPath.length === 0)
    throw new PinEditError(`${where}: the mirror has no snapshot: (its upstream path is not snapshotted), so it has no pin to set`);
  return finish(text, insertKey(text, parent as YAMLMap, `${key}: ${snapshot}`, where), insertionPoint(text, parent as YAMLMap), undefined);
}

function finish(text: string, edited: string, at: number, previous: string | undefined): { text: string; edit: PinEdit } {
  const line = text.slice(0, at).split('\n').length;
  const added = previous === undefined && edited.split('\n').length > text.split('\n').length;
  const editedLine = added ? line + 1 : line;
  return {
    text: edited,
    edit: {
      line: editedLine,
      before: added ? '' : (text.split('\n')[line - 1] ?? ''),
      after: edited.split('\n')[editedLine - 1] ?? '',
      ...(previous !== undefined ? { previous } : {}),
    },
  };
}

/** Where a new key goes: before the `}` of a flow map, else at the end of the block map's last line. */
function insertionPoint(text: string, map: YAMLMap): number {
  const end = map.range![1];
  if (map.flow) return text.lastIndexOf('}', end);
  const last = map.items.at(-1);
  const valueEnd = (last?.value as { range?: [number, number, number] } | null)?.range?.[1] ?? end;
  const newline = text.indexOf('\n', valueEnd);
  return newline === -1 ? text.length : newline;
}

function insertKey(text: string, map: YAMLMap, entry: string, where: string): string {
  const at = insertionPoint(text, map);
  if (map.flow) {
    const before = text.slice(0, at).replace(/\s+$/, '');
    const separator = before.endsWith('{') ? ' ' : ', ';
    return `${before}${separator}${entry} ${text.slice(at)}`;
  }
  const firstKey = map.items[0]?.key as { range?: [number, number, number] } | undefined;
  if (firstKey?.range == null) throw new PinEditError(`${where}: cannot tell the indentation of the map to add ${entry} to`);
  const lineStart = text.lastIndexOf('\n', firstKey.range[0] - 1) + 1;
  const indent = text.slice(lineStart, firstKey.range[0]);
  if (!/^[ ]*$/.test(indent)) throw new PinEditError(`${where}: cannot tell the indentation of the map to add ${entry} to`);
  return `${text.slice(0, at)}\n${indent}${entry}${text.slice(at)}`;
}
