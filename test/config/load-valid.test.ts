import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadDesiredState } from '../../src/config/index.js';
import { isSecret } from '../../src/model/index.js';
import { loadInline } from './helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIR = 'test/fixtures/config/valid';
const ABS = `${ROOT}${DIR}`;
const ENV = { ARK_USERNAME: 'ark-user', PULP_PASSWORD: 'pulp-pw', PROXY_USER: 'proxy-user', FILE_HOST: 'files.example.com' };

/** Secrets as {source, value}, so the model can be compared with toEqual. */
function revealed(value: unknown): unknown {
  if (isSecret(value)) return { source: value.source, value: value.reveal() };
  if (Array.isArray(value)) return value.map(revealed);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealed(v)]));
  return value;
}

// Server defaults of every remote, written out by hand from FIELD_TABLES.md (3.23).
const REMOTE_DEFAULTS = {
  ca_cert: null,
  client_cert: null,
  tls_validation: true,
  proxy_url: null,
  download_concurrency: null,
  max_retries: null,
  policy: 'immediate',
  total_timeout: null,
  connect_timeout: null,
  sock_connect_timeout: null,
  sock_read_timeout: null,
  headers: null,
  rate_limit: null,
};
const UNOWNED = { secrets: {}, labels: {}, adopt: false, protect: false };
const at = (file: string, line: number, column = 5) => ({ file: `${DIR}/${file}`, line, column });

