import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type Ark, startArk } from '../../src/ark/index.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import type { JsonObject } from '../../src/model/json.js';
import { apiClient } from '../emulator/client.js';

// The emulator playing Ark: a local emulator really syncs snapshots from it over HTTP.

const BASEOS = 'centos/8-stream/BaseOS/x86_64/os';
let ark: Ark;
let local: Emulator;
const api = () => apiClient(local.url);

beforeAll(async () => {
  ark = await startArk({
    rpm: [{ path: BASEOS, snapshots: { '20220817T082321': 5, '20221010T000000': 5 } }],
    deb: [{ path: 'ubuntu/jammy', distributions: ['jammy'], snapshots: { '20240101T000000': 3 } }],
    containers: [{ name: 'stackhpc/centos-source-nova-api', tags: ['yoga-20220830T000000', 'yoga-20221010T000000'] }],
  });
  // The failed tasks' texts below are aiohttp's as pulpcore 3.23 words them (newer ones quote the URL differently).
  local = await startEmulator({ taskMs: 1, pulpVersion: '3.23' });
});

afterAll(async () => {
  await Promise.all([ark.close(), local.close()]);
});

async function syncFrom(type: string, name: string, remote: JsonObject): Promise<{ task: JsonObject; repository: string }> {
  const created = await api().call('POST', `/pulp/api/v3/remotes/${type}/`, { name, ...remote });
  expect(created.status).toBe(201);
  const repository = (await api().call('POST', `/pulp/api/v3/repositories/${type}/`, { name })).body as JsonObject;
  const href = repository['pulp_href'] as string;
  const task = await api().run('POST', `${href}sync/`, { remote: (created.body as JsonObject)['pulp_href'] as string });
  return { task, repository: href };
}

async function packageNames(versionHref: string): Promise<string[]> {
  const page = (
    await api().call('GET', `/pulp/api/v3/content/rpm/packages/?repository_version=${versionHref}&fields=name,version&ordering=name`)
  ).body as JsonObject;
  return (page['results'] as JsonObject[]).map((p) => `${p['name'] as string}-${p['version'] as string}`);
}

