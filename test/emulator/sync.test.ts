import { afterEach, describe, expect, test } from '@jest/globals';
import type { ContentUnit, PushStep, SyncOutcome, SyncRequest } from '../../src/emulator/content/index.js';
import { SyncError } from '../../src/emulator/content/index.js';
import { type ContentBackend, type Emulator, startEmulator } from '../../src/emulator/index.js';
import type { JsonObject } from '../../src/model/json.js';
import { apiClient } from './client.js';

const pkg = (name: string, version: string): ContentUnit => ({
  type: 'rpm.package',
  key: `${name}-${version}`,
  fields: { name, epoch: '0', version, release: '1', arch: 'noarch', location_href: `${name}-${version}-1.noarch.rpm` },
  artifacts: [],
});

/** Stands in for the content side: an upstream whose unit set the test controls. */
class FakeContent implements ContentBackend {
  upstream: ContentUnit[] = [pkg('hello', '1.0'), pkg('world', '2.1')];
  revision = 1;
  readonly requests: SyncRequest[] = [];

  async sync(request: SyncRequest): Promise<SyncOutcome> {
    this.requests.push(request);
    if (request.remote.url.includes('missing')) throw new SyncError(`404, message='Not Found', url=URL('${request.remote.url}')`, []);
    const rpm = request.plugin === 'rpm' ? request : undefined;
    const memo = { revision: this.revision };
    if (rpm?.optimize !== false && rpm?.lastSync?.memo['revision'] === this.revision) {
      const skipped = {
        message: 'Skipping Sync (no change from previous sync)',
        code: 'sync.was_skipped',
        state: 'completed' as const,
        total: 1,
        done: 1,
        suffix: null,
      };
      return { units: request.present, changed: false, added: [], removed: [], progressReports: [skipped], publication: null, memo };
    }
    const mirror = rpm?.syncPolicy !== 'additive';
    const keys = new Set(request.present.map((u) => u.key));
    const units = mirror ? this.upstream : [...request.present, ...this.upstream.filter((u) => !keys.has(u.key))];
    const added = units.filter((u) => !keys.has(u.key));
    const removed = request.present.filter((u) => !units.some((n) => n.key === u.key));
    return {
      units,
      changed: added.length + removed.length > 0,
      added,
      removed,
      progressReports: [
        {
          message: 'Parsed Packages',
          code: 'sync.parsing.packages',
          state: 'completed',
          total: units.length,
          done: units.length,
          suffix: null,
        },
      ],
      publication:
        rpm?.syncPolicy === 'mirror_complete'
          ? {
              files: new Map(),
              fields: {
                metadata_checksum_type: 'unknown',
                package_checksum_type: 'unknown',
                gpgcheck: 0,
                repo_gpgcheck: 0,
                sqlite_metadata: true,
              },
            }
          : null,
      memo,
    };
  }

  push(tag: string, present: ContentUnit[]): PushStep[] {
    const blob = (n: number): ContentUnit => ({
      type: 'container.blob',
      key: `sha256:${n}`,
      fields: { digest: `sha256:${n}` },
      artifacts: [],
    });
    const have = new Set(present.map((u) => u.key));
    const steps: PushStep[] = [blob(1), blob(2)].filter((b) => !have.has(b.key)).map((b) => ({ add: [b], remove: [] }));
    const manifest: ContentUnit = { type: 'container.manifest', key: 'sha256:m', fields: { digest: 'sha256:m' }, artifacts: [] };
    const tagUnit: ContentUnit = {
      type: 'container.tag',
      key: tag,
      fields: { name: tag, tagged_manifest: { $unit: { type: 'container.manifest', key: 'sha256:m' } } },
      artifacts: [],
    };
    steps.push({ add: [manifest, tagUnit].filter((u) => !have.has(u.key)), remove: [] });
    return steps;
  }
}

