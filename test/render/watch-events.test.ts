import { describe, expect, test } from '@jest/globals';
import { describeCycle, describeDiagnostic, describeTrigger, describeWatchEvent } from '../../src/render/watch-events.js';
import type { CycleReport } from '../../src/watch/events.js';

const TIME = '2024-03-01T12:00:00.000Z';
const SHA = '9e2440d51aa75c47e5e8f372f6c649ec1494592cd415fdc61f9927af5a68d189';

function report(overrides: Partial<CycleReport>): CycleReport {
  return {
    cycle: 7,
    trigger: { reasons: ['interval'], files: [] },
    outcome: 'in_sync',
    elapsedMs: 1234,
    changed: {},
    failed: [],
    skipped: 0,
    heldBack: { deletes: 0, replacements: 0 },
    backingOff: [],
    waiting: 0,
    upstreamFailed: 0,
    ...overrides,
  };
}

describe('the cycle summary line', () => {
  test('an idle cycle says so and when the next check is', () => {
    expect(describeCycle(report({}), false, '2024-03-01T12:05:00.000Z')).toBe(
      'cycle 7 in sync; next check by 2024-03-01T12:05:00.000Z (1.2 s)',
    );
  });

  test('says what changed, what failed, what is held back and what is backing off until when', () => {
    const line = describeCycle(
      report({
        outcome: 'incomplete',
        changed: { sync: 1, create: 2, update: 1 },
        failed: [
          { address: 'repository/rpm/baseos', actionId: 'sync repository/rpm/baseos', code: 'task.failed', message: 'upstream 404' },
        ],
        skipped: 2,
        heldBack: { deletes: 2, replacements: 1 },
        backingOff: [{ address: 'repository/rpm/baseos', failures: 3, until: '2024-03-01T12:03:04.000Z', reason: 'upstream 404' }],
        waiting: 3,
        upstreamFailed: 1,
      }),
      true,
      undefined,
    );
    expect(line).toBe(
      'cycle 7 incomplete: 2 created, 1 updated, 1 synced; 1 failed: sync repository/rpm/baseos; 2 skipped; ' +
        '2 deletions and 1 replacement held back (run with --prune); ' +
        'backing off: repository/rpm/baseos until 2024-03-01T12:03:04.000Z (3 actions waiting); ' +
        '1 action held back: the upstream check failed (see above); ' +
        'another cycle follows for changes made meanwhile (1.2 s)',
    );
  });

  test('an unreachable server gives the cause', () => {
    expect(
      describeCycle(report({ outcome: 'error', error: { message: 'GET /pulp/api/v3/status/: connection refused' } }), false, undefined),
    ).toBe('cycle 7 could not reconcile: GET /pulp/api/v3/status/: connection refused (1.2 s)');
  });
});

describe('triggers and diagnostics in one line', () => {
  test('a trigger names the files that changed', () => {
    expect(describeTrigger({ reasons: ['change', 'interval'], files: ['/srv/desired-state/a.yaml', '/srv/desired-state/b.yml'] })).toBe(
      'change: a.yaml, b.yml, interval',
    );
  });

  test('a diagnostic gives file:line:column, the summary, the detail and the fix', () => {
    expect(
      describeDiagnostic({
        severity: 'error',
        code: 'config.unknown_field',
        summary: 'Unknown field',
        detail: 'A rpm remote has no field "polcy".\nDid you mean policy',
        hint: 'Rename it to "policy".',
        source: { file: 'desired-state/rocky.yaml', line: 12, column: 5 },
        path: 'remotes[0].polcy',
      }),
    ).toBe(
      'desired-state/rocky.yaml:12:5: Unknown field (in remotes[0].polcy). A rpm remote has no field "polcy". Did you mean policy. Fix: Rename it to "policy".',
    );
  });

  test('a multi-line detail reads as one line', () => {
    expect(
      describeDiagnostic({
        severity: 'warning',
        code: 'plan.replace_skipped',
        summary: 'x must be replaced',
        detail: 'Also skipped, because they wait for it:\na\nb',
      }),
    ).toBe('x must be replaced. Also skipped, because they wait for it: a; b.');
  });

  test('a plan diagnostic without a source names its object', () => {
    expect(
      describeDiagnostic({
        severity: 'error',
        code: 'plan.conflict_unmanaged',
        summary: 'exists but is not managed by pulpform',
        address: 'remote/rpm/x',
        hint: 'Set "adopt: true" on it',
      }),
    ).toBe('remote/rpm/x: exists but is not managed by pulpform. Fix: Set "adopt: true" on it.');
  });
});

