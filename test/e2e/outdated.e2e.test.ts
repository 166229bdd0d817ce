import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { jsonRun } from '../helpers/json-lines.js';
import { runId } from './harness.js';
import { listAll, pulpRequest, waitTask } from './pulp.js';
import { EACH_SERVER, type RealServer } from './servers.js';

// `pulpform outdated` with a real Pulp as the upstream: its content app lists the distributions
// below a mirror's path, as Ark (a Pulp) lists the snapshots it serves. Every distribution is a
// file distribution at `pf-e2e-outdated-<run>/<repo>/<stamp>`, deleted afterwards.

const PINNED = '20240101T000000';
const BASEOS_STAMPS = ['20231201T000000', PINNED, '20240201T000000', '20240301T000000'];
const APPSTREAM_STAMPS = [PINNED];

describe.each(EACH_SERVER)('%s: outdated against a real Pulp content app', (_label, server: RealServer) => {
  const prefix = `pf-e2e-outdated-${runId('')}`;
  let work: string;
  let env: Record<string, string>;

  const createDistribution = async (repo: string, stamp: string): Promise<void> => {
    const answer = await pulpRequest(server, 'POST', 'distributions/file/file/', {
      name: `${prefix}-${repo}-${stamp}`,
      base_path: `${prefix}/${repo}/${stamp}`,
    });
    await waitTask(server, answer);
  };

  beforeAll(async () => {
    const status = await pulpRequest(server, 'GET', 'status/');
    const content = status.body['content_settings'] as { content_origin: string; content_path_prefix: string };
    for (const stamp of BASEOS_STAMPS) await createDistribution('baseos', stamp);
    for (const stamp of APPSTREAM_STAMPS) await createDistribution('appstream', stamp);
    work = await mkdtemp(join(tmpdir(), 'pulpform-e2e-outdated-'));
    const mirror = (name: string, path: string): string =>
      [
        `  - name: ${name}`,
        '    type: rpm',
        '    upstream: pulp',
        `    path: ${prefix}/${path}`,
        `    snapshot: ${PINNED}`,
        '    distributions:',
        `      development: { name: ${prefix}-${path}-dev, base_path: ${prefix}-local/${path}/development }`,
        `      production: { name: ${prefix}-${path}-prod, base_path: ${prefix}-local/${path}/production, snapshot: ${PINNED} }`,
      ].join('\n');
    await writeFile(
      join(work, 'outdated.yaml'),
      [
        `stack: ${prefix}`,
        'upstreams:',
        '  - name: pulp',
        '    url: ${env:UPSTREAM_URL}',
        `    content_path: ${content.content_path_prefix}`,
        '    username: ${env:UPSTREAM_USERNAME}',
        '    password: ${env:UPSTREAM_PASSWORD}',
        'package_mirrors:',
        mirror('pf BaseOS', 'baseos'),
        mirror('pf AppStream', 'appstream'),
        mirror('pf Missing', 'missing'),
        '',
      ].join('\n'),
    );
    env = { UPSTREAM_URL: content.content_origin, UPSTREAM_USERNAME: server.username, UPSTREAM_PASSWORD: server.password, NO_COLOR: '1' };
  });

  afterAll(async () => {
    for (const distribution of await listAll(server, 'distributions/file/file/', { name__startswith: prefix })) {
      await waitTask(server, await pulpRequest(server, 'DELETE', String(distribution['pulp_href'])));
    }
    expect(await listAll(server, 'distributions/', { name__startswith: prefix })).toEqual([]);
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  test('lists the newer snapshots newest first, says up to date, and reports a path the content app does not serve', async () => {
    const all = await runCli(['outdated', '-f', 'outdated.yaml', '--json'], { cwd: work, env });
    const run = jsonRun(all.stdout, all.status);
    const byMirror = Object.fromEntries(run.ofType('outdated').map((line) => [line.mirror, line]));
    expect(byMirror['pf BaseOS']).toMatchObject({
      newer: ['20240301T000000', '20240201T000000'],
      pins: { development: PINNED, production: PINNED },
    });
    expect(byMirror['pf BaseOS']!.error).toBeUndefined();
    expect(byMirror['pf AppStream']).toMatchObject({ newer: [] });
    expect(byMirror['pf AppStream']!.error).toBeUndefined();
    expect(byMirror['pf Missing']).toMatchObject({ newer: [], error: { code: 'outdated.not_found' } });
    expect(run.result).toMatchObject({ command: 'outdated', exitCode: 1, summary: { mirrors: 3, outdated: 1, upToDate: 1, failed: 1 } });
    expect(all.stdout).not.toContain(`${server.username}:${server.password}`);

    const text = await runCli(['outdated', 'pf BaseOS', '-f', 'outdated.yaml'], { cwd: work, env });
    expect(text.stderr).toBe('');
    expect(text.status).toBe(0);
    expect(text.stdout).toBe(
      [
        `pf BaseOS  development ${PINNED}, production ${PINNED}`,
        '  newer: 20240301T000000, 20240201T000000',
        "  pulpform pin 'pf BaseOS' 20240301T000000 -f outdated.yaml",
        '',
        '1 mirror checked: 1 has newer snapshots, 0 up to date.',
        '',
      ].join('\n'),
    );
  });
});
