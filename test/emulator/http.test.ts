import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import type { JsonObject } from '../../src/model/json.js';
import { apiClient } from './client.js';

// The HTTP layer as pulpcore 3.23 shows it; test/emulator/versions.test.ts covers what later versions change.
describe('emulator HTTP layer', () => {
  let emulator: Emulator;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    emulator = await startEmulator({ pulpVersion: '3.23', taskMs: 1 });
    api = apiClient(emulator.url);
  });

  afterAll(async () => {
    await emulator.close();
  });

  test('listens on 127.0.0.1 with an ephemeral port by default', () => {
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.url).not.toMatch(/:0$/);
  });

  test('serves the real 3.23.24 OpenAPI document, byte for byte, without authentication', async () => {
    const res = await fetch(`${emulator.url}/pulp/api/v3/docs/api.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const shipped = gunzipSync(
      readFileSync(
        new URL('../../data/openapi/pulpcore-3.23.24_rpm-3.20.0_container-2.14.18_deb-2.20.4_file-1.14.5.api.json.gz', import.meta.url),
      ),
    );
    expect(Buffer.from(await res.arrayBuffer()).equals(shipped)).toBe(true);
    expect(shipped.toString('utf8')).toContain('"x-pulp-app-versions":');
  });

  test('uses the credentials it was started with', async () => {
    const other = await startEmulator({ pulpVersion: '3.23', username: 'ops', password: 's3cret' });
    try {
      expect((await apiClient(other.url, { username: 'ops', password: 's3cret' }).call('GET', '/pulp/api/v3/remotes/')).status).toBe(200);
      const wrong = await apiClient(other.url).call('GET', '/pulp/api/v3/remotes/');
      expect(wrong).toMatchObject({ status: 403, body: { detail: 'Invalid username/password.' } });
    } finally {
      await other.close();
    }
  });

  test('a body that is not JSON is a DRF parse error', async () => {
    const res = await fetch(`${emulator.url}/pulp/api/v3/remotes/rpm/rpm/`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from('admin:password').toString('base64')}`, 'Content-Type': 'application/json' },
      body: '{"name": ',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as JsonObject)['detail']).toMatch(/^JSON parse error - /);
  });

  test('HEAD answers like GET without a body, and operations the emulator lacks say so with 501', async () => {
    const head = await fetch(`${emulator.url}/pulp/api/v3/status/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const users = await api.call('GET', '/pulp/api/v3/users/');
    expect(users.status).toBe(501);
    expect((users.body as JsonObject)['detail']).toBe('The Pulp emulator does not implement users_list.');
  });

  test('a PUT resets only the fields whose serializer has a default', async () => {
    const created = await api.call('POST', '/pulp/api/v3/repositories/rpm/rpm/', {
      name: 'put-reset',
      autopublish: true,
      description: 'kept',
      gpgcheck: 1,
    });
    const href = (created.body as JsonObject)['pulp_href'] as string;
    await api.run('PUT', href, { name: 'put-reset' });
    const after = (await api.call('GET', href)).body as JsonObject;
    expect(after).toMatchObject({ autopublish: false, gpgcheck: 0, description: 'kept' });
  });

  test('names are unique per family across plugin types, and the uniqueness is checked again when a task runs', async () => {
    await api.call('POST', '/pulp/api/v3/remotes/file/file/', { name: 'shared-name', url: 'http://example.invalid/' });
    const clash = await api.call('POST', '/pulp/api/v3/remotes/deb/apt/', {
      name: 'shared-name',
      url: 'http://x/',
      distributions: 'stable',
    });
    expect(clash).toMatchObject({ status: 400, body: { name: ['This field must be unique.'] } });
    // Two distribution creates with the same name pass request-time validation; the second task fails.
    emulator.pulp.tasks.pause();
    const first = await api.call('POST', '/pulp/api/v3/distributions/file/file/', { name: 'race', base_path: 'race-a' });
    const second = await api.call('POST', '/pulp/api/v3/distributions/file/file/', { name: 'race', base_path: 'race-b' });
    emulator.pulp.tasks.resume();
    expect(await api.waitTask((first.body as JsonObject)['task'] as string)).toMatchObject({ state: 'completed' });
    const failed = await api.waitTask((second.body as JsonObject)['task'] as string);
    expect(failed).toMatchObject({
      state: 'failed',
      error: { description: "{'name': [ErrorDetail(string='This field must be unique.', code='unique')]}" },
    });
  });

  test('content guards are created, updated and deleted at once, without tasks', async () => {
    const created = await api.call('POST', '/pulp/api/v3/contentguards/core/content_redirect/', { name: 'guard', description: 'one' });
    expect(created.status).toBe(201);
    const href = (created.body as JsonObject)['pulp_href'] as string;
    const patched = await api.call('PATCH', href, { description: 'two' });
    expect(patched).toMatchObject({ status: 200, body: { name: 'guard', description: 'two' } });
    const listed = (await api.call('GET', '/pulp/api/v3/contentguards/?name=guard')).body as JsonObject;
    expect(listed['count']).toBe(1);
    expect((await api.call('DELETE', href)).status).toBe(204);
    expect((await api.call('GET', href)).status).toBe(404);
  });
});