describe('watch events in words', () => {
  test('the watch starts, sees files and stops', () => {
    expect(
      describeWatchEvent({ code: 'watch.started', time: TIME, level: 'info', path: 'state.yaml', prune: false, debounceMs: 300 }),
    ).toBe('watching state.yaml');
    expect(
      describeWatchEvent({
        code: 'watch.started',
        time: TIME,
        level: 'info',
        path: 'desired-state',
        prune: true,
        intervalSeconds: 0.5,
        debounceMs: 300,
      }),
    ).toBe('watching desired-state, and reconciling every 0.5 s (--prune: deletions and replacements are performed)');
    expect(
      describeWatchEvent({ code: 'watch.file_event', time: TIME, level: 'debug', event: 'change', file: '/srv/desired-state/a.yaml' }),
    ).toBe('change /srv/desired-state/a.yaml');
    expect(
      describeWatchEvent({
        code: 'watch.files_changed',
        time: TIME,
        level: 'info',
        files: ['/srv/ds/a.yaml', '/srv/ds/b.yml'],
        queued: false,
      }),
    ).toBe('detected a change to a.yaml, b.yml');
    expect(describeWatchEvent({ code: 'watch.files_changed', time: TIME, level: 'info', files: ['/srv/ds/a.yaml'], queued: true })).toBe(
      'detected a change to a.yaml while a cycle is running; another cycle follows it',
    );
    expect(describeWatchEvent({ code: 'watch.stopping', time: TIME, level: 'info', signal: 'SIGTERM' })).toBe(
      'SIGTERM: stopping; an apply in flight starts nothing new and its Pulp tasks run on',
    );
    expect(describeWatchEvent({ code: 'watch.stopped', time: TIME, level: 'info' })).toBe('stopped');
  });

  test('a cycle starts, loads the desired state and ends with its summary', () => {
    expect(
      describeWatchEvent({
        code: 'watch.cycle_start',
        time: TIME,
        level: 'info',
        cycle: 3,
        trigger: { reasons: ['change'], files: ['/srv/ds/a.yaml'] },
      }),
    ).toBe('cycle 3 started (change: a.yaml)');
    expect(
      describeWatchEvent({
        code: 'watch.desired_loaded',
        time: TIME,
        level: 'info',
        cycle: 1,
        files: ['state.yaml'],
        sha256: SHA,
        resources: 1,
      }),
    ).toBe('desired state loaded: 1 object from state.yaml');
    expect(
      describeWatchEvent({
        code: 'watch.desired_loaded',
        time: TIME,
        level: 'info',
        cycle: 1,
        files: ['a.yaml', 'b.yaml'],
        sha256: SHA,
        resources: 4,
      }),
    ).toBe('desired state loaded: 4 objects from a.yaml, b.yaml');
    expect(
      describeWatchEvent({
        code: 'watch.cycle_done',
        time: TIME,
        level: 'info',
        ...report({ outcome: 'applied', changed: { create: 1 } }),
        queued: false,
        nextCycleAt: '2024-03-01T12:05:00.000Z',
      }),
    ).toBe('cycle 7 applied: 1 created; next check by 2024-03-01T12:05:00.000Z (1.2 s)');
  });

  test('an invalid save says what stays in force; later cycles say the files still have the errors', () => {
    const invalid = { code: 'watch.desired_invalid', time: TIME, level: 'error', cycle: 3, errors: 1, applied: 'nothing' } as const;
    expect(describeWatchEvent({ ...invalid, lastGoodSha256: SHA, reread: true })).toBe(
      'the desired state has 1 error; nothing is applied. The last valid desired state stays in force for drift repair',
    );
    expect(describeWatchEvent({ ...invalid, errors: 2, reread: true })).toBe(
      'the desired state has 2 errors; nothing is applied. Waiting for a valid save',
    );
    expect(describeWatchEvent({ ...invalid, level: 'warn', applied: 'last_good', lastGoodSha256: SHA, reread: false })).toBe(
      'the desired state files still have 1 error (reported when they were saved); converging to the last valid desired state (9e2440d51aa7)',
    );
    expect(describeWatchEvent({ ...invalid, errors: 2, reread: false })).toBe(
      'the desired state files still have 2 errors (reported when they were saved); nothing is applied',
    );
  });

  test('plan problems: a diagnostic, a blocked plan, what --prune would do', () => {
    const diagnostic = {
      severity: 'error',
      code: 'config.unknown_field',
      summary: 'Unknown field',
      hint: 'Rename it to "policy".',
      source: { file: 'state.yaml', line: 5, column: 5 },
      path: 'remotes[0].polcy',
    } as const;
    expect(describeWatchEvent({ code: 'watch.diagnostic', time: TIME, level: 'error', cycle: 3, origin: 'config', diagnostic })).toBe(
      'state.yaml:5:5: Unknown field (in remotes[0].polcy). Fix: Rename it to "policy".',
    );
    expect(describeWatchEvent({ code: 'watch.plan_blocked', time: TIME, level: 'error', cycle: 2, errors: 1 })).toBe(
      'the plan has 1 error; nothing is applied until the desired state or the server changes',
    );
    expect(
      describeWatchEvent({
        code: 'watch.held_back',
        time: TIME,
        level: 'warn',
        cycle: 2,
        deletes: ['remote/file/b'],
        replacements: ['remote/rpm/a'],
      }),
    ).toBe('not performed without --prune: delete remote/file/b, replace remote/rpm/a');
  });

  test('failures: an object backing off, an unreachable server, an internal or watcher error', () => {
    expect(
      describeWatchEvent({
        code: 'watch.backing_off',
        time: TIME,
        level: 'warn',
        cycle: 1,
        address: 'repository/file/broken',
        failures: 1,
        until: '2024-03-01T12:00:30.000Z',
        reason: 'upstream 404',
      }),
    ).toBe('repository/file/broken failed 1 time in a row; not retried before 2024-03-01T12:00:30.000Z');
    expect(
      describeWatchEvent({
        code: 'watch.backing_off',
        time: TIME,
        level: 'warn',
        cycle: 4,
        address: 'repository/file/broken',
        failures: 3,
        until: '2024-03-01T12:02:00.000Z',
        reason: 'upstream 404',
      }),
    ).toBe('repository/file/broken failed 3 times in a row; not retried before 2024-03-01T12:02:00.000Z');
    expect(
      describeWatchEvent({
        code: 'watch.server_error',
        time: TIME,
        level: 'error',
        cycle: 1,
        error: { message: 'GET /pulp/api/v3/status/: HTTP 503', hint: 'see the Pulp server logs' },
        retryAt: '2024-03-01T12:00:30.000Z',
      }),
    ).toBe(
      'cannot reconcile: GET /pulp/api/v3/status/: HTTP 503 (hint: see the Pulp server logs); trying again by 2024-03-01T12:00:30.000Z',
    );
    expect(
      describeWatchEvent({
        code: 'watch.server_error',
        time: TIME,
        level: 'error',
        cycle: 1,
        error: { message: 'connection refused' },
        retryAt: '2024-03-01T12:00:30.000Z',
      }),
    ).toBe('cannot reconcile: connection refused; trying again by 2024-03-01T12:00:30.000Z');
    expect(describeWatchEvent({ code: 'watch.error', time: TIME, level: 'error', error: 'Error: boom', during: 'cycle' })).toBe(
      'internal error in a reconcile cycle: Error: boom',
    );
    expect(
      describeWatchEvent({
        code: 'watch.error',
        time: TIME,
        level: 'error',
        error: 'EMFILE: too many open files',
        during: 'watching',
        path: 'desired-state',
      }),
    ).toBe('watching desired-state failed: EMFILE: too many open files');
  });

  test('apply events relayed by a cycle read as apply says them', () => {
    expect(
      describeWatchEvent({
        code: 'apply.summary',
        time: TIME,
        level: 'debug',
        elapsedMs: 4,
        counts: { succeeded: 1, failed: 0, skipped: 0, interrupted: 0 },
        aborted: false,
        cycle: 1,
      }),
    ).toBe('Apply complete: 1 succeeded, 0 failed, 0 skipped, 0 interrupted.');
  });
});
