import { describe, expect, test } from '@jest/globals';
import { FIELDS, LABELS, type FieldSpec, type LiveObject, type PlanAction } from '../../src/model/index.js';
import { buildPlan } from '../../src/plan/build.js';
import {
  actionsOf,
  desired,
  desiredState,
  live,
  liveFrom,
  liveState,
  mirror,
  NOW,
  secret,
  simulateApply,
  STACK,
  versionHrefOf,
} from '../builders.js';

const OLD = '20240115T000000';
const NEW = '20240301T000000';

function ids(plan: ReturnType<typeof buildPlan>): string[][] {
  return plan.waves.map((wave) => wave.map((action) => action.id));
}

function only(plan: ReturnType<typeof buildPlan>, id: string): PlanAction {
  const action = actionsOf(plan).find((a) => a.id === id);
  if (action === undefined)
    throw new Error(
      `no action ${id} in ${actionsOf(plan)
        .map((a) => a.id)
        .join(', ')}`,
    );
  return action;
}

function codes(plan: ReturnType<typeof buildPlan>): string[] {
  return plan.diagnostics.map((d) => `${d.severity} ${d.code}`);
}

function find(objects: LiveObject[], address: string): LiveObject {
  const object = objects.find((o) => o.address === address);
  if (object === undefined) throw new Error(`no live ${address}`);
  return object;
}

describe('creating from an empty server', () => {
  test('an rpm mirror is created remote → repository → sync → publication → distribution, references known after apply', () => {
    const state = desiredState(mirror('rpm', 'rocky-9-baseos'));
    const plan = buildPlan(state, liveState([]), { now: NOW });
    expect(ids(plan)).toEqual([
      ['create remote/rpm/rocky-9-baseos'],
      ['create repository/rpm/rocky-9-baseos'],
      ['sync repository/rpm/rocky-9-baseos'],
      [`create publication/rpm/rocky-9-baseos@${OLD}`],
      ['create distribution/rpm/rocky-9-baseos-development'],
    ]);
    expect(only(plan, 'create repository/rpm/rocky-9-baseos').body?.remote).toEqual({ $ref: 'remote/rpm/rocky-9-baseos' });
    const sync = only(plan, 'sync repository/rpm/rocky-9-baseos');
    expect(sync.body).toEqual({ remote: { $ref: 'remote/rpm/rocky-9-baseos' } });
    expect(sync.labelsAfter).toEqual({ [LABELS.synced]: OLD });
    expect(sync.dependsOn).toEqual(['create remote/rpm/rocky-9-baseos', 'create repository/rpm/rocky-9-baseos']);
    expect(only(plan, `create publication/rpm/rocky-9-baseos@${OLD}`).body).toEqual({
      repository_version: { $ref: 'repository/rpm/rocky-9-baseos', output: 'version', snapshot: OLD },
    });
    const distribution = only(plan, 'create distribution/rpm/rocky-9-baseos-development');
    expect(distribution.body).toMatchObject({
      name: 'rocky-9-baseos-development',
      base_path: 'rocky-9-baseos/development',
      publication: { $ref: `publication/rpm/rocky-9-baseos@${OLD}` },
      pulp_labels: { [LABELS.stack]: STACK, [LABELS.scheme]: '1', [LABELS.serves]: OLD },
    });
    expect(distribution.changes).toContainEqual({ path: '/publication', unknown: true });
    expect(plan.summary).toEqual({ add: 4, change: 0, destroy: 0, replace: 0, adopt: 0, sync: 1 });
    expect(plan.diagnostics).toEqual([]);
  });

  test.each(['rpm', 'deb', 'file', 'container'] as const)('a %s mirror converges: after applying, the next plan is empty', (plugin) => {
    const state = desiredState(mirror(plugin, 'm1', { production: OLD }));
    const after = liveFrom(state);
    const again = buildPlan(state, after, { now: NOW });
    expect(actionsOf(again)).toEqual([]);
    expect(again.diagnostics).toEqual([]);
  });

  test('a container mirror has no publication; its distribution serves the repository, so it need not wait for the sync', () => {
    const plan = buildPlan(desiredState(mirror('container', 'stackhpc/bifrost-deploy')), liveState([]), { now: NOW });
    expect(actionsOf(plan).map((a) => a.id)).toEqual([
      'create remote/container/stackhpc/bifrost-deploy',
      'create repository/container/stackhpc/bifrost-deploy',
      'create distribution/container/stackhpc/bifrost-deploy',
      'sync repository/container/stackhpc/bifrost-deploy',
    ]);
    expect(only(plan, 'create distribution/container/stackhpc/bifrost-deploy').body?.repository).toEqual({
      $ref: 'repository/container/stackhpc/bifrost-deploy',
    });
  });

  test('secrets are listed by source, sent on create, and never appear as values', () => {
    const remote = desired('remote/rpm/ark', {
      secrets: { username: secret('ark-user', 'env:ARK_USER'), password: secret('s3cr3t-value', 'env:ARK_PASSWORD') },
    });
    const plan = buildPlan(desiredState([remote]), liveState([]), { now: NOW });
    const create = only(plan, 'create remote/rpm/ark');
    expect(create.secrets).toEqual([
      { field: 'username', source: 'env:ARK_USER' },
      { field: 'password', source: 'env:ARK_PASSWORD' },
    ]);
    expect(create.changes.filter((c) => c.sensitive)).toEqual([
      { path: '/username', sensitive: true },
      { path: '/password', sensitive: true },
    ]);
    expect(create.body).not.toHaveProperty('password');
    expect(JSON.stringify(plan)).not.toMatch(/s3cr3t-value|ark-user/);
  });

  test('fields the server does not have are left out, with an error naming the release that has them only when the YAML asks for a non-default value', () => {
    const on = desired('distribution/rpm/d1', { fields: { generate_repo_config: true } });
    const off = desired('distribution/rpm/d2');
    const plan = buildPlan(desiredState([on, off]), liveState([]), { now: NOW });
    expect(only(plan, 'create distribution/rpm/d1').body).not.toHaveProperty('generate_repo_config');
    expect(only(plan, 'create distribution/rpm/d2').body).not.toHaveProperty('generate_repo_config');
    expect(codes(plan)).toEqual(['error plan.field_unsupported']);
    expect(plan.diagnostics[0]?.detail).toBe('"generate_repo_config" needs rpm 3.23 or later; this server runs rpm 3.20.0.');
    const newer = buildPlan(desiredState([on]), liveState([], { url: 'http://127.0.0.1:1', versions: { core: '3.49.0', rpm: '3.26.0' } }), {
      now: NOW,
    });
    expect(only(newer, 'create distribution/rpm/d1').body?.generate_repo_config).toBe(true);
  });
});

