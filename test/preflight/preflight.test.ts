import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type Ark, startArk } from '../../src/ark/index.js';
import { secretResolver } from '../../src/engine.js';
import type { DesiredState } from '../../src/model/index.js';
import { preflight } from '../../src/preflight/index.js';
import { ARK_ENV, arkFor, LocalPulp, type Train, trainState } from '../releasetrain/train.js';

// Preflight against an Ark emulator: each failure a sync would meet inside its Pulp task is
// found by a read-only probe first, named with its remote, URL and fix.

const OLD = '20220817T082321';
const BASEOS = { plugin: 'rpm' as const, name: 'BaseOS', path: 'centos/8-stream/BaseOS/x86_64/os', development: OLD };
const JAMMY = { plugin: 'deb' as const, name: 'Jammy', path: 'ubuntu/jammy', distribution: 'jammy', development: OLD };
const NOVA = { name: 'stackhpc/centos-source-nova-api' };
const TRAIN: Train = { packages: [BASEOS, JAMMY], images: [NOVA] };

let ark: Ark;
let local: LocalPulp;

beforeAll(async () => {
  ark = await startArk(arkFor(TRAIN));
});
afterAll(() => ark.close());
beforeEach(async () => {
  local = await LocalPulp.start();
});
afterEach(() => local.close());

async function check(state: DesiredState, env: Record<string, string> = ARK_ENV) {
  const { plan, live } = await local.plan(state);
  return preflight(plan, { desired: state, live, secrets: secretResolver(state, env) });
}

const codes = (result: Awaited<ReturnType<typeof check>>) => result.diagnostics.map((d) => `${d.code} ${d.address}`).sort();

describe('preflight probes the upstream of every planned sync', () => {
  test('a train whose snapshots and images exist, with the right credentials, passes', async () => {
    const result = await check(trainState(ark.url, TRAIN));
    expect(result.diagnostics).toEqual([]);
    expect(result.probed).toBe(3);
    const probes = ark.emulator.requests().map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(probes).toEqual(
      expect.arrayContaining([
        `GET /pulp/content/${BASEOS.path}/${OLD}/repodata/repomd.xml 200`,
        `GET /pulp/content/${JAMMY.path}/${OLD}/dists/jammy/Release 200`,
        `GET /v2/${NOVA.name}/tags/list 200`,
      ]),
    );
  });

  test('a wrong password is reported for every remote, naming where the password comes from, never its value', async () => {
    const env = { ...ARK_ENV, ARK_PASSWORD: 'not-the-password' };
    const result = await check(trainState(ark.url, TRAIN, env), env);
    expect(codes(result)).toEqual([
      'preflight.credentials_rejected remote/container/stackhpc/centos-source-nova-api-remote',
      'preflight.credentials_rejected remote/deb/Jammy-remote',
      'preflight.credentials_rejected remote/rpm/BaseOS-remote',
    ]);
    const rpm = result.diagnostics.find((d) => d.address === 'remote/rpm/BaseOS-remote')!;
    expect(rpm.summary).toBe('The upstream rejected the credentials of remote/rpm/BaseOS-remote');
    expect(rpm.detail).toBe(
      `GET ${ark.url}/pulp/content/${BASEOS.path}/${OLD}/repodata/repomd.xml answered 401 Unauthorized. The sync of repository/rpm/BaseOS would fail the same way inside its Pulp task.`,
    );
    expect(rpm.hint).toBe(
      'Check the credentials of remote/rpm/BaseOS-remote: username from env:ARK_USERNAME, password from env:ARK_PASSWORD.',
    );
    expect(JSON.stringify(result)).not.toContain('not-the-password');
  });

  test('a snapshot or an image the upstream does not have is reported as not found', async () => {
    const train: Train = {
      packages: [{ ...BASEOS, development: '29990101T000000' }, JAMMY],
      images: [NOVA, { name: 'stackhpc/centos-source-no-such-image' }],
    };
    const result = await check(trainState(ark.url, train));
    expect(codes(result)).toEqual([
      'preflight.not_found remote/container/stackhpc/centos-source-no-such-image-remote',
      'preflight.not_found remote/rpm/BaseOS-remote',
    ]);
    const rpm = result.diagnostics.find((d) => d.address === 'remote/rpm/BaseOS-remote')!;
    expect(rpm.summary).toBe('remote/rpm/BaseOS-remote: snapshot 29990101T000000 does not exist upstream');
    expect(rpm.hint).toContain(`check the stamp and the path ${ark.url}/pulp/content/${BASEOS.path}/`);
    const image = result.diagnostics.find((d) => d.code === 'preflight.not_found' && d.address?.includes('no-such-image'))!;
    expect(image.summary).toBe(
      `remote/container/stackhpc/centos-source-no-such-image-remote: the image stackhpc/centos-source-no-such-image does not exist in the registry ${ark.url}`,
    );
  });

  test('a saved plan whose secret source gives nothing is an error, as the apply would be', async () => {
    const { plan, live } = await local.plan(trainState(ark.url, { packages: [BASEOS] }));
    const result = await preflight(plan, { live, secrets: secretResolver(undefined, { ARK_USERNAME: 'ark' }) });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['preflight.secret_missing']);
    const [missing] = result.diagnostics;
    expect(missing!.summary).toBe('The password of remote/rpm/BaseOS-remote is not available from env:ARK_PASSWORD');
    expect(missing!.hint).toBe('Set ARK_PASSWORD and run again.');
  });

  test('an upstream nobody listens on is unreachable, with the way out when only Pulp can reach it', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await check(trainState(`http://127.0.0.1:${port}`, { packages: [BASEOS] }));
    expect(codes(result)).toEqual(['preflight.unreachable remote/rpm/BaseOS-remote']);
    const [diagnostic] = result.diagnostics;
    expect(diagnostic!.summary).toBe(`remote/rpm/BaseOS-remote: cannot reach the upstream http://127.0.0.1:${port}`);
    expect(diagnostic!.detail).toContain(`Cannot connect to host 127.0.0.1:${port}`);
    expect(diagnostic!.hint).toContain('--skip-preflight');
  });

  test('a saved plan applied without its desired state skips remotes whose credentials only the server knows', async () => {
    await local.converge(trainState(ark.url, { packages: [BASEOS] }));
    const bumped = trainState(ark.url, { packages: [{ ...BASEOS, development: '29990101T000000' }] });
    const { plan, live } = await local.plan(bumped);
    const skipped = await preflight(plan, { live, secrets: secretResolver(undefined, ARK_ENV) });
    expect(skipped.diagnostics.map((d) => `${d.severity} ${d.code} ${d.address}`)).toEqual([
      'warning preflight.skipped remote/rpm/BaseOS-remote',
    ]);
    expect(skipped.probed).toBe(0);
    const probed = await preflight(plan, { desired: bumped, live, secrets: secretResolver(bumped, ARK_ENV) });
    expect(probed.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(['error preflight.not_found']);
  });
});

