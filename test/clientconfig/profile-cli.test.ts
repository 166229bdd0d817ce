import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../../src/emulator/index.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { ARK_ENV, PULP_PASSWORD, startLocalPulp } from './helpers.js';

// A pulp-cli configuration in a temporary home directory, read by pulpform run as a child
// process: the profile is the last source of connection settings, after flags, the
// environment and the desired state's server: block.

const WRONG = 'not-the-pulp-password';

let emulator: Emulator;
let dir: string;
let home: string;
let xdg: string;
let withServerBlock: string;

function cliToml(url: string): string {
  return `[cli]
base_url = "${url}"
api_root = "/pulp/"
domain = "default"
headers = []
username = "admin"
password = "${PULP_PASSWORD}"
verify_ssl = true
format = "json"
dry_run = false
timeout = 0
verbose = 0

[cli-wrong]
base_url = "${url}"
username = "admin"
password = "${WRONG}"
`;
}

/** `pulpform plan --detailed-exitcode`: 2 means it read the server (and found the mirror to create), 1 that it could not. */
function plan(env: Record<string, string>, args: string[] = [], path = 'examples/single-mirror'): Promise<CliResult> {
  return runCli(['plan', '--detailed-exitcode', '-f', path, ...args], { env: { ...ARK_ENV, ...env } });
}

function secretFree(result: CliResult): void {
  expect(result.stdout + result.stderr).not.toContain(PULP_PASSWORD);
  expect(result.stdout + result.stderr).not.toContain(WRONG);
}

beforeAll(async () => {
  emulator = await startLocalPulp();
  dir = await mkdtemp(join(tmpdir(), 'pulpform-profile-cli-'));
  home = join(dir, 'home');
  xdg = join(dir, 'xdg');
  await mkdir(join(home, '.config', 'pulp'), { recursive: true });
  await writeFile(join(home, '.config', 'pulp', 'cli.toml'), cliToml(emulator.url));
  await mkdir(join(xdg, 'pulp'), { recursive: true });
  await writeFile(join(xdg, 'pulp', 'cli.toml'), cliToml(emulator.url));
  withServerBlock = join(dir, 'state');
  await cp('examples/single-mirror', withServerBlock, { recursive: true });
  await writeFile(
    join(withServerBlock, 'server.yaml'),
    `server:\n  url: ${emulator.url}\n  username: admin\n  password: \${env:SEED_PULP_PASSWORD}\n`,
  );
});

afterAll(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a pulp-cli profile in the home directory', () => {
  test('alone gives the server and the credentials, in ~/.config/pulp or $XDG_CONFIG_HOME/pulp', async () => {
    const fromHome = await plan({ HOME: home });
    expect(fromHome.stdout).toContain('Plan: 5 to add');
    expect(fromHome.status).toBe(2);
    const fromXdg = await plan({ HOME: join(dir, 'nowhere'), XDG_CONFIG_HOME: xdg });
    expect(fromXdg.status).toBe(2);
    secretFree(fromHome);
  });

  test('--profile and PULP_CLI_PROFILE select [cli-NAME]', async () => {
    const wrong = await plan({ HOME: home }, ['--profile', 'wrong']);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('the server rejected the credentials');
    secretFree(wrong);
    expect((await plan({ HOME: home, PULP_CLI_PROFILE: 'wrong' })).status).toBe(1);
    const missing = await plan({ HOME: home }, ['--profile', 'staging']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('pulp-cli profile "staging" not found: no [cli-staging] section in');
  });

  test('comes last: the environment, a flag and the server: block each win over it', async () => {
    // The environment's password over the profile's.
    expect((await plan({ HOME: home, PULP_PASSWORD }, ['--profile', 'wrong'])).status).toBe(2);
    expect((await plan({ HOME: home, PULP_PASSWORD: WRONG })).status).toBe(1);
    // A password file over both.
    const passwordFile = join(dir, 'pulp-password');
    await writeFile(passwordFile, `${PULP_PASSWORD}\n`);
    expect((await plan({ HOME: home, PULP_PASSWORD: WRONG }, ['--password-file', passwordFile])).status).toBe(2);
    // The desired state's server block over the profile, the environment over the block.
    const blockWrong = await plan({ HOME: home, SEED_PULP_PASSWORD: WRONG }, [], withServerBlock);
    expect(blockWrong.status).toBe(1);
    secretFree(blockWrong);
    expect((await plan({ HOME: home, SEED_PULP_PASSWORD: WRONG, PULP_PASSWORD }, [], withServerBlock)).status).toBe(2);
  });

  test("a profile selected for another server than the one given is an error, and the default profile's password never goes elsewhere", async () => {
    const conflict = await plan({ HOME: home }, ['--profile', 'wrong', '--server', 'http://127.0.0.1:9']);
    expect(conflict.status).toBe(1);
    expect(conflict.stderr).toContain(`is for ${emulator.url}, but --server says http://127.0.0.1:9`);
    // The same server under another spelling is still the profile's: its credentials apply.
    expect((await plan({ HOME: home }, ['--server', `${emulator.url}/`])).status).toBe(2);
  });

  test("serves client-config too: the content URL and the check go to the profile's server", async () => {
    const result = await runCli(['client-config', '-f', 'examples/single-mirror', '--format', 'dnf', '--environment', 'production'], {
      env: { ...ARK_ENV, HOME: home },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`baseurl=${emulator.url}/pulp/content/rocky/9/BaseOS/x86_64/os/production/\n`);
  });
});