describe('updates', () => {
  test('a changed field and a new label give one PATCH with the field and the whole label map, status labels kept', () => {
    const repo = desired('repository/rpm/r', { fields: { retain_repo_versions: 5 }, labels: { env: 'prod' } });
    const current = live('repository/rpm/r', {
      labels: { ...live('repository/rpm/r').labels, [LABELS.synced]: OLD, [`${LABELS.snapshotPrefix}${OLD}`]: '3' },
      lastUpdated: '2024-02-01T00:00:00Z',
    });
    const plan = buildPlan(desiredState([repo]), liveState([current]), { now: NOW });
    const update = only(plan, 'update repository/rpm/r');
    expect(update.changes).toEqual([
      { path: '/retain_repo_versions', before: null, after: 5 },
      { path: '/pulp_labels/env', after: 'prod' },
    ]);
    expect(update.body).toEqual({
      retain_repo_versions: 5,
      pulp_labels: {
        env: 'prod',
        [LABELS.stack]: STACK,
        [LABELS.scheme]: '1',
        [LABELS.synced]: OLD,
        [`${LABELS.snapshotPrefix}${OLD}`]: '3',
      },
    });
    expect(update.guard).toEqual({
      href: current.href,
      fingerprint: current.fingerprint,
      lastUpdated: '2024-02-01T00:00:00Z',
      seen: { fields: current.fields, labels: current.labels },
    });
    expect(update.reason).toBe('retain_repo_versions differs; label env differs');
  });

  test('values Pulp treats as equal are not changes: tag order, deb token spacing, numbers as strings, null vs absent', () => {
    const state = desiredState([
      desired('remote/container/c', { fields: { include_tags: ['yoga', 'latest'], total_timeout: 30 } }),
      desired('remote/deb/d', { fields: { distributions: 'jammy  jammy-updates', components: 'main universe' } }),
    ]);
    const current = liveState([
      live('remote/container/c', { fields: { include_tags: ['latest', 'yoga'], total_timeout: '30.0' } }),
      live('remote/deb/d', { fields: { distributions: 'jammy-updates jammy', components: 'universe main' } }),
    ]);
    expect(actionsOf(buildPlan(state, current, { now: NOW }))).toEqual([]);
  });

  describe('write-only secrets', () => {
    const withPassword = (version?: string): ReturnType<typeof desired> =>
      desired('remote/rpm/ark', {
        secrets: { password: secret('pw', 'env:ARK_PASSWORD') },
        ...(version !== undefined ? { secretVersion: version } : {}),
      });
    const serverRemote = (passwordSet: boolean, version?: string): LiveObject =>
      live('remote/rpm/ark', {
        secretsSet: { password: passwordSet },
        labels: { ...live('remote/rpm/ark').labels, ...(version !== undefined ? { [LABELS.secretVersion]: version } : {}) },
      });

    test('a declared secret that is set on the server is not re-sent', () => {
      expect(actionsOf(buildPlan(desiredState([withPassword()]), liveState([serverRemote(true)]), { now: NOW }))).toEqual([]);
      expect(actionsOf(buildPlan(desiredState([withPassword('2')]), liveState([serverRemote(true, '2')]), { now: NOW }))).toEqual([]);
    });

    test('a declared secret that is not set is sent', () => {
      const update = only(
        buildPlan(desiredState([withPassword()]), liveState([serverRemote(false)]), { now: NOW }),
        'update remote/rpm/ark',
      );
      expect(update.changes).toEqual([{ path: '/password', sensitive: true }]);
      expect(update.secrets).toEqual([{ field: 'password', source: 'env:ARK_PASSWORD' }]);
      expect(update.reason).toBe('password is not set on the server');
    });

    test('a new secret_version re-sends every declared secret once and records the version', () => {
      const state = desiredState([
        desired('remote/rpm/ark', {
          secrets: { password: secret('pw', 'env:ARK_PASSWORD'), proxy_password: secret('pp', 'file:/run/proxy') },
          secretVersion: '2',
        }),
      ]);
      const current = live('remote/rpm/ark', {
        secretsSet: { password: true, proxy_password: true },
        labels: { ...live('remote/rpm/ark').labels, [LABELS.secretVersion]: '1' },
      });
      const plan = buildPlan(state, liveState([current]), { now: NOW });
      const update = only(plan, 'update remote/rpm/ark');
      expect(update.secrets).toEqual([
        { field: 'proxy_password', source: 'file:/run/proxy' },
        { field: 'password', source: 'env:ARK_PASSWORD' },
      ]);
      expect(update.changes).toContainEqual({ path: `/pulp_labels/${LABELS.secretVersion}`, before: '1', after: '2' });
      expect(update.reason).toBe('secret_version 1 -> 2: proxy_password, password re-sent');
      expect(actionsOf(buildPlan(state, simulateApply(plan, liveState([current])), { now: NOW }))).toEqual([]);
    });

    test('a secret set on the server but not declared is unset', () => {
      const update = only(
        buildPlan(desiredState([desired('remote/rpm/ark')]), liveState([serverRemote(true)]), { now: NOW }),
        'update remote/rpm/ark',
      );
      expect(update.secrets).toEqual([{ field: 'password', source: 'unset' }]);
      expect(update.changes).toEqual([{ path: '/password', sensitive: true }]);
    });
  });

  test('a distribution switching from a repository to a publication clears the repository in the same PATCH', () => {
    const state = desiredState(mirror('rpm', 'r'));
    const converged = liveFrom(state);
    const distribution = find(converged.objects, 'distribution/rpm/r-development');
    const repository = find(converged.objects, 'repository/rpm/r');
    const drifted = live('distribution/rpm/r-development', {
      href: distribution.href,
      labels: distribution.labels,
      fields: { ...distribution.fields, publication: null, repository: repository.href },
    });
    const plan = buildPlan(state, liveState([...converged.objects.filter((o) => o !== distribution), drifted]), { now: NOW });
    const update = only(plan, 'update distribution/rpm/r-development');
    expect(update.body).toEqual({ publication: distribution.fields.publication, repository: null });
  });
});

