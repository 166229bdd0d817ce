import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';

// What a user gets from `npm install -g pulpform`: the packed tarball installed into an empty
// prefix and run from a directory that is not a clone. Dependencies come from npm's cache when
// `npm ci` filled it, else from the registry.
const run = promisify(execFile);
const PASSWORD = 'install-test-pa55';
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

describe('the packed tarball, installed outside a clone', () => {
  const root = mkdtempSync(join(tmpdir(), 'pulpform-install-'));
  const prefix = join(root, 'prefix');
  const work = join(root, 'work');
  const bin = join(prefix, 'bin', 'pulpform');
  // The installed binary sees no clone and no developer settings: its own HOME, only PATH.
  const env = { PATH: process.env.PATH ?? '', HOME: work, PULP_PASSWORD: PASSWORD };
  let emulator: Emulator;

  beforeAll(async () => {
    mkdirSync(work, { recursive: true });
    // --ignore-scripts: dist/ is already built (npm test's pretest); rebuilding it would race the other suites.
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', root], { env: { ...process.env } });
    const tarball = readdirSync(root).find((name) => name.endsWith('.tgz'))!;
    await run(
      'npm',
      ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(root, tarball)],
      { cwd: work, env: { ...process.env } },
    );
    emulator = await startEmulator({ taskMs: 5, password: PASSWORD });
  }, 240_000);

  afterAll(async () => {
    await emulator?.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('--version answers the package version', async () => {
    const { stdout } = await run(bin, ['--version'], { cwd: work, env });
    expect(stdout.trim()).toBe(version);
  });

  test('demo walks the Release Train with the desired state it ships', async () => {
    const { stdout } = await run(bin, ['demo', '--no-color'], { cwd: work, env, timeout: 120_000 });
    expect(stdout).toMatch(/Done in [\d.]+s\./);
  }, 150_000);

  test('plan and apply converge a desired state, and the next plan is empty', async () => {
    const dir = join(work, 'desired');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'files.yaml'),
      [
        'stack: installed',
        'repositories:',
        '  - { name: site-files, type: file }',
        'publications:',
        '  - repository: site-files',
        'distributions:',
        '  - { name: site-files, base_path: files/site, publication: site-files }',
        '',
      ].join('\n'),
    );
    const server = ['-f', dir, '--server', emulator.url, '--no-color'];
    const planned = await run(bin, ['plan', ...server], { cwd: work, env });
    expect(planned.stdout).toContain('3 to add, 0 to change, 0 to destroy');
    const applied = await run(bin, ['apply', '--auto-approve', ...server], { cwd: work, env });
    expect(applied.stdout).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed');
    const again = await run(bin, ['plan', ...server], { cwd: work, env });
    expect(again.stdout).toContain('No changes.');
    expect(planned.stdout + applied.stdout + again.stdout).not.toContain(PASSWORD);
  }, 60_000);
});
