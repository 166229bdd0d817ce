import { describe, expect, test } from '@jest/globals';
import {
  ownershipLabels,
  PUSH_REPOSITORY_ENDPOINT,
  type DesiredResource,
  type LiveObject,
  type PlanAction,
} from '../../src/model/index.js';
import { PlanContext, type ActionContent, type PlanOptions } from '../../src/plan/context.js';
import { basePathsOverlap, orderBasePaths } from '../../src/plan/steps/base-paths.js';
import { planDeletes, pruneAllGuard } from '../../src/plan/steps/deletes.js';
import { describeEndpoint } from '../../src/plan/steps/named.js';
import { desired, desiredState, live, liveState } from '../builders.js';

// Each step run on a PlanContext of its own, with the actions before it added by hand.

function contextOf(resources: DesiredResource[], objects: LiveObject[], options: PlanOptions = {}): PlanContext {
  return new PlanContext(desiredState(resources), liveState(objects), options);
}

function bodyOnly(body: ActionContent['body']): ActionContent {
  return { changes: [], unchanged: 0, body, secrets: [], dependsOn: [], diagnostics: [] };
}

/** A desired distribution at `basePath`, known to the context as the steps before would have left it, and its create. */
function taking(ctx: PlanContext, address: string, basePath: string): PlanAction {
  const resource = desired(address, { fields: { base_path: basePath } });
  ctx.nodes.set(resource.address, { desired: resource, blocked: false });
  return ctx.add('create', resource, bodyOnly({ base_path: basePath }), 'not on the server');
}

describe('base paths', () => {
  test.each([
    ['files', 'files', true],
    ['files', 'files/latest', true],
    ['files/latest', 'files', true],
    ['files/latest', 'files/latest2', false],
    ['files', 'files2', false],
    ['files2', 'files', false],
    ['files/latest2', 'files/latest', false],
    ['a/b', 'a/c', false],
  ])('%s and %s overlap: %s', (a, b, overlap) => {
    expect(basePathsOverlap(a, b)).toBe(overlap);
  });

  test('a path another distribution moves off is taken after the move; a move to a path still nested in it is not one', () => {
    const old = live('distribution/file/old', { fields: { base_path: 'files' } });
    for (const [to, waits] of [
      ['archive/files', true],
      ['files/old', false],
    ] as const) {
      const ctx = contextOf([], [old]);
      const move = ctx.add(
        'update',
        desired('distribution/file/old', { fields: { base_path: to } }),
        bodyOnly({ base_path: to }),
        'moved',
        old,
      );
      const create = taking(ctx, 'distribution/file/new', 'files');
      orderBasePaths(ctx);
      expect(create.dependsOn).toEqual(waits ? [move.id] : []);
      expect(ctx.diagnostics.map((d) => d.code)).toEqual(waits ? [] : ['plan.base_path_taken']);
    }
  });

  test('a path held by a distribution that stays is an error; the hint says --prune only when no file declares the holder', () => {
    const holder = live('distribution/file/holder', { fields: { base_path: 'files' } });
    const undeclared = contextOf([], [holder]);
    taking(undeclared, 'distribution/file/new', 'files/latest');
    orderBasePaths(undeclared);
    expect(undeclared.diagnostics).toMatchObject([
      {
        code: 'plan.base_path_taken',
        address: 'distribution/file/new',
        summary: 'distribution/file/new: base_path files/latest overlaps distribution/file/holder (files)',
      },
    ]);
    expect(undeclared.diagnostics[0]?.hint).toBe('Run with --prune to delete it first, or choose another base_path.');

    const declared = contextOf([desired('distribution/file/holder', { fields: { base_path: 'files' } })], [holder]);
    taking(declared, 'distribution/file/new', 'files/latest');
    orderBasePaths(declared);
    expect(declared.diagnostics[0]?.hint).toBe('Choose another base_path, or move or delete distribution/file/holder first.');

    const foreign = contextOf([], [{ ...holder, labels: ownershipLabels('other') }]);
    taking(foreign, 'distribution/file/new', 'files/latest');
    orderBasePaths(foreign);
    expect(foreign.diagnostics[0]?.hint).toBe('Choose another base_path, or move or delete distribution/file/holder first.');
  });

  test('a push distribution holding the path: an error naming it, or with --replace-push-conflicts one delete every distribution taking the path waits for', () => {
    const pushed = live('repository/container/ceph', { type: 'container-push', labels: {} });
    const pushDistribution = live('distribution/container/ceph', { fields: { base_path: 'ceph', repository: pushed.href }, labels: {} });
    expect(pushed.endpoint).toBe(PUSH_REPOSITORY_ENDPOINT);

    const refused = contextOf([], [pushed, pushDistribution]);
    taking(refused, 'distribution/container/ceph-mirror', 'ceph');
    orderBasePaths(refused);
    expect(refused.diagnostics.map((d) => `${d.code} ${d.summary}`)).toEqual([
      `plan.push_conflict distribution/container/ceph-mirror: base_path ceph is held by the container push repository "ceph" (${pushed.href})`,
    ]);
    expect(refused.actions.map((action) => action.id)).toEqual(['create distribution/container/ceph-mirror']);

    const replaced = contextOf([], [pushed, pushDistribution], { replacePushConflicts: true });
    const first = taking(replaced, 'distribution/container/ceph-mirror', 'ceph');
    const second = taking(replaced, 'distribution/container/ceph-nested', 'ceph/nested');
    orderBasePaths(replaced);
    expect(replaced.diagnostics).toEqual([]);
    expect(replaced.actions.map((action) => action.id)).toEqual([first.id, second.id, 'delete distribution/container/ceph']);
    expect(first.dependsOn).toEqual(['delete distribution/container/ceph']);
    expect(second.dependsOn).toEqual(['delete distribution/container/ceph']);
    expect([...replaced.pushDeletes.keys()]).toEqual([pushDistribution.href]);
  });
});

