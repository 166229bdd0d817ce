import { describe, expect, test } from '@jest/globals';
import type { ActionIdentity } from '../../src/apply/events.js';
import { describeApplyEvent } from '../../src/render/apply-events.js';

const TIME = '2024-03-01T12:00:00.000Z';
const sync: ActionIdentity = { actionId: 'sync repository/rpm/baseos', type: 'sync', address: 'repository/rpm/baseos' };
const create: ActionIdentity = { actionId: 'create remote/rpm/baseos', type: 'create', address: 'remote/rpm/baseos' };

describe('apply events in words', () => {
  test('an action starts and is done, with its note', () => {
    expect(describeApplyEvent({ code: 'action.start', time: TIME, level: 'info', ...create, wave: 0 })).toBe(
      'create remote/rpm/baseos: started',
    );
    expect(
      describeApplyEvent({
        code: 'action.done',
        time: TIME,
        level: 'info',
        ...create,
        elapsedMs: 4,
        href: '/pulp/api/v3/remotes/rpm/rpm/1/',
      }),
    ).toBe('create remote/rpm/baseos: done');
    expect(
      describeApplyEvent({ code: 'action.done', time: TIME, level: 'info', ...create, elapsedMs: 4, note: 'was already deleted' }),
    ).toBe('create remote/rpm/baseos: done (was already deleted)');
  });

  test('progress names the step, the task state, every report and the whole seconds since the action started', () => {
    const reports = [
      { message: 'Downloading Metadata Files', code: 'sync.downloading.metadata', state: 'completed', done: 4, total: null },
      { message: 'Downloading Artifacts', code: 'sync.downloading.artifacts', state: 'running', done: 12, total: 40 },
    ];
    const event = {
      code: 'action.progress',
      time: TIME,
      level: 'info',
      ...sync,
      step: 'sync',
      taskHref: '/pulp/api/v3/tasks/1/',
      taskState: 'running',
      elapsedMs: 14_500,
      reports,
    } as const;
    expect(describeApplyEvent(event)).toBe(
      'sync repository/rpm/baseos: sync task running: Downloading Metadata Files 4, Downloading Artifacts 12/40 (15 s)',
    );
    expect(describeApplyEvent({ ...event, taskState: 'waiting', elapsedMs: 1_400, reports: [] })).toBe(
      'sync repository/rpm/baseos: sync task waiting (1 s)',
    );
  });

  test('a failure gives the error; a skip its reason', () => {
    expect(
      describeApplyEvent({
        code: 'action.failed',
        time: TIME,
        level: 'error',
        ...create,
        elapsedMs: 11,
        error: { code: 'pulp.http', message: 'POST /pulp/api/v3/remotes/rpm/rpm/: HTTP 400: url: This field is required.', status: 400 },
      }),
    ).toBe('create remote/rpm/baseos: failed: POST /pulp/api/v3/remotes/rpm/rpm/: HTTP 400: url: This field is required.');
    expect(
      describeApplyEvent({
        code: 'action.skipped',
        time: TIME,
        level: 'warn',
        ...sync,
        cause: 'dependency',
        reason: 'depends on create remote/rpm/baseos, which failed',
      }),
    ).toBe('sync repository/rpm/baseos: skipped: depends on create remote/rpm/baseos, which failed');
  });

  test('an interrupted action names the task left running in Pulp, or what had been done', () => {
    expect(
      describeApplyEvent({
        code: 'action.interrupted',
        time: TIME,
        level: 'warn',
        ...sync,
        elapsedMs: 37,
        taskHref: '/pulp/api/v3/tasks/9/',
      }),
    ).toBe('sync repository/rpm/baseos: interrupted; task /pulp/api/v3/tasks/9/ goes on in Pulp');
    expect(
      describeApplyEvent({
        code: 'action.interrupted',
        time: TIME,
        level: 'warn',
        ...create,
        elapsedMs: 37,
        detail: 'the old object was deleted; the new one was not created',
      }),
    ).toBe('create remote/rpm/baseos: interrupted; the old object was deleted; the new one was not created');
  });

  test('stopping counts the actions in flight', () => {
    expect(describeApplyEvent({ code: 'apply.stopping', time: TIME, level: 'warn', inFlight: [sync.actionId] })).toBe(
      'Stopping: starting nothing new; waiting for 1 action in flight to finish',
    );
    expect(describeApplyEvent({ code: 'apply.stopping', time: TIME, level: 'warn', inFlight: [sync.actionId, create.actionId] })).toBe(
      'Stopping: starting nothing new; waiting for 2 actions in flight to finish',
    );
  });

  test('the summary is complete, incomplete or interrupted by its counts, whatever its level', () => {
    const summary = (counts: { succeeded: number; failed: number; skipped: number; interrupted: number }, aborted = false) =>
      describeApplyEvent({ code: 'apply.summary', time: TIME, level: 'debug', elapsedMs: 231, counts, aborted });
    expect(summary({ succeeded: 5, failed: 0, skipped: 0, interrupted: 0 })).toBe(
      'Apply complete: 5 succeeded, 0 failed, 0 skipped, 0 interrupted.',
    );
    expect(summary({ succeeded: 3, failed: 1, skipped: 1, interrupted: 0 })).toBe(
      'Apply incomplete: 3 succeeded, 1 failed, 1 skipped, 0 interrupted.',
    );
    expect(summary({ succeeded: 0, failed: 0, skipped: 2, interrupted: 1 }, true)).toBe(
      'Apply interrupted: 0 succeeded, 0 failed, 2 skipped, 1 interrupted.',
    );
  });
});
