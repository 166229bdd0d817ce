import { describe, expect, test } from '@jest/globals';
import { ReconcileLatch } from '../../src/watch/latch.js';

/** A run the test finishes by hand, so the latch's states can be observed between steps. */
function harness() {
  const runs: { trigger: string[]; finish: () => void; fail: (error: Error) => void }[] = [];
  const errors: unknown[] = [];
  const latch = new ReconcileLatch<string[]>({
    run: (trigger) => new Promise<void>((resolve, reject) => runs.push({ trigger, finish: resolve, fail: reject })),
    merge: (a, b) => [...a, ...b],
    onError: (error) => errors.push(error),
  });
  /** Lets the latch's promise chain move on after a run settles. */
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  return { latch, runs, errors, settle };
}

describe('ReconcileLatch', () => {
  test('drops requests before ready, then runs the first trigger', () => {
    const { latch, runs } = harness();
    expect(latch.request(['early'])).toBe('pre-ready');
    expect(runs).toHaveLength(0);
    latch.ready(['start']);
    expect(latch.state).toBe('running');
    expect(runs.map((r) => r.trigger)).toEqual([['start']]);
  });

  test('runs one reconcile at a time and merges every request made meanwhile into one follow-up', async () => {
    const { latch, runs, settle } = harness();
    latch.ready(['start']);
    expect(latch.request(['a'])).toBe('queued');
    expect(latch.request(['b'])).toBe('queued');
    expect(latch.request(['c'])).toBe('queued');
    expect(runs).toHaveLength(1);
    runs[0]!.finish();
    await settle();
    expect(runs.map((r) => r.trigger)).toEqual([['start'], ['a', 'b', 'c']]);
    expect(latch.state).toBe('running');
    runs[1]!.finish();
    await settle();
    expect(latch.state).toBe('open');
    expect(runs).toHaveLength(2);
    expect(latch.request(['d'])).toBe('running');
    expect(runs[2]!.trigger).toEqual(['d']);
  });

  test('a run that throws is reported and the latch carries on with the queued follow-up', async () => {
    const { latch, runs, errors, settle } = harness();
    latch.ready(['start']);
    latch.request(['next']);
    runs[0]!.fail(new Error('boom'));
    await settle();
    expect(errors).toEqual([new Error('boom')]);
    expect(runs[1]!.trigger).toEqual(['next']);
  });

  test('dispose drops the queued follow-up, waits for the run in flight, and ignores later requests', async () => {
    const { latch, runs, settle } = harness();
    latch.ready(['start']);
    latch.request(['queued']);
    let disposed = false;
    const disposing = latch.dispose().then(() => (disposed = true));
    await settle();
    expect(disposed).toBe(false);
    runs[0]!.finish();
    await disposing;
    expect(latch.state).toBe('disposed');
    expect(latch.request(['late'])).toBe('disposed');
    expect(runs).toHaveLength(1);
  });
});
