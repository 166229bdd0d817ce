import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { runCli } from '../helpers/cli.js';

// apply plans, takes the server lock, then reads the server again: an unchanged server keeps the
// plan; a server another client changed in between is planned again before the first write.

const STATE = `
stack: race
remotes:
  - { name: appstream, type: rpm, url: "https://ark.example.com/appstream/", policy: on_demand }
repositories:
  - { name: appstream, type: rpm, remote: appstream }
`;
const AUTH = `Basic ${Buffer.from('admin:password').toString('base64')}`;
const LOCK_PATH = '/pulp/api/v3/contentguards/core/content_redirect/';

let emulator: Emulator;
let proxy: Server;
let dir: string;
/** Runs once, before the proxy lets apply's lock request through. */
let beforeLock: (() => Promise<void>) | undefined;

async function api(method: string, path: string, body?: unknown): Promise<{ count?: number; results?: Record<string, unknown>[] }> {
  const answer = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await answer.json()) as { count?: number; results?: Record<string, unknown>[] };
}

beforeEach(async () => {
  emulator = await startEmulator({ taskMs: 1, pulpVersion: '3.43' });
  dir = await mkdtemp(join(tmpdir(), 'pulpform-race-'));
  await writeFile(join(dir, 'state.yaml'), STATE);
  beforeLock = undefined;
  const target = new URL(emulator.url);
  proxy = createServer((incoming, outgoing) => {
    const forward = (): void => {
      const upstream = request(
        { host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: incoming.headers },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      incoming.pipe(upstream);
    };
    const hook = incoming.method === 'POST' && incoming.url === LOCK_PATH ? beforeLock : undefined;
    beforeLock = hook ? undefined : beforeLock;
    if (hook) void hook().then(forward);
    else forward();
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
});

afterEach(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const apply = () =>
  runCli(['apply', '--auto-approve', '--skip-preflight', '--log-level', 'info', '-f', dir], {
    env: { PULP_BASE_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, PULP_PASSWORD: 'password' },
  });

describe('apply reads the server again under the lock', () => {
  test('an unchanged server keeps the plan it was shown', async () => {
    const result = await apply();
    expect(result.status).toBe(0);
    expect(result.stderr).not.toContain('planned again');
    expect(result.stdout).toContain('Resources: 2 added, 0 changed, 0 destroyed');
  });

  test('a remote another run of the stack created meanwhile is updated, not created twice', async () => {
    beforeLock = async () => {
      await api('POST', '/pulp/api/v3/remotes/rpm/rpm/', {
        name: 'appstream',
        url: 'https://elsewhere.example.com/',
        policy: 'on_demand',
        pulp_labels: { pulpform_stack: 'race', pulpform_scheme: '1' },
      });
    };
    const result = await apply();
    expect(result.stderr).toContain('the server changed between the plan and taking the lock: planned again');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Resources: 1 added, 1 changed, 0 destroyed');
    const remotes = await api('GET', '/pulp/api/v3/remotes/rpm/rpm/?name=appstream');
    expect(remotes.results?.map((remote) => remote['url'])).toEqual(['https://ark.example.com/appstream/']);
  });
});