describe('deletes', () => {
  const repository = live('repository/rpm/gone');
  const version = `${repository.href}versions/1/`;
  const publication = live('publication/rpm/gone', { versionHref: version });
  const distribution = live('distribution/rpm/gone', { fields: { base_path: 'gone', publication: publication.href } });
  const remote = live('remote/rpm/gone');
  const linked = { ...repository, fields: { ...repository.fields, remote: remote.href } };

  test("without --prune: a warning for each object of this stack no file declares, in address order; other stacks' and unlabelled objects are not mentioned", () => {
    const foreign = { ...live('remote/rpm/foreign'), labels: ownershipLabels('other') };
    const unlabelled = { ...live('remote/rpm/unlabelled'), labels: {} };
    const ctx = contextOf([], [distribution, linked, remote, publication, foreign, unlabelled]);
    planDeletes(ctx);
    expect(ctx.actions).toEqual([]);
    expect(ctx.diagnostics.map((d) => `${d.severity} ${d.code} ${d.address}`)).toEqual([
      'warning plan.not_desired distribution/rpm/gone',
      'warning plan.not_desired remote/rpm/gone',
      'warning plan.not_desired repository/rpm/gone',
    ]);
  });

  test('with --prune: what points at an object is deleted first, a distribution serving a publication counting as pointing at its repository', () => {
    const ctx = contextOf([], [distribution, linked, remote, publication], { prune: true });
    planDeletes(ctx);
    expect(ctx.actions.map((action) => [action.id, action.dependsOn])).toEqual([
      ['delete distribution/rpm/gone', []],
      ['delete remote/rpm/gone', ['delete repository/rpm/gone']],
      ['delete repository/rpm/gone', ['delete distribution/rpm/gone']],
    ]);
    expect(ctx.actions[2]?.reason).toBe(
      'not in the desired state (--prune); its repository versions and 1 publication are deleted with it',
    );
    expect(ctx.actions[0]?.reason).toBe('not in the desired state (--prune); gone stops being served');
  });

  test('an object a desired resource still refers to stays, declared or not', () => {
    const keeping = desired('repository/rpm/kept', { refs: { remote: 'remote/rpm/gone' } });
    const ctx = contextOf([keeping], [remote], { prune: true });
    planDeletes(ctx);
    expect(ctx.actions).toEqual([]);
    expect(ctx.diagnostics).toEqual([]);
  });

  test('the prune-all guard: an error for each kind --prune would empty, none for a kind the desired state still has', () => {
    const ctx = contextOf([desired('remote/rpm/kept')], [distribution, linked, remote, live('repository/rpm/gone2')], { prune: true });
    planDeletes(ctx);
    const diagnostics = pruneAllGuard(ctx.desired, ctx.actions);
    expect(diagnostics.map((d) => `${d.code} ${d.summary}`)).toEqual([
      'plan.prune_all Refusing to delete all 2 repositories of stack "test"',
      'plan.prune_all Refusing to delete the only distribution of stack "test"',
    ]);
    expect(diagnostics[0]?.detail).toContain('repository/rpm/gone\nrepository/rpm/gone2');
  });
});

describe('named objects', () => {
  test.each([
    ['repositories/rpm/rpm', 'an rpm repository'],
    ['remotes/file/file', 'a file remote'],
    ['repositories/deb/apt', 'a deb repository'],
    ['remotes/rpm/uln', 'an rpm uln remote'],
    [PUSH_REPOSITORY_ENDPOINT, 'a container container-push repository'],
    ['distributions/ansible/ansible', 'an ansible distribution'],
  ])('%s is %s', (endpoint, words) => {
    expect(describeEndpoint(endpoint)).toBe(words);
  });
});
