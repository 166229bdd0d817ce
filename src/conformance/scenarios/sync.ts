import type { Answer, DifferentialSession, Scenario } from '../differential.js';
import { hrefOf } from './repositories.js';

function field(answer: Answer, name: string): string {
  const value = (answer.body as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'string') throw new Error(`expected a string ${name}, got ${answer.status} ${answer.text.slice(0, 300)}`);
  return value;
}

/** A remote and a repository syncing from it, made through the API on both sides. */
async function mirror(
  s: DifferentialSession,
  plugin: 'rpm' | 'file' | 'deb',
  suffix: string,
  remoteBody: Record<string, string>,
  repositoryBody: Record<string, string | boolean> = {},
): Promise<{ remote: string; repository: string }> {
  const kind = plugin === 'deb' ? 'deb/apt' : `${plugin}/${plugin}`;
  const remote = hrefOf(
    await s.request('POST', `remotes/${kind}/`, { body: { name: s.name(`${suffix}-remote`), policy: 'on_demand', ...remoteBody } }),
  );
  const repository = hrefOf(
    await s.request('POST', `repositories/${kind}/`, { body: { name: s.name(suffix), remote, ...repositoryBody } }),
  );
  return { remote, repository };
}

export const SYNC: Scenario[] = [
  {
    name: 'rpm-sync',
    covers:
      'rpm sync task (progress, created_resources, lock record), re-sync skipped, mirror_complete publication, sync option validation, a failing sync, tasks filters',
    run: async (s) => {
      const { remote, repository } = await mirror(s, 'rpm', 'rpm', { url: `${s.upstreams['upstream']}/` });
      await s.request('POST', `${repository}sync/`, { body: { sync_policy: 'everything' }, label: 'POST rpm sync (bad sync_policy)' });
      await s.request('POST', `${repository}sync/`, {
        body: { mirror: true, sync_policy: 'additive' },
        label: 'POST rpm sync (mirror and sync_policy)',
      });
      await s.request('POST', `${repository}sync/`, { body: { skip_types: ['srpm', 'nope'] }, label: 'POST rpm sync (bad skip_types)' });
      await s.request('POST', `${repository}sync/`, { body: { remote: 'nope' }, label: 'POST rpm sync (bad remote)' });
      const first = await s.call('POST', `${repository}sync/`, { body: {}, label: 'POST rpm sync' });
      const version = (first.body as { created_resources?: string[] }).created_resources?.[0];
      await s.request('GET', repository, { label: 'GET rpm repository after sync' });
      if (version) {
        await s.request('GET', version, { label: 'GET synced version' });
        await s.request('GET', 'content/rpm/packages/', {
          query: { repository_version: version, fields: ['name', 'version', 'release', 'arch', 'location_href'], ordering: 'name' },
          label: 'GET packages of the synced version',
        });
      }
      await s.call('POST', `${repository}sync/`, { body: {}, label: 'POST rpm re-sync (nothing changed)' });
      await s.call('POST', `${repository}sync/`, { body: { optimize: false }, label: 'POST rpm re-sync (optimize false)' });
      await s.call('POST', `${repository}sync/`, { body: { sync_policy: 'mirror_complete' }, label: 'POST rpm sync (mirror_complete)' });
      await s.request('GET', `${repository}versions/`, { query: { ordering: '-number' }, label: 'GET rpm versions' });
      await s.request('GET', 'publications/rpm/rpm/', { query: { repository }, label: 'GET publications of the rpm repository' });
      await s.request('GET', 'tasks/', {
        query: { reserved_resources: repository, ordering: '-pulp_created' },
        label: 'GET tasks reserving the repository',
        volatile: ['results.*.error.traceback'],
      });
      await s.request('GET', 'tasks/', {
        query: { exclusive_resources: repository, name__contains: 'synchroniz', limit: '2' },
        label: 'GET sync tasks of the repository',
      });
      await s.request('GET', 'tasks/', {
        query: { shared_resources: remote, fields: ['name', 'state', 'reserved_resources_record'] },
        label: 'GET tasks sharing the remote',
      });
      await s.request('GET', 'tasks/', {
        query: { created_resources: version ?? repository, fields: ['name', 'created_resources'] },
        label: 'GET tasks that created the version',
      });
      const broken = await mirror(s, 'rpm', 'rpm-404', { url: `${s.upstreams['upstream']}/no-such-repository/` });
      await s.call('POST', `${broken.repository}sync/`, { body: {}, label: 'POST rpm sync (upstream 404)' });
      const bare = hrefOf(await s.request('POST', 'repositories/rpm/rpm/', { body: { name: s.name('rpm-bare') } }));
      await s.request('POST', `${bare}sync/`, { body: {}, label: 'POST rpm sync (no remote anywhere)' });
    },
  },
  {
    name: 'file-sync',
    covers: 'file sync from a PULP_MANIFEST, mirror with and without autopublish, a failing sync',
    run: async (s) => {
      const { repository } = await mirror(s, 'file', 'file', { url: `${s.upstreams['file_upstream']}/PULP_MANIFEST` });
      await s.call('POST', `${repository}sync/`, { body: {}, label: 'POST file sync' });
      await s.call('POST', `${repository}sync/`, { body: { mirror: true }, label: 'POST file sync (mirror)' });
      const auto = await mirror(s, 'file', 'file-auto', { url: `${s.upstreams['file_upstream']}/PULP_MANIFEST` }, { autopublish: true });
      await s.call('POST', `${auto.repository}sync/`, { body: { mirror: true }, label: 'POST file sync (mirror into autopublish)' });
      await s.call('POST', `${auto.repository}sync/`, { body: {}, label: 'POST file sync (autopublish)' });
      await s.request('GET', 'publications/file/file/', {
        query: { repository: auto.repository },
        label: 'GET publications of the autopublish repository',
      });
      const broken = await mirror(s, 'file', 'file-404', { url: `${s.upstreams['file_upstream']}/NO_MANIFEST` });
      await s.call('POST', `${broken.repository}sync/`, { body: {}, label: 'POST file sync (manifest 404)' });
    },
  },
  {
    name: 'deb-sync',
    covers: 'deb sync (Release, package indices), re-sync, a distribution the upstream lacks',
    run: async (s) => {
      const { repository } = await mirror(s, 'deb', 'deb', {
        url: `${s.upstreams['deb_upstream']}/`,
        distributions: 'stable',
        components: 'main',
        architectures: 'amd64',
      });
      const first = await s.call('POST', `${repository}sync/`, { body: {}, label: 'POST deb sync' });
      await s.call('POST', `${repository}sync/`, { body: {}, label: 'POST deb re-sync (nothing changed)' });
      const version = (first.body as { created_resources?: string[] }).created_resources?.[0];
      if (version) await s.request('GET', version, { label: 'GET synced deb version' });
      const broken = await mirror(s, 'deb', 'deb-404', { url: `${s.upstreams['deb_upstream']}/`, distributions: 'nowhere' });
      await s.call('POST', `${broken.repository}sync/`, { body: {}, label: 'POST deb sync (no such distribution)' });
    },
  },
  {
    name: 'container-sync',
    needsRegistry: true,
    covers: 'container sync from a registry (includes, tags, manifests), re-sync, a missing upstream image',
    run: async (s) => {
      const registry = s.upstreams['registry'] as string;
      const remote = hrefOf(
        await s.request('POST', 'remotes/container/container/', {
          body: { name: s.name('ctr-remote'), url: registry, upstream_name: 'tiny/hello', policy: 'on_demand', include_tags: ['latest'] },
        }),
      );
      const repository = hrefOf(await s.request('POST', 'repositories/container/container/', { body: { name: s.name('ctr'), remote } }));
      const first = await s.call('POST', `${repository}sync/`, { body: {}, label: 'POST container sync' });
      const version = (first.body as { created_resources?: string[] }).created_resources?.[0];
      if (version) {
        await s.request('GET', version, { label: 'GET synced container version' });
        await s.request('GET', 'content/container/tags/', {
          query: { repository_version: version },
          label: 'GET tags of the synced version',
        });
        await s.request('GET', 'content/container/manifests/', {
          query: { repository_version: version, fields: ['digest', 'media_type', 'schema_version'] },
          label: 'GET manifests of the synced version',
        });
      }
      await s.call('POST', `${repository}sync/`, { body: {}, label: 'POST container re-sync' });
      await s.call('PATCH', remote, { body: { include_tags: null }, label: 'PATCH container remote all tags' });
      await s.call('POST', `${repository}sync/`, { body: { mirror: true }, label: 'POST container sync (all tags, mirror)' });
      const missing = hrefOf(
        await s.request('POST', 'remotes/container/container/', {
          body: { name: s.name('ctr-missing'), url: registry, upstream_name: 'tiny/nothing' },
        }),
      );
      const other = hrefOf(
        await s.request('POST', 'repositories/container/container/', { body: { name: s.name('ctr-missing'), remote: missing } }),
      );
      await s.call('POST', `${other}sync/`, { body: {}, label: 'POST container sync (no such image)' });
      await s.request('GET', 'tasks/', {
        query: { reserved_resources: repository, fields: ['name', 'state', 'created_resources'] },
        label: 'GET container sync tasks',
      });
    },
  },
];

export { field };
