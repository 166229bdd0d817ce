import { describe, expect, test } from '@jest/globals';
import { selectHostEntries } from '../../src/clientconfig/entries.js';
import { renderHostFile } from '../../src/clientconfig/render.js';
import type { DesiredState, Diagnostic } from '../../src/model/index.js';
import { loadInline } from '../config/helpers.js';

// From the desired state to hosts' files, without a server: which distributions each
// environment lists, how they are named, and what the YAML says about signatures.

const UPSTREAM = 'upstreams:\n  - { name: ark, url: "https://ark.example.test" }\n';
const CONTEXT = { stack: 'test', contentBase: 'http://seed:8080/pulp/content/', registry: { host: 'seed:8080', insecure: true } };

async function load(yaml: string): Promise<{ state?: DesiredState; diagnostics: Diagnostic[] }> {
  const { result, cleanup } = await loadInline({ 'state.yaml': yaml });
  await cleanup();
  return { ...(result.state !== undefined ? { state: result.state } : {}), diagnostics: result.diagnostics };
}

async function loadValid(yaml: string): Promise<DesiredState> {
  const { state, diagnostics } = await load(yaml);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return state as DesiredState;
}

const ROCKY = `${UPSTREAM}package_mirrors:
  - name: Rocky Linux 9 - BaseOS
    type: rpm
    upstream: ark
    path: rocky/9.4/BaseOS/x86_64/os
    snapshot: 20240816T002610
    gpgcheck: true
    repo_gpgcheck: false
    gpgkey: [file:///etc/pki/rpm-gpg/RPM-GPG-KEY-Rocky-9, https://keys.example.com/extra.asc]
    distributions:
      development: { name: rocky-9-baseos-development, base_path: rocky/9/BaseOS/x86_64/os/development }
      production: { name: rocky-9-baseos-production, base_path: rocky/9/BaseOS/x86_64/os/production }
  - name: Rocky Linux 9 / BaseOS
    type: rpm
    upstream: ark
    path: rocky/9.4/BaseOS/x86_64/os
    distributions:
      development: { name: other-baseos-development, base_path: other/development }
`;

describe('dnf repositories', () => {
  test("carry gpgcheck, repo_gpgcheck and gpgkey from the mirror; ids clashing after slugging fall back to the distribution's name", async () => {
    const state = await loadValid(ROCKY);
    const { entries, environments, diagnostics } = selectHostEntries(state, 'dnf', 'development');
    expect(diagnostics).toEqual([]);
    expect(environments).toEqual(['development', 'production']);
    expect(
      renderHostFile('dnf', entries, { ...CONTEXT, environment: 'development' })
        .split('\n\n')
        .slice(1),
    ).toEqual([
      [
        '[rocky-9-baseos-development]',
        'name=Rocky Linux 9 - BaseOS (development)',
        'baseurl=http://seed:8080/pulp/content/rocky/9/BaseOS/x86_64/os/development/',
        'enabled=1',
        'gpgcheck=1',
        'repo_gpgcheck=0',
        'gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-Rocky-9 https://keys.example.com/extra.asc',
      ].join('\n'),
      [
        '[other-baseos-development]',
        'name=Rocky Linux 9 / BaseOS (development)',
        'baseurl=http://seed:8080/pulp/content/other/development/',
        'enabled=1\n',
      ].join('\n'),
    ]);
  });

  test('low-level distributions serve every environment; one serving nothing is left out with a warning', async () => {
    const state = await loadValid(`${ROCKY}repositories:
  - { name: local, type: rpm }
publications:
  - repository: local
distributions:
  - { name: local, base_path: local, publication: local }
  - { name: nothing, base_path: nothing, type: rpm }
`);
    const { entries, diagnostics } = selectHostEntries(state, 'dnf', 'production');
    expect(entries.map((entry) => [entry.distribution, entry.environment])).toEqual([
      ['local', undefined],
      ['rocky-9-baseos-production', 'production'],
    ]);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'client.left_out',
        summary: 'Distribution nothing left out',
        address: 'distribution/rpm/nothing',
      }),
    ]);
  });
});

test('a format the desired state serves nothing for warns, and lists nothing', async () => {
  const { entries, diagnostics } = selectHostEntries(await loadValid(ROCKY), 'apt', 'development');
  expect(entries).toEqual([]);
  expect(diagnostics).toEqual([
    expect.objectContaining({
      severity: 'warning',
      code: 'client.nothing_served',
      hint: 'Use --format dnf or registry, or add package_mirrors of type deb.',
    }),
  ]);
});