describe('loadDesiredState on a valid multi-file desired state', () => {
  test('produces the exact model: every kind and plugin, references, syncs, secrets from env and files', async () => {
    const result = await loadDesiredState(DIR, { env: ENV, cwd: ROOT });
    expect(result.diagnostics).toEqual([]);
    const state = revealed(result.state) as Record<string, unknown>;
    const files = ['00-settings.yaml', '10-rpm.yaml', '20-deb.yaml', '30-file.yaml', '40-container.yml'];
    const hash = createHash('sha256');
    for (const file of files) hash.update(readFileSync(`${ABS}/${file}`));

    expect(state.stack).toBe('seed');
    expect(state.sources).toEqual({
      files: files.map((file) => `${DIR}/${file}`),
      sha256: hash.digest('hex'),
      path: DIR,
      cwd: process.cwd(),
    });
    expect(state.server).toEqual({
      url: 'http://127.0.0.1:24817',
      username: 'admin',
      password: { source: 'env:PULP_PASSWORD', value: 'pulp-pw' },
      caCert: `${ABS}/pki/pulp-ca.pem`,
      insecure: false,
      source: at('00-settings.yaml', 4, 3),
    });
    expect(state.resources).toEqual([
      {
        address: 'remote/rpm/Rocky Linux 9 - BaseOS-remote',
        kind: 'remote',
        plugin: 'rpm',
        name: 'Rocky Linux 9 - BaseOS-remote',
        endpoint: 'remotes/rpm/rpm',
        fields: {
          ...REMOTE_DEFAULTS,
          sles_auth_token: null,
          url: 'https://ark.example.com/pulp/content/rocky/9/BaseOS/x86_64/os/20240816T002610',
          policy: 'on_demand',
          download_concurrency: 4,
          headers: [{ 'X-Team': 'infra' }],
        },
        refs: {},
        secrets: {
          username: { source: 'env:ARK_USERNAME', value: 'ark-user' },
          // One trailing newline of the file is dropped.
          password: { source: `file:${ABS}/secrets/ark-password`, value: 'ark-s3cret-pw' },
        },
        secretVersion: '2',
        labels: { team: 'infra' },
        adopt: false,
        protect: false,
        source: at('10-rpm.yaml', 2),
      },
      {
        address: 'remote/deb/Ubuntu jammy-remote',
        kind: 'remote',
        plugin: 'deb',
        name: 'Ubuntu jammy-remote',
        endpoint: 'remotes/deb/apt',
        fields: {
          ...REMOTE_DEFAULTS,
          url: 'https://ark.example.com/pulp/content/ubuntu/jammy/20240911T063424',
          policy: 'on_demand',
          proxy_url: 'http://proxy.example.com:3128',
          distributions: 'jammy jammy-updates',
          components: 'main universe',
          architectures: 'amd64',
          sync_sources: false,
          sync_udebs: false,
          sync_installer: false,
          gpgkey: null,
          ignore_missing_package_indices: false,
        },
        refs: {},
        secrets: { proxy_username: { source: 'env:PROXY_USER', value: 'proxy-user' }, proxy_password: null },
        labels: {},
        adopt: false,
        protect: false,
        source: at('20-deb.yaml', 2),
      },
      {
        address: 'remote/file/isos',
        kind: 'remote',
        plugin: 'file',
        name: 'isos',
        endpoint: 'remotes/file/file',
        fields: { ...REMOTE_DEFAULTS, url: 'https://files.example.com/isos/PULP_MANIFEST', tls_validation: false },
        refs: {},
        ...UNOWNED,
        source: at('30-file.yaml', 2),
      },
      {
        address: 'remote/container/stackhpc/barbican-api',
        kind: 'remote',
        plugin: 'container',
        name: 'stackhpc/barbican-api',
        endpoint: 'remotes/container/container',
        fields: {
          ...REMOTE_DEFAULTS,
          url: 'https://ark.example.com',
          client_cert: '-----BEGIN CERTIFICATE-----\nMIIfixturecert\n-----END CERTIFICATE-----',
          upstream_name: 'stackhpc/barbican-api',
          include_tags: ['2024.1-rocky-9-20240811T091848'],
          exclude_tags: null,
          sigstore: null,
        },
        refs: {},
        secrets: {
          client_key: {
            source: `file:${ABS}/secrets/client.key`,
            value: '-----BEGIN PRIVATE KEY-----\nMIIfixturekey\n-----END PRIVATE KEY-----',
          },
        },
        labels: {},
        adopt: false,
        protect: false,
        source: at('40-container.yml', 2),
      },
      {
        address: 'repository/rpm/Rocky Linux 9 - BaseOS',
        kind: 'repository',
        plugin: 'rpm',
        name: 'Rocky Linux 9 - BaseOS',
        endpoint: 'repositories/rpm/rpm',
        fields: {
          description: null,
          retain_repo_versions: 3,
          autopublish: false,
          metadata_signing_service: null,
          retain_package_versions: 0,
          metadata_checksum_type: null,
          package_checksum_type: null,
          gpgcheck: 0,
          repo_gpgcheck: 0,
          sqlite_metadata: false,
        },
        refs: { remote: 'remote/rpm/Rocky Linux 9 - BaseOS-remote' },
        sync: {
          marker: 'https://ark.example.com/pulp/content/rocky/9/BaseOS/x86_64/os/20240816T002610',
          options: { sync_policy: 'mirror_complete', optimize: false },
        },
        secrets: {},
        labels: {},
        adopt: true,
        protect: false,
        source: at('10-rpm.yaml', 15),
      },
      {
        address: 'repository/deb/Ubuntu jammy',
        kind: 'repository',
        plugin: 'deb',
        name: 'Ubuntu jammy',
        endpoint: 'repositories/deb/apt',
        fields: { description: null, retain_repo_versions: null },
        refs: { remote: 'remote/deb/Ubuntu jammy-remote' },
        sync: { marker: 'https://ark.example.com/pulp/content/ubuntu/jammy/20240911T063424', options: { mirror: true } },
        ...UNOWNED,
        source: at('20-deb.yaml', 14),
      },
      {
        address: 'repository/deb/Ubuntu local',
        kind: 'repository',
        plugin: 'deb',
        name: 'Ubuntu local',
        endpoint: 'repositories/deb/apt',
        fields: { description: 'packages built here', retain_repo_versions: null },
        refs: {},
        ...UNOWNED,
        source: at('20-deb.yaml', 18),
      },
      {
        address: 'repository/file/isos',
        kind: 'repository',
        plugin: 'file',
        name: 'isos',
        endpoint: 'repositories/file/file',
        // $${ escapes a literal ${.
        fields: { description: 'literal ${env:NOT_EXPANDED}', retain_repo_versions: null, autopublish: false, manifest: 'MANIFEST' },
        refs: { remote: 'remote/file/isos' },
        sync: { marker: 'https://files.example.com/isos/PULP_MANIFEST', options: {} },
        ...UNOWNED,
        source: at('30-file.yaml', 8),
      },
      {
        address: 'repository/container/stackhpc/barbican-api',
        kind: 'repository',
        plugin: 'container',
        name: 'stackhpc/barbican-api',
        endpoint: 'repositories/container/container',
        fields: { description: null, retain_repo_versions: null, manifest_signing_service: null },
        refs: { remote: 'remote/container/stackhpc/barbican-api' },
        sync: { marker: 'https://ark.example.com', options: { mirror: false } },
        ...UNOWNED,
        source: at('40-container.yml', 11),
      },
      {
        address: 'publication/rpm/Rocky Linux 9 - BaseOS',
        kind: 'publication',
        plugin: 'rpm',
        name: 'Rocky Linux 9 - BaseOS',
        endpoint: 'publications/rpm/rpm',
        fields: { gpgcheck: 1 },
        refs: { repository: 'repository/rpm/Rocky Linux 9 - BaseOS' },
        ...UNOWNED,
        source: at('10-rpm.yaml', 25),
      },
      {
        address: 'publication/deb/Ubuntu jammy',
        kind: 'publication',
        plugin: 'deb',
        name: 'Ubuntu jammy',
        endpoint: 'publications/deb/verbatim',
        fields: {},
        refs: { repository: 'repository/deb/Ubuntu jammy' },
        ...UNOWNED,
        source: at('20-deb.yaml', 23),
      },
      {
        address: 'publication/deb/Ubuntu local',
        kind: 'publication',
        plugin: 'deb',
        name: 'Ubuntu local',
        endpoint: 'publications/deb/apt',
        fields: { simple: false, structured: true, signing_service: null },
        refs: { repository: 'repository/deb/Ubuntu local' },
        ...UNOWNED,
        source: at('20-deb.yaml', 25),
      },
      {
        address: 'publication/file/isos',
        kind: 'publication',
        plugin: 'file',
        name: 'isos',
        endpoint: 'publications/file/file',
        fields: { manifest: 'PULP_MANIFEST' },
        refs: { repository: 'repository/file/isos' },
        ...UNOWNED,
        source: at('30-file.yaml', 16),
      },
      {
        address: 'distribution/rpm/rocky-9-baseos-development',
        kind: 'distribution',
        plugin: 'rpm',
        name: 'rocky-9-baseos-development',
        endpoint: 'distributions/rpm/rpm',
        fields: { base_path: 'rocky/9/BaseOS/x86_64/os/development', content_guard: null, generate_repo_config: true },
        refs: { publication: 'publication/rpm/Rocky Linux 9 - BaseOS' },
        ...UNOWNED,
        source: at('10-rpm.yaml', 29),
      },
      {
        address: 'distribution/rpm/rocky-9-baseos-production',
        kind: 'distribution',
        plugin: 'rpm',
        name: 'rocky-9-baseos-production',
        endpoint: 'distributions/rpm/rpm',
        fields: { base_path: 'rocky/9/BaseOS/x86_64/os/production', content_guard: null, generate_repo_config: false },
        refs: { repository: 'repository/rpm/Rocky Linux 9 - BaseOS' },
        secrets: {},
        labels: {},
        adopt: false,
        protect: true,
        source: at('10-rpm.yaml', 33),
      },
      {
        address: 'distribution/deb/ubuntu-jammy-development',
        kind: 'distribution',
        plugin: 'deb',
        name: 'ubuntu-jammy-development',
        endpoint: 'distributions/deb/apt',
        fields: { base_path: 'ubuntu/jammy/development', content_guard: null },
        refs: { publication: 'publication/deb/Ubuntu jammy' },
        ...UNOWNED,
        source: at('20-deb.yaml', 29),
      },
      {
        address: 'distribution/deb/ubuntu-local',
        kind: 'distribution',
        plugin: 'deb',
        name: 'ubuntu-local',
        endpoint: 'distributions/deb/apt',
        fields: { base_path: 'ubuntu/local', content_guard: null },
        refs: { publication: 'publication/deb/Ubuntu local' },
        ...UNOWNED,
        source: at('20-deb.yaml', 32),
      },
      {
        address: 'distribution/file/isos',
        kind: 'distribution',
        plugin: 'file',
        name: 'isos',
        endpoint: 'distributions/file/file',
        fields: { base_path: 'isos', content_guard: null },
        refs: { publication: 'publication/file/isos' },
        secrets: {},
        labels: { purpose: 'install media' },
        adopt: false,
        protect: false,
        source: at('30-file.yaml', 19),
      },
      {
        address: 'distribution/container/stackhpc/barbican-api',
        kind: 'distribution',
        plugin: 'container',
        name: 'stackhpc/barbican-api',
        endpoint: 'distributions/container/container',
        fields: {
          base_path: 'stackhpc/barbican-api',
          private: true,
          description: null,
          content_guard: '/pulp/api/v3/contentguards/core/content_redirect/0190d4b6-7b6e-7bd3-a8a3-6ab2f2d2b1f1/',
        },
        refs: { repository: 'repository/container/stackhpc/barbican-api' },
        ...UNOWNED,
        source: at('40-container.yml', 17),
      },
    ]);
  });

  test('one file on its own loads with the default stack and no server block', async () => {
    const result = await loadDesiredState(`${DIR}/30-file.yaml`, { env: ENV, cwd: ROOT });
    expect(result.diagnostics).toEqual([]);
    expect(result.state?.stack).toBe('default');
    expect(result.state?.server).toEqual({});
    expect(result.state?.resources.map((resource) => resource.address)).toEqual([
      'remote/file/isos',
      'repository/file/isos',
      'publication/file/isos',
      'distribution/file/isos',
    ]);
  });

  test('a literal secret loads with a warning that shows neither the value nor the line', async () => {
    const { result, cleanup } = await loadInline({
      'a.yaml': 'remotes:\n  - name: r\n    type: file\n    url: https://h/x\n    password: hunter2\n',
    });
    try {
      expect(result.state?.resources[0]?.secrets.password?.source).toBe('inline:a.yaml:5');
      expect(result.state?.resources[0]?.secrets.password?.reveal()).toBe('hunter2');
      expect(result.diagnostics).toEqual([
        expect.objectContaining({
          severity: 'warning',
          code: 'config.inline_secret',
          value: '(sensitive)',
          source: { file: 'a.yaml', line: 5, column: 15 },
        }),
      ]);
      expect(result.sources.get('a.yaml')?.[4]).toBe('    password: (sensitive)');
    } finally {
      await cleanup();
    }
  });

  test('items can share settings through YAML anchors under x- keys and merge keys', async () => {
    const { result, cleanup } = await loadInline(
      {
        'a.yaml': [
          'x-ark: &ark',
          '  type: container',
          '  url: https://ark.example.com',
          '  password: ${env:ARK_PASSWORD}',
          '  policy: on_demand',
          'remotes:',
          '  - <<: *ark',
          '    name: stackhpc/nova-api',
          '    upstream_name: stackhpc/nova-api',
          '  - <<: *ark',
          '    name: stackhpc/nova-compute',
          '    upstream_name: stackhpc/nova-compute',
          '    policy: immediate',
          '',
        ].join('\n'),
      },
      { env: { ARK_PASSWORD: 'pw' } },
    );
    try {
      expect(result.diagnostics).toEqual([]);
      expect(result.state?.resources.map((r) => [r.name, r.fields.url, r.fields.policy, r.secrets.password?.source])).toEqual([
        ['stackhpc/nova-api', 'https://ark.example.com', 'on_demand', 'env:ARK_PASSWORD'],
        ['stackhpc/nova-compute', 'https://ark.example.com', 'immediate', 'env:ARK_PASSWORD'],
      ]);
    } finally {
      await cleanup();
    }
  });
});
