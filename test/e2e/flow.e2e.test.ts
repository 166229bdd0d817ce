import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireLock, readLock } from '../../src/apply/lock.js';
import type { Ark } from '../../src/ark/index.js';
import { PulpClient } from '../../src/live/client.js';
import { compareVersions } from '../../src/model/index.js';
import { Secret } from '../../src/model/secret.js';
import type { CliResult } from '../helpers/cli.js';
import { CLI } from '../helpers/cli.js';
import { jsonRun } from '../helpers/json-lines.js';
import { expectExit, FULL_TRAIN, NEW, OLD, runId, startTrainArk, trainYaml, type TrainShape, TrainStack } from './harness.js';
import { findObject, pulpRequest, stackObjects, waitTask } from './pulp.js';
import { EACH_SERVER, E2E_REGISTRY, type RealServer } from './servers.js';

// The Release Train flow on each real server, through the pulpform binary: converge, no-op,
// pin bump, promotion, stale saved plan, export, prune, watch, client-config, and no secret in
// anything pulpform printed or wrote.

interface PlannedAction {
  id: string;
  type: string;
  address: string;
}

function actionsOf(result: CliResult): PlannedAction[] {
  const [line] = jsonRun(result.stdout, result.status).ofType('plan');
  const plan = line!.plan as unknown as { waves: PlannedAction[][] };
  return plan.waves.flat().map(({ id, type, address }) => ({ id, type, address }));
}

let ark: Ark;
beforeAll(async () => {
  ark = await startTrainArk(`ark-secret-${runId('')}`);
});
afterAll(() => ark.close());