describe('publications follow the repository version', () => {
  test('a new snapshot syncs, publishes the new version and repoints the distribution, values known after apply', () => {
    const before = liveFrom(desiredState(mirror('rpm', 'r', { snapshot: OLD })));
    const state = desiredState(mirror('rpm', 'r', { snapshot: NEW }));
    const plan = buildPlan(state, before, { now: NOW });
    expect(ids(plan)).toEqual([
      ['update remote/rpm/r'],
      ['sync repository/rpm/r'],
      [`create publication/rpm/r@${NEW}`],
      ['update distribution/rpm/r-development'],
    ]);
    expect(only(plan, 'sync repository/rpm/r').reason).toBe(`synced: ${OLD} -> ${NEW}`);
    const distribution = only(plan, 'update distribution/rpm/r-development');
    expect(distribution.reason).toBe(`r-development: ${OLD} -> ${NEW}; publication differs`);
    expect(distribution.changes).toContainEqual({
      path: '/publication',
      before: find(before.objects, 'distribution/rpm/r-development').fields.publication,
      unknown: true,
    });
    expect(distribution.dependsOn).toEqual([`create publication/rpm/r@${NEW}`]);
    expect(actionsOf(buildPlan(state, simulateApply(plan, before), { now: NOW }))).toEqual([]);
  });

  test('promotion repoints production to the publication development serves, without a sync', () => {
    const developed = liveFrom(desiredState(mirror('rpm', 'r', { snapshot: OLD, production: OLD })));
    const bumped = desiredState(mirror('rpm', 'r', { snapshot: NEW, production: OLD }));
    const afterBump = simulateApply(buildPlan(bumped, developed, { now: NOW }), developed);
    const promoted = desiredState(mirror('rpm', 'r', { snapshot: NEW, production: NEW }));
    const plan = buildPlan(promoted, afterBump, { now: NOW });
    const development = find(afterBump.objects, 'distribution/rpm/r-development');
    expect(actionsOf(plan).map((a) => a.id)).toEqual(['update distribution/rpm/r-production']);
    const production = only(plan, 'update distribution/rpm/r-production');
    expect(production.reason).toBe(`r-production: ${OLD} -> ${NEW} (synced before: repoint, no sync); publication differs`);
    expect(production.body?.publication).toBe(development.fields.publication);
  });

  test('a pin to a snapshot the repository was never synced from is an error naming the recorded ones', () => {
    const before = liveFrom(desiredState(mirror('rpm', 'r', { snapshot: OLD })));
    const plan = buildPlan(desiredState(mirror('rpm', 'r', { snapshot: OLD, production: '20990101T000000' })), before, { now: NOW });
    expect(codes(plan)).toContain('error plan.snapshot_not_synced');
    const error = plan.diagnostics.find((d) => d.code === 'plan.snapshot_not_synced');
    expect(error?.detail).toContain(OLD);
    expect(actionsOf(plan).some((a) => a.address.includes('20990101T000000'))).toBe(false);
  });

  test('changed options create a new publication: publications are immutable', () => {
    const state = desiredState([desired('repository/file/f'), desired('publication/file/f', { fields: { manifest: 'MANIFEST' } })]);
    const repository = live('repository/file/f', { versionHref: `${live('repository/file/f').href}versions/2/` });
    const old = live('publication/file/f', {
      href: '/pulp/api/v3/publications/file/file/p1/',
      versionHref: repository.versionHref as string,
      fields: { manifest: 'PULP_MANIFEST' },
    });
    const plan = buildPlan(state, liveState([repository, old]), { now: NOW });
    const create = only(plan, 'create publication/file/f');
    expect(create.reason).toBe('options changed; publications are immutable');
    expect(create.body).toEqual({ repository_version: repository.versionHref, manifest: 'MANIFEST' });
  });

  test('two identical publications of one version: the one served is used (else the newest), with a warning, and nothing fails', () => {
    const state = desiredState([
      desired('repository/rpm/r'),
      desired('publication/rpm/r'),
      desired('distribution/rpm/d', { refs: { publication: 'publication/rpm/r' } }),
    ]);
    const repository = live('repository/rpm/r', { versionHref: versionHrefOf(live('repository/rpm/r'), 4) });
    const older = live('publication/rpm/r', {
      href: '/pulp/api/v3/publications/rpm/rpm/b/',
      versionHref: repository.versionHref as string,
      raw: { pulp_created: '2024-01-01T00:00:00Z' },
    });
    const newer = live('publication/rpm/r', {
      href: '/pulp/api/v3/publications/rpm/rpm/a/',
      versionHref: repository.versionHref as string,
      raw: { pulp_created: '2024-01-02T00:00:00Z' },
    });
    const distribution = live('distribution/rpm/d', { fields: { publication: newer.href } });
    const plan = buildPlan(state, liveState([repository, older, newer, distribution]), { now: NOW });
    expect(actionsOf(plan)).toEqual([]);
    expect(codes(plan)).toEqual(['warning plan.duplicate_publications']);
    expect(plan.diagnostics[0]?.detail).toContain(`uses ${newer.href}`);
    const servingOlder = live('distribution/rpm/d', { fields: { publication: older.href } });
    const kept = buildPlan(state, liveState([repository, older, newer, servingOlder]), { now: NOW });
    expect(actionsOf(kept)).toEqual([]);
    expect(kept.diagnostics[0]?.summary).toContain('using the one a distribution serves');
    const unserved = buildPlan(state, liveState([repository, older, newer]), { now: NOW });
    expect(unserved.diagnostics.find((d) => d.code === 'plan.duplicate_publications')?.detail).toContain(`uses ${newer.href}`);
  });

  test('development following the latest version and production pinned to its snapshot share one new publication', () => {
    const state = desiredState([
      desired('remote/rpm/r'),
      desired('repository/rpm/r', { refs: { remote: 'remote/rpm/r' }, sync: { marker: OLD, options: {} } }),
      desired('publication/rpm/r'),
      desired(`publication/rpm/r@${OLD}`),
      desired('distribution/rpm/dev', { refs: { publication: 'publication/rpm/r' } }),
      desired('distribution/rpm/prod', { refs: { publication: `publication/rpm/r@${OLD}` }, snapshot: OLD }),
    ]);
    const plan = buildPlan(state, liveState([]), { now: NOW });
    expect(
      actionsOf(plan)
        .filter((a) => a.kind === 'publication')
        .map((a) => a.id),
    ).toEqual(['create publication/rpm/r']);
    expect(only(plan, 'create distribution/rpm/prod').body?.publication).toEqual({ $ref: 'publication/rpm/r' });
    const after = simulateApply(plan, liveState([]));
    expect(after.objects.filter((o) => o.kind === 'publication')).toHaveLength(1);
    expect(actionsOf(buildPlan(state, after, { now: NOW }))).toEqual([]);
  });
});

