import { afterAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// Runs the built CLI under plain Node (not Jest's module loader), which catches ESM/CJS interop bugs.
describe('pulpform binary', () => {
  test('--help lists the program and every command', () => {
    const out = execFileSync(process.execPath, ['dist/cli/main.js', '--help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: pulpform');
    const commands = [...out.matchAll(/^ {2}([a-z-]+) /gm)].map((match) => match[1]);
    expect(commands).toEqual([
      'validate',
      'plan',
      'apply',
      'watch',
      'pin',
      'promote',
      'outdated',
      'unlock',
      'status',
      'emulator',
      'conformance',
      'export',
      'client-config',
      'demo',
      'help',
    ]);
  });
});

describe('what each command loads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pulpform-loaded-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The dist/ modules `pulpform ARGS` loads, relative to dist/, recorded by a module loader hook. */
  function modulesLoadedBy(args: string[]): string[] {
    const record = join(dir, `${args.join('_').replace(/\W/g, '')}.txt`);
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(
      hooks,
      `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { if (url.includes('/dist/')) appendFileSync(${JSON.stringify(record)}, url.split('/dist/')[1] + '\\n'); return next(url, context); }\n`,
    );
    const register = join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    writeFileSync(record, '');
    execFileSync(process.execPath, ['--import', pathToFileURL(register).href, 'dist/cli/main.js', ...args], { encoding: 'utf8' });
    return readFileSync(record, 'utf8').split('\n').filter(Boolean);
  }
  const emulatorSide = (module: string): boolean => /^(emulator|ark|conformance|demo)\//.test(module);

  test('--version loads nothing but the entry point', () => {
    expect(modulesLoadedBy(['--version'])).toEqual(['cli/main.js']);
  });

  test('plan, apply and watch load no emulator module; --help only the two leaves its options check against', () => {
    for (const args of [
      ['plan', '--help'],
      ['apply', '--help'],
      ['watch', '--help'],
    ])
      expect({ args, emulator: modulesLoadedBy(args).filter(emulatorSide) }).toEqual({ args, emulator: [] });
    expect(modulesLoadedBy(['--help']).filter(emulatorSide).sort()).toEqual(['emulator/faults.js', 'emulator/versions.js']);
  });

  test('emulator --help loads the emulator command, not the emulator', () => {
    expect(modulesLoadedBy(['emulator', '--help'])).toContain('cli/commands/emulator.js');
  });
});
