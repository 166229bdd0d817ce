import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type RegistryLookup, handleRegistryRequest } from '../../../src/emulator/content/container/registry.js';
import { registryPush } from '../../../src/emulator/content/container/push.js';
import { fnmatch, syncContainer } from '../../../src/emulator/content/container/sync.js';
import { buildImage, imageUnits, manifestUnit, tagUnit } from '../../../src/emulator/content/container/image.js';
import { containerRepository } from '../../../src/emulator/content/fixtures.js';
import { SyncError } from '../../../src/emulator/content/sync.js';
import { renderUnitFields } from '../../../src/emulator/content/unit-fields.js';
import { type ContentUnit, sha256Hex, unitId } from '../../../src/emulator/content/units.js';
import { listen, type TestServer } from './helpers.js';
import { recorded, sortedReports, substitute } from './transcripts.js';

type Task = {
  progress_reports: Array<{ code: string; state: string; done: number; total: number | null }>;
  error: { description: string };
};

/** A registry serving base path → units, admin/password, like the emulator's own /v2/. */
async function registry(repositories: Map<string, ContentUnit[]>, options: { requireAuthentication?: boolean } = {}): Promise<TestServer> {
  const lookup: RegistryLookup = {
    repository: (name) => (repositories.has(name) ? { units: repositories.get(name)! } : null),
    checkCredentials: (user, password) => user === 'admin' && password === 'password',
    catalog: () => [...repositories.keys()],
    ...options,
  };
  return listen((req, res) => {
    void handleRegistryRequest(req, res, lookup).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
}

/** Applies push steps like the core does: one version per step. */
function pushInto(present: ContentUnit[], tag: string): { versions: ContentUnit[][]; units: ContentUnit[] } {
  const versions: ContentUnit[][] = [];
  let units = present;
  for (const step of registryPush(tag, units)) {
    const removed = new Set(step.remove.map(unitId));
    units = [...units.filter((u) => !removed.has(unitId(u))), ...step.add];
    versions.push(units);
  }
  return { versions, units };
}

const byType = (units: ContentUnit[]) => {
  const counts: Record<string, number> = {};
  for (const u of units) counts[u.type] = (counts[u.type] ?? 0) + 1;
  return counts;
};

describe('simulated push', () => {
  test('a first push makes versions 1 and 2 with one blob each and version 3 with the manifest and tag', () => {
    const { versions } = pushInto([], 'latest');
    expect(versions.map(byType)).toEqual([
      { 'container.blob': 1 },
      { 'container.blob': 2 },
      { 'container.blob': 2, 'container.manifest': 1, 'container.tag': 1 },
    ]);
  });

  test('a second tag of the same image adds one version: 2 blobs, 1 manifest, 2 tags', () => {
    const first = pushInto([], 'latest');
    const second = pushInto(first.units, 'v2');
    expect(second.versions.map(byType)).toEqual([{ 'container.blob': 2, 'container.manifest': 1, 'container.tag': 2 }]);
    expect(pushInto(second.units, 'v2').versions).toEqual([]);
  });

  test('the test image is deterministic and its manifest digest is the sha256 of its bytes', () => {
    const [a] = registryPush('latest', []).slice(-1);
    const [b] = registryPush('latest', []).slice(-1);
    const manifest = a!.add.find((u) => u.type === 'container.manifest')!;
    expect(manifest.key).toBe(b!.add.find((u) => u.type === 'container.manifest')!.key);
    expect(manifest.fields.digest).toBe(`sha256:${sha256Hex(manifest.artifacts[0]!.data!)}`);
    expect(manifest.fields.media_type).toBe('application/vnd.oci.image.manifest.v1+json');
  });
});

describe('registry API', () => {
  let server: TestServer;
  const pushed = pushInto(pushInto([], 'latest').units, 'v2').units;
  beforeAll(async () => {
    server = await registry(new Map([['cf-src/img', pushed]]));
  });
  afterAll(async () => {
    await server.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });
  const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
  const token = async (scope: string, credentials: Record<string, string> = basic('admin', 'password')) => {
    const host = new URL(server.url).host;
    const response = await get(`/token/?service=${host}&scope=${scope}`, credentials);
    return ((await response.json()) as { token: string }).token;
  };

  test('/v2/ answers the recorded challenge, with or without Basic credentials', async () => {
    const places = { origin: server.url, host: new URL(server.url).host };
    const expected = substitute(recorded('10_container_push', 's7'), places);
    for (const headers of [{}, basic('admin', 'password')]) {
      const response = await get('/v2/', headers);
      expect(response.status).toBe(401);
      const challenge = substitute('Bearer realm="{{origin}}/token/",service="{{host}}"', places);
      expect(response.headers.get('www-authenticate')).toBe(challenge);
      expect(await response.json()).toEqual(expected);
    }
  });

  test('a wrong password gets 401 from /token/; valid credentials get a token that opens /v2/', async () => {
    const host = new URL(server.url).host;
    const refused = await get(`/token/?service=${host}`, basic('admin', 'wrong'));
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ detail: 'Invalid username/password.' });
    const granted = await get(`/token/?service=${host}`, basic('admin', 'password'));
    const body = (await granted.json()) as { token: string; expires_in: number };
    expect(body.expires_in).toBe(300);
    expect((await get('/v2/', { Authorization: `Bearer ${body.token}` })).status).toBe(200);
    expect((await get('/v2/', { Authorization: 'Bearer forged.token' })).headers.get('www-authenticate')).toContain(
      'error="invalid_token"',
    );
  });

  test('tags, manifests by tag and digest, and blobs are served with registry headers', async () => {
    const bearer = { Authorization: `Bearer ${await token('repository:cf-src/img:pull')}` };
    expect(await (await get('/v2/cf-src/img/tags/list', bearer)).json()).toEqual({ name: 'cf-src/img', tags: ['latest', 'v2'] });
    const manifest = await get('/v2/cf-src/img/manifests/latest', bearer);
    expect(manifest.headers.get('content-type')).toBe('application/vnd.oci.image.manifest.v1+json');
    const bytes = Buffer.from(await manifest.arrayBuffer());
    const digest = `sha256:${sha256Hex(bytes)}`;
    expect(manifest.headers.get('docker-content-digest')).toBe(digest);
    expect((await get(`/v2/cf-src/img/manifests/${digest}`, bearer)).status).toBe(200);
    const layer = (JSON.parse(bytes.toString()) as { layers: Array<{ digest: string }> }).layers[0]!.digest;
    const blob = await get(`/v2/cf-src/img/blobs/${layer}`, bearer);
    expect(`sha256:${sha256Hex(Buffer.from(await blob.arrayBuffer()))}`).toBe(layer);
    const missing = await get('/v2/cf-src/img/manifests/nope', bearer);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      errors: [{ code: 'MANIFEST_UNKNOWN', message: 'Manifest not found.', detail: { reference: 'nope' } }],
    });
  });

  test('a token for one repository does not open another', async () => {
    const bearer = { Authorization: `Bearer ${await token('repository:other:pull')}` };
    const response = await get('/v2/cf-src/img/tags/list', bearer);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('scope="repository:cf-src/img:pull",error="insufficient_scope"');
  });

  test('anonymous tokens pull public repositories unless the registry requires authentication', async () => {
    const anonymous = { Authorization: `Bearer ${await token('repository:cf-src/img:pull', {})}` };
    expect((await get('/v2/cf-src/img/tags/list', anonymous)).status).toBe(200);
    const closed = await registry(new Map([['cf-src/img', pushed]]), { requireAuthentication: true });
    try {
      const host = new URL(closed.url).host;
      const body = (await (await fetch(`${closed.url}/token/?service=${host}&scope=repository:cf-src/img:pull`)).json()) as {
        token: string;
      };
      expect((await fetch(`${closed.url}/v2/cf-src/img/tags/list`, { headers: { Authorization: `Bearer ${body.token}` } })).status).toBe(
        401,
      );
    } finally {
      await closed.close();
    }
  });
});

