import type { Scenario } from '../differential.js';

/** What every client meets first: /status/, the API root, authentication, 404 and 405. */
export const BASICS: Scenario[] = [
  {
    name: 'status-and-root',
    covers: '/status/ layout and component versions, the API root listing, the OpenAPI document',
    run: async (s) => {
      // Workers are the servers' own: their ids name nothing the scenario made.
      const workers = ['online_workers.*.pulp_href', 'online_workers.*.pulp_created'];
      const busy = ['online_workers.*.current_task'];
      await s.request('GET', 'status/', { auth: 'none', volatile: workers, ignore: busy });
      await s.request('GET', 'status/', { volatile: workers, ignore: busy });
      await s.request('GET', '/pulp/api/v3/', { label: 'GET api root' });
      await s.request('GET', '/pulp/api/v3/', { auth: 'none', label: 'GET api root without credentials' });
      // Only the online ones: a restarted server lists its earlier workers until Pulp cleans them up.
      await s.request('GET', 'workers/?online=true', {
        volatile: ['results.*.name', 'results.*.pulp_href', 'results.*.prn'],
        ignore: ['results.*.current_task'],
      });
      // The real server renders its document per request: its own URL and a date-relative default.
      await s.request('GET', 'docs/api.json', {
        auth: 'none',
        volatile: ['servers.0.url', 'components.schemas.Purge.properties.finished_before.default'],
      });
    },
  },
  {
    name: 'authentication',
    covers: '403 vs 401 and WWW-Authenticate for missing and wrong credentials',
    run: async (s) => {
      await s.request('GET', 'remotes/', { auth: 'none' });
      await s.request('GET', 'remotes/', { auth: 'wrong' });
      await s.request('POST', 'remotes/rpm/rpm/', { auth: 'none', body: { name: s.name('unauth'), url: 'http://127.0.0.1:1/' } });
      await s.request('GET', 'tasks/', { auth: 'wrong', query: { limit: '1' } });
    },
  },
  {
    name: 'not-found-and-methods',
    covers: '404 texts per model, HTML 404 of unknown paths, APPEND_SLASH, 405 with Allow',
    run: async (s) => {
      const nobody = '0190c0de-0000-7000-8000-000000000000';
      for (const path of [
        `remotes/rpm/rpm/${nobody}/`,
        `repositories/rpm/rpm/${nobody}/`,
        `repositories/container/container-push/${nobody}/`,
        `publications/rpm/rpm/${nobody}/`,
        `distributions/file/file/${nobody}/`,
        `tasks/${nobody}/`,
        `content/rpm/packages/${nobody}/`,
      ]) {
        await s.request('GET', path);
      }
      await s.request('DELETE', `remotes/file/file/${nobody}/`);
      await s.request('PATCH', `repositories/deb/apt/${nobody}/`, { body: { description: 'x' } });
      await s.request('GET', 'remotes/rpm/rpm/not-a-uuid/');
      await s.request('GET', 'no-such-endpoint/');
      await s.request('GET', 'remotes/rpm/rpm', { label: 'GET remotes/rpm/rpm without its slash' });
      await s.request('PUT', 'remotes/rpm/rpm/', { body: {} });
      await s.request('DELETE', 'tasks/');
      await s.request('POST', 'status/', { body: {} });
    },
  },
];
