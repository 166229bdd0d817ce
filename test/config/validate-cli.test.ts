import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonRun } from '../helpers/json-lines.js';

// Runs the built CLI under plain Node, as users do (npm test builds dist/ first).
const CLI = join(process.cwd(), 'dist/cli/main.js');
const FIXTURE = join(process.cwd(), 'test/fixtures/config/valid');
const ENV = { ARK_USERNAME: 'ark-user', PULP_PASSWORD: 'pulp-pw', PROXY_USER: 'proxy-user', FILE_HOST: 'files.example.com' };

function validate(
  args: string[],
  env: Record<string, string> = {},
  cwd = process.cwd(),
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, 'validate', ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('pulpform validate', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pulpform-validate-'));
    await writeFile(
      join(dir, 'bad.yaml'),
      'remotes:\n  - name: el9\n    type: rpm\n    url: https://ark.example.com/el9\n    polcy: on_demand\n',
    );
    await writeFile(join(dir, 'warn.yaml'), 'distributions:\n  - name: d\n    type: file\n    base_path: files\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a valid desired state exits 0 with a one-line summary on stdout', () => {
    const { status, stdout, stderr } = validate(['-f', FIXTURE], ENV);
    expect({ status, stdout, stderr }).toEqual({ status: 0, stdout: 'valid: 19 resources in 5 files\n', stderr: '' });
  });

  test('errors exit 1 with boxed diagnostics on stderr and nothing on stdout', () => {
    const { status, stdout, stderr } = validate(['-f', 'bad.yaml'], {}, dir);
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('│ Error: Unknown field');
    expect(stderr).toContain('│   on bad.yaml line 5, in remotes[0].polcy:');
    expect(stderr).toContain('│ Hint: Rename it to "policy".');
    expect(stderr.trimEnd().split('\n').pop()).toBe('1 error.');
    expect(stderr).not.toContain('\u001b['); // not a terminal: no colour
  });

  test('warnings alone keep the exit code 0 and are counted in the summary', () => {
    const { status, stdout, stderr } = validate(['-f', 'warn.yaml'], {}, dir);
    expect(status).toBe(0);
    expect(stdout).toBe('valid: 1 resource in 1 file (1 warning)\n');
    expect(stderr).toContain('│ Warning: Distribution serves nothing');
  });

  test('--json prints the diagnostics and one result as JSON lines, for failures and successes', () => {
    const failed = validate(['-f', 'bad.yaml', '--json'], {}, dir);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toBe('');
    const report = jsonRun(failed.stdout, failed.status);
    expect(report.ofType('diagnostic')).toEqual([
      expect.objectContaining({ code: 'config.unknown_field', severity: 'error', file: 'bad.yaml', line: 5, column: 5 }),
    ]);
    expect(report.result).toMatchObject({ command: 'validate', exitCode: 1, ok: false, summary: { valid: false, errors: 1 } });

    const passed = validate(['-f', FIXTURE, '--json'], ENV);
    expect(passed.status).toBe(0);
    expect(jsonRun(passed.stdout, passed.status).result).toMatchObject({
      exitCode: 0,
      ok: true,
      summary: { valid: true, errors: 0, warnings: 0, resources: 19 },
    });
  });

  test('the default path is ./desired-state', () => {
    const { status, stderr } = validate([], {}, dir);
    expect(status).toBe(1);
    expect(stderr).toContain('Error: Desired state not found');
    expect(stderr).toContain('There is no file or directory at desired-state.');
  });
});
