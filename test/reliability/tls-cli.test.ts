import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';
import { type InterposedProxy, startProxy } from './proxy.js';

// TLS as users meet it: the CLI against the emulator behind an HTTPS proxy whose certificate is
// self-signed. Verification is on by default, --ca-cert trusts a private CA, --insecure is an
// explicit opt-in that warns every time.

const CERT = fileURLToPath(new URL('../live/tls/self-signed-127.0.0.1.cert.pem', import.meta.url));
const KEY = fileURLToPath(new URL('../live/tls/self-signed-127.0.0.1.key.pem', import.meta.url));
const STATE = 'stack: tls\nremotes:\n  - { name: one, type: rpm, url: "https://ark.example.com/one/" }\n';
const env = { PULP_PASSWORD: 'password' };

let emulator: Emulator;
let proxy: InterposedProxy;
let dir: string;

beforeAll(async () => {
  emulator = await startEmulator({ taskMs: 1 });
  proxy = await startProxy(emulator.url, () => 'forward', { tls: { cert: readFileSync(CERT, 'utf8'), key: readFileSync(KEY, 'utf8') } });
  dir = await mkdtemp(join(tmpdir(), 'pulpform-tls-'));
  await writeFile(join(dir, 'state.yaml'), STATE);
  await writeFile(
    join(dir, 'insecure.yaml'),
    `${STATE.replace('stack: tls\n', `stack: tls\nserver: { url: "${proxy.url}", insecure: true }\n`)}`,
  );
});

afterAll(async () => {
  await proxy.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const state = join('state.yaml');

describe('TLS from the command line', () => {
  test('verification is on by default: a self-signed server is refused with the way out', async () => {
    const result = await runCli(['plan', '-f', state, '--server', proxy.url], { env, cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^Error: GET \/pulp\/api\/v3\/status\/: TLS failure talking to https:\/\/127\.0\.0\.1:\d+: self[- ]signed certificate\n {2}Hint: pass the CA certificate with --ca-cert, or \(unsafe\) --insecure to skip verification\n$/,
    );
  });

  test('--ca-cert trusts a private CA: plan and apply work, without a warning', async () => {
    const plan = await runCli(['plan', '-f', state, '--server', proxy.url, '--ca-cert', CERT], { env, cwd: dir });
    expect({ status: plan.status, stderr: plan.stderr }).toEqual({ status: 0, stderr: '' });
    const apply = await runCli(['apply', '--auto-approve', '-f', state, '--server', proxy.url, '--ca-cert', CERT], { env, cwd: dir });
    expect({ status: apply.status, stderr: apply.stderr }).toEqual({ status: 0, stderr: '' });
    expect(apply.stdout).toContain('Apply complete! Resources: 1 added');
  });

  test('--insecure is an explicit opt-in that warns', async () => {
    const result = await runCli(['plan', '-f', state, '--server', proxy.url, '--insecure'], { env, cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/warn TLS certificate verification is off for https:\/\/127\.0\.0\.1:\d+ \(--insecure\)/);
  });

  test('insecure: true in the desired state warns the same way', async () => {
    const result = await runCli(['apply', '--auto-approve', '-f', 'insecure.yaml'], { env, cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/warn TLS certificate verification is off for https:\/\/127\.0\.0\.1:\d+/);
  });

  test('a CA file that cannot be read is a clear error, not a crash', async () => {
    const result = await runCli(['plan', '-f', state, '--server', proxy.url, '--ca-cert', 'no/such/ca.pem'], { env, cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).not.toContain('internal error');
    expect(result.stderr).toContain('no/such/ca.pem');
    expect(result.stderr).toContain('Hint:');
  });
});
