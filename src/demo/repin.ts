import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { SourceLocation } from '../model/index.js';

export interface Repinned {
  /** As the loader shows it, e.g. `desired-state/rpm.yaml`. */
  file: string;
  line: number;
  /** The whole line before and after the edit. */
  before: string;
  after: string;
}

/**
 * Changes one pin of a package mirror as a user would edit it: in the list entry at `entry`
 * (the mirror's source location), the scalar at `path` (`['snapshot']`, or
 * `['distributions', 'production', 'snapshot']`) goes from `from` to `to`. Only those
 * characters of the file change; comments and layout stay as they are.
 */
export async function repin(cwd: string, entry: SourceLocation, path: string[], from: string, to: string): Promise<Repinned> {
  const file = join(cwd, entry.file);
  const text = await readFile(file, 'utf8');
  const offset = text.split('\n').slice(0, entry.line - 1).reduce((n, line) => n + line.length + 1, 0);
  const where = `${entry.file} line ${entry.line}`;
  const document = parseDocument(text);
  const lists = isMap(document.contents) ? document.contents.items.flatMap((pair) => (isSeq(pair.value) ? [pair.value] : [])) : [];
  const item = lists.flatMap((list) => list.items).find((candidate) => isMap(candidate) && candidate.range != null && candidate.range[0] <= offset + entry.column && offset <= candidate.range[2]);
  const node = isMap(item) ? item.getIn(path, true) : undefined;
  if (!isScalar(node) || String(node.value) !== from || !node.range) {
    throw new Error(`${where}: the entry has no ${path.join('.')}: ${from} to change`);
  }
  const [start, end] = node.range;
  const edited = `${text.slice(0, start)}${to}${text.slice(end)}`;
  await writeFile(file, edited);
  const line = text.slice(0, start).split('\n').length;
  return { file: entry.file, line, before: text.split('\n')[line - 1]!, after: edited.split('\n')[line - 1]! };
}
