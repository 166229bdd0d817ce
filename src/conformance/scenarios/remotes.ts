import type { Answer, DifferentialSession, Scenario } from '../differential.js';

const UPSTREAM = 'http://127.0.0.1:1/upstream/';

function href(answer: Answer): string {
  const body = answer.body as { pulp_href?: unknown } | undefined;
  if (typeof body?.pulp_href !== 'string')
    throw new Error(`expected an object with a pulp_href, got ${answer.status} ${answer.text.slice(0, 300)}`);
  return body.pulp_href;
}

/** Create-time validation every remote type shares: required and unknown fields, choices, numbers, labels, URLs. */
async function remoteValidation(s: DifferentialSession, endpoint: string, tag: string): Promise<void> {
  const name = s.name(`${tag}-bad`);
  await s.request('POST', endpoint, { body: {}, label: `POST ${endpoint} (empty)` });
  await s.request('POST', endpoint, { body: { name }, label: `POST ${endpoint} (no url)` });
  await s.request('POST', endpoint, { body: { name, url: UPSTREAM, policy: 'lazy' }, label: `POST ${endpoint} (bad policy)` });
  await s.request('POST', endpoint, { body: { name, url: UPSTREAM, bogus_field: 1 }, label: `POST ${endpoint} (unknown field)` });
  await s.request('POST', endpoint, {
    body: { name, url: UPSTREAM, download_concurrency: 0, total_timeout: -1 },
    label: `POST ${endpoint} (out of range)`,
  });
  await s.request('POST', endpoint, {
    body: { name, url: UPSTREAM, tls_validation: 'perhaps', max_retries: 'x' },
    label: `POST ${endpoint} (bad types)`,
  });
  await s.request('POST', endpoint, { body: { name: '', url: UPSTREAM }, label: `POST ${endpoint} (blank name)` });
  await s.request('POST', endpoint, { body: { name: null, url: UPSTREAM }, label: `POST ${endpoint} (null name)` });
  await s
    .request('POST', endpoint, { body: { name, url: 'not a url' }, label: `POST ${endpoint} (not a url)` })
    .then((a) => a.status === 201 && s.track(href(a)));
  await s.request('POST', endpoint, { body: { name: `${name}-ftp`, url: 'ftp://127.0.0.1/x/' }, label: `POST ${endpoint} (ftp url)` });
  await s.request('POST', endpoint, {
    body: { name: `${name}-creds`, url: 'http://user:pw@127.0.0.1:1/x/' },
    label: `POST ${endpoint} (credentials in url)`,
  });
  await s.request('POST', endpoint, {
    body: { name: `${name}-proxy`, url: UPSTREAM, proxy_username: 'u' },
    label: `POST ${endpoint} (proxy user without proxy)`,
  });
  const badLabels: Record<string, string>[] = [
    { 'cf-env': 'x' },
    { 'a b': 'x' },
    { 'a.b': 'x' },
    { 'bad key!': 'x' },
    { ok: 'a,b' },
    { ok: '(x)' },
  ];
  for (const [i, labels] of badLabels.entries()) {
    await s.request('POST', endpoint, {
      body: { name: `${name}-label${i}`, url: UPSTREAM, pulp_labels: labels },
      label: `POST ${endpoint} (labels ${JSON.stringify(labels)})`,
    });
  }
  await s.request('POST', endpoint, {
    body: { name: `${name}-labels`, url: UPSTREAM, pulp_labels: ['a'] },
    label: `POST ${endpoint} (labels not a dict)`,
  });
  await s.request('POST', endpoint, { rawBody: '"just a string"', label: `POST ${endpoint} (a JSON string)` });
  await s.request('POST', endpoint, { rawBody: '{"name": ', label: `POST ${endpoint} (malformed JSON)` });
}

