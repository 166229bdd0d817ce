import { describe, expect, test } from '@jest/globals';
import { FailureBackoff } from '../../src/watch/backoff.js';

describe('FailureBackoff', () => {
  test('doubles the wait for each failure in a row, up to the maximum', () => {
    const backoff = new FailureBackoff({ initialMs: 1000, maxMs: 5000, random: () => 0.999999 });
    const waits = [1, 2, 3, 4, 5].map(() => backoff.recordFailure('repository/file/a', 'sync failed', 0).until);
    expect(waits).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(backoff.get('repository/file/a')?.failures).toBe(5);
  });

  test('jitter draws each wait between half and all of its ceiling', () => {
    const low = new FailureBackoff({ initialMs: 1000, maxMs: 60_000, random: () => 0 });
    const mid = new FailureBackoff({ initialMs: 1000, maxMs: 60_000, random: () => 0.5 });
    expect(low.recordFailure('x', 'e', 100).until).toBe(600);
    low.recordFailure('x', 'e', 100);
    expect(low.recordFailure('x', 'e', 100).until).toBe(2100);
    expect(mid.recordFailure('x', 'e', 0).until).toBe(750);
  });

  test('a success resets the count; an object with nothing left to do is forgotten', () => {
    const backoff = new FailureBackoff({ initialMs: 1000, maxMs: 60_000, random: () => 0.999999 });
    backoff.recordFailure('a', 'e', 0);
    backoff.recordFailure('a', 'e', 0);
    backoff.recordSuccess('a');
    expect(backoff.recordFailure('a', 'e', 0).until).toBe(1000);
    backoff.recordFailure('b', 'e', 0);
    backoff.retainOnly(new Set(['b']));
    expect(backoff.get('a')).toBeUndefined();
    expect(backoff.get('b')).toBeDefined();
  });

  test('waiting lists the keys whose backoff has not expired, soonest first', () => {
    const backoff = new FailureBackoff({ initialMs: 1000, maxMs: 60_000, random: () => 0.999999 });
    backoff.recordFailure('late', 'e', 0);
    backoff.recordFailure('late', 'e', 0);
    backoff.recordFailure('soon', 'e', 0);
    expect(backoff.waiting(0).map((entry) => entry.key)).toEqual(['soon', 'late']);
    expect(backoff.waiting(1000).map((entry) => entry.key)).toEqual(['late']);
    expect(backoff.waiting(2000)).toEqual([]);
    // Expired, but remembered: the next failure waits longer.
    expect(backoff.recordFailure('late', 'e', 2000).until).toBe(6000);
  });
});
