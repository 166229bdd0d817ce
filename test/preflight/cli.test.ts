import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Ark, startArk } from '../../src/ark/index.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { type CliResult, runCli } from '../helpers/cli.js';

// `pulpform apply` as users run it: before any write, preflight catches a bad password, a missing
// snapshot and a push-repository conflict, all at once, and the local Pulp sees zero writes.

const OLD = '20220817T082321';
const BASEOS = 'centos/8-stream/BaseOS/x86_64/os';
const NOVA = 'stackhpc/centos-source-nova-api';

const yaml = (snapshot: string): string => `
stack: rt
remotes:
  - name: BaseOS-remote
    type: rpm
    url: \${env:ARK_URL}/pulp/content/${BASEOS}/${snapshot}/
    policy: on_demand
    username: \${env:ARK_USERNAME}
    password: \${env:ARK_PASSWORD}
  - name: ${NOVA}-remote
    type: container
    url: \${env:ARK_URL}
    upstream_name: ${NOVA}
    policy: on_demand
    username: \${env:ARK_USERNAME}
    password: \${env:ARK_PASSWORD}
repositories:
  - { name: BaseOS, type: rpm, remote: BaseOS-remote, sync: { sync_policy: mirror_complete } }
  - { name: ${NOVA}, type: container, remote: ${NOVA}-remote, sync: true }
publications:
  - repository: BaseOS
distributions:
  - { name: baseos-development, base_path: ${BASEOS}/development, publication: BaseOS }
  - { name: ${NOVA}, base_path: ${NOVA}, repository: ${NOVA} }
`;

let ark: Ark;
let local: Emulator;
let dir: string;

beforeAll(async () => {
  ark = await startArk({ rpm: [{ path: BASEOS, snapshots: { [OLD]: 3 } }], containers: [{ name: NOVA, tags: ['yoga'] }] });
});
afterAll(() => ark.close());
beforeEach(async () => {
  // Push repositories as pulp_container before 2.29 makes them (3.116 pushes into plain container repositories).
  local = await startEmulator({ taskMs: 1, pulpVersion: '3.43' });
  dir = await mkdtemp(join(tmpdir(), 'pulpform-preflight-'));
});
afterEach(async () => {
  await local.close();
  await rm(dir, { recursive: true, force: true });
});

async function pulpform(args: string[], snapshot: string, env: Record<string, string> = {}): Promise<CliResult> {
  await writeFile(join(dir, 'state.yaml'), yaml(snapshot));
  return runCli([...args, '-f', dir, '--server', local.url], {
    cwd: dir,
    env: { PULP_PASSWORD: 'password', ARK_URL: ark.url, ARK_USERNAME: ark.username, ARK_PASSWORD: ark.password, ...env },
  });
}

const writes = () => local.requests().filter((r) => r.method !== 'GET');

describe('apply runs preflight before any write', () => {
  test('a bad password, a missing snapshot and a push conflict are reported together; nothing is written', async () => {
    await fetch(`${local.url}/_emulator/registry_push`, { method: 'POST', body: JSON.stringify({ name: NOVA, tag: 'by-hand' }) });
    local.resetRequests();
    const conflicted = await pulpform(['apply', '--auto-approve'], '29990101T000000', { ARK_PASSWORD: 'wrong-password' });
    expect(conflicted.status).toBe(1);
    expect(conflicted.stdout).toContain(
      `Error: repository/container/${NOVA}: the repository name "${NOVA}" is held by the container push repository`,
    );
    expect(conflicted.stderr).toContain('nothing was changed');
    expect(writes()).toEqual([]);

    // The push conflict is a plan error; preflight probes once the plan itself is sound.
    const probed = await pulpform(['apply', '--auto-approve', '--replace-push-conflicts'], '29990101T000000', {
      ARK_PASSWORD: 'wrong-password',
    });
    expect(probed.status).toBe(1);
    expect(probed.stdout).toContain(`Error: The upstream rejected the credentials of remote/container/${NOVA}-remote`);
    expect(probed.stdout).toContain('Error: The upstream rejected the credentials of remote/rpm/BaseOS-remote');
    expect(probed.stdout).toContain(
      'Hint: Check the credentials of remote/rpm/BaseOS-remote: username from env:ARK_USERNAME, password from env:ARK_PASSWORD.',
    );
    expect(probed.stdout + probed.stderr).not.toContain('wrong-password');
    expect(writes()).toEqual([]);

    const missing = await pulpform(['apply', '--auto-approve', '--replace-push-conflicts'], '29990101T000000');
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain('Error: remote/rpm/BaseOS-remote: snapshot 29990101T000000 does not exist upstream');
    expect(missing.stdout).not.toContain('rejected the credentials');
    expect(writes()).toEqual([]);

    const applied = await pulpform(['apply', '--auto-approve', '--replace-push-conflicts'], OLD);
    expect(applied.stderr).toBe('');
    expect(applied.status).toBe(0);
    expect(applied.stdout).toContain(`distribution/container/${NOVA}: Destroying...`);
    expect((await pulpform(['plan', '--detailed-exitcode', '--preflight'], OLD)).status).toBe(0);
  });

  test('apply probes each upstream once, though it reads the server again under the lock', async () => {
    const upstreamReads = async (args: string[]): Promise<number> => {
      ark.emulator.resetRequests();
      expect((await pulpform(args, OLD)).status).toBe(0);
      return ark.emulator.requests().filter((r) => r.method === 'GET' && /(repomd\.xml|tags\/list)$/.test(r.path)).length;
    };
    const probes = await upstreamReads(['plan', '--preflight']);
    const syncs = await upstreamReads(['apply', '--auto-approve', '--skip-preflight']);
    await local.close();
    local = await startEmulator({ taskMs: 1, pulpVersion: '3.43' });
    expect(probes).toBeGreaterThan(0);
    expect(await upstreamReads(['apply', '--auto-approve'])).toBe(syncs + probes);
  });

  test('plan --preflight reports what apply would refuse; --skip-preflight lets apply meet the failure in the sync task', async () => {
    const plan = await pulpform(['plan', '--preflight'], OLD, { ARK_PASSWORD: 'wrong-password' });
    expect(plan.status).toBe(1);
    expect(plan.stdout).toContain('Error: The upstream rejected the credentials of remote/rpm/BaseOS-remote');
    expect(writes()).toEqual([]);

    const skipped = await pulpform(['apply', '--auto-approve', '--skip-preflight'], OLD, { ARK_PASSWORD: 'wrong-password' });
    expect(skipped.status).toBe(1);
    expect(skipped.stdout).toMatch(/repository\/rpm\/BaseOS: Syncing failed after \d+s: .*401, message='Unauthorized'/);
  });
});
