import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
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
      expect(status['versions']).toContainEqual({ component: 'core', version: '3.23.24', package: 'pulpcore', domain_compatible: true });
      const log = (await (await fetch(`${url}/_emulator/requests`)).json()) as JsonObject;
      expect(log['requests']).toEqual([{ method: 'GET', path: '/pulp/api/v3/status/', status: 200 }]);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('Pulp emulator stopped.');
    } finally {
      child.kill('SIGKILL');
    }
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