describe('apt sources', () => {
  const DEB = `${UPSTREAM}package_mirrors:
  - name: Docker CE
    type: deb
    upstream: ark
    path: docker-ce/ubuntu-jammy
    dists: jammy
    components: stable
    signed_by: /usr/share/keyrings/docker.gpg
    distributions:
      production: { name: docker-production, base_path: docker/production }
  - name: Simple
    type: deb
    upstream: ark
    path: simple
    dists: jammy
    publication_mode: simple
    architectures: amd64 arm64
    distributions:
      production: { name: simple-production, base_path: simple/production }
`;

  test('list each suite with its components, signed-by and arch options; a simple publication is dists/default, component all', async () => {
    const state = await loadValid(DEB);
    const { entries, diagnostics } = selectHostEntries(state, 'apt', 'production');
    expect(diagnostics).toEqual([]);
    const lines = renderHostFile('apt', entries, { ...CONTEXT, environment: 'production' })
      .split('\n')
      .filter((line) => line.startsWith('deb '));
    expect(lines).toEqual([
      'deb [signed-by=/usr/share/keyrings/docker.gpg] http://seed:8080/pulp/content/docker/production/ jammy stable',
      'deb [arch=amd64,arm64] http://seed:8080/pulp/content/simple/production/ default all',
    ]);
  });

  test('a mirror of every component is an error naming the distribution and the fix, since apt needs them named', async () => {
    const state = await loadValid(DEB.replace('    components: stable\n', ''));
    const { diagnostics } = selectHostEntries(state, 'apt', 'production');
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: 'error',
        summary: 'Distribution docker-production left out',
        detail: 'It mirrors every component of jammy, and apt needs them named.',
        hint: expect.stringContaining('Add "components: main ..."'),
        source: expect.objectContaining({ file: 'state.yaml' }),
      }),
    ]);
  });
});

describe('host-side fields of package mirrors are validated where they are written', () => {
  test.each([
    { title: 'a gpgkey that is not a URL', field: 'gpgkey: RPM-GPG-KEY-Rocky-9', code: 'config.invalid_gpgkey', detail: 'is not a URL' },
    {
      title: 'a gpgkey with credentials, not echoed',
      field: 'gpgkey: ["https://user:hunter2@keys.example.com/k.asc"]',
      code: 'config.invalid_gpgkey',
      detail: 'credentials',
    },
    {
      title: 'a gpgkey of another scheme',
      field: 'gpgkey: ssh://keys.example.com/k',
      code: 'config.invalid_gpgkey',
      detail: 'ssh: is not one of',
    },
    { title: 'gpgcheck that is not a boolean', field: 'gpgcheck: 1', code: 'config.invalid_type', detail: undefined },
    {
      title: 'signed_by on an rpm mirror',
      field: 'signed_by: /usr/share/keyrings/k.gpg',
      code: 'config.unknown_field',
      detail: 'applies to deb mirrors only',
    },
  ])('$title', async ({ field, code, detail }) => {
    const { state, diagnostics } = await load(
      ROCKY.replace(
        '    gpgcheck: true\n    repo_gpgcheck: false\n    gpgkey: [file:///etc/pki/rpm-gpg/RPM-GPG-KEY-Rocky-9, https://keys.example.com/extra.asc]\n',
        `    ${field}\n`,
      ),
    );
    expect(state).toBeUndefined();
    const found = diagnostics.find((d) => d.code === code);
    expect(found).toBeDefined();
    expect(found?.source?.line).toBe(9);
    if (detail !== undefined) expect(found?.detail).toContain(detail);
    expect(JSON.stringify(diagnostics)).not.toContain('hunter2');
  });

  test('signed_by must be an absolute path, and gpgcheck belongs to rpm mirrors', async () => {
    const deb = `${UPSTREAM}package_mirrors:\n  - { name: d, type: deb, upstream: ark, path: d, dists: jammy, signed_by: keyrings/docker.gpg }\n`;
    expect((await load(deb)).diagnostics).toEqual([
      expect.objectContaining({ code: 'config.invalid_signed_by', hint: expect.stringContaining('/usr/share/keyrings/docker.gpg') }),
    ]);
    const gpg = `${UPSTREAM}package_mirrors:\n  - { name: d, type: deb, upstream: ark, path: d, dists: jammy, gpgcheck: true }\n`;
    expect((await load(gpg)).diagnostics).toEqual([
      expect.objectContaining({ code: 'config.unknown_field', hint: expect.stringContaining('signed_by') }),
    ]);
  });
});