describe('replace', () => {
  test('a repository of another type is replaced (delete first: names are unique) and what serves it is repointed', () => {
    const state = desiredState([
      desired('repository/rpm/shared'),
      desired('distribution/rpm/d', { refs: { repository: 'repository/rpm/shared' } }),
    ]);
    const file = live('repository/file/shared');
    const distribution = live('distribution/rpm/d', { fields: { repository: file.href } });
    const plan = buildPlan(state, liveState([file, distribution]), { now: NOW });
    expect(ids(plan)).toEqual([['replace repository/rpm/shared'], ['update distribution/rpm/d']]);
    const replace = only(plan, 'replace repository/rpm/shared');
    expect(replace.reason).toBe('exists as a file repository; a Pulp object cannot change its type');
    expect(replace.guard?.href).toBe(file.href);
    expect(replace.body).toMatchObject({ name: 'shared' });
    expect(only(plan, 'update distribution/rpm/d').changes).toEqual([{ path: '/repository', before: file.href, unknown: true }]);
    expect(plan.summary).toMatchObject({ add: 1, change: 1, destroy: 1, replace: 1 });
    expect(actionsOf(buildPlan(state, simulateApply(plan, liveState([file, distribution])), { now: NOW }))).toEqual([]);
  });

  test('with replace: false (watch without --prune) the replacement and what waits for it are skipped and reported', () => {
    const state = desiredState([
      desired('repository/rpm/shared', { protect: true }),
      desired('distribution/rpm/d', { refs: { repository: 'repository/rpm/shared' } }),
      desired('remote/rpm/other'),
    ]);
    const file = live('repository/file/shared');
    const plan = buildPlan(state, liveState([file, live('distribution/rpm/d', { fields: { repository: file.href } })]), {
      now: NOW,
      replace: false,
    });
    expect(actionsOf(plan).map((a) => a.id)).toEqual(['create remote/rpm/other']);
    expect(codes(plan)).toEqual(['warning plan.replace_skipped']);
    expect(plan.diagnostics[0]?.detail).toBe(
      'Why: exists as a file repository; a Pulp object cannot change its type.\nAlso skipped, because they wait for it:\nupdate distribution/rpm/d',
    );
  });

  test('a change to a field Pulp only takes at create time replaces the object', () => {
    const specs = FIELDS['repositories/file/file'] as Record<string, FieldSpec>;
    specs.layout = { type: 'string', createOnly: true, description: 'test-only create-only field' };
    try {
      const plan = buildPlan(
        desiredState([desired('repository/file/f', { fields: { layout: 'flat' } })]),
        liveState([live('repository/file/f', { fields: { layout: 'nested' } })]),
        { now: NOW },
      );
      expect(only(plan, 'replace repository/file/f').reason).toBe('layout cannot be changed in place');
    } finally {
      delete specs.layout;
    }
  });

  test('a protected object is not replaced silently: the plan carries an error', () => {
    const state = desiredState([
      desired('repository/rpm/shared', { protect: true, source: { file: 'desired-state/repos.yaml', line: 4, column: 3 } }),
    ]);
    const plan = buildPlan(state, liveState([live('repository/file/shared')]), { now: NOW });
    expect(codes(plan)).toEqual(['error plan.protected']);
    expect(plan.diagnostics[0]).toMatchObject({ address: 'repository/rpm/shared', source: { file: 'desired-state/repos.yaml', line: 4 } });
  });
});

