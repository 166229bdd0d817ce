import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceLocation } from '../model/index.js';

export interface Repinned {
  /** As the loader shows it, e.g. `desired-state/rpm.yaml`. */
  file: string;
  line: number;
  before: string;
  after: string;
}

/**
 * Changes one pin in the YAML of a package mirror, as a user would edit it: within the list
 * entry that starts at `entry`, the first line that matches `line` and holds `snapshot: <from>`
 * gets `<to>` instead. Comments and layout are left as they are.
 */
export async function repin(cwd: string, entry: SourceLocation, line: RegExp, from: string, to: string): Promise<Repinned> {
  const path = join(cwd, entry.file);
  const lines = (await readFile(path, 'utf8')).split('\n');
  const start = entry.line - 1;
  const indent = (lines[start] ?? '').search(/\S/);
  let end = start + 1;
  while (end < lines.length && !(/^\s*-\s/.test(lines[end]!) && lines[end]!.search(/\S/) <= indent) && !/^\S/.test(lines[end]!)) end++;
  const pin = new RegExp(`(snapshot:\\s*)${from}\\b`);
  for (let i = start; i < end; i++) {
    const text = lines[i]!;
    if (!line.test(text) || !pin.test(text)) continue;
    lines[i] = text.replace(pin, `$1${to}`);
    await writeFile(path, lines.join('\n'));
    return { file: entry.file, line: i + 1, before: text, after: lines[i]! };
  }
  throw new Error(`${entry.file} line ${entry.line}: no "snapshot: ${from}" in that entry to change (the demo edits the mirror's pins as a user would)`);
}
