import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arkFor } from '../../src/ark/from-desired.js';
import { type Ark, startArk } from '../../src/ark/index.js';
import { loadDesiredState } from '../../src/config/index.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { jsonRun } from '../helpers/json-lines.js';

// pulpform outdated on examples/single-mirror against an emulated Ark that serves the pinned
// snapshot and newer ones, listed by its content app as real Pulp lists them.

let ark: Ark;
let work: string;
let env: Record<string, string>;
const MIRROR = 'Rocky Linux 9 - BaseOS';
const PATH = 'rocky/9.4/BaseOS/x86_64/os';
const PINNED = '20240816T002610';
const LATER = ['20240901T000000', '20241001T000000'];
const OLDER = '20240701T000000';

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'pulpform-outdated-'));
  await cp('examples/single-mirror', join(work, 'single-mirror'), { recursive: true });
  ark = await startArk({}, { password: 'ark-secret-4711' });
  env = { ARK_URL: ark.url, ARK_USERNAME: ark.username, ARK_PASSWORD: ark.password, NO_COLOR: '1' };
  const loaded = await loadDesiredState('single-mirror', { env, cwd: work });
  ark.publish(arkFor(loaded.state!, ark.url).spec);
});

afterEach(async () => {
  await ark.close();
  await rm(work, { recursive: true, force: true });
});

const pulpform = (args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> =>
  runCli([...args, '-f', 'single-mirror'], { cwd: work, env: { ...env, ...extraEnv } });

describe('pulpform outdated', () => {
  test('lists the newer snapshots newest first, with the pin that takes the newest, and says up to date after it', async () => {
    const upToDate = await pulpform(['outdated']);
    expect(upToDate.stderr).toBe('');
    expect(upToDate.status).toBe(0);
    expect(upToDate.stdout).toBe(
      `${MIRROR}  development ${PINNED}, production ${PINNED}\n` +
        `  up to date: ${PINNED} is the newest snapshot the upstream lists\n\n` +
        '1 mirror checked: 0 have newer snapshots, 1 up to date.\n',
    );

    ark.publish({ rpm: [{ path: PATH, snapshots: Object.fromEntries([OLDER, ...LATER].map((stamp) => [stamp, 2])) }] });
    const outdated = await pulpform(['outdated', 'Rocky*']);
    expect(outdated.status).toBe(0);
    expect(outdated.stdout).toBe(
      `${MIRROR}  development ${PINNED}, production ${PINNED}\n` +
        `  newer: ${LATER[1]}, ${LATER[0]}\n` +
        `  pulpform pin '${MIRROR}' ${LATER[1]} -f single-mirror\n\n` +
        '1 mirror checked: 1 has newer snapshots, 0 up to date.\n',
    );

    // Once development is pinned to the newest, the mirror is up to date.
    const yaml = join(work, 'single-mirror/mirror.yaml');
    await writeFile(yaml, (await readFile(yaml, 'utf8')).replace(`    snapshot: ${PINNED}\n`, `    snapshot: ${LATER[1]}\n`));
    const after = await pulpform(['outdated']);
    expect(after.stdout).toContain(`${MIRROR}  development ${LATER[1]}, production ${PINNED}\n  up to date`);

    const json = await pulpform(['outdated', '--json']);
    const run = jsonRun(json.stdout, json.status);
    expect(run.ofType('outdated')).toEqual([
      {
        type: 'outdated',
        mirror: MIRROR,
        address: `repository/rpm/${MIRROR}`,
        upstream: ark.url,
        listingUrl: `${ark.url}/pulp/content/${PATH}/`,
        snapshot: LATER[1],
        pins: { development: LATER[1], production: PINNED },
        newer: [],
      },
    ]);
    expect(run.result).toMatchObject({
      command: 'outdated',
      exitCode: 0,
      ok: true,
      summary: { mirrors: 1, outdated: 0, upToDate: 1, failed: 0 },
    });
  });

  test('a rejected password, a path the upstream does not serve, an unreachable upstream: exit 1 with the reason, never the password', async () => {
    const rejected = await pulpform(['outdated'], { ARK_PASSWORD: 'not-the-password' });
    expect(rejected.status).toBe(1);
    expect(rejected.stdout).toContain(`could not check: The upstream rejected the credentials of ${MIRROR}`);
    expect(rejected.stdout).toContain(
      "Hint: Check the upstream's credentials: username from env:ARK_USERNAME, password from env:ARK_PASSWORD.",
    );
    expect(rejected.stdout).toContain('1 mirror checked: 0 have newer snapshots, 0 up to date, 1 could not be checked.');
    expect(`${rejected.stdout}${rejected.stderr}`).not.toContain('not-the-password');
    expect(rejected.stderr).toBe('');

    const json = await pulpform(['outdated', '--json'], { ARK_PASSWORD: 'not-the-password' });
    expect(json.stdout).not.toContain('not-the-password');
    const run = jsonRun(json.stdout, json.status);
    expect(run.ofType('diagnostic')).toEqual([
      expect.objectContaining({
        code: 'outdated.credentials_rejected',
        severity: 'error',
        hint: expect.any(String),
        file: 'single-mirror/mirror.yaml',
      }),
    ]);
    expect(run.ofType('outdated')[0]).toMatchObject({ mirror: MIRROR, newer: [], error: { code: 'outdated.credentials_rejected' } });
    expect(run.result).toMatchObject({ exitCode: 1, ok: false, summary: { failed: 1 } });

    const yaml = join(work, 'single-mirror/mirror.yaml');
    await writeFile(yaml, (await readFile(yaml, 'utf8')).replace(`path: ${PATH}`, 'path: rocky/9.4/BaseOs/x86_64/os'));
    const missing = await pulpform(['outdated']);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain(
      `could not check: ${MIRROR}: the upstream serves nothing at ${ark.url}/pulp/content/rocky/9.4/BaseOs/x86_64/os/`,
    );
    expect(missing.stdout).toContain("Hint: Check the mirror's path");

    await ark.close();
    const unreachable = await pulpform(['outdated', '--request-timeout', '5']);
    expect(unreachable.status).toBe(1);
    expect(unreachable.stdout).toContain(`could not check: ${MIRROR}: cannot reach the upstream ${ark.url}`);
    expect(unreachable.stdout).not.toMatch(/\n\s+at /);
    ark = await startArk({});
  });

  test('a listing without snapshots is an error; a selector matching nothing names the closest mirror', async () => {
    // A path two levels up: its listing has "x86_64/", not snapshots.
    const yaml = join(work, 'single-mirror/mirror.yaml');
    await writeFile(yaml, (await readFile(yaml, 'utf8')).replace(`path: ${PATH}`, 'path: rocky/9.4/BaseOS'));
    const empty = await pulpform(['outdated']);
    expect(empty.status).toBe(1);
    expect(empty.stdout).toContain(
      `could not check: ${MIRROR}: the upstream lists no snapshots at ${ark.url}/pulp/content/rocky/9.4/BaseOS/`,
    );

    const typo = await pulpform(['outdated', 'Rocky Linux 9 - BaseOs']);
    expect(typo.status).toBe(1);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toBe(`Error: no package mirror matches "Rocky Linux 9 - BaseOs"; did you mean "${MIRROR}"? (mirrors: ${MIRROR})\n`);
    const json = await pulpform(['outdated', 'Rocky Linux 9 - BaseOs', '--json']);
    expect(jsonRun(json.stdout, json.status).result).toMatchObject({
      exitCode: 1,
      ok: false,
      error: { code: 'outdated.selector', message: expect.stringContaining(`did you mean "${MIRROR}"?`) },
    });
  });
});
