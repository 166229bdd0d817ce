import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import type { JsonObject } from '../../src/model/index.js';
import { apiClient } from '../emulator/client.js';
import { runCli } from '../helpers/cli.js';
import { ARK_ENV, applyState, PULP_PASSWORD, pulpform, repoSections, startLocalPulp } from './helpers.js';

// pulpform client-config against the emulator: the desired state is applied first (the
// stand-in Ark of helpers.ts gives every snapshot content), then hosts' files are generated
// and --check fetches every URL in them as a host would.

async function distributionHref(emulator: Emulator, endpoint: string, name: string): Promise<string> {
  const found = await apiClient(emulator.url, { username: 'admin', password: PULP_PASSWORD }).call(
    'GET',
    `/pulp/api/v3/${endpoint}/?name=${encodeURIComponent(name)}`,
  );
  return ((found.body as { results: JsonObject[] }).results[0] as JsonObject).pulp_href as string;
}

describe('desired-state/ applied to the emulator', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startLocalPulp();
    await applyState(emulator, 'desired-state');
  });
  afterAll(async () => {
    await emulator.close();
  });

  test.each(['development', 'production'])(
    "dnf, %s: one section per RPM mirror, baseurl at that environment's base path, and --check finds each serving",
    async (environment) => {
      const result = await pulpform(emulator, [
        'client-config',
        '-f',
        'desired-state',
        '--format',
        'dnf',
        '--environment',
        environment,
        '--check',
      ]);
      expect(result.stderr).toContain('Checked 11 URLs: all serve.');
      expect(result.status).toBe(0);
      const sections = repoSections(result.stdout);
      expect([...sections.keys()]).toEqual([
        'centos-stream-8-appstream',
        'centos-stream-8-baseos',
        'centos-stream-8-extras',
        'extra-packages-for-enterprise-linux-8-x86_64',
        'extra-packages-for-enterprise-linux-modular-8-x86_64',
        'docker-ce-for-centos-8',
        'rocky-linux-8-appstream',
        'rocky-linux-8-baseos',
        'rocky-linux-8-extras',
        'rocky-linux-8-nfv',
        'rocky-linux-8-powertools',
      ]);
      expect(sections.get('rocky-linux-8-baseos')).toEqual({
        name: `Rocky Linux 8 - BaseOS (${environment})`,
        baseurl: `${emulator.url}/pulp/content/rocky/8/BaseOS/x86_64/os/${environment}/`,
        enabled: '1',
      });
      expect(result.stdout).toContain(`environment ${environment}.`);
      expect(result.stdout).toContain('/etc/yum.repos.d/pulpform-seed.repo');
    },
  );

  test("registry: the server's host and the stackhpc namespace; every enabled image's tag list serves with a token, Ceph (off) is not listed", async () => {
    const result = await pulpform(emulator, ['client-config', '-f', 'desired-state', '--format', 'registry', '--check']);
    expect(result.stderr).toContain('Checked 118 URLs: all serve.');
    expect(result.status).toBe(0);
    const host = new URL(emulator.url).host;
    expect(result.stdout).toContain(`# Namespace stackhpc: 118 images, e.g. ${host}/stackhpc/centos-source-barbican-api:TAG`);
    expect(result.stdout).toContain(`#   Kolla: docker_registry: ${host}, docker_namespace: stackhpc`);
    expect(result.stdout).toContain(`[[registry]]\nlocation = "${host}"\ninsecure = true\n`);
    expect(result.stdout).toContain(`{ "insecure-registries": ["${host}"] }`);
    expect(result.stdout).not.toContain('ceph');
  });

  test('a state with environments needs --environment, naming them', async () => {
    const result = await pulpform(emulator, ['client-config', '-f', 'desired-state', '--format', 'dnf']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Hint: Pass --environment development or --environment production.');
    const unknown = await pulpform(emulator, ['client-config', '-f', 'desired-state', '--format', 'dnf', '--environment', 'staging']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('No environment "staging"');
  });
});

