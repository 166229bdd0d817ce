import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { DEFAULT_PULP_VERSION } from '../../src/emulator/index.js';
import type { JsonObject } from '../../src/model/json.js';

// Runs the built CLI under plain Node, as a user would.
describe('pulpform emulator command', () => {
  test('serves the API until SIGTERM, then closes and exits 0', async () => {
    const child = spawn(process.execPath, ['dist/cli/main.js', 'emulator', '--port', '0', '--task-ms', '1', '--username', 'ops', '--password', 'hunter2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let stderr = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
          if (m) resolve(m[1] as string);
        });
        child.on('exit', () => reject(new Error(`emulator exited early: ${stderr}`)));
      });
      expect(stderr).toContain("user 'ops'");
      expect(stderr).not.toContain('hunter2');
      const auth = `Basic ${Buffer.from('ops:hunter2').toString('base64')}`;
      const status = (await (await fetch(`${url}/pulp/api/v3/status/`, { headers: { Authorization: auth } })).json()) as JsonObject;
      const core = (status['versions'] as JsonObject[]).find((v) => v['component'] === 'core');
      expect(String(core?.['version'])).toMatch(new RegExp(`^${DEFAULT_PULP_VERSION.replace('.', '\\.')}\\.`));
      expect(stderr).toContain(`Pulp ${DEFAULT_PULP_VERSION} emulator listening`);
      const log = (await (await fetch(`${url}/_emulator/requests`)).json()) as JsonObject;
      expect(log['requests']).toEqual([{ method: 'GET', path: '/pulp/api/v3/status/', status: 200 }]);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('Pulp emulator stopped.');
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('--pulp-version picks the version it speaks, and refuses one it does not', async () => {
    const child = spawn(process.execPath, ['dist/cli/main.js', 'emulator', '--port', '0', '--pulp-version', '3.116'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      let stderr = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const m = /Pulp 3\.116 emulator listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
          if (m) resolve(m[1] as string);
        });
        child.on('exit', () => reject(new Error(`emulator exited early: ${stderr}`)));
      });
      expect((await fetch(`${url}/pulp/api/v3/remotes/`)).status).toBe(401);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    const refused = spawn(process.execPath, ['dist/cli/main.js', 'emulator', '--port', '0', '--pulp-version', '3.99'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    refused.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await new Promise<number | null>((resolve) => refused.on('exit', resolve))).toBe(2);
    expect(stderr).toContain("the emulator speaks Pulp 3.23, 3.43, 3.116; got '3.99'");
  });

  test('refuses a malformed --faults spec with the reason', async () => {
    const child = spawn(process.execPath, ['dist/cli/main.js', 'emulator', '--port', '0', '--faults', 'error=lots'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain("invalid fault spec 'error=lots'");
  });
});
