import { describe, expect, test } from '@jest/globals';
import { isDesiredStateFile } from '../../src/watch/files.js';
import type { CycleReport } from '../../src/watch/events.js';
import { describeDiagnostic, describeTrigger } from '../../src/watch/reconciler.js';
import { describeCycle } from '../../src/watch/watch.js';

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
    expect(describeCycle(report({}), false, Date.parse('2024-03-01T12:05:00Z'))).toBe('cycle 7 in sync; next check by 2024-03-01T12:05:00.000Z (1.2 s)');
  });

  test('says what changed, what failed, what is held back and what is backing off until when', () => {
    const line = describeCycle(report({
      outcome: 'incomplete',
      changed: { sync: 1, create: 2, update: 1 },
      failed: [{ address: 'repository/rpm/baseos', actionId: 'sync repository/rpm/baseos', code: 'task.failed', message: 'upstream 404' }],
      skipped: 2,
      heldBack: { deletes: 2, replacements: 1 },
      backingOff: [{ address: 'repository/rpm/baseos', failures: 3, until: '2024-03-01T12:03:04.000Z', reason: 'upstream 404' }],
      waiting: 3,
      upstreamFailed: 1,
    }), true, undefined);
    expect(line).toBe(
      'cycle 7 incomplete: 2 created, 1 updated, 1 synced; 1 failed: sync repository/rpm/baseos; 2 skipped; '
      + '2 deletions and 1 replacement held back (run with --prune); '
      + 'backing off: repository/rpm/baseos until 2024-03-01T12:03:04.000Z (3 actions waiting); '
      + '1 action held back: the upstream check failed (see above); '
      + 'another cycle follows for changes made meanwhile (1.2 s)',
    );
  });

  test('an unreachable server gives the cause', () => {
    expect(describeCycle(report({ outcome: 'error', error: { message: 'GET /pulp/api/v3/status/: connection refused' } }), false, undefined))
      .toBe('cycle 7 could not reconcile: GET /pulp/api/v3/status/: connection refused (1.2 s)');
  });
});

describe('triggers and diagnostics in one line', () => {
  test('a trigger names the files that changed', () => {
    expect(describeTrigger({ reasons: ['change', 'interval'], files: ['/srv/desired-state/a.yaml', '/srv/desired-state/b.yml'] })).toBe('change: a.yaml, b.yml, interval');
  });

  test('a diagnostic gives file:line:column, the summary, the detail and the fix', () => {
    expect(describeDiagnostic({
      severity: 'error',
      code: 'config.unknown_field',
      summary: 'Unknown field',
      detail: 'A rpm remote has no field "polcy".\nDid you mean policy',
      hint: 'Rename it to "policy".',
      source: { file: 'desired-state/rocky.yaml', line: 12, column: 5 },
      path: 'remotes[0].polcy',
    })).toBe('desired-state/rocky.yaml:12:5: Unknown field (in remotes[0].polcy). A rpm remote has no field "polcy". Did you mean policy. Fix: Rename it to "policy".');
  });

  test('a multi-line detail reads as one line', () => {
    expect(describeDiagnostic({ severity: 'warning', code: 'plan.replace_skipped', summary: 'x must be replaced', detail: 'Also skipped, because they wait for it:\na\nb' }))
      .toBe('x must be replaced. Also skipped, because they wait for it: a; b.');
  });

  test('a plan diagnostic without a source names its object', () => {
    expect(describeDiagnostic({ severity: 'error', code: 'plan.conflict_unmanaged', summary: 'exists but is not managed by pulpform', address: 'remote/rpm/x', hint: 'Set "adopt: true" on it' }))
      .toBe('remote/rpm/x: exists but is not managed by pulpform. Fix: Set "adopt: true" on it.');
  });
});

describe('which files are desired state', () => {
  test('YAML files are; dotfiles and editor leftovers are not', () => {
    for (const name of ['a.yaml', 'dir/b.yml', '10-rpm.yaml']) expect(isDesiredStateFile(name)).toBe(true);
    for (const name of ['.a.yaml.swp', '.#a.yaml', 'a.yaml~', '#a.yaml#', 'a.yaml.tmp', '.hidden.yaml', '4913', 'a.json']) expect(isDesiredStateFile(name)).toBe(false);
  });
});