describe('--check names each URL that does not serve, and why', () => {
  let emulator: Emulator;
  afterEach(async () => {
    await emulator.close();
  });

  test('a missing distribution and one serving nothing fail the check (exit 1), each with its URL; the others pass', async () => {
    emulator = await startLocalPulp();
    await applyState(emulator, 'examples/rocky9-client', 'distribution/rpm');
    const api = apiClient(emulator.url, { username: 'admin', password: PULP_PASSWORD });
    await api.run('DELETE', await distributionHref(emulator, 'distributions/rpm/rpm', 'rocky-9-baseos-development'));
    await api.run('PATCH', await distributionHref(emulator, 'distributions/rpm/rpm', 'rocky-9-crb-development'), { publication: null });

    const result = await pulpform(emulator, [
      'client-config',
      '-f',
      'examples/rocky9-client',
      '--format',
      'dnf',
      '--environment',
      'development',
      '--check',
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`✗ ${emulator.url}/pulp/content/rocky/9/BaseOS/x86_64/os/development/repodata/repomd.xml\n`);
    expect(result.stderr).toContain(
      'rocky-9-baseos-development: distribution missing: the server has no rpm distribution at base path rocky/9/BaseOS/x86_64/os/development (run pulpform apply',
    );
    expect(result.stderr).toContain(`✗ ${emulator.url}/pulp/content/rocky/9/CRB/x86_64/os/development/repodata/repomd.xml\n`);
    expect(result.stderr).toContain(
      'rocky-9-crb-development: serves nothing: rocky-9-crb-development at rocky/9/CRB/x86_64/os/development has no publication',
    );
    expect(result.stderr).toContain('Checked 9 URLs: 2 do not serve.');
    // The file is still printed: what hosts need does not depend on the server's state.
    expect(repoSections(result.stdout).size).toBe(9);

    const production = await pulpform(emulator, [
      'client-config',
      '-f',
      'examples/rocky9-client',
      '--format',
      'dnf',
      '--environment',
      'production',
      '--check',
    ]);
    expect(production.stderr).toContain('Checked 9 URLs: all serve.');
    expect(production.status).toBe(0);
  });

  test('a wrong content URL is blamed as such, naming where the server serves the distribution', async () => {
    emulator = await startLocalPulp();
    await applyState(emulator, 'examples/rocky9-client', 'distribution/rpm');
    const wrong = `${emulator.url}/content/`;
    const result = await pulpform(emulator, [
      'client-config',
      '-f',
      'examples/rocky9-client',
      '--format',
      'dnf',
      '--environment',
      'development',
      '--check',
      '--content-url',
      wrong,
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `rocky-9-baseos-development: content URL: the server serves rocky-9-baseos-development at ${emulator.url}/pulp/content/rocky/9/BaseOS/x86_64/os/development/, but hosts would be given ${wrong}rocky/9/BaseOS/x86_64/os/development/`,
    );
    expect(result.stderr).not.toContain('not published');
  });

  test('a missing container distribution and a private one fail the registry check, each with its tag list URL', async () => {
    emulator = await startLocalPulp();
    await applyState(emulator, 'examples/container-mirror');
    const api = apiClient(emulator.url, { username: 'admin', password: PULP_PASSWORD });
    const href = await distributionHref(emulator, 'distributions/container/container', 'stackhpc/keystone');
    await api.run('PATCH', href, { private: true });
    const private_ = await pulpform(emulator, ['client-config', '-f', 'examples/container-mirror', '--format', 'registry', '--check']);
    expect(private_.status).toBe(1);
    expect(private_.stderr).toContain(`✗ ${emulator.url}/v2/stackhpc/keystone/tags/list\n`);
    expect(private_.stderr).toContain('auth: the registry refused an anonymous pull: the distribution is private on the server');

    await api.run('DELETE', href);
    const missing = await pulpform(emulator, ['client-config', '-f', 'examples/container-mirror', '--format', 'registry', '--check']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`✗ ${emulator.url}/v2/stackhpc/keystone/tags/list\n`);
    expect(missing.stderr).toContain(
      'stackhpc/keystone: distribution missing: the server has no container distribution at base path stackhpc/keystone',
    );
  });
});

describe('promotion', () => {
  let emulator: Emulator;
  let dir: string;
  beforeAll(async () => {
    emulator = await startLocalPulp();
    dir = await mkdtemp(join(tmpdir(), 'pulpform-promote-'));
    await cp('examples/single-mirror', dir, { recursive: true });
  });
  afterAll(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('hosts keep the same file: a pin bump and a promotion change what production serves, never its URL', async () => {
    const file = join(dir, 'mirror.yaml');
    const generate = async (environment: string): Promise<string> => {
      const result = await pulpform(emulator, ['client-config', '-f', dir, '--format', 'dnf', '--environment', environment, '--check']);
      expect(result.stderr).toContain('Checked 1 URL: all serve.');
      expect(result.status).toBe(0);
      return result.stdout;
    };
    const repomd = async (environment: string): Promise<string> =>
      (await fetch(`${emulator.url}/pulp/content/rocky/9/BaseOS/x86_64/os/${environment}/repodata/repomd.xml`)).text();

    await applyState(emulator, dir);
    const before = { development: await generate('development'), production: await generate('production') };
    const servedBefore = await repomd('production');
    expect(repoSections(before.production).get('rocky-linux-9-baseos')?.baseurl).toBe(
      `${emulator.url}/pulp/content/rocky/9/BaseOS/x86_64/os/production/`,
    );

    // Development moves to a new snapshot, then production is promoted to it.
    const yaml = await readFile(file, 'utf8');
    const bumped = yaml.replace('snapshot: 20240816T002610\n\n    # on_demand', 'snapshot: 20240901T000000\n\n    # on_demand');
    expect(bumped).not.toBe(yaml);
    await writeFile(file, bumped);
    await applyState(emulator, dir);
    expect(await repomd('production')).toBe(servedBefore);
    await writeFile(file, bumped.replace(/(production:[\s\S]*snapshot: )20240816T002610/, '$120240901T000000'));
    await applyState(emulator, dir);

    expect(await repomd('production')).not.toBe(servedBefore);
    expect(await repomd('production')).toBe(await repomd('development'));
    expect(await generate('production')).toBe(before.production);
    expect(await generate('development')).toBe(before.development);
  });
});

describe('where the content URL comes from', () => {
  let emulator: Emulator | undefined;
  let notPulp: Server | undefined;
  afterEach(async () => {
    await emulator?.close();
    notPulp?.closeAllConnections();
    notPulp?.close();
  });

  test("the server's /status/ content origin when connected; --content-url over it; no server needed with --content-url, and -o writes the file", async () => {
    emulator = await startEmulator({ contentOrigin: 'https://content.example.com', password: PULP_PASSWORD });
    const fromStatus = await pulpform(emulator, [
      'client-config',
      '-f',
      'examples/single-mirror',
      '--format',
      'dnf',
      '--environment',
      'development',
    ]);
    expect(fromStatus.status).toBe(0);
    expect(fromStatus.stdout).toContain('baseurl=https://content.example.com/pulp/content/rocky/9/BaseOS/x86_64/os/development/\n');

    const flagged = await pulpform(emulator, [
      'client-config',
      '-f',
      'examples/single-mirror',
      '--format',
      'dnf',
      '--environment',
      'development',
      '--content-url',
      'https://mirror.example.com/content',
    ]);
    expect(flagged.stdout).toContain('baseurl=https://mirror.example.com/content/rocky/9/BaseOS/x86_64/os/development/\n');

    const dir = await mkdtemp(join(tmpdir(), 'pulpform-client-config-'));
    try {
      const file = join(dir, 'pulpform.repo');
      const offline = await runCli(
        [
          'client-config',
          '-f',
          'examples/single-mirror',
          '--format',
          'dnf',
          '--environment',
          'development',
          '--content-url',
          'http://seed:8080/pulp/content/',
          '-o',
          file,
        ],
        { env: ARK_ENV },
      );
      expect(offline.status).toBe(0);
      expect(offline.stdout).toBe('');
      expect(offline.stderr).toBe(`Wrote ${file}.\n`);
      expect(await readFile(file, 'utf8')).toContain('baseurl=http://seed:8080/pulp/content/rocky/9/BaseOS/x86_64/os/development/\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('the server URL with /pulp/content/ when the server cannot say, with a warning; no server and no --content-url is an error', async () => {
    notPulp = createServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not here');
    });
    await new Promise<void>((resolve) => notPulp?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(notPulp.address() as AddressInfo).port}`;
    const fallback = await runCli(
      ['client-config', '-f', 'examples/single-mirror', '--format', 'dnf', '--environment', 'production', '--server', url],
      { env: ARK_ENV },
    );
    expect(fallback.status).toBe(0);
    expect(fallback.stdout).toContain(`baseurl=${url}/pulp/content/rocky/9/BaseOS/x86_64/os/production/\n`);
    expect(fallback.stderr).toContain(`could not ask ${url} for its content origin`);

    const nowhere = await runCli(['client-config', '-f', 'examples/single-mirror', '--format', 'dnf', '--environment', 'production'], {
      env: ARK_ENV,
    });
    expect(nowhere.status).toBe(1);
    expect(nowhere.stderr).toContain('no Pulp server given, nor where it serves content');
    expect(nowhere.stderr).toContain('--content-url');

    const badUrl = await runCli(
      [
        'client-config',
        '-f',
        'examples/single-mirror',
        '--format',
        'dnf',
        '--environment',
        'production',
        '--content-url',
        'http://user:hunter2@seed/pulp/content/',
      ],
      { env: ARK_ENV },
    );
    expect(badUrl.status).toBe(1);
    expect(badUrl.stderr).toContain('--content-url cannot be used: it contains credentials');
    expect(badUrl.stderr).not.toContain('hunter2');
  });
});
