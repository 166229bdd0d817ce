import { describe, expect, test } from '@jest/globals';
import { activeTasksQuery, isActiveTaskOf } from '../../src/live/active-tasks.js';

const REPO = '/pulp/api/v3/repositories/rpm/rpm/01a24943-2aff-753e-b6f8-93e6e7b67d44/';

describe('active tasks', () => {
  test('the query asks for waiting and running tasks holding the lock the filter names', () => {
    expect(activeTasksQuery({ nameContains: 'synchroniz', resource: REPO })).toEqual({
      state__in: 'waiting,running',
      name__contains: 'synchroniz',
      exclusive_resources: REPO,
    });
    expect(activeTasksQuery({ nameContains: 'publish', resource: REPO, lock: 'shared' })).toEqual({
      state__in: 'waiting,running',
      name__contains: 'publish',
      shared_resources: REPO,
    });
    expect(activeTasksQuery({ nameContains: 'publish' })).toEqual({ state__in: 'waiting,running', name__contains: 'publish' });
  });

  test('a listed task is checked again: state, name and lock, by href or by PRN', () => {
    const filter = { nameContains: 'synchroniz', resource: REPO };
    const sync = { state: 'running', name: 'pulp_rpm.app.tasks.synchronizing.synchronize', reserved_resources_record: [REPO] };
    expect(isActiveTaskOf(sync, filter)).toBe(true);
    expect(
      isActiveTaskOf({ ...sync, reserved_resources_record: ['prn:rpm.rpmrepository:01a24943-2aff-753e-b6f8-93e6e7b67d44'] }, filter),
    ).toBe(true);
    expect(isActiveTaskOf({ ...sync, state: 'completed' }, filter)).toBe(false);
    expect(isActiveTaskOf({ ...sync, name: 'pulpcore.app.tasks.base.general_update' }, filter)).toBe(false);
    expect(isActiveTaskOf({ ...sync, reserved_resources_record: [`shared:${REPO}`] }, filter)).toBe(false);
    expect(isActiveTaskOf({ ...sync, reserved_resources_record: [`shared:${REPO}`] }, { ...filter, lock: 'shared' })).toBe(true);
  });
});
