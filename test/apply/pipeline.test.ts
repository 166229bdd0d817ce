import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApplyEvent, ApplyResult } from '../../src/apply/events.js';
import { applyPlan } from '../../src/apply/executor.js';
import { loadDesiredState } from '../../src/config/index.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { PulpClient } from '../../src/live/client.js';
import { readLiveState } from '../../src/live/read.js';
import type { DesiredState } from '../../src/model/resource.js';
import type { Plan } from '../../src/model/plan.js';
import { Secret } from '../../src/model/secret.js';
import { buildPlan } from '../../src/plan/index.js';

// The whole pipeline on the emulator: YAML → desired state → live state → plan → apply, then a
// second plan must be empty and applying it must write nothing. Catches any field the live
// reader normalises differently from how the plan compares it.

const SECRET = 'file-upstream-password';
const files = new Map<string, string>([['a.txt', 'alpha\n']]);
const upstream = http.createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
  const manifest = [...files]
    .map(([name, text]) => `${name},${createHash('sha256').update(text).digest('hex')},${Buffer.byteLength(text)}\n`)
    .join('');
  const body = path === 'PULP_MANIFEST' ? manifest : files.get(path);
  res.writeHead(body === undefined ? 404 : 200);
  res.end(body ?? '');
});
let upstreamUrl = '';
let emulator: Emulator;
let client: PulpClient;
let dir: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

beforeEach(async () => {
  emulator = await startEmulator({ taskMs: 2 });
  client = new PulpClient({ baseUrl: emulator.url, username: 'admin', password: new Secret('password', 'test'), retryDelayMs: 1 });
  dir = await mkdtemp(join(tmpdir(), 'pulpform-pipeline-'));
});

afterEach(async () => {
  client.close();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

async function desired(yaml: string): Promise<DesiredState> {
  await writeFile(join(dir, 'state.yaml'), yaml);
  const loaded = await loadDesiredState(dir, { cwd: dir, env: { UPSTREAM_PASSWORD: SECRET } });
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return loaded.state!;
}

async function planAndApply(state: DesiredState): Promise<{ plan: Plan; result: ApplyResult; events: ApplyEvent[] }> {
  const live = await readLiveState(client);
  const plan = buildPlan(state, live, { now: new Date(0) });
  expect(plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const secrets = new Map(state.resources.flatMap((r) => Object.values(r.secrets)).flatMap((s) => (s ? [[s.source, s] as const] : [])));
  const events: ApplyEvent[] = [];
  const result = await applyPlan(plan, { client, live, secrets: (source) => secrets.get(source) ?? null, onEvent: (e) => events.push(e) });
  return { plan, result, events };
}

async function expectConverged(state: DesiredState): Promise<void> {
  emulator.resetRequests();
  const { plan, result } = await planAndApply(state);
  expect(plan.waves.flat().map((a) => `${a.id}: ${a.reason} ${JSON.stringify(a.changes)}`)).toEqual([]);
  expect(result.ok).toBe(true);
  expect(emulator.requests().filter((r) => r.method !== 'GET')).toEqual([]);
}

// Every remote sets `headers` (and the container one `sigstore`), and the deb publication is a
// verbatim one (no `signing_service`): pulpcore 3.23 stores null for these fields but refuses an
// explicit null on create, which the plan currently sends for the default.
const YAML = (url: string): string => `
stack: e2e
remotes:
  - { name: files, type: file, url: "${url}/PULP_MANIFEST", username: e2e, password: "\${env:UPSTREAM_PASSWORD}", headers: [] }
  - { name: baseos, type: rpm, url: https://ark.example.com/rocky/9/BaseOS/, policy: on_demand, download_concurrency: 4, headers: [{ X-Team: infra }] }
  - { name: jammy, type: deb, url: https://ark.example.com/ubuntu/, distributions: jammy jammy-updates, components: main, headers: [] }
  - { name: kolla/nova, type: container, url: https://ark.example.com, upstream_name: stackhpc/nova, include_tags: ["2024.1", "2023.1"], headers: [], sigstore: https://sigstore.example.com }
repositories:
  - { name: files, type: file, remote: files, sync: true, labels: { team: infra } }
  - { name: baseos, type: rpm, remote: baseos, retain_repo_versions: 3 }
  - { name: jammy, type: deb, remote: jammy }
  - { name: kolla/nova, type: container, remote: kolla/nova, description: nova images }
publications:
  - repository: files
  - repository: baseos
  - { repository: jammy, verbatim: true }
distributions:
  - { name: files, base_path: mirror/files, publication: files }
  - { name: baseos, base_path: rocky/9/baseos, publication: baseos }
  - { name: jammy, base_path: ubuntu/jammy, publication: jammy }
  - { name: kolla/nova, base_path: kolla/nova, repository: kolla/nova, private: true }
`;

describe('plan → apply → plan on the emulator', () => {
  test('every kind and plugin converges: the second plan is empty and applies with zero writes', async () => {
    const state = await desired(YAML(upstreamUrl));
    const first = await planAndApply(state);
    expect(first.result.failed).toEqual([]);
    expect(first.result.skipped).toEqual([]);
    expect(first.result.succeeded).toHaveLength(first.plan.waves.flat().length);
    expect(JSON.stringify(first)).not.toContain(SECRET);
    await expectConverged(state);
  });

  test('a change to the YAML updates in place, and then converges again', async () => {
    await planAndApply(await desired(YAML(upstreamUrl)));
    const changed = await desired(
      YAML(upstreamUrl).replace('policy: on_demand', 'policy: immediate').replace('private: true', 'private: false'),
    );
    const { plan, result } = await planAndApply(changed);
    expect(
      plan.waves
        .flat()
        .map((a) => a.id)
        .sort(),
    ).toEqual(['update distribution/container/kolla/nova', 'update remote/rpm/baseos']);
    expect(result.ok).toBe(true);
    await expectConverged(changed);
  });

  test('new upstream content is synced and published once the sync marker moves', async () => {
    await planAndApply(await desired(YAML(upstreamUrl)));
    files.set('b.txt', 'beta\n');
    try {
      // A different remote URL is a different sync marker: sync, publish the new version, repoint.
      const moved = await desired(YAML(upstreamUrl).replace('/PULP_MANIFEST"', '/PULP_MANIFEST?v=2"'));
      const { plan, result } = await planAndApply(moved);
      expect(plan.waves.flat().map((a) => a.id)).toEqual(
        expect.arrayContaining([
          'update remote/file/files',
          'sync repository/file/files',
          'create publication/file/files',
          'update distribution/file/files',
        ]),
      );
      expect(result.ok).toBe(true);
      const live = await readLiveState(client);
      const repository = live.objects.find((o) => o.address === 'repository/file/files')!;
      expect(repository.versionHref).toBe(`${repository.href}versions/2/`);
      await expectConverged(moved);
    } finally {
      files.delete('b.txt');
    }
  });
});
