import { describe, expect, test } from '@jest/globals';
import type { DesiredResource, Diagnostic } from '../../src/model/index.js';
import { loadInline } from './helpers.js';

// The Release Train's high-level kinds: upstreams, package_mirrors and container_mirrors expand
// into the low-level remotes, repositories, publications and distributions the plan works on.

const ENV = { ARK_URL: 'https://ark.stackhpc.com', ARK_USERNAME: 'ark-user', ARK_PASSWORD: 'ark-s3cret' };

const UPSTREAMS = `upstreams:
  - name: ark
    url: \${env:ARK_URL}
    username: \${env:ARK_USERNAME}
    password: \${env:ARK_PASSWORD}
    secret_version: 2
  - name: quay
    url: https://quay.io/
`;

const ROCKY = `package_mirrors:
  - name: Rocky Linux 9 - BaseOS
    type: rpm
    upstream: ark
    path: /rocky/9.4/BaseOS/x86_64/os/
    snapshot: 20240816T002610
    policy: on_demand
    sync_policy: mirror_complete
    retain: 3
    labels: { team: infra }
    distributions:
      development: { name: rocky-9-baseos-development, base_path: rocky/9/BaseOS/x86_64/os/development }
      production:
        name: rocky-9-baseos-production
        base_path: rocky/9/BaseOS/x86_64/os/production
        snapshot: 20240715T000000
`;

async function load(yaml: string, env: NodeJS.ProcessEnv = ENV): Promise<{ resources: DesiredResource[]; diagnostics: Diagnostic[] }> {
  const { result, cleanup } = await loadInline({ 'state.yaml': yaml }, { env });
  await cleanup();
  return { resources: result.state?.resources ?? [], diagnostics: result.diagnostics };
}

function byAddress(resources: DesiredResource[]): Map<string, DesiredResource> {
  return new Map(resources.map((resource) => [resource.address, resource]));
}

