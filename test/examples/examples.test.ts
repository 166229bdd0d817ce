import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadDesiredState } from '../../src/config/index.js';
import { parseAddress, type DesiredResource, type DesiredState } from '../../src/model/index.js';
import { runCli } from '../helpers/cli.js';

// desired-state/ and every example load without a single diagnostic, and say what the
// Ansible tooling creates: the scenario files of ../shared/release-train are the judge.

const ENV = { ARK_URL: 'https://ark.stackhpc.com', ARK_USERNAME: 'ark-user', ARK_PASSWORD: 'ark-password' };
const SCENARIOS = '../shared/release-train/scenarios';
const DIRECTORIES = [
  'desired-state',
  ...readdirSync('examples', { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `examples/${entry.name}`)
    .sort(),
];

interface Scenario {
  rpm: ScenarioRepo[];
  deb: ScenarioRepo[];
  container: {
    repository: { name: string };
    remote: { name: string; url: string; upstream_name: string; policy: string };
    distribution: { name: string; base_path: string };
  }[];
  container_optional: {
    repositories: { name: string; url: string; include_tags?: string }[];
    distributions: { name: string; repository: string; base_path: string }[];
  };
}

interface ScenarioRepo {
  repository: { name: string };
  remote: { name: string; url: string; policy: string; distributions?: string; components?: string; architectures?: string };
  pinned_snapshot: string | null;
  sync: Record<string, unknown>;
  distributions: { name: string; base_path: string }[];
}

function scenario(name: string): Scenario {
  return parse(readFileSync(`${SCENARIOS}/${name}.yaml`, 'utf8')) as Scenario;
}

async function load(directory: string): Promise<DesiredState> {
  const result = await loadDesiredState(directory, { env: ENV });
  expect(result.diagnostics).toEqual([]);
  return result.state as DesiredState;
}

/** What the Ansible tooling would make of a package repository, in the desired state's terms. */
function packageObjects(repo: ScenarioRepo): string[] {
  return [
    `remote ${repo.remote.name} ${repo.remote.url} ${repo.remote.policy}`,
    `repository ${repo.repository.name} ${repo.remote.name} ${JSON.stringify(repo.sync)}`,
    ...repo.distributions.map((d) => `distribution ${d.name} ${d.base_path} ${repo.repository.name}`),
  ];
}

const nameOf = (address: string | undefined): string | undefined => (address === undefined ? undefined : parseAddress(address).name);

function packageObjectsOf(resources: DesiredResource[], plugin: 'rpm' | 'deb'): string[] {
  const ofPlugin = resources.filter((r) => r.plugin === plugin);
  const repositoryOf = (publication: string | undefined): string | undefined => ofPlugin.find((r) => r.address === publication)?.name;
  return ofPlugin.flatMap((r) => {
    if (r.kind === 'remote') return [`remote ${r.name} ${String(r.fields.url)} ${String(r.fields.policy)}`];
    if (r.kind === 'repository') return [`repository ${r.name} ${nameOf(r.refs.remote)} ${JSON.stringify(r.sync?.options)}`];
    if (r.kind === 'distribution') return [`distribution ${r.name} ${String(r.fields.base_path)} ${repositoryOf(r.refs.publication)}`];
    return [];
  });
}

function containerObjectsOf(resources: DesiredResource[]): string[] {
  return resources
    .filter((r) => r.plugin === 'container')
    .map((r) => {
      if (r.kind === 'remote')
        return `remote ${r.name} ${String(r.fields.url)} ${String(r.fields.upstream_name)} ${String(r.fields.policy)}`;
      if (r.kind === 'repository') return `repository ${r.name} ${nameOf(r.refs.remote)}`;
      return `distribution ${r.name} ${String(r.fields.base_path)} ${nameOf(r.refs.repository)}`;
    })
    .sort();
}

function containerObjects(images: Scenario['container']): string[] {
  return images
    .flatMap((image) => [
      `remote ${image.remote.name} ${image.remote.url} ${image.remote.upstream_name} ${image.remote.policy}`,
      `repository ${image.repository.name} ${image.remote.name}`,
      `distribution ${image.distribution.name} ${image.distribution.base_path} ${image.repository.name}`,
    ])
    .sort();
}

/** The Ansible tooling passes no sync option where Pulp's default applies. */
function withoutDefaults(repo: ScenarioRepo): ScenarioRepo {
  return {
    ...repo,
    sync: Object.fromEntries(Object.entries(repo.sync).filter(([, value]) => typeof value !== 'string' || !value.startsWith('not passed'))),
  };
}

describe('desired-state/ and examples/', () => {
  test.concurrent.each(DIRECTORIES)('pulpform validate -f %s succeeds with the environment set', async (directory) => {
    const result = await runCli(['validate', '-f', directory], { env: ENV });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^valid: \d+ resources in \d+ files?\n$/);
    expect(result.status).toBe(0);
  });

  test('without ARK_URL, validation names the variable to set', async () => {
    const result = await runCli(['validate', '-f', 'examples/single-mirror'], { env: { ARK_USERNAME: 'u', ARK_PASSWORD: 'p' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Set ARK_URL in the environment');
  });

  test('rocky9-client creates exactly the objects of the 2024.1 rocky-9 scenario, optional images off', async () => {
    const expected = scenario('2024.1_rocky-9');
    const { resources } = await load('examples/rocky9-client');
    expect(packageObjectsOf(resources, 'rpm').sort()).toEqual(expected.rpm.flatMap(packageObjects).sort());
    expect(containerObjectsOf(resources)).toEqual(containerObjects(expected.container));
    const pins = resources.filter((r) => r.kind === 'repository' && r.plugin === 'rpm').map((r) => [r.name, r.sync?.marker]);
    expect(pins).toEqual(expected.rpm.map((repo) => [repo.repository.name, repo.pinned_snapshot]));
  });

  test('ubuntu-client creates the objects of the 2024.1 ubuntu-jammy scenario, without its second "Docker CE for Ubuntu Jammy"', async () => {
    const expected = scenario('2024.1_ubuntu-jammy');
    const repos = expected.deb.filter((repo) => !repo.remote.url.includes('/ceph/debian-reef/'));
    expect(repos).toHaveLength(expected.deb.length - 1);
    const { resources } = await load('examples/ubuntu-client');
    expect(packageObjectsOf(resources, 'deb').sort()).toEqual(repos.map(withoutDefaults).flatMap(packageObjects).sort());
    const remotes = resources.filter((r) => r.kind === 'remote' && r.plugin === 'deb');
    expect(remotes.map((r) => [r.fields.distributions, r.fields.components, r.fields.architectures])).toEqual(
      repos.map((repo) => [repo.remote.distributions, repo.remote.components, repo.remote.architectures]),
    );
    expect(new Set(resources.filter((r) => r.kind === 'publication').map((r) => r.endpoint))).toEqual(
      new Set(['publications/deb/verbatim']),
    );
    expect(containerObjectsOf(resources)).toEqual(containerObjects(expected.container));
  });

  test('desired-state/ is the seed: CentOS Stream 8 of yoga-2022-08 and Rocky Linux 8 of yoga, production pinned where development is, Ceph off', async () => {
    const centos = scenario('yoga-2022-08_centos-stream-8');
    const rocky = scenario('yoga_rocky-8');
    const rockyOnly = rocky.rpm.filter((repo) => repo.repository.name.startsWith('Rocky Linux 8'));
    const { stack, resources } = await load('desired-state');
    expect(stack).toBe('seed');
    expect(packageObjectsOf(resources, 'rpm').sort()).toEqual([...centos.rpm, ...rockyOnly].flatMap(packageObjects).sort());
    expect(containerObjectsOf(resources)).toEqual(containerObjects(centos.container));
    const pinOf = new Map(resources.filter((r) => r.kind === 'repository').map((r) => [r.name, r.sync?.marker]));
    const served = resources.filter((r) => r.kind === 'distribution' && r.plugin === 'rpm').map((d) => [d.name, d.snapshot]);
    expect(served).toEqual(
      resources
        .filter((r) => r.kind === 'distribution' && r.plugin === 'rpm')
        .map((d) => [d.name, pinOf.get(nameOf(d.refs.publication)?.split('@')[0] ?? '')]),
    );
    const text = readFileSync('desired-state/containers.yaml', 'utf8');
    expect(text).toContain('namespace: ceph');
    expect(resources.some((r) => r.name.startsWith('ceph'))).toBe(false);
  });
});
