import type { Answer, Scenario } from '../differential.js';

export function hrefOf(answer: Answer): string {
  const body = answer.body as { pulp_href?: unknown } | undefined;
  if (typeof body?.pulp_href !== 'string')
    throw new Error(`expected an object with a pulp_href, got ${answer.status} ${answer.text.slice(0, 300)}`);
  return body.pulp_href;
}

const UPSTREAM = 'http://127.0.0.1:1/upstream/';

export const REPOSITORIES: Scenario[] = [
  {
    name: 'rpm-repository',
    covers:
      'rpm repository fields: gpgcheck vs repo_config per version, checksums, retention, remote type checks, PATCH/PUT, name uniqueness across plugins',
    run: async (s) => {
      const endpoint = 'repositories/rpm/rpm/';
      const name = s.name('rpm');
      await s
        .request('POST', endpoint, {
          body: { name: `${name}-bad`, metadata_checksum_type: 'md4' },
          label: 'POST rpm repository (md4 checksum)',
        })
        .then((a) => a.status === 201 && s.track(hrefOf(a)));
      await s.request('POST', endpoint, {
        body: { name: `${name}-bad`, retain_repo_versions: 0 },
        label: 'POST rpm repository (retain 0)',
      });
      await s.request('POST', endpoint, {
        body: { name: `${name}-bad`, retain_package_versions: -1 },
        label: 'POST rpm repository (retain packages -1)',
      });
      await s.request('POST', endpoint, {
        body: { name: `${name}-rc`, repo_config: { gpgcheck: 1 } },
        label: 'POST rpm repository (repo_config)',
      });
      const gpg = hrefOf(
        await s.request('POST', endpoint, { body: { name: `${name}-gpg`, gpgcheck: 1 }, label: 'POST rpm repository (gpgcheck)' }),
      );
      await s.request('GET', gpg, { label: 'GET rpm repository made with gpgcheck' });
      await s.call('PATCH', gpg, { body: { gpgcheck: 1, repo_gpgcheck: 0 }, label: 'PATCH rpm repository gpgcheck' });
      await s.request('GET', gpg, { label: 'GET rpm repository after PATCH gpgcheck' });
      await s.call('PATCH', gpg, { body: { description: 'described' }, label: 'PATCH rpm repository description' });
      await s.request('GET', gpg, { label: 'GET rpm repository after PATCH description' });
      const fileRemote = hrefOf(await s.request('POST', 'remotes/file/file/', { body: { name: `${name}-fr`, url: UPSTREAM } }));
      const rpmRemote = hrefOf(await s.request('POST', 'remotes/rpm/rpm/', { body: { name: `${name}-rr`, url: UPSTREAM } }));
      const repo = hrefOf(
        await s.request('POST', endpoint, {
          body: {
            name,
            description: 'first',
            remote: rpmRemote,
            retain_repo_versions: 3,
            retain_package_versions: 2,
            autopublish: true,
            pulp_labels: { stage: 'dev' },
          },
        }),
      );
      await s.request('POST', endpoint, { body: { name, remote: fileRemote }, label: 'POST rpm repository (file remote, same name)' });
      await s.request('POST', endpoint, { body: { name: `${name}-x`, remote: fileRemote }, label: 'POST rpm repository (file remote)' });
      await s.request('POST', endpoint, {
        body: { name: `${name}-y`, remote: '/pulp/api/v3/remotes/rpm/rpm/0190c0de-0000-7000-8000-000000000000/' },
        label: 'POST rpm repository (remote missing)',
      });
      await s.request('POST', endpoint, {
        body: { name: `${name}-z`, remote: 'not-an-href' },
        label: 'POST rpm repository (remote no href)',
      });
      await s.request('POST', 'repositories/file/file/', { body: { name }, label: "POST file repository with the rpm one's name" });
      await s.request('GET', repo);
      await s.request('GET', `${repo}versions/`);
      await s.request('GET', `${repo}versions/0/`);
      await s.request('GET', `${repo}versions/1/`);
      await s.call('PATCH', repo, { body: { remote: fileRemote }, label: 'PATCH rpm repository file remote' });
      await s.call('PATCH', repo, { body: { remote: null, description: null }, label: 'PATCH rpm repository remote null' });
      await s.call('PATCH', repo, { body: { retain_repo_versions: 3 }, label: 'PATCH rpm repository same retain' });
      await s.call('PUT', repo, { body: { name }, label: 'PUT rpm repository' });
      await s.request('GET', repo, { label: 'GET rpm repository after PUT' });
      await s.request('GET', 'repositories/', { query: { name__startswith: s.name('') } });
      await s.request('GET', endpoint, { query: { name__startswith: s.name(''), ordering: 'name' } });
      await s.request('GET', endpoint, { query: { remote: rpmRemote } });
    },
  },
  {
    name: 'deb-file-container-repositories',
    covers: 'deb signing fields and defaults, file autopublish/manifest, container repositories and their push counterparts',
    run: async (s) => {
      const name = s.name('repo');
      const deb = hrefOf(await s.request('POST', 'repositories/deb/apt/', { body: { name: `${name}-deb` } }));
      await s.request('GET', deb);
      await s.call('PATCH', deb, { body: { description: 'deb' }, label: 'PATCH deb repository' });
      await s.request('POST', 'repositories/deb/apt/', {
        body: { name: `${name}-deb2`, signing_service: '/pulp/api/v3/signing-services/0190c0de-0000-7000-8000-000000000000/' },
        label: 'POST deb repository (missing signing service)',
      });
      const file = hrefOf(
        await s.request('POST', 'repositories/file/file/', { body: { name: `${name}-file`, autopublish: true, manifest: 'MANIFEST' } }),
      );
      await s.request('GET', file);
      const ctr = hrefOf(await s.request('POST', 'repositories/container/container/', { body: { name: `${name}-ctr` } }));
      await s.request('GET', ctr);
      await s.request('POST', 'repositories/container/container-push/', {
        body: { name: `${name}-push` },
        label: 'POST container-push repository',
      });
      await s.request('GET', 'repositories/container/container-push/', { query: { name__startswith: s.name('') } });
      await s.request('GET', 'repositories/', { query: { name__startswith: s.name(''), ordering: '-name' } });
    },
  },
];