describe('package_mirrors', () => {
  test('an rpm mirror expands to remote, repository, one publication per served snapshot and its distributions', async () => {
    const { resources, diagnostics } = await load(UPSTREAMS + ROCKY);
    expect(diagnostics).toEqual([]);
    expect(resources.map((r) => r.address)).toEqual([
      'remote/rpm/Rocky Linux 9 - BaseOS-remote',
      'repository/rpm/Rocky Linux 9 - BaseOS',
      'publication/rpm/Rocky Linux 9 - BaseOS@20240816T002610',
      'publication/rpm/Rocky Linux 9 - BaseOS@20240715T000000',
      'distribution/rpm/rocky-9-baseos-development',
      'distribution/rpm/rocky-9-baseos-production',
    ]);
    const [remote, repository, development, production, devDistribution, prodDistribution] = resources;
    // The URL the Ansible tooling gives the remote, so an adopted remote keeps its URL.
    expect(remote?.fields.url).toBe('https://ark.stackhpc.com/pulp/content/rocky/9.4/BaseOS/x86_64/os/20240816T002610');
    expect(remote?.fields.policy).toBe('on_demand');
    expect(Object.fromEntries(Object.entries(remote?.secrets ?? {}).map(([field, secret]) => [field, secret?.source]))).toEqual({
      username: 'env:ARK_USERNAME',
      password: 'env:ARK_PASSWORD',
    });
    expect(remote?.secretVersion).toBe('2');
    expect(remote?.labels).toEqual({ team: 'infra' });
    expect(repository?.refs).toEqual({ remote: 'remote/rpm/Rocky Linux 9 - BaseOS-remote' });
    expect(repository?.sync).toEqual({ marker: '20240816T002610', options: { sync_policy: 'mirror_complete' } });
    expect(repository?.retain).toBe(3);
    expect(development).toMatchObject({
      name: 'Rocky Linux 9 - BaseOS',
      snapshot: '20240816T002610',
      endpoint: 'publications/rpm/rpm',
      refs: { repository: 'repository/rpm/Rocky Linux 9 - BaseOS' },
    });
    expect(production?.snapshot).toBe('20240715T000000');
    expect(devDistribution).toMatchObject({
      snapshot: '20240816T002610',
      refs: { publication: 'publication/rpm/Rocky Linux 9 - BaseOS@20240816T002610' },
      fields: { base_path: 'rocky/9/BaseOS/x86_64/os/development' },
      labels: { team: 'infra' },
      source: { file: 'state.yaml', line: 20, column: 20 },
    });
    expect(prodDistribution).toMatchObject({
      snapshot: '20240715T000000',
      refs: { publication: 'publication/rpm/Rocky Linux 9 - BaseOS@20240715T000000' },
      source: { line: 22 },
    });
    expect(remote?.source).toEqual({ file: 'state.yaml', line: 10, column: 5 });
  });

  test("production following the mirror's snapshot shares the development publication", async () => {
    const { resources } = await load(UPSTREAMS + ROCKY.replace('        snapshot: 20240715T000000\n', ''));
    expect(resources.filter((r) => r.kind === 'publication').map((r) => r.address)).toEqual([
      'publication/rpm/Rocky Linux 9 - BaseOS@20240816T002610',
    ]);
    expect(byAddress(resources).get('distribution/rpm/rocky-9-baseos-production')?.refs.publication).toBe(
      'publication/rpm/Rocky Linux 9 - BaseOS@20240816T002610',
    );
  });

  test('a deb mirror publishes verbatim by default; one without a snapshot syncs when its URL changes and serves the latest', async () => {
    const { resources, diagnostics } = await load(`${UPSTREAMS}package_mirrors:
  - name: Ubuntu jammy
    type: deb
    upstream: ark
    path: ubuntu/jammy
    snapshot: 20240911T063424
    dists: jammy jammy-updates
    components: main universe
    architectures: amd64
    mirror: true
    distributions:
      development: { name: ubuntu-jammy-development, base_path: ubuntu/jammy/development }
  - name: Ubuntu jammy CVE-2024-6387
    type: deb
    upstream: ark
    path: ubuntu-jammy-cve-2024-6387
    dists: pulp
    publication_mode: structured
    distributions:
      development: { name: ubuntu-jammy-cve-2024-6387-development, base_path: ubuntu-jammy-cve-2024-6387/development }
`);
    expect(diagnostics).toEqual([]);
    const all = byAddress(resources);
    expect(all.get('remote/deb/Ubuntu jammy-remote')?.fields).toMatchObject({
      url: 'https://ark.stackhpc.com/pulp/content/ubuntu/jammy/20240911T063424',
      distributions: 'jammy jammy-updates',
      components: 'main universe',
      architectures: 'amd64',
    });
    expect(all.get('repository/deb/Ubuntu jammy')?.sync).toEqual({ marker: '20240911T063424', options: { mirror: true } });
    expect(all.get('publication/deb/Ubuntu jammy@20240911T063424')?.endpoint).toBe('publications/deb/verbatim');

    const url = 'https://ark.stackhpc.com/pulp/content/ubuntu-jammy-cve-2024-6387/';
    expect(all.get('remote/deb/Ubuntu jammy CVE-2024-6387-remote')?.fields.url).toBe(url);
    expect(all.get('repository/deb/Ubuntu jammy CVE-2024-6387')?.sync).toEqual({ marker: url, options: {} });
    expect(all.get('publication/deb/Ubuntu jammy CVE-2024-6387')).toMatchObject({
      endpoint: 'publications/deb/apt',
      fields: { structured: true },
    });
    const distribution = all.get('distribution/deb/ubuntu-jammy-cve-2024-6387-development');
    expect(distribution?.refs).toEqual({ publication: 'publication/deb/Ubuntu jammy CVE-2024-6387' });
    expect(distribution?.snapshot).toBeUndefined();
  });

  test('remote_name, content_path and enabled: false', async () => {
    const { resources, diagnostics } = await load(`upstreams:
  - { name: mirror, url: "http://127.0.0.1:8080/", content_path: content }
package_mirrors:
  - { name: epel, type: rpm, upstream: mirror, path: epel/9, snapshot: 20240902T080424, remote_name: epel-upstream }
  - { name: centos, type: rpm, upstream: nowhere, path: centos/8, enabled: false }
`);
    expect(diagnostics).toEqual([]);
    expect(resources.map((r) => [r.address, r.fields.url])).toEqual([
      ['remote/rpm/epel-upstream', 'http://127.0.0.1:8080/content/epel/9/20240902T080424'],
      ['repository/rpm/epel', undefined],
      ['publication/rpm/epel@20240902T080424', undefined],
    ]);
  });
});