describe('emulator sync, versions and push through a content backend', () => {
  let emulator: Emulator | undefined;

  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  async function setup(repository: JsonObject = {}) {
    const content = new FakeContent();
    emulator = await startEmulator({ pulpVersion: '3.23', taskMs: 1, content });
    const api = apiClient(emulator.url);
    const remote = (
      await api.call('POST', '/pulp/api/v3/remotes/rpm/rpm/', { name: 'up', url: 'http://upstream.invalid/', password: 'pw' })
    ).body as JsonObject;
    const repo = (
      await api.call('POST', '/pulp/api/v3/repositories/rpm/rpm/', { name: 'mirror', remote: remote['pulp_href'] as string, ...repository })
    ).body as JsonObject;
    const sync = (body: JsonObject = {}) => api.run('POST', `${repo['pulp_href'] as string}sync/`, body);
    return { api, content, remote, repo, sync };
  }

  test('a sync makes a version with the new units; the same upstream again makes none', async () => {
    const { api, content, remote, repo, sync } = await setup();
    const first = await sync();
    const v1 = `${repo['pulp_href'] as string}versions/1/`;
    expect(first).toMatchObject({
      state: 'completed',
      name: 'pulp_rpm.app.tasks.synchronizing.synchronize',
      created_resources: [v1],
      reserved_resources_record: [repo['pulp_href'], `shared:${remote['pulp_href'] as string}`],
    });
    expect(content.requests[0]?.remote.password).toBe('pw');
    expect(content.requests[0]).toMatchObject({
      plugin: 'rpm',
      syncPolicy: 'additive',
      optimize: true,
      skipTypes: [],
      latestVersionNumber: 0,
      lastSync: null,
    });
    const version = (await api.call('GET', v1)).body as JsonObject;
    expect(version['content_summary']).toEqual({
      added: { 'rpm.package': { count: 2, href: `/pulp/api/v3/content/rpm/packages/?repository_version_added=${v1}` } },
      removed: {},
      present: { 'rpm.package': { count: 2, href: `/pulp/api/v3/content/rpm/packages/?repository_version=${v1}` } },
    });
    const units = (await api.call('GET', `/pulp/api/v3/content/rpm/packages/?repository_version=${v1}&ordering=-name&fields=name,version`))
      .body as JsonObject;
    expect(units['results']).toEqual([
      { name: 'world', version: '2.1' },
      { name: 'hello', version: '1.0' },
    ]);
    const again = await sync();
    expect(again).toMatchObject({ created_resources: [], progress_reports: [{ code: 'sync.was_skipped' }] });
    expect(content.requests[1]).toMatchObject({ latestVersionNumber: 1, lastSync: { memo: { revision: 1 }, versionNumber: 1 } });
    expect(((await api.call('GET', repo['pulp_href'] as string)).body as JsonObject)['latest_version_href']).toBe(v1);
  });

  test('mirror_complete adds the publication the sync made; autopublish adds one more per version', async () => {
    const mirrored = await setup();
    const task = await mirrored.sync({ sync_policy: 'mirror_complete' });
    expect(task['created_resources']).toHaveLength(2);
    const publication = (await mirrored.api.call('GET', (task['created_resources'] as string[])[1] as string)).body as JsonObject;
    expect(publication).toMatchObject({ metadata_checksum_type: 'unknown', sqlite_metadata: true, repository: mirrored.repo['pulp_href'] });
    await emulator?.close();

    const auto = await setup({ autopublish: true });
    const autoTask = await auto.sync();
    expect(autoTask['created_resources']).toHaveLength(2);
    expect(autoTask['progress_reports']).toContainEqual(expect.objectContaining({ code: 'publish.generating_metadata' }));
    const published = (await auto.api.call('GET', (autoTask['created_resources'] as string[])[1] as string)).body as JsonObject;
    expect(published).toMatchObject({ metadata_checksum_type: 'sha256', package_checksum_type: 'sha256', sqlite_metadata: false });
  });

  test('units are shared between repositories, and retain_repo_versions drops old versions', async () => {
    const { api, remote, repo, sync } = await setup({ retain_repo_versions: 1 });
    await sync();
    const versions = (await api.call('GET', repo['versions_href'] as string)).body as JsonObject;
    expect((versions['results'] as JsonObject[]).map((v) => v['number'])).toEqual([1]);
    const other = (await api.call('POST', '/pulp/api/v3/repositories/rpm/rpm/', { name: 'other', remote: remote['pulp_href'] as string }))
      .body as JsonObject;
    await api.run('POST', `${other['pulp_href'] as string}sync/`, { optimize: false });
    const hrefs = async (r: JsonObject) =>
      (
        (
          await api.call(
            'GET',
            `/pulp/api/v3/content/rpm/packages/?repository_version=${r['pulp_href'] as string}versions/1/&fields=pulp_href`,
          )
        ).body as JsonObject
      )['results'];
    expect(await hrefs(other)).toEqual(await hrefs(repo));
  });

  test('deleting a served version removes its publication, nulls the distribution and recomputes the next summary', async () => {
    const { api, content, repo, sync } = await setup();
    await sync();
    const v1 = `${repo['pulp_href'] as string}versions/1/`;
    const published = await api.run('POST', '/pulp/api/v3/publications/rpm/rpm/', { repository_version: v1 });
    const publication = (published['created_resources'] as string[])[0] as string;
    const created = await api.run('POST', '/pulp/api/v3/distributions/rpm/rpm/', { name: 'served', base_path: 'served', publication });
    content.upstream = [pkg('hello', '1.0'), pkg('world', '2.1'), pkg('extra', '3.0')];
    content.revision = 2;
    await sync();
    expect((await api.run('DELETE', v1))['state']).toBe('completed');
    expect((await api.call('GET', publication)).status).toBe(404);
    const distribution = (await api.call('GET', (created['created_resources'] as string[])[0] as string)).body as JsonObject;
    expect(distribution['publication']).toBeNull();
    const v2 = (await api.call('GET', `${repo['pulp_href'] as string}versions/2/`)).body as JsonObject;
    expect((v2['content_summary'] as JsonObject)['added']).toMatchObject({ 'rpm.package': { count: 3 } });
  });

  test('modify adds and removes units; a no-op makes no version, base_version rebuilds an older one', async () => {
    const { api, repo, sync } = await setup();
    await sync();
    const v1 = `${repo['pulp_href'] as string}versions/1/`;
    const units = (
      (await api.call('GET', `/pulp/api/v3/content/rpm/packages/?repository_version=${v1}&fields=pulp_href`)).body as JsonObject
    )['results'] as JsonObject[];
    const modify = (body: JsonObject) => api.run('POST', `${repo['pulp_href'] as string}modify/`, body);
    expect(await modify({ add_content_units: [units[0]?.['pulp_href'] as string] })).toMatchObject({
      state: 'completed',
      name: 'pulpcore.app.tasks.repository.add_and_remove',
      created_resources: [],
    });
    expect((await modify({ remove_content_units: ['*'] }))['created_resources']).toEqual([`${repo['pulp_href'] as string}versions/2/`]);
    expect((await modify({ base_version: v1 }))['created_resources']).toEqual([`${repo['pulp_href'] as string}versions/3/`]);
    const v3 = (await api.call('GET', `${repo['pulp_href'] as string}versions/3/`)).body as JsonObject;
    expect((v3['content_summary'] as JsonObject)['present']).toMatchObject({ 'rpm.package': { count: 2 } });
    const missing = '/pulp/api/v3/content/rpm/packages/00000000-0000-4000-8000-000000000000/';
    const refused = await api.call('POST', `${repo['pulp_href'] as string}modify/`, { add_content_units: [missing, 'nowhere'] });
    expect(refused).toMatchObject({ status: 400, body: { add_content_units: ['URI not valid: nowhere'] } });
    const unknown = await api.call('POST', `${repo['pulp_href'] as string}modify/`, { add_content_units: [missing] });
    expect(unknown.body).toEqual({ add_content_units: [`Could not find the following content units: ['${missing}']`] });
  });

  test('a failed sync keeps the latest version and reports the backend description', async () => {
    const { api, repo } = await setup();
    const broken = (await api.call('POST', '/pulp/api/v3/remotes/rpm/rpm/', { name: 'broken', url: 'http://upstream.invalid/missing/' }))
      .body as JsonObject;
    const task = await api.run('POST', `${repo['pulp_href'] as string}sync/`, { remote: broken['pulp_href'] as string });
    expect(task).toMatchObject({
      state: 'failed',
      error: { description: "404, message='Not Found', url=URL('http://upstream.invalid/missing/')" },
    });
    expect(((await api.call('GET', repo['pulp_href'] as string)).body as JsonObject)['latest_version_href']).toMatch(/versions\/0\/$/);
  });

  test('a registry push leaves a push repository, its distribution and namespace; deleting the distribution deletes the repository', async () => {
    const content = new FakeContent();
    emulator = await startEmulator({ pulpVersion: '3.23', taskMs: 1, content });
    const api = apiClient(emulator.url);
    const push = async (tag: string) =>
      (
        await fetch(`${emulator?.url as string}/_emulator/registry_push`, {
          method: 'POST',
          body: JSON.stringify({ name: 'team/app', tag }),
        })
      ).status;
    expect(await push('latest')).toBe(200);
    expect(await push('v2')).toBe(200);
    const repos = (await api.call('GET', '/pulp/api/v3/repositories/container/container-push/?name=team/app')).body as JsonObject;
    const repo = (repos['results'] as JsonObject[])[0] as JsonObject;
    expect(repo['latest_version_href']).toMatch(/versions\/4\/$/);
    const dists = (await api.call('GET', '/pulp/api/v3/distributions/container/container/?base_path=team/app')).body as JsonObject;
    const dist = (dists['results'] as JsonObject[])[0] as JsonObject;
    expect(dist).toMatchObject({
      name: 'team/app',
      repository: repo['pulp_href'],
      registry_path: `${new URL(emulator.url).host}/team/app`,
    });
    const namespaces = (await api.call('GET', '/pulp/api/v3/pulp_container/namespaces/?name=team')).body as JsonObject;
    expect(namespaces['count']).toBe(1);
    expect((await api.call('POST', '/pulp/api/v3/repositories/container/container/', { name: 'team/app' })).body).toEqual({
      name: ['This field must be unique.'],
    });
    const deleted = await api.run('DELETE', dist['pulp_href'] as string);
    expect(deleted).toMatchObject({
      name: 'pulpcore.app.tasks.base.general_multi_delete',
      reserved_resources_record: [dist['pulp_href'], repo['pulp_href']],
    });
    expect((await api.call('GET', repo['pulp_href'] as string)).status).toBe(404);
  });
});
