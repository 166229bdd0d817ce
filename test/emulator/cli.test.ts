import { describe, expect, test } from '@jest/globals';
import { DEFAULT_PULP_VERSION } from '../../src/emulator/index.js';
import type { JsonObject } from '../../src/model/json.js';
import { runCli } from '../helpers/cli.js';
import { type RunningCli, startCli } from '../reliability/child.js';

/** Starts `pulpform emulator --port 0 ARGS` and waits for the URL `listening` captures from stderr. */
async function startEmulatorCli(
  args: string[],
  listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/,
): Promise<{ run: RunningCli; url: string }> {
  const run = startCli(['emulator', '--port', '0', ...args]);
  await run.stderrMatches(listening);
  return { run, url: listening.exec(run.stderr())![1]! };
}

// Runs the built CLI under plain Node, as a user would.
describe('pulpform emulator command', () => {
  test('serves the API until SIGTERM, then closes and exits 0', async () => {
    const { run, url } = await startEmulatorCli(['--task-ms', '1', '--username', 'ops', '--password', 'hunter2']);
    try {
      expect(run.stderr()).toContain("user 'ops'");
      expect(run.stderr()).not.toContain('hunter2');
      const auth = `Basic ${Buffer.from('ops:hunter2').toString('base64')}`;
      const status = (await (await fetch(`${url}/pulp/api/v3/status/`, { headers: { Authorization: auth } })).json()) as JsonObject;
      const core = (status['versions'] as JsonObject[]).find((v) => v['component'] === 'core');
      expect(String(core?.['version'])).toMatch(new RegExp(`^${DEFAULT_PULP_VERSION.replace('.', '\\.')}\\.`));
      expect(run.stderr()).toContain(`Pulp ${DEFAULT_PULP_VERSION} emulator listening`);
      const log = (await (await fetch(`${url}/_emulator/requests`)).json()) as JsonObject;
      expect(log['requests']).toEqual([{ method: 'GET', path: '/pulp/api/v3/status/', status: 200 }]);
      run.child.kill('SIGTERM');
      const done = await run.done;
      expect(done.status).toBe(0);
      expect(done.stderr).toContain('Pulp emulator stopped.');
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  test('--pulp-version picks the version it speaks, and refuses one it does not', async () => {
    const { run, url } = await startEmulatorCli(
      ['--pulp-version', '3.116'],
      /Pulp 3\.116 emulator listening on (http:\/\/127\.0\.0\.1:\d+)/,
    );
    try {
      expect((await fetch(`${url}/pulp/api/v3/remotes/`)).status).toBe(401);
      run.child.kill('SIGTERM');
      expect((await run.done).status).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
    const refused = await runCli(['emulator', '--port', '0', '--pulp-version', '3.99']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("the emulator speaks Pulp 3.23, 3.43, 3.116; got '3.99'");
  });

  test('refuses a malformed --faults spec with the reason', async () => {
    const refused = await runCli(['emulator', '--port', '0', '--faults', 'error=lots']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("invalid fault spec 'error=lots'");
  });
});