describe('container_mirrors', () => {
  const KOLLA = `container_mirrors:
  - upstream: ark
    namespace: stackhpc
    images: [barbican-api, bifrost-deploy]
    policy: on_demand
    group: kolla
    filter: ^bifrost
  - upstream: quay
    namespace: ceph
    images:
      - { name: ceph, distribution: ceph, include_tags: [v18.2.4] }
      - { name: haproxy, include_tags: ["2.6"] }
    exclude_tags: ["*-rc*"]
  - upstream: ark
    namespace: stackhpc
    prefix: centos-source-
    images: [nova-api]
`;

  test('each image expands to <ns>/<image>-remote, repository and distribution <ns>/<image>, as the Ansible tooling names them', async () => {
    const { resources, diagnostics } = await load(UPSTREAMS + KOLLA);
    expect(diagnostics).toEqual([]);
    const all = byAddress(resources);
    expect([...all.keys()].filter((a) => a.startsWith('distribution/'))).toEqual([
      'distribution/container/stackhpc/barbican-api',
      'distribution/container/stackhpc/bifrost-deploy',
      'distribution/container/ceph',
      'distribution/container/ceph/haproxy',
      'distribution/container/stackhpc/centos-source-nova-api',
    ]);
    const remote = all.get('remote/container/stackhpc/barbican-api-remote');
    expect(remote?.fields).toMatchObject({
      url: 'https://ark.stackhpc.com',
      upstream_name: 'stackhpc/barbican-api',
      policy: 'on_demand',
      include_tags: null,
      exclude_tags: null,
    });
    expect(Object.keys(remote?.secrets ?? {})).toEqual(['username', 'password']);
    expect(remote?.image).toEqual({ name: 'barbican-api', group: 'kolla', filter: '^bifrost' });
    expect(all.get('repository/container/stackhpc/barbican-api')?.sync).toEqual({ marker: 'tags:*', options: {} });
    expect(all.get('distribution/container/stackhpc/barbican-api')).toMatchObject({
      fields: { base_path: 'stackhpc/barbican-api' },
      refs: { repository: 'repository/container/stackhpc/barbican-api' },
      source: { line: 12, column: 14 },
    });

    expect(all.get('remote/container/ceph/ceph-remote')?.fields).toMatchObject({
      url: 'https://quay.io',
      upstream_name: 'ceph/ceph',
      include_tags: ['v18.2.4'],
      exclude_tags: ['*-rc*'],
    });
    expect(all.get('remote/container/ceph/ceph-remote')?.secrets).toEqual({});
    expect(all.get('repository/container/ceph/ceph')?.sync?.marker).toBe('tags:v18.2.4 except:*-rc*');
    expect(all.get('distribution/container/ceph')).toMatchObject({
      fields: { base_path: 'ceph/ceph' },
      refs: { repository: 'repository/container/ceph/ceph' },
    });
    expect(all.get('remote/container/stackhpc/centos-source-nova-api-remote')?.fields.upstream_name).toBe(
      'stackhpc/centos-source-nova-api',
    );
    expect(all.get('repository/container/stackhpc/centos-source-nova-api')?.image).toEqual({ name: 'nova-api' });
  });

  test('the sync marker follows the tag selection, not the order it is written in', async () => {
    const marker = async (tags: string): Promise<string | undefined> => {
      const { resources } = await load(
        `${UPSTREAMS}container_mirrors:\n  - { upstream: quay, namespace: ceph, images: [ceph], include_tags: ${tags} }\n`,
      );
      return resources.find((r) => r.kind === 'repository')?.sync?.marker;
    };
    expect(await marker('[b, a, a]')).toBe('tags:a b');
    expect(await marker('[a, b]')).toBe('tags:a b');
    expect(await marker('[a, c]')).toBe('tags:a c');
  });
});

