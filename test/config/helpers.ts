import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadDesiredState } from '../../src/config/index.js';
import type { LoadResult } from '../../src/config/index.js';

export interface InlineLoad {
  result: LoadResult;
  dir: string;
  cleanup(): Promise<void>;
}

/** Writes `files` (relative path -> content) to a fresh temporary directory and loads it from there. */
export async function loadInline(
  files: Record<string, string | Buffer>,
  options: { env?: NodeJS.ProcessEnv; target?: string } = {},
): Promise<InlineLoad> {
  const dir = await mkdtemp(join(tmpdir(), 'pulpform-config-'));
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), content);
    }
    const result = await loadDesiredState(options.target ?? '.', { cwd: dir, env: options.env ?? {} });
    return { result, dir, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
