import { describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadDesiredState } from '../../src/config/index.js';

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = [
  'name',
  'type',
  'url',
  'remote',
  'repository',
  'publication',
  'sync',
  'labels',
  'base_path',
  'policy',
  'password',
  'headers',
  'include_tags',
  'verbatim',
  'distributions',
  'upstream_name',
  'retain_repo_versions',
  'adopt',
  'secret_version',
  'content_guard',
  'x',
];
const SCALARS = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  '',
  'rpm',
  'deb',
  'file',
  'container',
  'a',
  'a/b',
  '/a/',
  'https://u:p@h/x',
  '${env:X}',
  '${nope:y}',
  '${file:missing}',
  'on_demand',
  'pulpform_x',
];

function value(next: () => number, depth: number): unknown {
  const pick = next();
  if (depth > 2 || pick < 0.6) return SCALARS[Math.floor(next() * SCALARS.length)];
  if (pick < 0.8) return Array.from({ length: Math.floor(next() * 3) }, () => value(next, depth + 1));
  return item(next, depth + 1);
}

function item(next: () => number, depth: number): Record<string, unknown> {
  return Object.fromEntries(
    Array.from({ length: Math.floor(next() * 6) }, () => [KEYS[Math.floor(next() * KEYS.length)] as string, value(next, depth)]),
  );
}

describe('loadDesiredState never throws on bad input', () => {
  test('100 random desired states: diagnostics instead of exceptions, and a state exactly when nothing is an error', async () => {
    const next = random(20240816);
    const dir = await mkdtemp(join(tmpdir(), 'pulpform-random-'));
    try {
      for (let run = 0; run < 100; run++) {
        const document: Record<string, unknown> = {};
        for (const section of ['stack', 'server', 'remotes', 'repositories', 'publications', 'distributions', 'bogus']) {
          if (next() < 0.5)
            document[section] = next() < 0.7 ? Array.from({ length: Math.floor(next() * 4) }, () => item(next, 1)) : value(next, 1);
        }
        await writeFile(join(dir, 'a.yaml'), stringify(document));
        const result = await loadDesiredState(dir, { cwd: dir, env: {} });
        expect(result.state === undefined).toBe(result.diagnostics.some((d) => d.severity === 'error'));
        for (const diagnostic of result.diagnostics) {
          expect(diagnostic.code).toMatch(/^config\.[a-z_]+$/);
          expect(diagnostic.hint ?? diagnostic.detail).toBeDefined();
        }
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