describe('preflight over TLS and a proxy', () => {
  const tlsDir = join(process.cwd(), 'test/live/tls');
  const cert = readFileSync(join(tlsDir, 'self-signed-127.0.0.1.cert.pem'), 'utf8');
  const key = readFileSync(join(tlsDir, 'self-signed-127.0.0.1.key.pem'), 'utf8');
  let upstream: https.Server;
  let proxy: http.Server;
  let upstreamUrl = '';
  let proxyUrl = '';
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    upstream = https.createServer({ cert, key }, (req, res) => {
      res.writeHead(req.url?.endsWith('/repodata/repomd.xml') ? 200 : 404);
      res.end('<repomd/>');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `https://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    proxy = http.createServer();
    proxy.on('connect', (req, client) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      sockets.add(client as net.Socket);
      const socket = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        socket.pipe(client);
        client.pipe(socket);
      });
      sockets.add(socket);
      socket.on('error', () => client.destroy());
      client.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    for (const server of [upstream, proxy]) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  const mirrorAt = (fields: Record<string, unknown>): DesiredState => {
    const state = trainState(upstreamUrl, { packages: [BASEOS] });
    const remote = state.resources.find((r) => r.kind === 'remote')!;
    Object.assign(remote.fields, fields);
    return state;
  };

  test('an upstream certificate nobody vouches for is a TLS failure; its CA as ca_cert passes, through a CONNECT proxy too', async () => {
    const untrusted = await check(mirrorAt({}));
    expect(untrusted.diagnostics.map((d) => d.code)).toEqual(['preflight.tls']);
    expect(untrusted.diagnostics[0]!.hint).toContain('ca_cert');
    expect((await check(mirrorAt({ ca_cert: cert }))).diagnostics).toEqual([]);
    expect((await check(mirrorAt({ ca_cert: cert, proxy_url: proxyUrl }))).diagnostics).toEqual([]);
    expect(tunnels).toEqual([upstreamUrl.replace('https://', '')]);
  });
});
