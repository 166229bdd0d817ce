import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import {
  type ContentUnit,
  debRepository,
  fileRepository,
  handleContentRequest,
  publish,
  type PublishedFiles,
  rpmRepository,
  syncRepository,
  type SyncError,
  unitId,
} from '../../../src/emulator/content/index.js';
import { listen, type TestServer } from './helpers.js';

/** An "Ark": serves publications by base path under /pulp/content/, behind Basic auth. */
async function ark(distributions: Map<string, PublishedFiles>): Promise<TestServer> {
  return listen((req, res) => {
    void handleContentRequest(req, res, {
      distribution: (basePath) => distributions.get(basePath) ?? null,
      checkCredentials: (user, password) => user === 'ark' && password === 'secret',
    }).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
}

const ids = (units: ContentUnit[]) => units.map(unitId).sort();
const credentials = { username: 'ark', password: 'secret' };

describe('round trip: synthetic snapshots served by one emulator, synced by another', () => {
  let server: TestServer;
  const distributions = new Map<string, PublishedFiles>();
  const snapshot1 = rpmRepository([
    { name: 'bash', version: '5.1' },
    { name: 'kernel', version: '4.18.0', arch: 'x86_64', requires: ['bash'] },
  ]);
  const snapshot2 = rpmRepository(
    [
      { name: 'bash', version: '5.2' },
      { name: 'kernel', version: '4.18.0', arch: 'x86_64' },
    ],
    { buildTime: 1700100000 },
  );
  const files = fileRepository({ 'a.txt': 'alpha\n', 'dir/b.txt': 'beta\n' });
  const deb = debRepository({
    distribution: 'jammy',
    packages: [{ name: 'libfoo' }, { name: 'bar', version: '2.0-1', depends: 'libfoo' }],
  });

  beforeAll(async () => {
    distributions.set('centos/8-stream/BaseOS/x86_64/os/20220817T082321', publish({ plugin: 'rpm' }, snapshot1));
    distributions.set('centos/8-stream/BaseOS/x86_64/os/20221010T000000', publish({ plugin: 'rpm' }, snapshot2));
    distributions.set('files', publish({ plugin: 'file' }, files));
    distributions.set('ubuntu/jammy/structured', publish({ plugin: 'deb', mode: 'apt', structured: true }, deb));
    distributions.set('ubuntu/jammy/verbatim', publish({ plugin: 'deb', mode: 'verbatim' }, deb));
    server = await ark(distributions);
  });
  afterAll(async () => {
    await server.close();
  });
  const url = (path: string) => `${server.url}/pulp/content/${path}`;

  test('rpm: mirror_complete brings back the same packages; a pin bump adds one and removes one', async () => {
    const first = await syncRepository({
      plugin: 'rpm',
      remote: { url: url('centos/8-stream/BaseOS/x86_64/os/20220817T082321'), ...credentials, policy: 'on_demand' },
      present: [],
      syncPolicy: 'mirror_complete',
      latestVersionNumber: 0,
    });
    expect(ids(first.units)).toEqual(ids(snapshot1));
    expect(first.publication?.files.has('repodata/repomd.xml')).toBe(true);
    const kernel = first.units.find((u) => u.fields.name === 'kernel')!;
    expect(kernel.fields.requires).toEqual([['bash', null, null, null, null, false]]);

    const bumped = await syncRepository({
      plugin: 'rpm',
      remote: { url: url('centos/8-stream/BaseOS/x86_64/os/20221010T000000'), ...credentials, policy: 'on_demand' },
      present: first.units,
      syncPolicy: 'mirror_complete',
      latestVersionNumber: 1,
      lastSync: { memo: first.memo!, versionNumber: 1 },
    });
    expect(bumped.added.map((u) => `${u.fields.name}-${u.fields.version}`)).toEqual(['bash-5.2']);
    expect(bumped.removed.map((u) => `${u.fields.name}-${u.fields.version}`)).toEqual(['bash-5.1']);
  });

  test('rpm: the on_demand package served downstream is fetched from the upstream with its credentials', async () => {
    const synced = await syncRepository({
      plugin: 'rpm',
      remote: { url: url('centos/8-stream/BaseOS/x86_64/os/20220817T082321'), ...credentials, policy: 'on_demand' },
      present: [],
      latestVersionNumber: 0,
    });
    const local = await ark(new Map([['local/baseos', publish({ plugin: 'rpm' }, synced.units)]]));
    try {
      const response = await fetch(`${local.url}/pulp/content/local/baseos/Packages/b/bash-5.1-1.noarch.rpm`, {
        headers: { Authorization: `Basic ${Buffer.from('ark:secret').toString('base64')}` },
      });
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer())).toEqual(snapshot1[0]!.artifacts[0]!.data);
    } finally {
      await local.close();
    }
  });

  test('rpm: a missing snapshot and a wrong password fail like against real Ark', async () => {
    const missing = (await syncRepository({
      plugin: 'rpm',
      remote: { url: url('centos/8-stream/BaseOS/x86_64/os/29990101T000000/'), ...credentials },
      present: [],
      latestVersionNumber: 0,
    }).catch((e: unknown) => e)) as SyncError;
    expect(missing.description).toBe(`404, message='Not Found', url=URL('${url('centos/8-stream/BaseOS/x86_64/os/29990101T000000')}')`);
    const refused = (await syncRepository({
      plugin: 'rpm',
      remote: { url: url('centos/8-stream/BaseOS/x86_64/os/20220817T082321'), username: 'ark', password: 'nope' },
      present: [],
      latestVersionNumber: 0,
    }).catch((e: unknown) => e)) as SyncError;
    expect(refused.description).toBe(`401, message='Unauthorized', url=URL('${url('centos/8-stream/BaseOS/x86_64/os/20220817T082321')}')`);
  });

  test('file: the published manifest syncs back to the same files', async () => {
    const synced = await syncRepository({ plugin: 'file', remote: { url: url('files/PULP_MANIFEST'), ...credentials }, present: [] });
    expect(ids(synced.units)).toEqual(ids(files));
    expect(synced.units.every((u) => u.artifacts[0]?.data)).toBe(true);
  });

  test('deb: structured and verbatim publications both sync back to the packages', async () => {
    for (const path of ['ubuntu/jammy/structured', 'ubuntu/jammy/verbatim']) {
      const synced = await syncRepository({
        plugin: 'deb',
        remote: { url: url(path), distributions: 'jammy', ...credentials },
        present: [],
        latestVersionNumber: 0,
      });
      const packages = (units: ContentUnit[]) =>
        units
          .filter((u) => u.type === 'deb.package')
          .map((u) => `${u.fields.package}_${u.fields.version}`)
          .sort();
      expect(packages(synced.units)).toEqual(packages(deb));
      expect(synced.units.filter((u) => u.type === 'deb.package').every((u) => u.artifacts[0]?.data)).toBe(true);
    }
    const verbatim = await syncRepository({
      plugin: 'deb',
      remote: { url: url('ubuntu/jammy/verbatim'), distributions: 'jammy', ...credentials },
      present: [],
      latestVersionNumber: 0,
    });
    expect(ids(verbatim.units)).toEqual(ids(deb));
  });
});

describe('content serving', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await ark(new Map([['files', publish({ plugin: 'file' }, fileRepository({ 'dir/b.txt': 'beta\n' }))]]));
  });
  afterAll(async () => {
    await server.close();
  });
  const auth = { Authorization: `Basic ${Buffer.from('ark:secret').toString('base64')}` };

  test('needs the credentials when the lookup checks them', async () => {
    const response = await fetch(`${server.url}/pulp/content/files/PULP_MANIFEST`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="pulp"');
  });

  test('lists directories, redirects the bare base path, 404s unknown files', async () => {
    const listing = await (await fetch(`${server.url}/pulp/content/files/`, { headers: auth })).text();
    expect(listing).toContain('<a href="dir/">dir/</a>');
    expect(listing).toContain('<a href="PULP_MANIFEST">PULP_MANIFEST</a>');
    const bare = await fetch(`${server.url}/pulp/content/files`, { headers: auth, redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/pulp/content/files/']);
    expect((await fetch(`${server.url}/pulp/content/files/nope.txt`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${server.url}/pulp/content/nowhere/x`, { headers: auth })).status).toBe(404);
    expect(await (await fetch(`${server.url}/pulp/content/files/dir/b.txt`, { headers: auth })).text()).toBe('beta\n');
  });
});