describe('ownership', () => {
  const unlabelled = (address: string, extra: Parameters<typeof live>[1] = {}): LiveObject =>
    live(address, { labels: { owner: 'ansible' }, ...extra });

  test('an unlabelled object with a desired name is a conflict, and the rest of the plan is still made', () => {
    const state = desiredState([desired('remote/rpm/taken'), desired('remote/rpm/free')]);
    const plan = buildPlan(state, liveState([unlabelled('remote/rpm/taken')]), { now: NOW });
    expect(actionsOf(plan).map((a) => a.id)).toEqual(['create remote/rpm/free']);
    expect(codes(plan)).toEqual(['error plan.conflict_unmanaged']);
    expect(plan.diagnostics[0]?.summary).toBe('remote/rpm/taken exists but is not managed by pulpform');
    expect(plan.diagnostics[0]?.hint).toContain('adopt: true');
  });

  test('an object of another stack is a conflict even with adopt', () => {
    const other = live('remote/rpm/r', { labels: { [LABELS.stack]: 'prod', [LABELS.scheme]: '1' } });
    const plan = buildPlan(desiredState([desired('remote/rpm/r', { adopt: true })]), liveState([other]), { now: NOW });
    expect(actionsOf(plan)).toEqual([]);
    expect(codes(plan)).toEqual(['error plan.conflict_other_stack']);
  });

  test('adopt writes our labels (keeping none of the foreign ones) plus field changes in one PATCH', () => {
    const plan = buildPlan(
      desiredState([desired('remote/rpm/r', { adopt: true, fields: { policy: 'on_demand' } })]),
      liveState([unlabelled('remote/rpm/r')]),
      { now: NOW },
    );
    const adopt = only(plan, 'adopt remote/rpm/r');
    expect(adopt.body).toEqual({ policy: 'on_demand', pulp_labels: { [LABELS.stack]: STACK, [LABELS.scheme]: '1' } });
    expect(adopt.changes).toContainEqual({ path: '/pulp_labels/owner', before: 'ansible' });
    expect(plan.summary).toMatchObject({ change: 1, adopt: 1 });
  });

  test('an adopted repository with content is not re-synced when its remote keeps its url; the sync marker is recorded instead', () => {
    const state = desiredState(mirror('rpm', 'r', { snapshot: OLD, production: OLD }).map((r) => ({ ...r, adopt: true })));
    const converged = liveFrom(desiredState(mirror('rpm', 'r', { snapshot: OLD, production: OLD })));
    const ansible = liveState(converged.objects.map((o) => ({ ...o, labels: {} })));
    const plan = buildPlan(state, ansible, { now: NOW });
    expect(ids(plan)).toEqual([
      ['adopt distribution/rpm/r-development', 'adopt distribution/rpm/r-production', 'adopt remote/rpm/r', 'adopt repository/rpm/r'],
    ]);
    const repository = only(plan, 'adopt repository/rpm/r');
    expect(repository.reason).toContain(`its content is taken as synced from ${OLD}`);
    expect(repository.body?.pulp_labels).toMatchObject({ [LABELS.synced]: OLD, [`${LABELS.snapshotPrefix}${OLD}`]: '1' });
    expect(actionsOf(buildPlan(state, simulateApply(plan, ansible), { now: NOW }))).toEqual([]);
  });

  test('an adopted repository whose remote url changes is synced', () => {
    const converged = liveFrom(desiredState(mirror('rpm', 'r', { snapshot: OLD })));
    const ansible = liveState(converged.objects.map((o) => ({ ...o, labels: {} })));
    const state = desiredState(mirror('rpm', 'r', { snapshot: NEW }).map((r) => ({ ...r, adopt: true })));
    expect(actionsOf(buildPlan(state, ansible, { now: NOW })).map((a) => a.id)).toContain('sync repository/rpm/r');
  });
});

