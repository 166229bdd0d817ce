import { describe, expect, test } from '@jest/globals';
import { LABELS, type LiveObject } from '../../src/model/index.js';
import { buildPlan } from '../../src/plan/build.js';
import { checkSavedPlan } from '../../src/plan/stale.js';
import { desired, desiredState, fingerprintOf, live, liveState, NOW } from '../builders.js';

// A saved plan judged as a whole against the server as it is now.

const changed = (object: LiveObject, fields: Record<string, unknown>, labels?: Record<string, string>): LiveObject => {
  const next = { ...object, fields: { ...object.fields, ...fields } as LiveObject['fields'], labels: labels ?? object.labels };
  return { ...next, fingerprint: fingerprintOf(next) };
};

describe('checkSavedPlan', () => {
  const remote = live('remote/rpm/r', { fields: { policy: 'on_demand' } });
  const distribution = live('distribution/rpm/d', { fields: { base_path: 'd' } });
  const state = desiredState([
    desired('remote/rpm/r', { fields: { policy: 'immediate' } }),
    desired('distribution/rpm/d', { fields: { base_path: 'd2' } }),
    desired('remote/file/new'),
  ]);
  const plan = buildPlan(state, liveState([remote, distribution]), { now: NOW });

  test('an untouched server: fresh', () => {
    expect(
      plan.waves
        .flat()
        .map((a) => a.id)
        .sort(),
    ).toEqual(['create remote/file/new', 'update distribution/rpm/d', 'update remote/rpm/r']);
    expect(checkSavedPlan(plan, liveState([remote, distribution]))).toEqual({ state: 'fresh' });
  });

  test('one object changed: the whole plan is stale, naming the object and each value that moved', () => {
    const check = checkSavedPlan(
      plan,
      liveState([remote, changed(distribution, { base_path: 'elsewhere' }, { ...distribution.labels, team: 'x' })]),
    );
    expect(check).toEqual({
      state: 'stale',
      total: 3,
      applied: 0,
      objects: [
        {
          address: 'distribution/rpm/d',
          href: distribution.href,
          how: 'changed',
          values: [
            { path: 'base_path', planned: 'd', now: 'elsewhere' },
            { path: 'pulp_labels.team', now: 'x' },
          ],
        },
      ],
    });
  });

  test('deleted objects and taken names are stale too', () => {
    const taken = live('remote/file/new', { labels: {} });
    const check = checkSavedPlan(plan, liveState([remote, taken]));
    expect(check.state === 'stale' && check.objects.map((o) => `${o.address} ${o.how}`)).toEqual([
      'distribution/rpm/d gone',
      'remote/file/new exists',
    ]);
  });

  test('every change already on the server: the plan was applied', () => {
    const after = liveState([
      changed(remote, { policy: 'immediate' }),
      changed(distribution, { base_path: 'd2' }),
      live('remote/file/new'),
    ]);
    expect(checkSavedPlan(plan, after)).toEqual({ state: 'applied', actions: 3 });
  });

  test('some changes there, others not: stale, saying how much was done', () => {
    const half = liveState([changed(remote, { policy: 'immediate' }), changed(distribution, { base_path: 'other' })]);
    const check = checkSavedPlan(plan, half);
    expect(check).toMatchObject({ state: 'stale', applied: 1, total: 3 });
  });

  test('a sync is done when the repository records its marker', () => {
    const source = live('remote/rpm/s');
    const repository = live('repository/rpm/r', {
      fields: { remote: source.href },
      labels: { ...live('repository/rpm/r').labels, [LABELS.synced]: 'a' },
    });
    const wanted = [
      desired('remote/rpm/s'),
      desired('repository/rpm/r', { refs: { remote: 'remote/rpm/s' }, sync: { marker: 'b', options: {} } }),
    ];
    const syncPlan = buildPlan(desiredState(wanted), liveState([source, repository]), { now: NOW });
    expect(syncPlan.waves.flat().map((a) => a.id)).toEqual(['sync repository/rpm/r']);
    const synced = { ...repository, labels: { ...repository.labels, [LABELS.synced]: 'b' } };
    expect(checkSavedPlan(syncPlan, liveState([source, { ...synced, fingerprint: fingerprintOf(synced) }]))).toEqual({
      state: 'applied',
      actions: 1,
    });
  });
});