interface Mistake {
  title: string;
  yaml: string;
  code: string;
  at: [number, number];
  hint: string;
  detail?: string;
  value?: unknown;
}

const MISTAKES: Mistake[] = [
  {
    title: 'unknown upstream, with the closest declared one',
    yaml: UPSTREAMS + ROCKY.replace('upstream: ark', 'upstream: arc'),
    code: 'config.unknown_upstream',
    at: [12, 15],
    hint: 'Use "ark", or declare "arc" under "upstreams:".',
    value: 'arc',
  },
  {
    title: 'snapshot that is not a stamp',
    yaml: UPSTREAMS + ROCKY.replace('snapshot: 20240816T002610', 'snapshot: 2024-08-16'),
    code: 'config.invalid_snapshot',
    at: [14, 15],
    detail: 'named by their UTC date and time as YYYYMMDDTHHMMSS',
    hint: "last segment of the snapshot's URL on the upstream, e.g. 20240816T002610",
    value: '2024-08-16',
  },
  {
    title: 'production pin that is not a stamp',
    yaml: UPSTREAMS + ROCKY.replace('snapshot: 20240715T000000', 'snapshot: 20241315T000000'),
    code: 'config.invalid_snapshot',
    at: [24, 19],
    hint: 'e.g. 20240816T002610',
    value: '20241315T000000',
  },
  {
    title: 'a pin on a mirror that has no snapshot',
    yaml: UPSTREAMS + ROCKY.replace('    snapshot: 20240816T002610\n', ''),
    code: 'config.pin_without_snapshot',
    at: [23, 9],
    hint: 'Add "snapshot: YYYYMMDDTHHMMSS" to the mirror, or remove the pin.',
    value: '20240715T000000',
  },
  {
    title: 'two mirrors generating the same distribution name, pointing at both',
    yaml:
      UPSTREAMS +
      ROCKY +
      ROCKY.replace('package_mirrors:\n', '')
        .replace('name: Rocky Linux 9 - BaseOS', 'name: Rocky Linux 9 - BaseOS copy')
        .replaceAll('base_path: rocky/9/', 'base_path: copy/rocky/9/'),
    code: 'config.duplicate_name',
    at: [35, 28],
    detail: 'Another distribution named "rocky-9-baseos-development" is declared at state.yaml line 20.',
    hint: 'Rename one of them',
    value: 'rocky-9-baseos-development',
  },
  {
    title: 'two mirrors serving the same base path, pointing at both',
    yaml:
      UPSTREAMS +
      ROCKY +
      ROCKY.replace('package_mirrors:\n', '')
        .replace('name: Rocky Linux 9 - BaseOS', 'name: Rocky Linux 9 - BaseOS copy')
        .replaceAll('name: rocky-9', 'name: copy-rocky-9'),
    code: 'config.duplicate_base_path',
    at: [35, 72],
    detail: '(state.yaml line 20) already serves',
    hint: 'Give each distribution its own base path.',
  },
  {
    title: 'image listed twice',
    yaml: `${UPSTREAMS}container_mirrors:\n  - upstream: ark\n    namespace: stackhpc\n    images:\n      - nova-api\n      - keystone\n      - nova-api\n`,
    code: 'config.duplicate_image',
    at: [15, 9],
    detail: 'already listed at state.yaml line 13',
    hint: 'Remove one of the two entries',
    value: 'nova-api',
  },
  {
    title: 'filter regex that does not compile',
    yaml: `${UPSTREAMS}container_mirrors:\n  - { upstream: ark, namespace: stackhpc, images: [nova-api], filter: "^nova (keystone" }\n`,
    code: 'config.invalid_filter',
    at: [10, 71],
    detail: '"(keystone" is not a valid regular expression',
    hint: 'whitespace-separated regular expressions',
  },
  {
    title: 'uppercase image name, which no registry path allows',
    yaml: `${UPSTREAMS}container_mirrors:\n  - { upstream: ark, namespace: stackhpc, images: [Nova-API] }\n`,
    code: 'config.invalid_image',
    at: [10, 52],
    hint: 'lowercase letters',
    value: 'Nova-API',
  },
  {
    title: 'deb mirror without dists',
    yaml: `${UPSTREAMS}package_mirrors:\n  - { name: jammy, type: deb, upstream: ark, path: ubuntu/jammy }\n`,
    code: 'config.missing_field',
    at: [10, 5],
    hint: 'dists: jammy jammy-updates',
  },
  {
    title: 'deb field on an rpm mirror',
    yaml: UPSTREAMS + ROCKY.replace('    sync_policy: mirror_complete\n', '    mirror: true\n'),
    code: 'config.unknown_field',
    at: [16, 5],
    hint: 'rpm mirrors take sync_policy',
    value: 'mirror',
  },
  {
    title: 'upstream URL with credentials, redacted',
    yaml: 'upstreams:\n  - { name: ark, url: "https://user:hunter2@ark.stackhpc.com" }\n',
    code: 'config.url_credentials',
    at: [2, 23],
    hint: 'set username and password',
    value: 'https://(sensitive)@ark.stackhpc.com',
  },
  {
    title: 'two upstreams of one name',
    yaml: `${UPSTREAMS}  - { name: ark, url: "https://ark.example.com" }\n`,
    code: 'config.duplicate_name',
    at: [9, 13],
    detail: 'declared at state.yaml line 2',
    hint: 'Rename one of them',
    value: 'ark',
  },
  {
    title: 'misspelt field of a mirror',
    yaml: UPSTREAMS + ROCKY.replace('sync_policy:', 'sync_polcy:'),
    code: 'config.unknown_field',
    at: [16, 5],
    hint: 'Rename it to "sync_policy".',
    value: 'sync_polcy',
  },
];

describe('mistakes in mirrors are reported where they are written, with the fix', () => {
  test.each(MISTAKES)('$title', async (mistake) => {
    const { resources, diagnostics } = await load(mistake.yaml);
    const found = diagnostics.find((d) => d.code === mistake.code);
    expect(found).toBeDefined();
    expect(found?.severity).toBe('error');
    expect(resources).toEqual([]);
    expect([found?.source?.line, found?.source?.column]).toEqual(mistake.at);
    expect(found?.hint).toContain(mistake.hint);
    if (mistake.detail !== undefined) expect(found?.detail).toContain(mistake.detail);
    if (mistake.value !== undefined) expect(found?.value).toEqual(mistake.value);
    expect(JSON.stringify(diagnostics)).not.toContain('hunter2');
    expect(JSON.stringify(diagnostics)).not.toContain(ENV.ARK_PASSWORD);
  });

  test('a mistake shared by every generated item is reported once', async () => {
    const { diagnostics } = await load(UPSTREAMS + ROCKY.replace('labels: { team: infra }', 'labels: { team/name: infra }'));
    expect(diagnostics.map((d) => [d.code, d.source?.line])).toEqual([['config.invalid_label', 18]]);
  });
});
