import type { Answer, Scenario } from '../differential.js';
import { hrefOf } from './repositories.js';

function body(answer: Answer): Record<string, unknown> {
  return (answer.body ?? {}) as Record<string, unknown>;
}

export const VERSIONS: Scenario[] = [
  {
    name: 'modify-and-versions',
    covers:
      'modify (add, remove, *, base_version) and its validation, version lists and filters, deleting versions (the last one, a served one), retention',
    run: async (s) => {
      const remote = hrefOf(
        await s.request('POST', 'remotes/rpm/rpm/', {
          body: { name: s.name('remote'), url: `${s.upstreams['upstream']}/`, policy: 'on_demand' },
        }),
      );
      const source = hrefOf(await s.request('POST', 'repositories/rpm/rpm/', { body: { name: s.name('source'), remote } }));
      const synced = await s.call('POST', `${source}sync/`, { body: {} });
      const version1 = (body(synced)['created_resources'] as string[] | undefined)?.[0] ?? `${source}versions/1/`;
      const packages = await s.request('GET', 'content/rpm/packages/', {
        query: { repository_version: version1, ordering: 'name', fields: 'pulp_href,name' },
        label: 'GET packages to copy',
      });
      const hrefs = ((body(packages)['results'] ?? []) as Array<{ pulp_href: string }>).map((p) => p.pulp_href);
      const target = hrefOf(
        await s.request('POST', 'repositories/rpm/rpm/', { body: { name: s.name('target'), retain_repo_versions: 3 } }),
      );
      await s.request('POST', `${target}modify/`, { body: { add_content_units: ['not-an-href'] }, label: 'POST modify (bad href)' });
      await s.request('POST', `${target}modify/`, {
        body: { add_content_units: ['/pulp/api/v3/content/rpm/packages/0190c0de-0000-7000-8000-000000000000/'] },
        label: 'POST modify (missing unit)',
      });
      await s.request('POST', `${target}modify/`, {
        body: { remove_content_units: ['*', hrefs[0] ?? ''] },
        label: 'POST modify (* and more)',
      });
      await s.request('POST', `${target}modify/`, {
        body: { base_version: `${source}versions/0/` },
        label: 'POST modify (base_version of another repository)',
      });
      await s.request('POST', `${target}modify/`, {
        body: { base_version: `${target}versions/9/` },
        label: 'POST modify (base_version missing)',
      });
      await s.request('POST', `${target}modify/`, { body: { add_content_units: 'x' }, label: 'POST modify (not a list)' });
      await s.call('POST', `${target}modify/`, { body: { add_content_units: hrefs.slice(0, 1) }, label: 'POST modify add one' });
      await s.call('POST', `${target}modify/`, { body: { add_content_units: hrefs.slice(1) }, label: 'POST modify add the rest' });
      await s.call('POST', `${target}modify/`, { body: { add_content_units: hrefs.slice(1) }, label: 'POST modify add nothing new' });
      await s.call('POST', `${target}modify/`, {
        body: { remove_content_units: hrefs.slice(0, 1), base_version: `${target}versions/1/` },
        label: 'POST modify with base_version',
      });
      await s.request('GET', `${target}versions/3/`, { label: 'GET the version modify made from base_version' });
      await s.request('GET', `${target}versions/`, { label: 'GET target versions' });
      await s.request('GET', `${target}versions/`, { query: { number__gte: '2', ordering: 'number' }, label: 'GET versions number__gte' });
      await s.request('GET', `${target}versions/`, { query: { content: hrefs[0] ?? '' }, label: 'GET versions holding a unit' });
      await s.request('GET', `${target}versions/`, { query: { number: 'x' }, label: 'GET versions number=x' });
      await s.request('GET', 'repository_versions/', {
        query: { content: hrefs[0] ?? '', fields: 'pulp_href,number', ordering: 'number' },
        label: 'GET repository_versions holding a unit',
      });
      await s.call('POST', `${target}modify/`, { body: { remove_content_units: ['*'] }, label: 'POST modify remove *' });
      await s.request('GET', target, { label: 'GET target after retention' });
      await s.request('GET', `${target}versions/`, {
        query: { fields: 'number,base_version' },
        label: 'GET target versions after retention',
      });
      await s.call('DELETE', `${target}versions/4/`, { label: 'DELETE version 4' });
      const single = hrefOf(await s.request('POST', 'repositories/rpm/rpm/', { body: { name: s.name('single') } }));
      await s.call('DELETE', `${single}versions/0/`, { label: 'DELETE the only version' });
      await s.call('DELETE', `${target}versions/99/`, { label: 'DELETE a version that does not exist' });
      const publication = await s.call('POST', 'publications/rpm/rpm/', {
        body: { repository_version: `${source}versions/1/` },
        label: 'POST publication of source version 1',
      });
      const pub = (body(publication)['created_resources'] as string[] | undefined)?.[0];
      if (pub) {
        await s.call('POST', 'distributions/rpm/rpm/', {
          body: { name: s.name('served'), base_path: s.name('served'), publication: pub },
          label: 'POST distribution of it',
        });
      }
      await s.call('POST', `${source}modify/`, { body: { remove_content_units: ['*'] }, label: 'POST modify source empties it' });
      await s.call('DELETE', `${source}versions/1/`, { label: 'DELETE the served version' });
      await s.request('GET', `${source}versions/`, { query: { fields: 'number' }, label: 'GET source versions after the delete' });
    },
  },
];
