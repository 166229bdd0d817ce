import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arkFor } from '../../src/ark/from-desired.js';
import { type Ark, startArk } from '../../src/ark/index.js';
import { loadDesiredState } from '../../src/config/index.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { jsonRun } from '../helpers/json-lines.js';

// pin, promote and status as operators run them, on examples/single-mirror against an Ark emulator and a
// local one: the YAML changes only where the pin is, the plan shows the sync or the repoint.

let ark: Ark;
let local: Emulator;
let work: string;
let env: Record<string, string>;
let newer: string;
const FILE = 'single-mirror/mirror.yaml';
const MIRROR = 'Rocky Linux 9 - BaseOS';
const PINNED = '20240816T002610';

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'pulpform-pin-'));
  await cp('examples/single-mirror', join(work, 'single-mirror'), { recursive: true });
  ark = await startArk({});
  local = await startEmulator({ taskMs: 1 });
  env = {
    ARK_URL: ark.url,
    ARK_USERNAME: ark.username,
    ARK_PASSWORD: ark.password,
    PULP_BASE_URL: local.url,
    PULP_PASSWORD: 'password',
    NO_COLOR: '1',
  };
  const loaded = await loadDesiredState('single-mirror', { env, cwd: work });
  const spec = arkFor(loaded.state!, ark.url, { newer: true });
  ark.publish(spec.spec);
  newer = [...spec.newer.values()][0]!;
});

afterEach(async () => {
  await Promise.all([ark.close(), local.close()]);
  await rm(work, { recursive: true, force: true });
});

const pulpform = (args: string[]): Promise<CliResult> => runCli([...args, '-f', 'single-mirror'], { cwd: work, env });

/** Lines of the file that differ from the example's. */
async function changedLines(): Promise<Array<[string, string]>> {
  const before = (await readFile(join('examples', FILE), 'utf8')).split('\n');
  const after = (await readFile(join(work, FILE), 'utf8')).split('\n');
  expect(after.length).toBe(before.length);
  return before.flatMap((line, i): Array<[string, string]> => (line === after[i] ? [] : [[line, after[i]!]]));
}

describe('pulpform pin and promote', () => {
  test('pin bumps development in the YAML alone and shows the sync it plans; promote pins production to what development serves', async () => {
    expect((await pulpform(['apply', '--auto-approve'])).status).toBe(0);

    const pinned = await pulpform(['pin', 'Rocky*', newer]);
    expect(pinned.stderr).toBe('');
    expect(pinned.status).toBe(0);
    expect(pinned.stdout).toContain(`${MIRROR}: development ${PINNED} -> ${newer}`);
    expect(pinned.stdout).toContain(`synced: ${PINNED} -> ${newer}`);
    expect(await changedLines()).toEqual([[`    snapshot: ${PINNED}`, `    snapshot: ${newer}`]]);

    // promote reads what development serves on the server: nothing applied yet, so production stays.
    const early = await pulpform(['promote']);
    expect(early.stdout).toContain(`${MIRROR}: production is pinned to ${PINNED} already`);

    expect((await pulpform(['apply', '--auto-approve'])).status).toBe(0);
    const status = await pulpform(['status']);
    expect(status.status).toBe(0);
    expect(status.stdout).toContain(`${PINNED}  version 1, published\n`);
    expect(status.stdout).toContain(`${newer}  version 2, published  (last sync)`);
    expect(status.stdout).toMatch(new RegExp(`development +serves ${newer} +as the YAML says`));
    expect(status.stdout).toMatch(new RegExp(`production +serves ${PINNED} +as the YAML says`));
    const statusJson = await pulpform(['status', '--json']);
    const [statusLine] = jsonRun(statusJson.stdout, statusJson.status).ofType('status');
    const json = statusLine!.status as unknown as { mirrors: Array<{ snapshots: Array<{ snapshot: string; publication?: string }> }> };
    expect(json.mirrors[0]!.snapshots.map((s) => s.snapshot)).toEqual([PINNED, newer]);
    expect(json.mirrors[0]!.snapshots.every((s) => s.publication !== undefined)).toBe(true);

    const promoted = await pulpform(['promote', '--apply']);
    expect(promoted.status).toBe(0);
    expect(promoted.stdout).toContain(`${MIRROR}: production ${PINNED} -> ${newer}`);
    expect(promoted.stdout).toContain('Apply complete! Resources: 0 added, 1 changed, 0 destroyed, 0 synced.');
    expect((await changedLines()).map(([, after]) => after.trim())).toEqual([`snapshot: ${newer}`, `snapshot: ${newer}`]);
    expect((await pulpform(['plan', '--detailed-exitcode'])).status).toBe(0);
  });

  test('mistakes are refused with the reason, and the YAML is left alone', async () => {
    const badStamp = await pulpform(['pin', MIRROR, '2024-08-16']);
    expect(badStamp.status).toBe(1);
    expect(badStamp.stderr).toBe(
      'Error: "2024-08-16" is not a snapshot stamp: upstream snapshots are named YYYYMMDDTHHMMSS, e.g. 20240816T002610\n',
    );
    const unknown = await pulpform(['pin', 'Rocky Linux 9 - BaseOs', newer]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain(`no package mirror matches "Rocky Linux 9 - BaseOs"; did you mean "${MIRROR}"?`);
    const noEnvironment = await pulpform(['pin', MIRROR, newer, '--environment', 'staging']);
    expect(noEnvironment.status).toBe(1);
    expect(noEnvironment.stderr).toContain(`${MIRROR}: not changed: it has no staging distribution (it has development, production)`);
    const notApplied = await pulpform(['promote']);
    expect(notApplied.status).toBe(1);
    expect(notApplied.stderr).toContain('its development distribution rocky-9-baseos-development is not on the server yet: apply first');
    expect(await changedLines()).toEqual([]);
  });
});
