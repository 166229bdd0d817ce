import type { Answer, Scenario } from '../differential.js';
import { hrefOf } from './repositories.js';

function created(answer: Answer): string | undefined {
  return ((answer.body ?? {}) as { created_resources?: string[] }).created_resources?.[0];
}

export const SERVING: Scenario[] = [
  {
    name: 'publications',
    covers:
      'rpm, file and deb publications: which of repository/repository_version, checksum and gpg options per version, deb simple/structured defaults',
    run: async (s) => {
      const rpm = hrefOf(await s.request('POST', 'repositories/rpm/rpm/', { body: { name: s.name('rpm') } }));
      const file = hrefOf(await s.request('POST', 'repositories/file/file/', { body: { name: s.name('file') } }));
      const deb = hrefOf(await s.request('POST', 'repositories/deb/apt/', { body: { name: s.name('deb') } }));
      await s.request('POST', 'publications/rpm/rpm/', { body: {}, label: 'POST rpm publication (neither)' });
      await s.request('POST', 'publications/rpm/rpm/', {
        body: { repository: rpm, repository_version: `${rpm}versions/0/` },
        label: 'POST rpm publication (both)',
      });
      await s.request('POST', 'publications/rpm/rpm/', { body: { repository: file }, label: 'POST rpm publication (file repository)' });
      await s
        .request('POST', 'publications/rpm/rpm/', {
          body: { repository: rpm, metadata_checksum_type: 'md4' },
          label: 'POST rpm publication (md4)',
        })
        .then(async (a) => {
          if (a.status === 202)
            await s.waitTask(String((a.body as { task: string }).task), { label: 'task of POST rpm publication (md4)' });
        });
      const plain = created(await s.call('POST', 'publications/rpm/rpm/', { body: { repository: rpm }, label: 'POST rpm publication' }));
      if (plain) await s.request('GET', plain, { label: 'GET rpm publication' });
      const gpg = created(
        await s.call('POST', 'publications/rpm/rpm/', {
          body: { repository_version: `${rpm}versions/0/`, gpgcheck: 1, metadata_checksum_type: 'sha512' },
          label: 'POST rpm publication (gpgcheck, sha512)',
        }),
      );
      if (gpg) await s.request('GET', gpg, { label: 'GET rpm publication with gpgcheck' });
      await s.call('POST', 'publications/rpm/rpm/', {
        body: { repository: rpm, repo_config: { gpgcheck: 1 } },
        label: 'POST rpm publication (repo_config)',
      });
      await s.call('POST', 'publications/rpm/rpm/', {
        body: { repository: rpm, gpgcheck: 1, repo_config: { gpgcheck: 1 } },
        label: 'POST rpm publication (gpgcheck and repo_config)',
      });
      const filePublication = created(
        await s.call('POST', 'publications/file/file/', { body: { repository: file, manifest: 'FILES' }, label: 'POST file publication' }),
      );
      if (filePublication) await s.request('GET', filePublication, { label: 'GET file publication' });
      await s.call('POST', 'publications/deb/apt/', { body: { repository: deb }, label: 'POST deb publication (no mode)' });
      const simple = created(
        await s.call('POST', 'publications/deb/apt/', { body: { repository: deb, simple: true }, label: 'POST deb publication (simple)' }),
      );
      if (simple) await s.request('GET', simple, { label: 'GET deb publication' });
      await s.call('POST', 'publications/deb/verbatim/', { body: { repository: deb }, label: 'POST deb verbatim publication' });
      await s.request('GET', 'publications/rpm/rpm/', {
        query: { repository: rpm, ordering: 'pulp_created' },
        label: 'GET rpm publications of the repository',
      });
      await s.request('GET', 'publications/', { query: { repository: deb }, label: 'GET publications of the deb repository' });
      if (plain) await s.request('DELETE', plain, { label: 'DELETE rpm publication' });
    },
  },
  {
    name: 'distributions',
    covers:
      'distribution validation (names, base paths and their overlap across types, exclusive serving fields), updates, hidden/generate_repo_config, container distributions and namespaces',
    run: async (s) => {
      const rpm = hrefOf(await s.request('POST', 'repositories/rpm/rpm/', { body: { name: s.name('rpm') } }));
      const publication = created(await s.call('POST', 'publications/rpm/rpm/', { body: { repository: rpm } }));
      const file = hrefOf(await s.request('POST', 'repositories/file/file/', { body: { name: s.name('file') } }));
      const filePublication = created(await s.call('POST', 'publications/file/file/', { body: { repository: file } }));
      const base = s.name('dist');
      const rpmDist = created(
        await s.call('POST', 'distributions/rpm/rpm/', {
          body: { name: base, base_path: `${base}/rpm`, publication: publication ?? null },
          label: 'POST rpm distribution',
        }),
      );
      await s.call('POST', 'distributions/rpm/rpm/', { body: { base_path: `${base}/x` }, label: 'POST rpm distribution (no name)' });
      await s.call('POST', 'distributions/rpm/rpm/', {
        body: { name: base, base_path: `${base}/other` },
        label: 'POST rpm distribution (same name)',
      });
      await s.call('POST', 'distributions/file/file/', {
        body: { name: `${base}-f`, base_path: `${base}/rpm` },
        label: 'POST file distribution (same base_path)',
      });
      await s.call('POST', 'distributions/file/file/', {
        body: { name: `${base}-f`, base_path: `${base}/rpm/below` },
        label: 'POST file distribution (below another)',
      });
      await s.call('POST', 'distributions/file/file/', {
        body: { name: `${base}-f`, base_path: base },
        label: 'POST file distribution (above another)',
      });
      await s.call('POST', 'distributions/file/file/', {
        body: { name: `${base}-f`, base_path: `/${base}/f/` },
        label: 'POST file distribution (slashes)',
      });
      await s.call('POST', 'distributions/file/file/', {
        body: { name: `${base}-f`, base_path: `${base}/a b` },
        label: 'POST file distribution (space)',
      });
      await s.call('POST', 'distributions/file/file/', {
        body: { name: `${base}-f`, base_path: `${base}/f`, publication: publication ?? null },
        label: 'POST file distribution (rpm publication)',
      });
      await s.call('POST', 'distributions/file/file/', {
        body: { name: `${base}-f`, base_path: `${base}/f`, publication: filePublication ?? null, repository: file },
        label: 'POST file distribution (publication and repository)',
      });
      await s.call('POST', 'distributions/file/file/', {
        body: {
          name: `${base}-f`,
          base_path: `${base}/f`,
          content_guard: '/pulp/api/v3/contentguards/core/rbac/0190c0de-0000-7000-8000-000000000000/',
        },
        label: 'POST file distribution (missing guard)',
      });
      const fileDist = created(
        await s.call('POST', 'distributions/file/file/', {
          body: { name: `${base}-f`, base_path: `${base}/f`, repository: file, pulp_labels: { tier: 'x' } },
          label: 'POST file distribution (repository)',
        }),
      );
      if (rpmDist) {
        await s.request('GET', rpmDist, { label: 'GET rpm distribution' });
        await s.call('PATCH', rpmDist, { body: { base_path: `${base}/f` }, label: 'PATCH rpm distribution onto a taken base_path' });
        await s.call('PATCH', rpmDist, {
          body: { base_path: `${base}/rpm2`, hidden: true },
          label: 'PATCH rpm distribution base_path, hidden',
        });
        await s.call('PATCH', rpmDist, { body: { generate_repo_config: true }, label: 'PATCH rpm distribution generate_repo_config' });
        await s.call('PATCH', rpmDist, { body: { base_path: `${base}/rpm2` }, label: 'PATCH rpm distribution (no change)' });
        await s.call('PATCH', rpmDist, { body: { repository: rpm }, label: 'PATCH rpm distribution repository beside publication' });
        await s.call('PATCH', rpmDist, { body: { repository: rpm, publication: null }, label: 'PATCH rpm distribution to its repository' });
        await s.call('PUT', rpmDist, { body: { name: base, base_path: `${base}/rpm` }, label: 'PUT rpm distribution' });
        await s.request('GET', rpmDist, { label: 'GET rpm distribution after PUT' });
      }
      if (fileDist) await s.request('GET', fileDist, { label: 'GET file distribution' });
      await s.request('GET', 'distributions/', { query: { name__startswith: base, ordering: 'name' }, label: 'GET distributions by name' });
      await s.request('GET', 'distributions/', {
        query: { base_path__startswith: base, fields: 'name,base_path' },
        label: 'GET distributions by base path',
      });
      await s.request('GET', 'distributions/file/file/', {
        query: { pulp_label_select: 'tier=x', name__startswith: base },
        label: 'GET file distributions by label',
      });
      const ctr = hrefOf(await s.request('POST', 'repositories/container/container/', { body: { name: `${base}-ctr` } }));
      await s.call('POST', 'distributions/container/container/', {
        body: { name: `${base}-c1`, base_path: `${base}/Upper` },
        label: 'POST container distribution (upper case)',
      });
      const ctrDist = created(
        await s.call('POST', 'distributions/container/container/', {
          body: { name: `${base}-c`, base_path: `${base}/ctr`, repository: ctr, private: true },
          label: 'POST container distribution',
        }),
      );
      await s.call('POST', 'distributions/container/container/', {
        body: { name: `${base}-c2`, base_path: `${base}/ctr2`, repository_version: `${ctr}versions/0/` },
        label: 'POST container distribution of a version',
      });
      if (ctrDist) {
        const got = await s.request('GET', ctrDist, { label: 'GET container distribution' });
        const namespace = (got.body as { namespace?: string } | undefined)?.namespace;
        if (namespace) {
          await s.request('GET', namespace, { label: 'GET the namespace it made' });
          s.track(namespace);
        }
      }
      await s.request('GET', 'pulp_container/namespaces/', { query: { name: base }, label: 'GET namespaces by name' });
    },
  },
  {
    name: 'content-guards',
    covers: "content redirect guards, which hold pulpform's server lock: create, duplicate names, synchronous PATCH, lists by name, DELETE",
    run: async (s) => {
      const endpoint = 'contentguards/core/content_redirect/';
      const name = s.name('lock');
      const guard = hrefOf(
        await s.request('POST', endpoint, { body: { name, description: '{"holder": "a"}' }, label: 'POST content redirect guard' }),
      );
      await s.request('POST', endpoint, { body: { name, description: 'again' }, label: 'POST content redirect guard (same name)' });
      await s.request('POST', endpoint, { body: { description: 'no name' }, label: 'POST content redirect guard (no name)' });
      await s.request('GET', guard, { label: 'GET content redirect guard' });
      await s.request('PATCH', guard, { body: { description: '{"holder": "b"}' }, label: 'PATCH content redirect guard' });
      await s.request('PUT', guard, { body: { description: 'put' }, label: 'PUT content redirect guard without name' });
      await s.request('GET', endpoint, { query: { name }, label: 'GET content redirect guards by name' });
      await s.request('GET', 'contentguards/', { query: { name__startswith: s.name('') }, label: 'GET content guards by prefix' });
      await s.request('DELETE', guard, { label: 'DELETE content redirect guard' });
      await s.request('GET', guard, { label: 'GET the deleted guard' });
    },
  },
];
