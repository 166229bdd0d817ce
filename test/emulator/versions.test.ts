import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { fileRepository } from '../../src/emulator/content/index.js';
import { type Emulator, PULP_VERSIONS, type PulpVersion, startEmulator } from '../../src/emulator/index.js';
import type { JsonObject } from '../../src/model/json.js';
import { apiClient } from './client.js';

// What a client sees of each Pulp version the emulator speaks (src/emulator/profiles.ts); the
// differential suite (test/e2e/differential.e2e.test.ts) holds each profile to its real server.

type Api = ReturnType<typeof apiClient>;

async function settle(api: Api, answer: { status: number; body: unknown }): Promise<JsonObject> {
  const task = (answer.body as { task?: string }).task;
  if (!task) throw new Error(`no task in ${answer.status} ${JSON.stringify(answer.body)}`);
  for (;;) {
    const body = (await api.call('GET', task)).body as JsonObject;
    if (['completed', 'failed', 'canceled'].includes(String(body['state']))) return body;
    await new Promise((r) => setTimeout(r, 2));
  }
}

const EXPECTED: Record<
  PulpVersion,
  {
    unauthenticated: number;
    apiApps: boolean;
    noOpPatch: number;
    hyphenKey: number;
    setLabel: number;
    gpgcheckAnswer: unknown;
    servedDelete: number;
    push: string;
    pushVersion: number;
    record: RegExp;
  }
> = {
  '3.23': {
    unauthenticated: 403,
    apiApps: false,
    noOpPatch: 202,
    hyphenKey: 400,
    setLabel: 404,
    gpgcheckAnswer: 1,
    servedDelete: 202,
    push: 'container-push',
    pushVersion: 3,
    record: /^\/pulp\/api\/v3\/remotes\/rpm\/rpm\//,
  },
  '3.43': {
    unauthenticated: 401,
    apiApps: true,
    noOpPatch: 202,
    hyphenKey: 400,
    setLabel: 201,
    gpgcheckAnswer: null,
    servedDelete: 202,
    push: 'container-push',
    pushVersion: 1,
    record: /^\/pulp\/api\/v3\/remotes\/rpm\/rpm\//,
  },
  '3.116': {
    unauthenticated: 401,
    apiApps: true,
    noOpPatch: 200,
    hyphenKey: 201,
    setLabel: 201,
    gpgcheckAnswer: undefined,
    servedDelete: 400,
    push: 'container',
    pushVersion: 1,
    record: /^prn:rpm\.rpmremote:/,
  },
};