describe('Ark on the emulator', () => {
  test("<path>/ lists the snapshots served below it, as Pulp's content app lists distributions under a prefix", async () => {
    const listing = `${ark.url}/pulp/content/${BASEOS}/`;
    expect((await fetch(listing)).status).toBe(401);
    const auth = { Authorization: `Basic ${Buffer.from(`${ark.username}:${ark.password}`).toString('base64')}` };
    const answer = await fetch(listing, { headers: auth });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await answer.text();
    expect(html).toContain('<a href="20220817T082321/">20220817T082321/</a>\n<a href="20221010T000000/">20221010T000000/</a>');
    expect(html).toContain(`Index of ${BASEOS}/`);
    expect(await (await fetch(`${ark.url}/pulp/content/centos/8-stream/`, { headers: auth })).text()).toContain(
      '<a href="BaseOS/">BaseOS/</a>',
    );
    const bare = await fetch(listing.replace(/\/$/, ''), { headers: auth, redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, `/pulp/content/${BASEOS}/`]);
    expect((await fetch(`${ark.url}/pulp/content/centos/9-stream/`, { headers: auth })).status).toBe(404);
  });

  test('each snapshot is served at <path>/<stamp>/ and only with the subscriber credentials', async () => {
    const url = `${ark.snapshotUrl(BASEOS, '20220817T082321')}repodata/repomd.xml`;
    expect(url).toBe(`${ark.url}/pulp/content/${BASEOS}/20220817T082321/repodata/repomd.xml`);
    expect((await fetch(url)).status).toBe(401);
    const auth = { Authorization: `Basic ${Buffer.from(`${ark.username}:${ark.password}`).toString('base64')}` };
    const answer = await fetch(url, { headers: auth });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('<repomd');
    expect((await fetch(`${ark.url}/pulp/content/ubuntu/jammy/20240101T000000/dists/jammy/Release`, { headers: auth })).status).toBe(200);
  });

  test('a local rpm sync of a pinned snapshot gets that snapshot; a pin bump changes one package', async () => {
    const credentials = { username: ark.username, password: ark.password, policy: 'on_demand' };
    const first = await syncFrom('rpm/rpm', 'baseos-1', { url: ark.snapshotUrl(BASEOS, '20220817T082321'), ...credentials });
    expect(first.task['state']).toBe('completed');
    const second = await syncFrom('rpm/rpm', 'baseos-2', { url: ark.snapshotUrl(BASEOS, '20221010T000000'), ...credentials });
    const before = await packageNames(`${first.repository}versions/1/`);
    const after = await packageNames(`${second.repository}versions/1/`);
    expect(before).toHaveLength(5);
    expect(before.filter((name) => !after.includes(name))).toEqual(['baseos-release-2022.08.17.082321']);
    expect(after.filter((name) => !before.includes(name))).toEqual(['baseos-release-2022.10.10.000000']);
  });

  test('a wrong password and a missing snapshot fail the local sync as against Ark: 401 and 404 in the failed task', async () => {
    const refused = await syncFrom('rpm/rpm', 'wrong-password', {
      url: ark.snapshotUrl(BASEOS, '20220817T082321'),
      username: ark.username,
      password: 'wrong',
    });
    expect(refused.task['state']).toBe('failed');
    expect((refused.task['error'] as JsonObject)['description']).toBe(
      `401, message='Unauthorized', url=URL('${ark.url}/pulp/content/${BASEOS}/20220817T082321')`,
    );
    const missing = await syncFrom('rpm/rpm', 'missing', {
      url: ark.snapshotUrl(BASEOS, '29990101T000000'),
      username: ark.username,
      password: ark.password,
    });
    expect(missing.task['state']).toBe('failed');
    expect((missing.task['error'] as JsonObject)['description']).toBe(
      `404, message='Not Found', url=URL('${ark.url}/pulp/content/${BASEOS}/29990101T000000')`,
    );
  });

  test('deb snapshots and container images sync with the same credentials; a wrong password is a 401', async () => {
    const deb = await syncFrom('deb/apt', 'jammy', {
      url: ark.snapshotUrl('ubuntu/jammy', '20240101T000000'),
      distributions: 'jammy',
      username: ark.username,
      password: ark.password,
    });
    expect(deb.task['state']).toBe('completed');
    const image = { url: ark.url, upstream_name: 'stackhpc/centos-source-nova-api', username: ark.username, password: ark.password };
    const container = await syncFrom('container/container', 'nova-api', image);
    expect(container.task['state']).toBe('completed');
    const tags = (
      await api().call(
        'GET',
        `/pulp/api/v3/content/container/tags/?repository_version=${container.repository}versions/1/&fields=name&ordering=name`,
      )
    ).body as JsonObject;
    expect((tags['results'] as JsonObject[]).map((t) => t['name'])).toEqual(['yoga-20220830T000000', 'yoga-20221010T000000']);
    const refused = await syncFrom('container/container', 'nova-api-refused', { ...image, password: 'wrong' });
    expect(refused.task['state']).toBe('failed');
    expect((refused.task['error'] as JsonObject)['description']).toMatch(/^401, message='Unauthorized'/);
  });

  test('snapshots published later become new versions of the same Ark repository', async () => {
    ark.publish({ rpm: [{ path: BASEOS, snapshots: { '20230101T000000': 2 } }] });
    const auth = { Authorization: `Basic ${Buffer.from(`${ark.username}:${ark.password}`).toString('base64')}` };
    expect((await fetch(`${ark.snapshotUrl(BASEOS, '20230101T000000')}repodata/repomd.xml`, { headers: auth })).status).toBe(200);
    const repositories = ark.emulator.pulp.store.byName('repositories', BASEOS);
    expect([...(repositories?.versions?.keys() ?? [])]).toEqual([0, 1, 2, 3]);
  });
});
