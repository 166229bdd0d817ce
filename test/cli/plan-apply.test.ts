import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveDirectory } from '../../src/conformance/static-server.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { type CliResult, runCli } from '../helpers/cli.js';

// plan and apply as users run them: the built CLI in a child process, against a real
// emulator over HTTP, syncing the conformance RPM fixture from a static server.

const UPSTREAM_SECRET = 'upstream-hunter2';
const PULP_SECRET = 'pulp-password-7';
let emulator: Emulator;
let upstream: { url: string; close: () => Promise<void> };
let dir: string;

const yaml = (upstreamUrl: string, extra = ''): string => `
stack: cli
remotes:
  - name: hello
    type: rpm
    url: ${upstreamUrl}/
    policy: on_demand
    username: mirror
    password: \${env:UPSTREAM_PASSWORD}
repositories:
  - name: hello
    type: rpm
    remote: hello
    sync: { sync_policy: mirror_complete }
publications:
  - repository: hello
distributions:
  - name: hello-dev
    base_path: hello/dev
    publication: hello
${extra}`;

function pulpform(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return runCli([...args, '-f', dir, '--server', emulator.url], {
    cwd: dir,
    env: { PULP_PASSWORD: PULP_SECRET, UPSTREAM_PASSWORD: UPSTREAM_SECRET, ...extraEnv },
  });
}

function writes(): { method: string; path: string }[] {
  return emulator.requests().filter((r) => r.method !== 'GET' && !r.path.startsWith('/_emulator'));
}

beforeAll(async () => {
  upstream = await serveDirectory(join(process.cwd(), '../shared/pulp/conformance/upstreams/rpm'));
});

afterAll(async () => {
  await upstream.close();
});

beforeEach(async () => {
  emulator = await startEmulator({ taskMs: 5, password: PULP_SECRET });
  dir = await mkdtemp(join(tmpdir(), 'pulpform-cli-'));
  await writeFile(join(dir, 'state.yaml'), yaml(upstream.url));
});