describe.each(PULP_VERSIONS.map((v) => [v]))('the emulator speaking Pulp %s', (version) => {
  let emulator: Emulator;
  let api: Api;
  const expected = EXPECTED[version];

  beforeAll(async () => {
    emulator = await startEmulator({ pulpVersion: version, taskMs: 1 });
    api = apiClient(emulator.url);
  });

  afterAll(async () => {
    await emulator.close();
  });

  test('authentication, /status/ and the OpenAPI document of the version', async () => {
    const anonymous = await fetch(`${emulator.url}/pulp/api/v3/remotes/`);
    expect(anonymous.status).toBe(expected.unauthenticated);
    expect(anonymous.headers.get('www-authenticate')).toBe(expected.unauthenticated === 401 ? 'Basic realm="api"' : null);
    const status = (await api.call('GET', '/pulp/api/v3/status/')).body as JsonObject;
    const core = (status['versions'] as JsonObject[]).find((v) => v['component'] === 'core');
    expect(String(core?.['version'])).toMatch(new RegExp(`^${version.replace('.', '\\.')}\\.`));
    expect('online_api_apps' in status).toBe(expected.apiApps);
    const doc = (await (await fetch(`${emulator.url}/pulp/api/v3/docs/api.json`)).json()) as {
      info: { 'x-pulp-app-versions': Record<string, string> };
    };
    expect(doc.info['x-pulp-app-versions']['core']).toBe(core?.['version']);
  });

  test("workers' online and missing filters are computed; a boolean filter it cannot read filters nothing", async () => {
    const count = async (query: string): Promise<unknown> =>
      ((await api.call('GET', `/pulp/api/v3/workers/?${query}`)).body as JsonObject)['count'];
    expect(await count('online=true')).toBe(2);
    expect(await count('online=false')).toBe(0);
    expect(await count('missing=True')).toBe(0);
    expect(await count('online=bogus')).toBe(2);
  });

  test('task filters validate their choices; modify with base_version shows it', async () => {
    expect(await api.call('GET', '/pulp/api/v3/tasks/?state=bogus')).toMatchObject({
      status: 400,
      body: { state: ['Select a valid choice. bogus is not one of the available choices.'] },
    });
    const [a = '', b = ''] = fileRepository({ 'a.txt': 'a', 'b.txt': 'b' }).map((unit) => emulator.pulp.store.unit(unit).href);
    const repository = String(
      ((await api.call('POST', '/pulp/api/v3/repositories/file/file/', { name: 'based' })).body as JsonObject)['pulp_href'],
    );
    await settle(api, await api.call('POST', `${repository}modify/`, { add_content_units: [a] }));
    const based = await settle(
      api,
      await api.call('POST', `${repository}modify/`, { add_content_units: [b], base_version: `${repository}versions/0/` }),
    );
    const version = (based['created_resources'] as string[])[0] as string;
    expect((await api.call('GET', version)).body).toMatchObject({
      number: 2,
      base_version: `${repository}versions/0/`,
      content_summary: { present: { 'file.file': { count: 1 } } },
    });
    expect((await api.call('GET', `${repository}versions/1/`)).body).toMatchObject({ base_version: null });
  });

  test('updates, labels and the rpm gpg options of the version', async () => {
    const created = await api.call('POST', '/pulp/api/v3/remotes/rpm/rpm/', {
      name: 'r',
      url: 'http://127.0.0.1:1/',
      pulp_labels: { a: 'b' },
    });
    const remote = String((created.body as JsonObject)['pulp_href']);
    const noOp = await api.call('PATCH', remote, { url: 'http://127.0.0.1:1/' });
    expect(noOp.status).toBe(expected.noOpPatch);
    if (noOp.status === 202) expect(await settle(api, noOp)).toMatchObject({ state: 'completed' });
    const change = await settle(api, await api.call('PATCH', remote, { url: 'http://127.0.0.1:2/' }));
    expect((change['reserved_resources_record'] as string[])[0]).toMatch(expected.record);
    expect(
      (await api.call('POST', '/pulp/api/v3/remotes/file/file/', { name: 'h', url: 'http://127.0.0.1:1/', pulp_labels: { 'cf-env': 'x' } }))
        .status,
    ).toBe(expected.hyphenKey);
    expect((await api.call('POST', `${remote}set_label/`, { key: 'env', value: 'dev' })).status).toBe(expected.setLabel);
    const rpm = (await api.call('POST', '/pulp/api/v3/repositories/rpm/rpm/', { name: 'g', gpgcheck: 1 })).body as JsonObject;
    expect(rpm['gpgcheck']).toBe(expected.gpgcheckAnswer);
  });

  test('deleting a version a distribution serves', async () => {
    const repository = String(
      ((await api.call('POST', '/pulp/api/v3/repositories/file/file/', { name: 'served' })).body as JsonObject)['pulp_href'],
    );
    const published = await settle(api, await api.call('POST', '/pulp/api/v3/publications/file/file/', { repository }));
    const publication = (published['created_resources'] as string[])[0] as string;
    await settle(
      api,
      await api.call('POST', '/pulp/api/v3/distributions/file/file/', { name: 'served', base_path: 'served', publication }),
    );
    await settle(
      api,
      await api.call('POST', `${repository}modify/`, {
        add_content_units: [emulator.pulp.store.unit(fileRepository({ 'c.txt': 'c' })[0]!).href],
      }),
    );
    const answer = await api.call('DELETE', `${repository}versions/0/`);
    expect(answer.status).toBe(expected.servedDelete);
  });

  test('a docker push lands in the repository type and version of the version', async () => {
    const push = await fetch(`${emulator.url}/_emulator/registry_push`, {
      method: 'POST',
      body: JSON.stringify({ name: 'team/app', tag: 'latest' }),
    });
    expect(push.status).toBe(200);
    const listed = (await api.call('GET', `/pulp/api/v3/repositories/container/${expected.push}/?name=team/app`)).body as JsonObject;
    expect((listed['results'] as JsonObject[])[0]?.['latest_version_href']).toMatch(new RegExp(`/versions/${expected.pushVersion}/$`));
  });
});
