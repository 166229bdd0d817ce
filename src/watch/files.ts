import { watch, type FSWatcher } from 'chokidar';
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';

/**
 * Whether a file in a watched desired-state directory is part of the desired state: the rule
 * `findDesiredStateFiles` reads by (`*.yaml`, `*.yml`, no dotfiles), which also leaves out
 * editor leftovers (`.x.yaml.swp`, `.#x.yaml`, `x.yaml~`, `#x.yaml#`, `x.yaml.tmp`).
 */
export function isDesiredStateFile(path: string): boolean {
  const name = basename(path);
  return !name.startsWith('.') && /\.ya?ml$/.test(name);
}

export interface DesiredStateWatcherOptions {
  /** The `-f` target: a YAML file or a directory of them. */
  path: string;
  /** Quiet time after the last event before `onChange` fires. */
  debounceMs: number;
  /** The files that changed during the burst, absolute and sorted. */
  onChange: (files: string[]) => void;
  /** Every raw event that passed the filter, before debouncing (for debug logs). */
  onEvent?: (event: string, file: string) => void;
  onError: (error: Error) => void;
}

export interface DesiredStateWatcher {
  /** Stops watching; a pending debounced change is dropped. */
  close(): Promise<void>;
}

/**
 * Watches the desired state and reports bursts of changes once they settle. The directory is
 * watched (the parent directory for a single file) rather than the files, so that atomic
 * saves (write a temporary file, rename it over the old one) and delete-then-create saves are
 * seen, whatever inode the file ends up with; chokidar's `atomic` turns an unlink followed by
 * an add into a change, and the debounce folds editors' double change events together.
 * Resolves once the initial scan is done, so nothing written after it is missed.
 */
export async function watchDesiredState(options: DesiredStateWatcherOptions): Promise<DesiredStateWatcher> {
  const target = resolve(options.path);
  const isDirectory = (await stat(target)).isDirectory();
  const directory = isDirectory ? target : dirname(target);
  const relevant = (file: string): boolean => (isDirectory ? dirname(file) === directory && isDesiredStateFile(file) : file === target);

  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const files = [...pending].sort();
    pending.clear();
    options.onChange(files);
  };

  const watcher: FSWatcher = watch(directory, { ignoreInitial: true, depth: 0, atomic: true, persistent: true });
  watcher.on('all', (event, file) => {
    if (event === 'addDir' || event === 'unlinkDir') return;
    const absolute = resolve(file);
    if (!relevant(absolute)) return;
    options.onEvent?.(event, absolute);
    pending.add(absolute);
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(flush, options.debounceMs);
  });
  watcher.on('error', (error) => options.onError(error instanceof Error ? error : new Error(String(error))));
  await new Promise<void>((resolveReady) => watcher.once('ready', resolveReady));

  return {
    close: async () => {
      if (timer !== undefined) clearTimeout(timer);
      pending.clear();
      await watcher.close();
    },
  };
}