describe.each(EACH_SERVER)('%s: the Release Train flow', (_label, server: RealServer) => {
  let stack: TrainStack;
  let shape: TrainShape;
  /** Everything pulpform printed in this describe, swept for the Ark password at the end. */
  const results: CliResult[] = [];
  const run = async (args: string[]): Promise<CliResult> => {
    const result = await stack.run([...args, '--log-file', 'pulpform.log', '--log-level', 'debug']);
    results.push(result);
    return result;
  };
  const apply = async (...extra: string[]): Promise<CliResult> => {
    const result = await run(['apply', '--auto-approve', ...extra]);
    expectExit(result, 0);
    return result;
  };
  const planActions = async (...extra: string[]): Promise<PlannedAction[]> => {
    const result = await run(['plan', '--json', ...extra]);
    expectExit(result, 0);
    return actionsOf(result);
  };
  const reshape = async (changes: Partial<TrainShape>): Promise<void> => {
    shape = { ...shape, ...changes };
    await stack.write(shape);
  };
  const syncs = () => stack.proxy.writes().filter((w) => w.method === 'POST' && w.path.endsWith('/sync/'));
  /** Writes other than the server lock's (a content guard pulpform takes and releases). */
  const objectWrites = () => stack.proxy.writes().filter((w) => !w.path.includes('/contentguards/'));

  beforeAll(async () => {
    stack = await TrainStack.create({ server, ark });
    shape = FULL_TRAIN;
    await stack.write(shape);
  });
  afterAll(() => stack.destroy());

  test('the first apply converges; the next plan is empty and an apply writes nothing on the wire', async () => {
    await apply();
    stack.proxy.reset();
    const plan = await run(['plan', '--detailed-exitcode']);
    expectExit(plan, 0);
    expect(plan.stdout).toContain('No changes.');
    expect(stack.proxy.writes()).toEqual([]);
    await apply();
    expect(stack.proxy.writes()).toEqual([]);
    const expected = [
      `distributions/rpm/${stack.id}-baseos-development`,
      `distributions/rpm/${stack.id}-appstream-production`,
      `distributions/deb/${stack.id}-jammy-production`,
      `distributions/file/${stack.id}-files`,
      `distributions/container/${stack.id}/rocky-source-nova-api`,
      ...(E2E_REGISTRY ? [`distributions/container/${stack.id}/tiny-hello`] : []),
    ];
    expect(await stackObjects(server, stack.id)).toEqual(expect.arrayContaining(expected));
  });

  test('a label change on an rpm repository keeps its gpg options (rpm 3.24 resets repo_config on updates that leave it out)', async () => {
    await reshape({ localRpmTeam: 'platform' });
    expect((await planActions()).map((a) => a.id)).toEqual([`update repository/rpm/${stack.id}-local-rpm`]);
    await apply();
    expect(await planActions()).toEqual([]);
    const repository = await findObject(server, 'repositories/rpm/rpm/', `${stack.id}-local-rpm`);
    expect(repository?.['pulp_labels']).toMatchObject({ team: 'platform' });
    // Wherever this release keeps them, both are 1.
    const config = (repository?.['repo_config'] ?? {}) as Record<string, unknown>;
    expect([repository?.['gpgcheck'] ?? config['gpgcheck'], repository?.['repo_gpgcheck'] ?? config['repo_gpgcheck']]).toEqual([1, 1]);
  });

  test('a wrong Pulp password is reported as rejected credentials (403 before pulpcore 3.24, 401 after)', async () => {
    const refused = await stack.run(['plan'], { env: { PULP_PASSWORD: 'not-the-password' } });
    expectExit(refused, 1);
    expect(refused.stderr).toContain('rejected the credentials');
    expect(refused.stdout + refused.stderr).not.toContain('not-the-password');
  });

  /** `pulpform pin`/`promote` edit the YAML; it must then be exactly what the new shape writes. */
  const expectYamlOf = async (changes: Partial<TrainShape>): Promise<void> => {
    shape = { ...shape, ...changes };
    expect(await readFile(join(stack.desiredPath, 'train.yaml'), 'utf8')).toBe(trainYaml(stack.id, shape));
  };

  test('a pin bump (pulpform pin) syncs and repoints only what moved', async () => {
    const pinned = await stack.run(['pin', `${stack.id} Rocky 9 BaseOS`, NEW]);
    expectExit(pinned, 0);
    expect(pinned.stdout).toContain(`${stack.id} Rocky 9 BaseOS: development ${OLD} -> ${NEW}`);
    await expectYamlOf({ baseos: { development: NEW, production: OLD } });
    expect((await planActions()).map((a) => a.id).sort()).toEqual([
      `create publication/rpm/${stack.id} Rocky 9 BaseOS@${NEW}`,
      `sync repository/rpm/${stack.id} Rocky 9 BaseOS`,
      `update distribution/rpm/${stack.id}-baseos-development`,
      `update remote/rpm/${stack.id} Rocky 9 BaseOS-remote`,
    ]);
    stack.proxy.reset();
    await apply();
    expect(syncs()).toHaveLength(1);
    expect(await planActions()).toEqual([]);
    const development = await findObject(server, 'distributions/rpm/rpm/', `${stack.id}-baseos-development`);
    const production = await findObject(server, 'distributions/rpm/rpm/', `${stack.id}-baseos-production`);
    expect(development?.['publication']).not.toEqual(production?.['publication']);
  });

  test('promotion (pulpform promote) repoints production without a sync', async () => {
    const promoted = await stack.run(['promote', `${stack.id} Rocky 9 BaseOS`]);
    expectExit(promoted, 0);
    expect(promoted.stdout).toContain(`${stack.id} Rocky 9 BaseOS: production ${OLD} -> ${NEW}`);
    await expectYamlOf({ baseos: { development: NEW, production: NEW } });
    expect((await planActions()).map((a) => a.id)).toEqual([`update distribution/rpm/${stack.id}-baseos-production`]);
    stack.proxy.reset();
    await apply();
    expect(syncs()).toEqual([]);
    expect(objectWrites().map((w) => w.method)).toEqual(['PATCH']);
    const development = await findObject(server, 'distributions/rpm/rpm/', `${stack.id}-baseos-development`);
    const production = await findObject(server, 'distributions/rpm/rpm/', `${stack.id}-baseos-production`);
    expect(production?.['publication']).toEqual(development?.['publication']);
  });

  test('status lists the snapshots synced into each mirror and what each environment serves', async () => {
    const result = await stack.run(['status', `${stack.id} Rocky 9 BaseOS`, '--json']);
    const [line] = jsonRun(result.stdout, result.status).ofType('status');
    const status = line!.status as unknown as {
      mirrors: Array<{
        name: string;
        snapshots: Array<{ snapshot: string; publication?: string }>;
        environments: Array<{ environment: string; serves?: string; wanted?: string }>;
      }>;
    };
    expect(status.mirrors.map((m) => m.name)).toEqual([`${stack.id} Rocky 9 BaseOS`]);
    const [mirror] = status.mirrors;
    expect(mirror!.snapshots.map((s) => s.snapshot)).toEqual([OLD, NEW]);
    expect(mirror!.snapshots.every((s) => s.publication !== undefined)).toBe(true);
    expect(mirror!.environments.map((e) => [e.environment, e.serves, e.wanted])).toEqual([
      ['development', NEW, NEW],
      ['production', NEW, NEW],
    ]);
    const text = await stack.run(['status', `${stack.id} Rocky 9 BaseOS`]);
    expectExit(text, 0);
    expect(text.stdout).toMatch(new RegExp(`production +serves ${NEW} +as the YAML says`));
  });

  test('unlock removes a lock a dead run left, naming its holder', async () => {
    const client = new PulpClient({ baseUrl: server.url, username: server.username, password: new Secret(server.password, 'test') });
    try {
      await acquireLock(client, { stack: stack.id, operation: 'apply' });
      const planned = await stack.run(['plan']);
      expect(planned.stderr).toMatch(/Note: .+ \(pid \d+, apply\) has held the server lock for/);
      const unlocked = await stack.run(['unlock', '--force']);
      expectExit(unlocked, 0);
      expect(unlocked.stdout).toMatch(/The server lock of stack ".+" is held by .+ \(pid \d+, apply\), taken [0-9a-z ]+ ago/);
      expect(unlocked.stdout).toContain('Lock removed.');
      expect(await readLock(client, stack.id)).toBeUndefined();
    } finally {
      client.close();
    }
  });

  test('rolling development back to a snapshot it served repoints it: no sync, no new publication', async () => {
    await reshape({ baseos: { development: OLD, production: NEW } });
    const planned = await run(['plan', '--json']);
    expectExit(planned, 0);
    const actions = actionsOf(planned);
    expect(actions.map((a) => a.id).sort()).toEqual([
      `update distribution/rpm/${stack.id}-baseos-development`,
      `update remote/rpm/${stack.id} Rocky 9 BaseOS-remote`,
    ]);
    expect(planned.stdout).toContain(`${stack.id}-baseos-development: ${NEW} -> ${OLD} (synced before: repoint, no sync)`);
    stack.proxy.reset();
    await apply();
    expect(objectWrites().filter((w) => w.method === 'POST')).toEqual([]);
    expect(await planActions()).toEqual([]);
    await reshape({ baseos: { development: NEW, production: NEW } });
    expect((await planActions()).map((a) => a.type)).toEqual(['update', 'update']);
    await apply();
  });

  test('a saved plan is refused whole, before any write, when an object it acts on changed; applied twice, it says so', async () => {
    await reshape({ jammy: { development: NEW, production: OLD } });
    expectExit(await run(['plan', '--out', 'bump.plan']), 0);
    const development = await findObject(server, 'distributions/deb/apt/', `${stack.id}-jammy-development`);
    await waitTask(
      server,
      await pulpRequest(server, 'PATCH', String(development?.['pulp_href']), { base_path: `${stack.id}/jammy/moved` }),
    );
    stack.proxy.reset();
    const refused = await run(['apply', 'bump.plan']);
    expectExit(refused, 1);
    expect(refused.stderr).toContain(
      'bump.plan is stale: 1 object it acts on changed on the server since it was made. Nothing was changed.',
    );
    expect(refused.stderr).toContain(`base_path: "${stack.id}/jammy/development" -> "${stack.id}/jammy/moved"`);
    // Not the remote update, the sync or the publication the plan starts with; not even the lock.
    expect(stack.proxy.writes()).toEqual([]);
    await apply();
    expect(await planActions()).toEqual([]);
    expect((await findObject(server, 'distributions/deb/apt/', `${stack.id}-jammy-development`))?.['base_path']).toBe(
      `${stack.id}/jammy/development`,
    );

    await reshape({ jammy: { development: NEW, production: NEW } });
    expectExit(await run(['plan', '--out', 'promote.plan']), 0);
    expectExit(await run(['apply', 'promote.plan']), 0);
    stack.proxy.reset();
    const again = await run(['apply', 'promote.plan']);
    expectExit(again, 0);
    expect(again.stdout).toContain('promote.plan has already been applied');
    expect(stack.proxy.writes()).toEqual([]);
  });

  test('export of the stack, then a plan of the export: no changes', async () => {
    const exported = await run(['export', '--stack', stack.id, '--select', `${stack.id}*`, '-o', 'exported']);
    expectExit(exported, 0);
    const yaml = await readFile(join(stack.dir, 'exported', 'export.yaml'), 'utf8');
    expect(yaml).toContain(`stack: ${stack.id}`);
    expect(yaml).toMatch(/^package_mirrors:/m);
    expect(yaml).toMatch(/^container_mirrors:/m);
    expect(yaml).not.toContain(stack.ark.password);
    // Export names the variables that must hold the write-only values Pulp never returns.
    const variables = [...new Set([...yaml.matchAll(/\$\{env:(\w+)\}/g)].map((match) => match[1]!))];
    const env = Object.fromEntries(variables.map((name) => [name, name.endsWith('PASSWORD') ? stack.ark.password : stack.ark.username]));
    const plan = await stack.run(['plan', '-f', 'exported', '--detailed-exitcode'], { env });
    results.push(plan);
    expectExit(plan, 0);
    expect(plan.stdout).toContain('No changes.');
  });

  test('client-config --check passes for both environments', async () => {
    for (const environment of ['development', 'production']) {
      for (const format of ['dnf', 'apt']) {
        const result = await run(['client-config', '--environment', environment, '--format', format, '--check']);
        expectExit(result, 0);
      }
    }
    const registry = await run(['client-config', '--environment', 'development', '--format', 'registry', '--check']);
    expectExit(registry, 0);
  });

  test('prune deletes exactly what left the YAML and nothing else', async () => {
    const before = await stackObjects(server, stack.id);
    await reshape({ appstream: undefined, images: ['nova-api'], files: false });
    const planned = await planActions('--prune');
    const deletes = planned
      .filter((a) => a.type === 'delete')
      .map((a) => a.address)
      .sort();
    expect(planned.filter((a) => a.type !== 'delete')).toEqual([]);
    const gone = [
      `distribution/container/${stack.id}/rocky-source-keystone`,
      `distribution/file/${stack.id}-files`,
      `distribution/rpm/${stack.id}-appstream-development`,
      `distribution/rpm/${stack.id}-appstream-production`,
      `remote/container/${stack.id}/rocky-source-keystone-remote`,
      `remote/file/${stack.id}-files`,
      `remote/rpm/${stack.id} Rocky 9 AppStream-remote`,
      `repository/container/${stack.id}/rocky-source-keystone`,
      `repository/file/${stack.id}-files`,
      `repository/rpm/${stack.id} Rocky 9 AppStream`,
    ];
    // Publications go with their repository; the plan may list them or leave them to Pulp.
    expect(deletes.filter((address) => !address.startsWith('publication/'))).toEqual(gone.sort());
    await apply('--prune');
    const plural = (address: string) =>
      address.replace(/^(\w+?)y?\//, (_, kind: string) => (kind === 'repositor' ? 'repositories/' : `${kind}s/`));
    expect(await stackObjects(server, stack.id)).toEqual(before.filter((object) => !gone.map(plural).includes(object)));
    expect(await planActions('--prune')).toEqual([]);
  });

  test('watch repairs an object deleted behind its back and exits 0 on SIGTERM', async () => {
    const watch = spawn(process.execPath, [CLI, 'watch', '--interval', '2', '--log-format', 'json'], {
      cwd: stack.dir,
      env: { PATH: process.env.PATH ?? '', ...stack.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    watch.stdout.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    watch.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    const exited = new Promise<number | null>((resolve) => watch.on('close', resolve));
    try {
      const name = `${stack.id}-jammy-production`;
      const target = await findObject(server, 'distributions/deb/apt/', name);
      await waitTask(server, await pulpRequest(server, 'DELETE', String(target?.['pulp_href'])));
      const deadline = Date.now() + 180_000;
      let repaired: Record<string, unknown> | undefined;
      while (repaired === undefined && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        repaired = await findObject(server, 'distributions/deb/apt/', name);
      }
      expect({ repaired: repaired !== undefined, log }).toMatchObject({ repaired: true });
    } finally {
      watch.kill('SIGTERM');
    }
    expect({ status: await exited, log }).toMatchObject({ status: 0 });
    results.push({ status: 0, stdout: log, stderr: '' });
    expect(await planActions()).toEqual([]);
  });

  test('a label key only newer releases accept: validate warns, the plan refuses it on older releases by name, newer ones apply it', async () => {
    const yaml = `stack: ${stack.id}\nremotes:\n  - { name: ${stack.id}-labelled, type: file, url: "\${env:ARK_URL}/pulp/content/files/images/PULP_MANIFEST", labels: { cf-env: prod } }\n`;
    await mkdir(join(stack.dir, 'labelled'), { recursive: true });
    await writeFile(join(stack.dir, 'labelled', 'labelled.yaml'), yaml);
    const validated = await stack.run(['validate', '-f', 'labelled']);
    results.push(validated);
    expectExit(validated, 0);
    expect(validated.stdout + validated.stderr).toContain('Label key needs a newer Pulp');
    const accepted = compareVersions(server.versions['core']!, '3.105.0') >= 0;
    const applied = await run(['apply', '-f', 'labelled', '--auto-approve']);
    if (accepted) {
      expectExit(applied, 0);
      expect((await findObject(server, 'remotes/file/file/', `${stack.id}-labelled`))?.['pulp_labels']).toMatchObject({ 'cf-env': 'prod' });
    } else {
      expectExit(applied, 1);
      expect(applied.stdout + applied.stderr).toContain(`pulpcore ${server.versions['core']} refuses the label key "cf-env"`);
      expect(await findObject(server, 'remotes/file/file/', `${stack.id}-labelled`)).toBeUndefined();
    }
  });

  test('no remote password in anything pulpform printed or wrote', async () => {
    const leaks = (await Promise.all(results.map((result) => stack.leaks(result)))).flat();
    expect(leaks).toEqual([]);
    expect(results.length).toBeGreaterThan(10);
    expect(await readFile(join(stack.dir, 'pulpform.log'), 'utf8')).not.toBe('');
  });
});
