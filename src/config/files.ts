import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Diagnostic, DiagnosticCodeAt } from '../model/index.js';

/** Larger files are refused: real desired states are a few hundred kilobytes, and parsing is not free. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

export interface SourceFile {
  /** Path as shown to users: relative to the working directory when inside it. */
  display: string;
  absolute: string;
  dir: string;
  bytes: Buffer;
  text: string;
}

/** How a path is shown in diagnostics and in DesiredState.sources. */
export function displayPath(absolute: string, cwd: string): string {
  const rel = relative(cwd, absolute);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? absolute : rel;
}

/**
 * The YAML files `-f target` names: the file itself, or a directory's `*.yaml` / `*.yml` files
 * (not recursive, sorted by name). Dotfiles are skipped: editors leave lock and swap files
 * such as `.#remotes.yaml` next to the real ones.
 */
export async function findDesiredStateFiles(target: string, cwd: string): Promise<{ files: string[]; diagnostics: Diagnostic[] }> {
  const absolute = resolve(cwd, target);
  const info = await stat(absolute).catch(() => undefined);
  if (info === undefined) {
    return {
      files: [],
      diagnostics: [
        {
          severity: 'error',
          code: 'config.path_not_found',
          summary: 'Desired state not found',
          detail: `There is no file or directory at ${displayPath(absolute, cwd)}.`,
          hint: 'Pass the YAML file or the directory holding it with -f PATH (default ./desired-state).',
          value: target,
        },
      ],
    };
  }
  if (!info.isDirectory()) return { files: [absolute], diagnostics: [] };
  const entries = await readdir(absolute, { withFileTypes: true });
  const names = entries
    .filter((entry) => !entry.name.startsWith('.') && /\.ya?ml$/.test(entry.name) && (entry.isFile() || entry.isSymbolicLink()))
    .map((entry) => entry.name)
    .sort();
  if (names.length === 0) {
    return {
      files: [],
      diagnostics: [
        {
          severity: 'error',
          code: 'config.no_files',
          summary: 'No YAML files in the desired-state directory',
          detail: `The directory ${displayPath(absolute, cwd)} holds no *.yaml or *.yml file (subdirectories are not read).`,
          hint: 'Add a .yaml file to the directory, or point -f at the file or directory that holds the desired state.',
          value: target,
        },
      ],
    };
  }
  return { files: names.map((name) => join(absolute, name)), diagnostics: [] };
}

export async function readSourceFile(absolute: string, cwd: string): Promise<{ source?: SourceFile; diagnostics: Diagnostic[] }> {
  const display = displayPath(absolute, cwd);
  const unreadable = (
    detail: string,
    hint: string,
    code: DiagnosticCodeAt<'error'> = 'config.file_unreadable',
  ): { diagnostics: Diagnostic[] } => ({
    diagnostics: [
      {
        severity: 'error',
        code,
        summary: `Cannot read ${basename(absolute)}`,
        detail,
        hint,
        source: { file: display, line: 1, column: 1 },
      },
    ],
  });
  try {
    const info = await stat(absolute);
    if (!info.isFile()) return unreadable(`${display} is not a regular file.`, 'Point -f at a YAML file or a directory of them.');
    if (info.size > MAX_FILE_BYTES) {
      return unreadable(
        `${display} is ${info.size} bytes; the limit is ${MAX_FILE_BYTES} bytes.`,
        'Split the desired state into several files in one directory.',
        'config.file_too_large',
      );
    }
    const bytes = await readFile(absolute);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return unreadable(`${display} is not valid UTF-8 text.`, 'Save the file as UTF-8.', 'config.file_encoding');
    }
    return { source: { display, absolute, dir: dirname(absolute), bytes, text }, diagnostics: [] };
  } catch (error) {
    return unreadable(
      `${display}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
      'Check that the file exists and is readable by this user.',
    );
  }
}
