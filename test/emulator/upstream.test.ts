import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { type StaticServer, serveDirectory } from '../../src/conformance/static-server.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import type { JsonObject } from '../../src/model/json.js';
import { apiClient } from './client.js';

const fixtures = fileURLToPath(new URL('../../../shared/pulp/conformance/upstreams', import.meta.url));

/** An emulator plays the upstream ("Ark") for another: what one distributes, the other syncs. */
describe('one emulator as the upstream of another', () => {
  let fixture: StaticServer;
  let ark: Emulator;
  let local: Emulator;

  beforeAll(async () => {
    fixture = await serveDirectory(`${fixtures}/rpm`);
    ark = await startEmulator({ taskMs: 1 });
    local = await startEmulator({ taskMs: 1 });
  });

  afterAll(async () => {
    await Promise.all([ark.close(), local.close(), fixture.close()]);
  });

  test('an rpm repository distributed by one emulator syncs into another, unit for unit', async () => {
    const upstream = apiClient(ark.url);
    const remote = (await upstream.call('POST', '/pulp/api/v3/remotes/rpm/rpm/', { name: 'fixture', url: `${fixture.url}/` }))
      .body as JsonObject;
    const repo = (
      await upstream.call('POST', '/pulp/api/v3/repositories/rpm/rpm/', { name: 'ark-rpm', remote: remote['pulp_href'] as string })
    ).body as JsonObject;
    expect((await upstream.run('POST', `${repo['pulp_href'] as string}sync/`, {}))['state']).toBe('completed');
    await upstream.run('POST', '/pulp/api/v3/publications/rpm/rpm/', { repository: repo['pulp_href'] as string });
    // Serving a repository: its newest publication.
    const created = await upstream.run('POST', '/pulp/api/v3/distributions/rpm/rpm/', {
      name: 'ark',
      base_path: 'ark/rpm',
      repository: repo['pulp_href'] as string,
    });
    const distribution = (await upstream.call('GET', (created['created_resources'] as string[])[0] as string)).body as JsonObject;
    expect(distribution['base_url']).toBe(`${ark.url}/pulp/content/ark/rpm/`);
    const repomd = await fetch(`${distribution['base_url'] as string}repodata/repomd.xml`);
    expect(repomd.status).toBe(200);
    expect(await repomd.text()).toContain('<repomd');
    expect(ark.requests()).toContainEqual({ method: 'GET', path: '/pulp/content/ark/rpm/repodata/repomd.xml', status: 200 });

    const downstream = apiClient(local.url);
    const localRemote = (
      await downstream.call('POST', '/pulp/api/v3/remotes/rpm/rpm/', { name: 'ark', url: distribution['base_url'] as string })
    ).body as JsonObject;
    const localRepo = (
      await downstream.call('POST', '/pulp/api/v3/repositories/rpm/rpm/', { name: 'local', remote: localRemote['pulp_href'] as string })
    ).body as JsonObject;
    const synced = await downstream.run('POST', `${localRepo['pulp_href'] as string}sync/`, {});
    expect(synced['state']).toBe('completed');
    const names = async (api: ReturnType<typeof apiClient>, r: JsonObject) =>
      (
        (
          await api.call(
            'GET',
            `/pulp/api/v3/content/rpm/packages/?repository_version=${r['pulp_href'] as string}versions/1/&fields=name,version,sha256&ordering=name`,
          )
        ).body as JsonObject
      )['results'];
    expect(await names(downstream, localRepo)).toEqual(await names(upstream, repo));
    expect(await names(downstream, localRepo)).toEqual([
      expect.objectContaining({ name: 'pulptest-hello', version: '1.0' }),
      expect.objectContaining({ name: 'pulptest-world', version: '2.1' }),
    ]);
  });

  test('content of a base path nothing distributes is a 404', async () => {
    const res = await fetch(`${ark.url}/pulp/content/nothing/here/`);
    expect(res.status).toBe(404);
  });
});