describe('deletes and prune', () => {
  const state = desiredState(mirror('rpm', 'keep'));
  const withOrphans = (): ReturnType<typeof liveFrom> => {
    const both = liveFrom(desiredState([...mirror('rpm', 'keep'), ...mirror('rpm', 'gone')]));
    return both;
  };

  test('without --prune a managed object that is no longer desired is reported, not deleted', () => {
    const plan = buildPlan(state, withOrphans(), { now: NOW });
    expect(actionsOf(plan)).toEqual([]);
    expect(plan.diagnostics.map((d) => d.summary)).toEqual([
      'distribution/rpm/gone-development is not in the desired state',
      'remote/rpm/gone is not in the desired state',
      'repository/rpm/gone is not in the desired state',
    ]);
    expect(plan.diagnostics[0]?.hint).toContain('--prune');
  });

  test('with --prune it is deleted in reverse order: distribution, repository (with its publications), remote', () => {
    const before = withOrphans();
    const plan = buildPlan(state, before, { now: NOW, prune: true });
    expect(ids(plan)).toEqual([['delete distribution/rpm/gone-development'], ['delete repository/rpm/gone'], ['delete remote/rpm/gone']]);
    expect(only(plan, 'delete repository/rpm/gone').reason).toBe(
      'not in the desired state (--prune); its repository versions and 1 publication are deleted with it',
    );
    expect(only(plan, 'delete distribution/rpm/gone-development').reason).toContain('gone/development stops being served');
    expect(plan.summary).toMatchObject({ destroy: 3 });
    expect(actionsOf(buildPlan(state, simulateApply(plan, before), { now: NOW, prune: true }))).toEqual([]);
  });

  test('an undeclared object that a desired resource still points at is not deleted', () => {
    const before = liveFrom(
      desiredState([desired('remote/rpm/shared'), desired('repository/rpm/r', { refs: { remote: 'remote/rpm/shared' } })]),
    );
    const plan = buildPlan(desiredState([desired('repository/rpm/r', { refs: { remote: 'remote/rpm/shared' } })]), before, {
      now: NOW,
      prune: true,
    });
    expect(actionsOf(plan)).toEqual([]);
  });

  test('objects without our stack label are never deleted', () => {
    const foreign = live('remote/rpm/foreign', { labels: {} });
    const other = live('remote/rpm/other-stack', { labels: { [LABELS.stack]: 'prod' } });
    const plan = buildPlan(state, liveState([...liveFrom(state).objects, foreign, other]), { now: NOW, prune: true });
    expect(actionsOf(plan)).toEqual([]);
    expect(plan.diagnostics).toEqual([]);
  });

  test('--prune refuses to delete every managed object of a kind the desired state has none of', () => {
    const before = liveFrom(desiredState([desired('remote/rpm/a'), desired('remote/rpm/b'), desired('repository/rpm/r')]));
    const onlyRepository = desiredState([desired('repository/rpm/r')]);
    const plan = buildPlan(onlyRepository, before, { now: NOW, prune: true });
    expect(codes(plan)).toEqual(['error plan.prune_all']);
    expect(plan.diagnostics[0]?.detail).toContain('remote/rpm/a\nremote/rpm/b');
    expect(buildPlan(onlyRepository, before, { now: NOW, prune: true, allowDeleteAll: true }).diagnostics).toEqual([]);
  });

  test('a distribution taking the base_path of one being deleted waits for the delete; without --prune it is an error', () => {
    const before = liveFrom(desiredState([desired('distribution/file/old', { fields: { base_path: 'files/latest' } })]));
    const state = desiredState([desired('distribution/file/new', { fields: { base_path: 'files/latest' } })]);
    const pruned = buildPlan(state, before, { now: NOW, prune: true, allowDeleteAll: true });
    expect(ids(pruned)).toEqual([['delete distribution/file/old'], ['create distribution/file/new']]);
    const kept = buildPlan(state, before, { now: NOW });
    expect(codes(kept)).toEqual(['error plan.base_path_taken', 'warning plan.not_desired']);
    expect(kept.diagnostics[0]?.hint).toContain('--prune');
  });
});

