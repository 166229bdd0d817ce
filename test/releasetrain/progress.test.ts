import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Ark, startArk } from '../../src/ark/index.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import type { ActionProgressEvent } from '../../src/apply/events.js';
import { progressThrottle, renderApplyEvent } from '../../src/render/apply-text.js';
import { runCli } from '../helpers/cli.js';

// A long sync shows its progress while it runs: an Ark slowed to 60 ms a request, a remote that
// downloads its 30 packages one at a time (about two seconds), and `pulpform apply` printing
// the task's progress reports once the sync has run for a second.

const PATH = 'rocky/9.4/BaseOS/x86_64/os';
const SNAPSHOT = '20240816T002610';

let ark: Ark;
let local: Emulator;
let dir: string;

beforeAll(async () => {
  ark = await startArk({ rpm: [{ path: PATH, snapshots: { [SNAPSHOT]: 30 } }] }, { latencyMs: 60 });
  local = await startEmulator({ taskMs: 1 });
  dir = await mkdtemp(join(tmpdir(), 'pulpform-progress-'));
  await writeFile(
    join(dir, 'state.yaml'),
    `
stack: progress
remotes:
  - name: baseos
    type: rpm
    url: \${env:ARK_URL}/pulp/content/${PATH}/${SNAPSHOT}/
    policy: immediate
    download_concurrency: 1
    username: \${env:ARK_USERNAME}
    password: \${env:ARK_PASSWORD}
repositories:
  - { name: baseos, type: rpm, remote: baseos, sync: { sync_policy: mirror_complete } }
`,
  );
});
afterAll(async () => {
  await Promise.all([ark.close(), local.close(), rm(dir, { recursive: true, force: true })]);
});

describe('progress of long syncs', () => {
  test("apply shows the sync task's progress reports on stderr while it runs", async () => {
    const result = await runCli(['apply', '--auto-approve', '--no-color', '-f', dir, '--server', local.url], {
      env: { PULP_PASSWORD: 'password', ARK_URL: ark.url, ARK_USERNAME: ark.username, ARK_PASSWORD: ark.password },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('Still syncing');
    expect(result.stderr).toMatch(/repository\/rpm\/baseos: Still syncing\.\.\. \[\d+s elapsed; [^\]]*Downloading Artifacts \d+[^\]]*\]/);
    expect(result.stdout).toContain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed, 1 synced.');
  });
});

describe('progress lines', () => {
  const event = (actionId: string, elapsedMs: number): ActionProgressEvent => ({
    code: 'action.progress',
    time: '',
    level: 'info',
    actionId,
    type: 'sync',
    address: actionId.slice(5),
    step: 'sync',
    taskHref: '/pulp/api/v3/tasks/1/',
    taskState: 'running',
    elapsedMs,
    reports: [
      { message: 'Downloading Metadata Files', code: 'sync.downloading.metadata', state: 'completed', done: 4, total: null },
      { message: 'Downloading Artifacts', code: 'sync.downloading.artifacts', state: 'running', done: 12, total: 40 },
      { message: 'Associating Content', code: 'associating.content', state: 'running', done: 0, total: null },
    ],
  });

  test('name what the task is doing now, Terraform style', () => {
    expect(renderApplyEvent(event('sync repository/rpm/baseos', 10_400), { color: false })).toBe(
      'repository/rpm/baseos: Still syncing... [10s elapsed; Downloading Artifacts 12/40]',
    );
  });

  test('come once per action and then every ten seconds of its run', () => {
    const shown = progressThrottle();
    const times = [1_000, 3_000, 10_999, 11_000, 12_000, 21_500];
    expect(times.map((ms) => shown(event('sync repository/rpm/a', ms)))).toEqual([true, false, false, true, false, true]);
    expect(shown(event('sync repository/rpm/b', 3_000))).toBe(true);
  });
});