describe('container sync from a registry', () => {
  let upstream: TestServer;
  const pushed = pushInto(pushInto([], 'latest').units, 'v2').units;
  const stored = new Map(pushed.flatMap((u) => u.artifacts).map((a) => [a.sha256!, a.data!]));
  const remote = (fields: Record<string, unknown> = {}) => ({
    url: upstream.url,
    upstream_name: 'cf-src/img',
    username: 'admin',
    password: 'password',
    ...fields,
  });
  beforeAll(async () => {
    upstream = await registry(new Map([['cf-src/img', pushed]]));
  });
  afterAll(async () => {
    await upstream.close();
  });
  const context = (present: ContentUnit[], fields: Record<string, unknown> = {}) => ({
    remote: remote(fields),
    present,
    artifactData: (sha: string) => stored.get(sha),
  });

  test('include_tags, re-sync, mirror and mirror again reproduce the recorded units and progress', async () => {
    const first = await syncContainer(context([], { include_tags: ['latest'] }));
    expect(byType(first.units)).toEqual({ 'container.blob': 2, 'container.manifest': 1, 'container.tag': 1 });
    expect(sortedReports(first.progressReports)).toEqual(sortedReports(recorded<Task>('16_container_sync', 's9').progress_reports));
    const pushedIds = new Set(pushed.map(unitId));
    expect(first.units.every((u) => pushedIds.has(unitId(u)))).toBe(true);
    const manifest = first.units.find((u) => u.type === 'container.manifest')!;
    const rendered = renderUnitFields(manifest, { unitHref: (r) => r.key, artifactHref: () => '/artifact/' });
    expect(Object.keys(rendered)).toEqual([
      'artifact',
      'digest',
      'schema_version',
      'media_type',
      'listed_manifests',
      'config_blob',
      'blobs',
    ]);
    expect((rendered.blobs as string[]).length).toBe(1);

    const again = await syncContainer(context(first.units, { include_tags: ['latest'] }));
    expect(again.changed).toBe(false);
    expect(sortedReports(again.progressReports)).toEqual(sortedReports(recorded<Task>('16_container_sync', 's14').progress_reports));

    const mirrored = await syncContainer({ ...context(first.units) }, { mirror: true });
    expect(mirrored.added.map((u) => u.fields.name)).toEqual(['v2']);
    expect(sortedReports(mirrored.progressReports)).toEqual(sortedReports(recorded<Task>('16_container_sync', 's17').progress_reports));

    const mirroredAgain = await syncContainer(context(mirrored.units), { mirror: true });
    expect(mirroredAgain.changed).toBe(false);
    expect(sortedReports(mirroredAgain.progressReports)).toEqual(
      sortedReports(recorded<Task>('16_container_sync', 's23').progress_reports),
    );
  });

  test('a manifest list brings its listed manifests and their blobs', async () => {
    const images = ['amd64 build', 'arm64 build'].map((content) => imageUnits(buildImage(content), 'unused'));
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: images.map((i) => ({
          mediaType: i.manifest.fields.media_type,
          digest: i.manifest.fields.digest,
          size: i.manifest.artifacts[0]!.size,
        })),
      }),
    );
    const list = manifestUnit(index, 'application/vnd.oci.image.index.v1+json', {
      config: null,
      layers: [],
      listed: images.map((i) => i.manifest),
    });
    const served = [...images.flatMap((i) => [...i.blobs, i.manifest]), list, tagUnit('multi', list)];
    const multi = await registry(new Map([['multi/arch', served]]));
    try {
      const result = await syncContainer({ remote: { url: multi.url, upstream_name: 'multi/arch' }, present: [] });
      expect(byType(result.units)).toEqual({ 'container.blob': 4, 'container.manifest': 3, 'container.tag': 1 });
      const synced = result.units.find((u) => u.key === list.key)!;
      expect(synced.fields.listed_manifests).toEqual(list.fields.listed_manifests);
      expect(result.progressReports.find((r) => r.code === 'sync.downloading.artifacts')?.done).toBe(4);
    } finally {
      await multi.close();
    }
  });

  test('a missing image fails with the recorded 404 text and report states', async () => {
    const error = (await syncContainer(context([], { upstream_name: 'cf-src/nosuchimage' })).catch((e: unknown) => e)) as SyncError;
    expect(error).toBeInstanceOf(SyncError);
    const expected = substitute(recorded<Task>('16_container_sync', 's26'), { origin: upstream.url });
    expect(error.description).toBe(expected.error.description);
    expect(sortedReports(error.progressReports)).toEqual(sortedReports(expected.progress_reports));
  });

  test('a wrong password fails on the token request', async () => {
    const error = (await syncContainer(context([], { password: 'wrong' })).catch((e: unknown) => e)) as SyncError;
    expect(error.description).toMatch(
      /^401, message='Unauthorized', url=URL\('http:\/\/127\.0\.0\.1:\d+\/token\/\?service=.*scope=repository%3Acf-src%2Fimg%3Apull'\)$/,
    );
    expect(error.description).not.toContain('wrong');
  });

  test('an on_demand sync leaves layers upstream; a downstream registry serves them through the token flow', async () => {
    const fresh = containerRepository({ latest: 'on demand image' });
    const source = await registry(new Map([['ark/image', fresh]]));
    const downstreamUnits = new Map<string, ContentUnit[]>();
    const downstream = await registry(downstreamUnits);
    try {
      const synced = await syncContainer({
        remote: { url: source.url, upstream_name: 'ark/image', username: 'admin', password: 'password', policy: 'on_demand' },
        present: [],
      });
      const layer = synced.units.find((u) => u.type === 'container.blob' && !u.artifacts[0]!.data)!;
      expect(layer.artifacts[0]!.source?.registryName).toBe('ark/image');
      expect(synced.progressReports.find((r) => r.code === 'sync.downloading.artifacts')?.done).toBe(1);
      downstreamUnits.set('local/image', synced.units);
      const host = new URL(downstream.url).host;
      const auth = { Authorization: `Basic ${Buffer.from('admin:password').toString('base64')}` };
      const { token } = (await (
        await fetch(`${downstream.url}/token/?service=${host}&scope=repository:local/image:pull`, { headers: auth })
      ).json()) as { token: string };
      const blob = await fetch(`${downstream.url}/v2/local/image/blobs/${layer.fields.digest}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(`sha256:${sha256Hex(Buffer.from(await blob.arrayBuffer()))}`).toBe(layer.fields.digest);
      expect(layer.artifacts[0]!.data).toBeDefined();
    } finally {
      await source.close();
      await downstream.close();
    }
  });
});

test('tag filters use fnmatch wildcards', () => {
  expect(fnmatch('yoga-20230101', 'yoga-*')).toBe(true);
  expect(fnmatch('v1', 'v?')).toBe(true);
  expect(fnmatch('v10', 'v?')).toBe(false);
  expect(fnmatch('a.b', 'a?b')).toBe(true);
  expect(fnmatch('axb', 'a.b')).toBe(false);
});