describe('--only', () => {
  const state = desiredState([
    ...mirror('container', 'stackhpc/bifrost-deploy'),
    ...mirror('container', 'stackhpc/nova-api'),
    ...mirror('rpm', 'rocky'),
  ]);

  test('keeps the selected actions and what they need, and says the run is partial', () => {
    const plan = buildPlan(state, liveState([]), { now: NOW, only: 'repository/container/stackhpc/bifrost*' });
    expect(actionsOf(plan).map((a) => a.id)).toEqual([
      'create remote/container/stackhpc/bifrost-deploy',
      'create repository/container/stackhpc/bifrost-deploy',
      'sync repository/container/stackhpc/bifrost-deploy',
    ]);
    expect(plan.scope).toBe('repository/container/stackhpc/bifrost*');
    expect(codes(plan)).toEqual(['warning plan.partial', 'warning plan.scope_dependencies']);
    expect(plan.diagnostics[1]?.detail).toBe('create remote/container/stackhpc/bifrost-deploy');
  });

  test('a name glob selects every kind of that name; kinds and kind/plugin select whole groups', () => {
    expect(actionsOf(buildPlan(state, liveState([]), { now: NOW, only: '*nova*' })).map((a) => a.id)).toEqual([
      'create remote/container/stackhpc/nova-api',
      'create repository/container/stackhpc/nova-api',
      'create distribution/container/stackhpc/nova-api',
      'sync repository/container/stackhpc/nova-api',
    ]);
    expect(actionsOf(buildPlan(state, liveState([]), { now: NOW, only: 'remotes' })).map((a) => a.id)).toHaveLength(3);
    expect(actionsOf(buildPlan(state, liveState([]), { now: NOW, only: 'remote/rpm, distribution/rpm' })).map((a) => a.id)).toEqual([
      'create remote/rpm/rocky',
      'create repository/rpm/rocky',
      'sync repository/rpm/rocky',
      `create publication/rpm/rocky@${OLD}`,
      'create distribution/rpm/rocky-development',
    ]);
  });

  test('never deletes outside the selector, even with --prune', () => {
    const before = liveFrom(desiredState([...mirror('container', 'stackhpc/nova-api'), ...mirror('container', 'stackhpc/old')]));
    const plan = buildPlan(desiredState(mirror('container', 'stackhpc/nova-api')), before, {
      now: NOW,
      prune: true,
      only: 'stackhpc/nova-*',
    });
    expect(actionsOf(plan)).toEqual([]);
    expect(codes(plan)).toEqual(['warning plan.partial']);
  });

  test('a selector with an unknown plugin is an error', () => {
    const plan = buildPlan(state, liveState([]), { now: NOW, only: 'remote/yum' });
    expect(codes(plan)).toContain('error plan.bad_scope');
    expect(actionsOf(plan)).toEqual([]);
  });
});

