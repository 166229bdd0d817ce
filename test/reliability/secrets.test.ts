import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type StaticServer, serveDirectory } from '../../src/conformance/static-server.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { leaksIn, runCliSweeping, type SecretSweep, sweep } from '../helpers/secrets.js';
import { recordFigures } from './figures.js';
import { type Exchange, type InterposedProxy, startProxy } from './proxy.js';

// Every CLI path that handles a credential, swept for it: stdout, stderr, log files, plan files,
// JSON, error messages (HTTP client errors included), every file the run wrote, and every URL
// the server was asked for.

const PULP_SECRET = 'pulp-S3cret-9d1f';
const UPSTREAM_SECRET = 'upstream-S3cret-77aa';
const PROXY_SECRET = 'proxy-S3cret-c0de';
const CLIENT_KEY =
  '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIKeySecretKeyMaterial0123456789abcdefABCDEF\n-----END PRIVATE KEY-----';
const ROTATED_SECRET = 'upstream-R0tated-5ecret';
const SECRETS = [PULP_SECRET, UPSTREAM_SECRET, PROXY_SECRET, CLIENT_KEY.split('\n')[1]!, ROTATED_SECRET];

const FILE_UPSTREAM = fileURLToPath(new URL('../../../shared/pulp/conformance/upstreams/file', import.meta.url));

const yaml = (upstream: string, secretVersion = 1): string => `
stack: secrets
remotes:
  - name: files
    type: file
    url: ${upstream}/PULP_MANIFEST
    username: mirror
    password: \${env:UPSTREAM_PASSWORD}
    secret_version: ${secretVersion}
  - name: behind-proxy
    type: rpm
    url: https://ark.example.com/rocky/
    proxy_url: http://proxy.example.com:3128
    proxy_username: squid
    proxy_password: \${file:proxy-password}
  - name: with-client-cert
    type: rpm
    url: https://ark.example.com/rocky-tls/
    client_cert: "-----BEGIN CERTIFICATE-----\\nMIIBcertificate\\n-----END CERTIFICATE-----"
    client_key: \${file:client.key}
repositories:
  - { name: files, type: file, remote: files, sync: true }
publications:
  - repository: files
distributions:
  - { name: files, base_path: files, publication: files }
`;

let upstream: StaticServer;
let emulator: Emulator;
let proxy: InterposedProxy;
let dir: string;
let urls: string[];
let answer: (exchange: Exchange) => 'forward' | { status: number; json: unknown };
const swept: string[] = [];
let leaked = 0;

beforeAll(async () => {
  upstream = await serveDirectory(FILE_UPSTREAM);
});

afterAll(async () => {
  await upstream.close();
  recordFigures('secrets', { scenarios: swept.length, secrets: SECRETS.length, leaks: leaked });
});

beforeEach(async () => {
  emulator = await startEmulator({ taskMs: 1, password: PULP_SECRET });
  urls = [];
  answer = () => 'forward';
  // Every URL the CLI asks for is recorded here: no secret may travel in a path or a query.
  proxy = await startProxy(emulator.url, (exchange) => {
    urls.push(`${exchange.method} ${exchange.target}`);
    return answer(exchange);
  });
  dir = await mkdtemp(join(tmpdir(), 'pulpform-secrets-'));
  await writeFile(join(dir, 'state.yaml'), yaml(upstream.url));
  await writeFile(join(dir, 'proxy-password'), `${PROXY_SECRET}\n`);
  await writeFile(join(dir, 'client.key'), CLIENT_KEY);
  await writeFile(join(dir, 'pulp-password'), PULP_SECRET);
});

