import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock } from '../../src/apply/lock.js';
import { arkFor } from '../../src/ark/from-desired.js';
import { type Ark, startArk } from '../../src/ark/index.js';
import { loadDesiredState } from '../../src/config/index.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { OUTPUT_SCHEMA_FILE, outputJsonSchemaText } from '../../src/render/json-lines.js';
import { runCli } from '../helpers/cli.js';
import { jsonRun } from '../helpers/json-lines.js';
import { startCli } from '../reliability/child.js';
import { clientFor } from '../reliability/world.js';

// Every command's --json output, on success and on each way it can fail, held to the committed
// schema: every line valid, exactly one result line last, its exit code the process's.

let ark: Ark;
let local: Emulator;
let work: string;
let env: Record<string, string>;
let closedPort: number;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pulpform-json-'));
  await cp('examples/single-mirror', join(work, 'ok'), { recursive: true });
  await writeFile(
    join(work, 'bad.yaml'),
    'stack: bad\nremotes:\n  - name: one\n    type: rpm\n    url: https://example.com/\n    polcy: immediate\n',
  );
  ark = await startArk({});
  local = await startEmulator({ taskMs: 1 });
  env = {
    ARK_URL: ark.url,
    ARK_USERNAME: ark.username,
    ARK_PASSWORD: ark.password,
    PULP_BASE_URL: local.url,
    PULP_PASSWORD: 'password',
    NO_COLOR: '1',
  };
  const loaded = await loadDesiredState('ok', { env, cwd: work });
  ark.publish(arkFor(loaded.state!, ark.url).spec);
  // A port nothing listens on: taken, then freed.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closedPort = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterAll(async () => {
  await Promise.all([ark.close(), local.close()]);
  await rm(work, { recursive: true, force: true });
});

const pulpform = async (args: string[], extraEnv: Record<string, string> = {}) => {
  const run = await runCli(args, { cwd: work, env: { ...env, ...extraEnv } });
  return { ...run, json: jsonRun(run.stdout, run.status) };
};