describe('determinism and robustness', () => {
  test('the same inputs give the same plan, whatever the order of resources and live objects', () => {
    const resources = [...mirror('rpm', 'a', { production: OLD }), ...mirror('deb', 'b'), ...mirror('container', 'c')];
    const before = liveFrom(desiredState(resources));
    const bumped = [
      ...mirror('rpm', 'a', { snapshot: NEW, production: OLD }),
      ...mirror('deb', 'b', { snapshot: NEW }),
      ...mirror('container', 'c'),
    ];
    const forward = buildPlan(desiredState(bumped), before, { now: NOW });
    const backward = buildPlan(desiredState([...bumped].reverse()), liveState([...before.objects].reverse()), { now: NOW });
    expect(backward).toEqual(forward);
    expect(forward.createdAt).toBe(NOW.toISOString());
  });

  test('a reference to nothing is an error, not an exception', () => {
    const plan = buildPlan(desiredState([desired('repository/rpm/r', { refs: { remote: 'remote/rpm/missing' } })]), liveState([]), {
      now: NOW,
    });
    expect(codes(plan)).toEqual(['error plan.dangling_ref']);
  });

  test('a reference to an object only on the server uses its href', () => {
    const remote = live('remote/rpm/shared', { labels: {} });
    const plan = buildPlan(desiredState([desired('repository/rpm/r', { refs: { remote: 'remote/rpm/shared' } })]), liveState([remote]), {
      now: NOW,
    });
    expect(only(plan, 'create repository/rpm/r').body?.remote).toBe(remote.href);
  });
});

describe('a desired state without stack:', () => {
  test('is stack "default", said first; naming the stack that owns its names makes it the error that explains the conflicts', () => {
    const state = { ...desiredState([desired('remote/rpm/r')], 'default'), stackDefaulted: true as const };
    expect(buildPlan(state, liveState([]), { now: NOW }).diagnostics).toEqual([
      expect.objectContaining({
        severity: 'warning',
        code: 'plan.no_stack',
        summary: 'The desired state declares no stack, so it is stack "default"',
      }),
    ]);
    const theirs = live('remote/rpm/r', { labels: { [LABELS.stack]: 'seed', [LABELS.scheme]: '1' } });
    const plan = buildPlan(state, liveState([theirs]), { now: NOW });
    expect(plan.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(['error plan.no_stack', 'error plan.conflict_other_stack']);
    expect(plan.diagnostics[0]).toMatchObject({
      summary: 'The desired state declares no stack, so it is stack "default"; the objects it names on the server belong to stack "seed"',
      hint: 'Add "stack: seed" to one of its files.',
    });
  });
});
