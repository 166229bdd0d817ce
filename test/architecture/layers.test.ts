import { describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';

// The pipeline's arrows (ARCHITECTURE.md), enforced: a stage imports only the stages before it.
// config → live → diff → plan → apply → render, watch around them, the emulator beside them.

const ALLOWED: Record<string, readonly string[]> = {
  model: [],
  upstream: ['model'],
  config: ['model'],
  live: ['model'],
  diff: ['model'],
  plan: ['model', 'diff'],
  apply: ['model', 'live'],
  preflight: ['model', 'live', 'upstream'],
  render: ['model', 'diff', 'plan', 'apply', 'watch'],
  engine: ['model', 'config', 'live', 'plan'],
  watch: ['model', 'config', 'live', 'plan', 'apply', 'preflight', 'engine'],
  export: ['model', 'config', 'diff'],
  clientconfig: ['model', 'live', 'render'],
  emulator: ['model', 'upstream'],
  ark: ['model', 'emulator'],
  conformance: ['model', 'emulator'],
  demo: ['model', 'config', 'live', 'apply', 'preflight', 'engine', 'render', 'ark', 'emulator'],
  cli: [
    'model',
    'upstream',
    'config',
    'live',
    'diff',
    'plan',
    'apply',
    'preflight',
    'render',
    'engine',
    'watch',
    'export',
    'clientconfig',
    'emulator',
    'ark',
    'conformance',
    'demo',
  ],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `src/plan/build.ts` → `plan`; `src/engine.ts` → `engine`. */
const stageOf = (file: string, root = 'src'): string => relative(root, file).split('/')[0]!.replace(/\.ts$/, '');

const IMPORT = /^(?:import|export)\s([^'";]*?)from\s+'(\.{1,2}\/[^']+)'/gm;

/** Relative imports of a file; `values`: only those that load the module when it runs (not `import type`). */
function importsOf(file: string, values = false): string[] {
  return [...readFileSync(file, 'utf8').matchAll(IMPORT)]
    .filter((match) => !values || !/^type\s/.test(match[1]!))
    .map((match) => normalize(join(dirname(file), match[2]!.replace(/\.js$/, '.ts'))));
}

/** Files that load each other in a loop (strongly connected components of the value-import graph). */
function importCycles(files: readonly string[]): string[][] {
  const graph = new Map(files.map((file) => [file, importsOf(file, true).filter((target) => files.includes(target))]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    for (const target of graph.get(file)!) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (stack.includes(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
    }
    if (low.get(file) === index.get(file)) {
      const component = stack.splice(stack.indexOf(file));
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return cycles;
}

/** Imports from one stage into another that the table does not allow. */
function backwardImports(root: string): string[] {
  return sourceFiles(root).flatMap((file) => {
    const stage = stageOf(file, root);
    return importsOf(file)
      .filter((target) => stageOf(target, root) !== stage && !ALLOWED[stage]!.includes(stageOf(target, root)))
      .map(
        (target) =>
          `${relative(root, file)} imports ${relative(root, target)} (${stage} may import ${ALLOWED[stage]!.join(', ') || 'nothing'})`,
      );
  });
}

const FILES = sourceFiles('src');

describe('the pipeline stages import only the stages before them', () => {
  test('every stage is in the table', () => {
    expect([...new Set(FILES.map((file) => stageOf(file)))].filter((stage) => !(stage in ALLOWED))).toEqual([]);
  });

  test('no import points backwards', () => {
    expect(backwardImports('src')).toEqual([]);
  });

  // live/ is PulpClient over a transport, a classifier and a task poller; other stages use what its index exports, not those parts.
  test('other stages reach live/ only through its entry point', () => {
    const inside = FILES.filter((file) => stageOf(file) !== 'live').flatMap((file) =>
      importsOf(file)
        .filter((target) => stageOf(target) === 'live' && target !== join('src', 'live', 'index.ts'))
        .map((target) => `${file} imports ${target}`),
    );
    expect(inside).toEqual([]);
  });

  test('an import from a later stage is found, as are files that load each other', () => {
    const root = mkdtempSync(join(tmpdir(), 'pulpform-layers-'));
    try {
      const write = (file: string, text: string): void => {
        mkdirSync(dirname(join(root, file)), { recursive: true });
        writeFileSync(join(root, file), text);
      };
      write('model/plan.ts', "import { readLiveState } from '../live/read.js';\nimport type { Plan } from '../plan/build.js';\n");
      write('live/read.ts', "import { PLAN } from '../model/plan.js';\nimport { a } from './a.js';\n");
      write('live/a.ts', "import { read } from './read.js';\n");
      write('plan/build.ts', '');
      expect(backwardImports(root)).toEqual([
        'model/plan.ts imports live/read.ts (model may import nothing)',
        'model/plan.ts imports plan/build.ts (model may import nothing)',
      ]);
      expect(importCycles(sourceFiles(root)).map((files) => files.map((file) => relative(root, file)))).toEqual([
        ['live/a.ts', 'live/read.ts', 'model/plan.ts'],
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('no files load each other in a loop', () => {
    expect(importCycles(FILES)).toEqual([]);
  });
});