describe('--json output contract', () => {
  test('the committed schema file is current (regenerate with `npm run schema`)', () => {
    expect(readFileSync(OUTPUT_SCHEMA_FILE, 'utf8')).toBe(outputJsonSchemaText());
  });

  test('validate: diagnostics with file, line and column; the result says valid or not', async () => {
    const bad = await pulpform(['validate', '-f', 'bad.yaml', '--json']);
    expect(bad.status).toBe(1);
    expect(bad.json.ofType('diagnostic')[0]).toMatchObject({
      code: 'config.unknown_field',
      file: 'bad.yaml',
      line: 6,
      column: 5,
      hint: expect.any(String),
    });
    expect(bad.json.result).toMatchObject({ command: 'validate', exitCode: 1, ok: false });
    const good = await pulpform(['validate', '-f', 'ok', '--json']);
    expect(good.json.result).toMatchObject({ exitCode: 0, ok: true, summary: { valid: true, errors: 0 } });
  });

  test('plan: the plan line and a result with --detailed-exitcode; failures on configuration, connection and selectors', async () => {
    const changes = await pulpform(['plan', '-f', 'ok', '--json', '--detailed-exitcode']);
    expect(changes.status).toBe(2);
    expect(changes.json.ofType('plan')).toHaveLength(1);
    expect(changes.json.result).toMatchObject({ command: 'plan', exitCode: 2, ok: true, summary: { changes: true, errors: 0 } });

    const config = await pulpform(['plan', '-f', 'bad.yaml', '--json']);
    expect(config.json.result).toMatchObject({ exitCode: 1, ok: false, error: { code: 'config.unknown_field' } });
    expect(config.json.ofType('diagnostic')).toHaveLength(1);
    expect(config.stderr).toBe('');

    const connection = await pulpform([
      'plan',
      '-f',
      'ok',
      '--json',
      '--server',
      `http://127.0.0.1:${closedPort}`,
      '--request-timeout',
      '5',
    ]);
    expect(connection.json.result).toMatchObject({
      exitCode: 1,
      ok: false,
      error: { code: expect.stringMatching(/^pulp\./), hint: expect.any(String) },
    });

    const preflight = await pulpform(['plan', '-f', 'ok', '--json', '--preflight'], { ARK_PASSWORD: 'not-the-password' });
    expect(preflight.json.ofType('diagnostic').some((d) => d.severity === 'error' && d.code.startsWith('preflight.'))).toBe(true);
    expect(preflight.json.result).toMatchObject({ exitCode: 1, ok: false });
    expect(preflight.stdout).not.toContain('not-the-password');

    const selector = await pulpform(['plan', '-f', 'ok', '--json', '--only', 'nosuchthing']);
    expect(selector.json.ofType('diagnostic')).toEqual([
      expect.objectContaining({ code: 'plan.selector_matches_nothing', severity: 'error' }),
    ]);
    expect(selector.json.result).toMatchObject({ exitCode: 1, ok: false, summary: { errors: 1 } });
  });

  test('apply: plan, events and a result with counts; a held lock, a stale saved plan and an applied one', async () => {
    const saved = join(work, 'saved.plan');
    expect((await pulpform(['plan', '-f', 'ok', '--out', saved, '--json'])).status).toBe(0);

    const client = clientFor(local);
    const other = await acquireLock(client, { stack: 'single-mirror', operation: 'watch' });
    try {
      const locked = await pulpform(['apply', '-f', 'ok', '--auto-approve', '--json']);
      expect(locked.json.result).toMatchObject({
        command: 'apply',
        exitCode: 1,
        ok: false,
        error: { code: 'lock.held', hint: expect.any(String) },
      });
    } finally {
      await other.release();
    }

    const applied = await pulpform(['apply', '-f', 'ok', '--auto-approve', '--json']);
    expect(applied.status).toBe(0);
    const events = applied.json.ofType('event');
    expect(events.some((e) => e.code === 'action.done' && e.actionType === 'sync')).toBe(true);
    expect(applied.json.result).toMatchObject({
      exitCode: 0,
      ok: true,
      summary: { failed: 0, succeeded: events.filter((e) => e.code === 'action.done').length },
    });

    const savedAgain = await pulpform(['apply', saved, '--json']);
    expect(savedAgain.json.result).toMatchObject({ exitCode: 0, summary: { savedPlan: 'applied' } });

    const none = await pulpform(['apply', '-f', 'ok', '--auto-approve', '--json']);
    expect(none.json.result).toMatchObject({ exitCode: 0, summary: { changes: false, succeeded: 0 } });

    // A saved plan to repair a changed base path, then the base path changes again under it.
    const [development] = await client.list('distributions/rpm/rpm/', { name: 'rocky-9-baseos-development' });
    const moveTo = async (basePath: string): Promise<void> =>
      void (await client.patch(String(development!.pulp_href), { base_path: basePath }));
    await moveTo('moved/once');
    const repair = join(work, 'repair.plan');
    expect((await pulpform(['plan', '-f', 'ok', '--out', repair, '--json'])).status).toBe(0);
    await moveTo('moved/twice');
    const stale = await pulpform(['apply', repair, '--json']);
    expect(stale.json.result).toMatchObject({
      exitCode: 1,
      ok: false,
      summary: {
        savedPlan: 'stale',
        stale: [expect.objectContaining({ address: 'distribution/rpm/rocky-9-baseos-development', how: 'changed' })],
      },
      error: { code: 'planfile' },
    });

    const noPlan = await pulpform(['apply', join(work, 'missing.plan'), '--json']);
    expect(noPlan.json.result).toMatchObject({ exitCode: 1, error: { code: 'planfile' } });
    client.close();
  });

  test('status: one status line and a result; a connection failure ends in a result too', async () => {
    const status = await pulpform(['status', '-f', 'ok', '--json']);
    expect(status.status).toBe(0);
    expect(status.json.ofType('status')).toHaveLength(1);
    expect(status.json.result).toMatchObject({ command: 'status', exitCode: 0, summary: { mirrors: 1 } });
    const refused = await pulpform([
      'status',
      '-f',
      'ok',
      '--json',
      '--server',
      `http://127.0.0.1:${closedPort}`,
      '--request-timeout',
      '5',
    ]);
    expect(refused.json.result).toMatchObject({ exitCode: 1, ok: false, error: { code: expect.stringMatching(/^pulp\./) } });
  });

  test('outdated: one line per pinned mirror and a result; a rejected password, bad configuration and a selector matching nothing end in a result too', async () => {
    const checked = await pulpform(['outdated', '-f', 'ok', '--json']);
    expect(checked.status).toBe(0);
    expect(checked.json.ofType('outdated')).toEqual([
      expect.objectContaining({ mirror: 'Rocky Linux 9 - BaseOS', snapshot: '20240816T002610', newer: [] }),
    ]);
    expect(checked.json.result).toMatchObject({
      command: 'outdated',
      exitCode: 0,
      ok: true,
      summary: { mirrors: 1, outdated: 0, upToDate: 1, failed: 0 },
    });

    const rejected = await pulpform(['outdated', '-f', 'ok', '--json'], { ARK_PASSWORD: 'not-the-password' });
    expect(rejected.json.ofType('diagnostic')).toEqual([
      expect.objectContaining({ code: 'outdated.credentials_rejected', severity: 'error' }),
    ]);
    expect(rejected.json.ofType('outdated')[0]).toMatchObject({
      error: { code: 'outdated.credentials_rejected', hint: expect.any(String) },
    });
    expect(rejected.json.result).toMatchObject({ exitCode: 1, ok: false, summary: { failed: 1 } });
    expect(rejected.stdout).not.toContain('not-the-password');

    const config = await pulpform(['outdated', '-f', 'bad.yaml', '--json']);
    expect(config.json.result).toMatchObject({ command: 'outdated', exitCode: 1, ok: false, error: { code: 'config.unknown_field' } });

    const selector = await pulpform(['outdated', 'nosuchthing', '-f', 'ok', '--json']);
    expect(selector.json.result).toMatchObject({
      exitCode: 1,
      ok: false,
      error: { code: 'outdated.selector', message: expect.stringContaining('no package mirror matches "nosuchthing"') },
    });
  });

  test('watch: events as they happen, then one result when it stops', async () => {
    const watch = startCli(['watch', '-f', 'ok', '--json'], { cwd: work, env });
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (watch.stdout().includes('"code":"watch.cycle_done"')) resolve();
        else if (watch.child.exitCode !== null) reject(new Error(`watch ended early:\n${watch.stderr()}`));
        else setTimeout(check, 50);
      };
      check();
    });
    watch.child.kill('SIGTERM');
    const done = await watch.done;
    expect(done.status).toBe(0);
    const run = jsonRun(done.stdout, done.status);
    expect(run.ofType('event').map((e) => e.code)).toEqual(expect.arrayContaining(['watch.started', 'watch.cycle_done', 'watch.stopped']));
    expect(run.result).toMatchObject({ command: 'watch', exitCode: 0, summary: { cycles: 1 } });
  });
});
