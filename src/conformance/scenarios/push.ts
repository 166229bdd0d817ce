import type { Answer, Scenario } from '../differential.js';
import { pushOciImage } from '../oci-push.js';

function results(answer: Answer): Array<Record<string, unknown>> {
  return (answer.body as { results?: Array<Record<string, unknown>> } | undefined)?.results ?? [];
}

export const PUSH: Scenario[] = [
  {
    name: 'container-push',
    needsImages: true,
    covers:
      'docker push over the registry API: the push repository type and its versions per push, its distribution and namespace, re-tagging, deleting the distribution',
    run: async (s) => {
      const name = `${s.name('push')}/app`;
      const push = async (image: 'hello' | 'other', tag: string) => {
        for (const side of ['real', 'emulator'] as const) await pushOciImage(s.side(side), `${s.images}/${image}`, name, tag);
      };
      await push('hello', 'latest');
      const distributions = await s.request('GET', 'distributions/container/container/', {
        query: { name },
        label: 'GET the pushed distribution',
      });
      const distribution = results(distributions)[0];
      const repository = String(distribution?.['repository'] ?? '');
      if (typeof distribution?.['pulp_href'] === 'string') s.track(distribution['pulp_href']);
      await s.request('GET', 'repositories/container/container-push/', {
        query: { name },
        label: 'GET container-push repositories by name',
      });
      await s.request('GET', 'repositories/container/container/', { query: { name }, label: 'GET container repositories by name' });
      if (repository) {
        await s.request('GET', `${repository}versions/`, {
          query: { fields: 'number,content_summary' },
          label: 'GET versions after one push',
        });
        await push('hello', 'v2');
        await s.request('GET', `${repository}versions/`, {
          query: { fields: 'number', limit: '1' },
          label: 'GET versions after a second tag',
        });
        await push('other', 'latest');
        const latest = await s.request('GET', repository, { label: 'GET the push repository' });
        const version = (latest.body as { latest_version_href?: string } | undefined)?.latest_version_href;
        if (version) {
          await s.request('GET', 'content/container/tags/', {
            query: { repository_version: version, fields: 'name', ordering: 'name' },
            label: 'GET tags after re-tagging',
          });
          await s.request('GET', 'content/container/manifests/', {
            query: { repository_version: version, fields: 'digest', ordering: 'digest' },
            label: 'GET manifests after re-tagging',
          });
        }
        await s.request('PATCH', repository, { body: { description: 'pushed' }, label: 'PATCH the push repository' }).then(async (a) => {
          if (a.status === 202) await s.waitTask(String((a.body as { task: string }).task), { label: 'task of PATCH the push repository' });
        });
      }
      await s.request('GET', 'pulp_container/namespaces/', { query: { name: s.name('push') }, label: 'GET the namespace of the push' });
      if (typeof distribution?.['pulp_href'] === 'string')
        await s.call('DELETE', distribution['pulp_href'], { label: 'DELETE the pushed distribution' });
      await s.request('GET', 'repositories/', { query: { name }, label: 'GET repositories after deleting the distribution' });
    },
  },
];