/** Create, read, update (PATCH, PUT, no-op), list and delete one remote of a type. */
async function remoteLifecycle(
  s: DifferentialSession,
  endpoint: string,
  tag: string,
  extra: Record<string, string | string[]> = {},
): Promise<string> {
  const name = s.name(tag);
  const created = href(
    await s.request('POST', endpoint, { body: { name, url: UPSTREAM, pulp_labels: { stage: 'dev', 'a b': 'spaced' }, ...extra } }),
  );
  await s.request('POST', endpoint, { body: { name, url: UPSTREAM }, label: `POST ${endpoint} (same name)` });
  await s.request('GET', created);
  await s.call('PATCH', created, {
    body: { url: `${UPSTREAM}v2/`, password: 'secret', tls_validation: false },
    label: `PATCH ${endpoint} (change)`,
  });
  await s.request('GET', created, { label: `GET ${endpoint} after PATCH` });
  await s.call('PATCH', created, { body: { url: `${UPSTREAM}v2/` }, label: `PATCH ${endpoint} (no change)` });
  await s.call('PATCH', created, { body: { password: 'secret' }, label: `PATCH ${endpoint} (same secret)` });
  await s.call('PATCH', created, { body: { policy: 'on_demand', bogus: 1 }, label: `PATCH ${endpoint} (unknown field)` });
  await s.call('PUT', created, { body: { url: UPSTREAM }, label: `PUT ${endpoint} (no name)` });
  await s.call('PUT', created, { body: { name, url: UPSTREAM }, label: `PUT ${endpoint} (resets the rest)` });
  await s.request('GET', created, { label: `GET ${endpoint} after PUT` });
  await s.call('PATCH', created, { body: { pulp_labels: { stage: 'prod' } }, label: `PATCH ${endpoint} (labels)` });
  await s.request('GET', endpoint, { query: { name }, label: `GET ${endpoint}?name=` });
  return created;
}

export const REMOTES: Scenario[] = [
  {
    name: 'rpm-remote',
    covers:
      'rpm remote validation (URL rules, choices, ranges, labels, bodies that are not objects), PATCH, PUT, no-op updates, hidden_fields',
    run: async (s) => {
      await remoteValidation(s, 'remotes/rpm/rpm/', 'rpm');
      await remoteLifecycle(s, 'remotes/rpm/rpm/', 'rpm', { sles_auth_token: 'tok' });
    },
  },
  {
    name: 'file-remote',
    covers: 'file remote validation and lifecycle (pulpcore URL rules)',
    run: async (s) => {
      await remoteValidation(s, 'remotes/file/file/', 'file');
      await remoteLifecycle(s, 'remotes/file/file/', 'file');
    },
  },
  {
    name: 'deb-remote',
    covers: 'deb remote fields (distributions required, sync_* flags), validation and lifecycle',
    run: async (s) => {
      const endpoint = 'remotes/deb/apt/';
      await s.request('POST', endpoint, {
        body: { name: s.name('deb-nodist'), url: UPSTREAM },
        label: 'POST deb remote without distributions',
      });
      await remoteLifecycle(s, endpoint, 'deb', { distributions: 'stable', components: 'main', architectures: 'amd64' });
    },
  },
  {
    name: 'container-remote',
    covers: 'container remote: upstream_name required, include_tags/exclude_tags vs includes/excludes, sigstore',
    run: async (s) => {
      const endpoint = 'remotes/container/container/';
      await s.request('POST', endpoint, {
        body: { name: s.name('ctr-noup'), url: UPSTREAM },
        label: 'POST container remote without upstream_name',
      });
      const remote = href(
        await s.request('POST', endpoint, {
          body: { name: s.name('ctr'), url: UPSTREAM, upstream_name: 'tiny/hello', include_tags: ['latest', 'v*'], exclude_tags: ['v9'] },
          label: 'POST container remote with include_tags',
        }),
      );
      await s.request('GET', remote);
      await s.call('PATCH', remote, { body: { include_tags: ['latest'] }, label: 'PATCH container remote include_tags' });
      await s.request('GET', remote, { label: 'GET container remote after include_tags' });
      await s.request('POST', endpoint, {
        body: { name: s.name('ctr-tags'), url: UPSTREAM, upstream_name: 'tiny/hello', include_tags: 'latest' },
        label: 'POST container remote include_tags not a list',
      });
      await s.request('POST', endpoint, {
        body: { name: s.name('ctr-sig'), url: UPSTREAM, upstream_name: 'tiny/hello', sigstore: 'nope' },
        label: 'POST container remote bad sigstore',
      });
      await s.request('POST', endpoint, {
        body: { name: s.name('ctr-up'), url: UPSTREAM, upstream_name: 'tiny/hello', policy: 'streamed' },
        label: 'POST container remote policy streamed',
      });
    },
  },
];