afterEach(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

describe('pulpform plan and apply', () => {
  test('plan shows the changes and exits 2 with --detailed-exitcode; apply converges; the next plan exits 0 and apply writes nothing', async () => {
    const plan = await pulpform(['plan', '--detailed-exitcode']);
    expect(plan.status).toBe(2);
    expect(plan.stdout).toContain('+ remote/rpm/hello');
    expect(plan.stdout).toContain('password       = (sensitive value)');
    expect(plan.stdout).toContain('Plan: 4 to add, 0 to change, 0 to destroy, 1 to sync.');
    expect(writes()).toEqual([]);

    const apply = await pulpform(['apply', '--auto-approve']);
    expect(apply.stderr).toBe('');
    expect(apply.status).toBe(0);
    expect(apply.stdout).toContain('Apply complete! Resources: 4 added, 0 changed, 0 destroyed, 1 synced.');

    const again = await pulpform(['plan', '--detailed-exitcode']);
    expect(again.stdout).toContain('No changes.');
    // mirror_complete publishes the version itself; apply reuses that publication instead of making a twin.
    expect(again.stdout).not.toContain('Warning');
    expect(again.status).toBe(0);

    emulator.resetRequests();
    const noop = await pulpform(['apply', '--auto-approve']);
    expect(noop.status).toBe(0);
    expect(writes()).toEqual([]);

    for (const output of [plan, apply, again, noop]) {
      expect(output.stdout + output.stderr).not.toContain(UPSTREAM_SECRET);
      expect(output.stdout + output.stderr).not.toContain(PULP_SECRET);
    }
  });

  test('apply refuses to run without a terminal unless --auto-approve is given, and changes nothing', async () => {
    const result = await pulpform(['apply']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no terminal to ask on');
    expect(result.stderr).toContain('--auto-approve');
    expect(writes()).toEqual([]);
  });

  test('a saved plan applies exactly, and refuses an object that changed since the plan, naming it', async () => {
    await pulpform(['apply', '--auto-approve']);
    await writeFile(join(dir, 'state.yaml'), yaml(upstream.url).replace('policy: on_demand', 'policy: immediate'));
    const planned = await pulpform(['plan', '--out', 'change.plan']);
    expect(planned.status).toBe(0);
    expect(planned.stdout).toContain('~ policy = "on_demand" -> "immediate"');
    const saved = await readFile(join(dir, 'change.plan'), 'utf8');
    expect(saved).not.toContain(UPSTREAM_SECRET);

    // Someone else changes the remote between plan and apply.
    const remotes = (await fetchJson(`${emulator.url}/pulp/api/v3/remotes/rpm/rpm/?name=hello`)) as { results: { pulp_href: string }[] };
    const href = remotes.results[0]!.pulp_href;
    await fetchJson(`${emulator.url}${href}`, { method: 'PATCH', body: JSON.stringify({ download_concurrency: 3 }) });
    await waitUntil(
      async () => ((await fetchJson(`${emulator.url}${href}`)) as { download_concurrency: number }).download_concurrency === 3,
    );

    emulator.resetRequests();
    const stale = await pulpform(['apply', 'change.plan']);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain(
      'change.plan is stale: 1 object it acts on changed on the server since it was made. Nothing was changed.',
    );
    expect(stale.stderr).toContain(`remote/rpm/hello (${href}):\n      download_concurrency: null -> 3`);
    // Refused before the first write: not even the server lock was taken.
    expect(writes()).toEqual([]);

    const fresh = await pulpform(['plan', '--out', 'fresh.plan']);
    expect(fresh.stdout).toContain('download_concurrency');
    const applied = await pulpform(['apply', 'fresh.plan']);
    expect(applied.status).toBe(0);
    expect(applied.stdout).toContain('Apply complete!');
    expect((await pulpform(['plan', '--detailed-exitcode'])).status).toBe(0);

    emulator.resetRequests();
    const again = await pulpform(['apply', 'fresh.plan']);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe('fresh.plan has already been applied: the server has every change it makes (1 action). Nothing to do.\n');
    expect(writes()).toEqual([]);
  });

  test('a stale object anywhere refuses the whole saved plan: the sync, publication and repoint of a pin bump do not run', async () => {
    await pulpform(['apply', '--auto-approve']);
    await writeFile(
      join(dir, 'state.yaml'),
      yaml(upstream.url).replace('policy: on_demand', 'policy: immediate').replace('base_path: hello/dev', 'base_path: hello/development'),
    );
    expect((await pulpform(['plan', '--out', 'bump.plan'])).status).toBe(0);
    const distributions = (await fetchJson(`${emulator.url}/pulp/api/v3/distributions/rpm/rpm/?name=hello-dev`)) as {
      results: { pulp_href: string }[];
    };
    const href = distributions.results[0]!.pulp_href;
    await fetchJson(`${emulator.url}${href}`, { method: 'PATCH', body: JSON.stringify({ pulp_labels: { owner: 'someone' } }) });
    await waitUntil(
      async () =>
        ((await fetchJson(`${emulator.url}${href}`)) as { pulp_labels: Record<string, string> }).pulp_labels['owner'] === 'someone',
    );
    emulator.resetRequests();
    const stale = await pulpform(['apply', 'bump.plan']);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('pulp_labels.owner: (absent) -> "someone"');
    expect(stale.stderr).toContain('pulp_labels.pulpform_stack: "cli" -> (absent)');
    expect(writes()).toEqual([]);
  });

  test('apply PLANFILE reads the desired state the plan was made from, never an unrelated ./desired-state', async () => {
    await writeFile(join(dir, 'state.yaml'), yaml(upstream.url));
    expect((await pulpform(['plan', '--out', 'first.plan'])).status).toBe(0);
    const elsewhere = await mkdtemp(join(tmpdir(), 'pulpform-cli-elsewhere-'));
    try {
      await mkdir(join(elsewhere, 'desired-state'));
      await writeFile(join(elsewhere, 'desired-state', 'broken.yaml'), 'stack: unrelated\nremotes: [ {name: x\n');
      const applied = await runCli(['apply', join(dir, 'first.plan'), '--server', emulator.url], {
        cwd: elsewhere,
        env: { PULP_PASSWORD: PULP_SECRET, UPSTREAM_PASSWORD: UPSTREAM_SECRET },
      });
      expect(applied.stderr).not.toContain('broken.yaml');
      expect(applied.stderr).toBe('');
      expect(applied.status).toBe(0);
      expect(applied.stdout).toContain('Apply complete!');
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  test('a desired state with errors is reported with its location and nothing is read or written', async () => {
    await writeFile(join(dir, 'state.yaml'), yaml(upstream.url).replace('policy: on_demand', 'policy: lazy'));
    const result = await pulpform(['plan']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('state.yaml line 7, in remotes[0].policy');
    expect(emulator.requests()).toEqual([]);
  });

  test('--request-timeout bounds the wait for each answer from Pulp, and a timeout names the flag as the fix', async () => {
    // Every answer comes 2.5 s late: well past the 1 s asked for, whatever the machine's load.
    const slow = await startEmulator({ password: PULP_SECRET, latencyMs: 2500 });
    try {
      const env = { env: { PULP_PASSWORD: PULP_SECRET, UPSTREAM_PASSWORD: UPSTREAM_SECRET } };
      const result = await runCli(['plan', '-f', dir, '--server', slow.url, '--request-timeout', '1'], env);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/Error: .*no answer within 1 s/);
      expect(result.stderr).toContain('A longer --request-timeout may help');
    } finally {
      await slow.close();
    }
  });

  test('wrong credentials give a one-line cause with a hint, and never echo the password', async () => {
    const result = await pulpform(['plan'], { PULP_PASSWORD: 'not-the-password' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Error: .*HTTP 40[13]: the server rejected the credentials/);
    expect(result.stderr).toContain('Hint:');
    expect(result.stderr).not.toContain('not-the-password');
  });
});

async function fetchJson(url: string, init: { method?: string; body?: string } = {}): Promise<unknown> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    ...(init.body !== undefined ? { body: init.body } : {}),
    headers: { authorization: `Basic ${Buffer.from(`admin:${PULP_SECRET}`).toString('base64')}`, 'content-type': 'application/json' },
  });
  return response.json();
}

async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}