afterEach(async () => {
  await proxy.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const env = { PULP_PASSWORD: PULP_SECRET, UPSTREAM_PASSWORD: UPSTREAM_SECRET };

function sweepOf(): SecretSweep {
  return {
    secrets: SECRETS,
    directories: [dir],
    sources: [join(dir, 'proxy-password'), join(dir, 'client.key'), join(dir, 'pulp-password')],
    emulator,
  };
}

/** Runs `pulpform ARGS` in the desired-state directory and expects no secret anywhere. */
async function pulpform(
  name: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const result = await runCliSweeping(args, { env: { ...env, ...extraEnv }, cwd: dir, ...sweepOf() });
  const leaks = [
    ...result.leaks,
    ...urls.flatMap((u) => SECRETS.filter((s) => u.includes(s) || u.includes(encodeURIComponent(s))).map(() => `URL ${u}`)),
  ];
  swept.push(name);
  leaked += leaks.length;
  expect({ name, leaks }).toEqual({ name, leaks: [] });
  return result;
}

describe('the sweep itself', () => {
  test('finds a secret as it is, URL-encoded, JSON-escaped and inside a Basic authorization header', async () => {
    const secret = 'pa55/word"x';
    expect(leaksIn('out', `password=${secret}`, [secret])).toEqual(['out: secret #0 (as is)']);
    expect(leaksIn('out', `?p=${encodeURIComponent(secret)}`, [secret])).toEqual(['out: secret #0 (encoded)']);
    expect(leaksIn('out', JSON.stringify({ p: secret }), [secret])).toEqual(['out: secret #0 (encoded)']);
    expect(leaksIn('out', `Authorization: Basic ${Buffer.from(`admin:${secret}`).toString('base64')}`, [secret])).toEqual([
      'out: secret #0 (encoded)',
    ]);
    expect(leaksIn('out', 'nothing here', [secret])).toEqual([]);
  });

  test('finds a secret in any file written under a directory, but not in the files it comes from', async () => {
    const where = await mkdtemp(join(tmpdir(), 'pulpform-sweep-'));
    try {
      await writeFile(join(where, 'source'), 'the-secret');
      await writeFile(join(where, 'log.json'), '{"message": "the-secret"}');
      expect(await sweep({}, { secrets: ['the-secret'], directories: [where], sources: [join(where, 'source')] })).toEqual([
        `${join(where, 'log.json')}: secret #0 (as is)`,
      ]);
    } finally {
      await rm(where, { recursive: true, force: true });
    }
  });
});

describe('no secret in any output, file or request URL', () => {
  test('plan, saved plan, apply of the saved plan, JSON output and debug logs in both formats', async () => {
    const server = ['-f', 'state.yaml', '--server', proxy.url];
    const plan = await pulpform('plan --out', [
      'plan',
      ...server,
      '--out',
      'plan.bin',
      '--log-file',
      'plan-log.json',
      '--log-level',
      'debug',
    ]);
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain('(sensitive value)');
    await pulpform('plan --json', ['plan', ...server, '--json', '--log-level', 'debug', '--log-format', 'json']);
    const apply = await pulpform('apply PLANFILE --json', [
      'apply',
      'plan.bin',
      ...server,
      '--json',
      '--log-file',
      'apply-log.json',
      '--log-level',
      'debug',
      '--log-format',
      'json',
    ]);
    expect(apply.status).toBe(0);
    expect(await readFile(join(dir, 'apply-log.json'), 'utf8')).toContain('action.done');
    const again = await pulpform('plan after apply', ['plan', ...server, '--detailed-exitcode', '--log-level', 'debug']);
    expect(again.status).toBe(0);
  });

  test('a rotated secret (secret_version bump) is sent again without showing either value', async () => {
    const server = ['-f', 'state.yaml', '--server', proxy.url];
    expect((await pulpform('first apply', ['apply', '--auto-approve', ...server])).status).toBe(0);
    await writeFile(join(dir, 'state.yaml'), yaml(upstream.url, 2));
    const plan = await pulpform('plan of a rotation', ['plan', ...server, '--log-level', 'debug'], { UPSTREAM_PASSWORD: ROTATED_SECRET });
    expect(plan.stdout).toMatch(/password\s+= \(sensitive value\)/);
    const apply = await pulpform(
      'apply of a rotation',
      ['apply', '--auto-approve', ...server, '--log-file', 'rotation.json', '--log-level', 'debug'],
      { UPSTREAM_PASSWORD: ROTATED_SECRET },
    );
    expect(apply.status).toBe(0);
  });

  test('the password from --password-file, and wrong credentials', async () => {
    const ok = await pulpform('--password-file', ['plan', '-f', 'state.yaml', '--server', proxy.url, '--password-file', 'pulp-password'], {
      PULP_PASSWORD: '',
    });
    expect(ok.status).toBe(0);
    const wrong = await pulpform('wrong password', ['plan', '-f', 'state.yaml', '--server', proxy.url, '--log-level', 'debug'], {
      PULP_PASSWORD: `${PULP_SECRET}-wrong`,
    });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('the server rejected the credentials');
  });

  test('a server URL with credentials is refused, from the flag and from PULP_BASE_URL', async () => {
    const withCredentials = proxy.url.replace('http://', `http://admin:${PULP_SECRET}@`);
    const flag = await pulpform('--server with credentials', ['plan', '-f', 'state.yaml', '--server', withCredentials]);
    expect(flag.status).toBe(1);
    expect(flag.stderr).toContain('contains credentials');
    const fromEnv = await pulpform('PULP_BASE_URL with credentials', ['plan', '-f', 'state.yaml'], { PULP_BASE_URL: withCredentials });
    expect(fromEnv.status).toBe(1);
  });

  test('a remote URL with credentials is refused with the value redacted, in text and in JSON', async () => {
    await writeFile(
      join(dir, 'state.yaml'),
      yaml(upstream.url).replace('url: https://ark.example.com/rocky/', `url: https://mirror:${PROXY_SECRET}@ark.example.com/rocky/`),
    );
    const sweepSources = sweepOf();
    // The YAML itself now holds the secret: it is the source, not a leak.
    const result = await runCliSweeping(['validate', '-f', 'state.yaml'], {
      env,
      cwd: dir,
      ...sweepSources,
      sources: [...(sweepSources.sources ?? []), join(dir, 'state.yaml')],
    });
    const json = await runCliSweeping(['validate', '-f', 'state.yaml', '--json'], {
      env,
      cwd: dir,
      ...sweepSources,
      sources: [...(sweepSources.sources ?? []), join(dir, 'state.yaml')],
    });
    swept.push('validate with a URL with credentials', 'validate --json with a URL with credentials');
    leaked += result.leaks.length + json.leaks.length;
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Credentials in a URL');
    expect({ text: result.leaks, json: json.leaks }).toEqual({ text: [], json: [] });
  });

  test('a server error that echoes the request body is scrubbed before it is shown or logged', async () => {
    answer = (exchange) =>
      exchange.method === 'POST' && exchange.path.includes('/remotes/')
        ? { status: 400, json: { non_field_errors: [`cannot use ${exchange.request}`] } }
        : 'forward';
    const result = await pulpform('an echoing server error', [
      'apply',
      '--auto-approve',
      '-f',
      'state.yaml',
      '--server',
      proxy.url,
      '--log-file',
      'echo.json',
      '--log-level',
      'debug',
    ]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('(sensitive)');
  });
});
