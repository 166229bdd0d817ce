import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { PulpClient } from '../../src/live/client.js';
import { PulpApiError } from '../../src/live/errors.js';
import { fingerprintOf, normalizeLiveObject } from '../../src/live/normalize.js';
import { capabilitiesOf } from '../../src/model/index.js';
import { LIVE_ENDPOINTS, readLiveState } from '../../src/live/read.js';
import { Secret } from '../../src/model/secret.js';
import { FakePulp, sendJson } from './fake-pulp.js';

let pulp: FakePulp;
let client: PulpClient;

beforeEach(async () => {
  pulp = await FakePulp.start();
  client = new PulpClient({ baseUrl: pulp.url, username: 'admin', password: new Secret('password', 'test'), retryDelayMs: 1 });
});

afterEach(async () => {
  client.close();
  await pulp.close();
});

describe('readLiveState', () => {
  test('reads status and one list per endpoint, never one GET per object', async () => {
    for (let i = 0; i < 30; i++) pulp.seed('remotes/rpm/rpm', { name: `r${i}`, url: 'https://example.com/', policy: 'immediate' });
    const live = await readLiveState(client);
    expect(live.objects).toHaveLength(30);
    expect(client.requestCounts()).toEqual({ GET: 1 + LIVE_ENDPOINTS.length });
    expect(pulp.requests.every((r) => r.path.endsWith('status/') || r.query.get('limit') === '1000')).toBe(true);
    expect(live.server).toEqual({
      url: pulp.url,
      versions: { core: '3.23.24', rpm: '1.0.0', deb: '1.0.0', file: '1.0.0', container: '1.0.0' },
      contentOrigin: 'http://127.0.0.1:24816',
    });
  });

  test('a stack that pulp_label_select cannot select (a comma) reads every typed list, as without a scope', async () => {
    await readLiveState(client, { scope: { stack: 'a,b', plugins: new Set(['rpm']) } });
    expect(client.requestCounts()).toEqual({ GET: 1 + LIVE_ENDPOINTS.length });
  });

  test('normalises remotes: managed fields only, labels, which secrets are set, lastUpdated', async () => {
    const raw = pulp.seed('remotes/rpm/rpm', {
      name: 'baseos',
      url: 'https://ark.example.com/baseos/',
      policy: 'on_demand',
      tls_validation: true,
      pulp_labels: { pulpform_stack: 'prod' },
      password: 'hunter2',
      username: 'ark',
      unknown_server_field: 1,
    });
    const [remote] = (await readLiveState(client)).objects;
    expect(remote).toMatchObject({
      address: 'remote/rpm/baseos',
      kind: 'remote',
      plugin: 'rpm',
      name: 'baseos',
      endpoint: 'remotes/rpm/rpm',
      href: raw['pulp_href'],
      lastUpdated: raw['pulp_last_updated'],
      fields: { url: 'https://ark.example.com/baseos/', policy: 'on_demand', tls_validation: true },
      labels: { pulpform_stack: 'prod' },
      secretsSet: { client_key: false, proxy_username: false, proxy_password: false, username: true, password: true },
    });
    expect(remote!.fields).not.toHaveProperty('unknown_server_field');
    expect(remote!.fields).not.toHaveProperty('password');
    expect(JSON.stringify(remote)).not.toContain('hunter2');
  });

  test('names publications after their repository and records the versions they hold', async () => {
    const repo = pulp.seed('repositories/rpm/rpm', { name: 'baseos' });
    const version = `${String(repo['pulp_href'])}versions/0/`;
    pulp.seed('publications/rpm/rpm', { repository: repo['pulp_href'], repository_version: version, sqlite_metadata: false });
    const live = await readLiveState(client);
    const publication = live.objects.find((o) => o.kind === 'publication')!;
    const repository = live.objects.find((o) => o.kind === 'repository')!;
    expect(publication.address).toBe('publication/rpm/baseos');
    expect(publication.versionHref).toBe(version);
    expect(publication.fields).toEqual({ sqlite_metadata: false });
    expect(repository.versionHref).toBe(version);
  });

  test('shows container push repositories under their own endpoint', async () => {
    pulp.seed('repositories/container/container-push', { name: 'stackhpc/pushed', description: null });
    const [push] = (await readLiveState(client)).objects;
    expect(push).toMatchObject({
      address: 'repository/container/stackhpc/pushed',
      endpoint: 'repositories/container/container-push',
      fields: { description: null },
    });
  });

  test('skips the endpoints of plugins the server does not have', async () => {
    pulp.intercept = (req, res) => {
      if (!req.path.endsWith('status/')) return false;
      sendJson(res, 200, {
        versions: [
          { component: 'core', version: '3.23.24' },
          { component: 'rpm', version: '3.20.0' },
        ],
      });
      return true;
    };
    await readLiveState(client);
    const paths = pulp.requests.map((r) => r.path);
    expect(paths.some((p) => p.includes('/deb/'))).toBe(false);
    expect(paths.filter((p) => p.includes('/rpm/'))).toHaveLength(4);
  });

  test('a status answer without versions is not taken for Pulp', async () => {
    pulp.intercept = (_req, res) => {
      sendJson(res, 200, { hello: 'world' });
      return true;
    };
    await expect(readLiveState(client)).rejects.toThrow(PulpApiError);
    await expect(readLiveState(client)).rejects.toThrow(/no list of component versions/);
  });
});

describe('fingerprints', () => {
  test('are independent of key order and of the host the server was addressed by', () => {
    const a = { name: 'x', registry_path: 'pulp.example.com/x', base_path: 'x' };
    const b = { base_path: 'x', registry_path: '10.0.0.1/x', name: 'x' };
    expect(fingerprintOf(a)).toBe(fingerprintOf(b));
    expect(fingerprintOf({ ...a, base_path: 'y' })).not.toBe(fingerprintOf(a));
  });

  test('are the ones normalisation records', () => {
    const raw = { pulp_href: '/h/', name: 'n', url: 'u', pulp_labels: {} };
    expect(normalizeLiveObject('remotes/file/file', raw, new Map(), capabilitiesOf({})).fingerprint).toBe(fingerprintOf(raw));
  });
});
