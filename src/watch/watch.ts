import { type CycleOutcome, type CycleReport, mergeTriggers, type TriggerReason, type WatchTrigger } from './events.js';
import { watchDesiredState } from './files.js';
import { ReconcileLatch } from './latch.js';
import { Reconciler, type ReconcilerOptions } from './reconciler.js';

export interface WatchOptions extends ReconcilerOptions {
  /** Quiet time after the last file event before a reconcile starts. */
  debounceMs: number;
  /** Re-reconcile this long after the last cycle ended, to repair drift made outside pulpform. */
  intervalMs?: number;
}

export interface RunningWatch {
  /**
   * Stops watching and timers, aborts the apply in flight (it starts nothing new and abandons
   * task waits; the tasks run on in Pulp) and resolves once the cycle has ended and the
   * watcher is closed.
   */
  stop(reason: string): Promise<void>;
}

const CYCLE_LEVEL: Record<CycleOutcome, 'info' | 'warn' | 'error'> = {
  in_sync: 'info',
  applied: 'info',
  waiting: 'warn',
  interrupted: 'warn',
  incomplete: 'error',
  invalid: 'error',
  blocked: 'error',
  error: 'error',
};

/** setTimeout holds at most 2^31−1 ms (24.8 days); a longer wait just wakes once early. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `pulpform watch`: file events (debounced) and timers feed a latch that runs one reconcile
 * at a time with at most one follow-up. After each cycle the next wake-up is the sooner of
 * the interval and the first backoff to expire, so a failing object or an unreachable server
 * is retried even without --interval. Reports everything through `emit`; never prints.
 */
export async function startWatch(options: WatchOptions): Promise<RunningWatch> {
  const now = options.now ?? Date.now;
  const time = (): string => new Date(now()).toISOString();
  const emit = options.emit;
  const reconciler = new Reconciler(options);
  const abort = new AbortController();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const wakeAt = (report: CycleReport | undefined): { at: number; reason: TriggerReason } | undefined => {
    const due: { at: number; reason: TriggerReason }[] = [];
    if (options.intervalMs !== undefined) due.push({ at: now() + options.intervalMs, reason: 'interval' });
    if (report?.retryAt !== undefined) due.push({ at: report.retryAt, reason: 'retry' });
    return due.sort((a, b) => a.at - b.at)[0];
  };

  const latch: ReconcileLatch<WatchTrigger> = new ReconcileLatch<WatchTrigger>({
    run: async (trigger) => {
      clearTimeout(timer);
      let report: CycleReport | undefined;
      try {
        report = await reconciler.reconcile(trigger, abort.signal);
      } finally {
        const next = stopped ? undefined : wakeAt(report);
        if (next !== undefined) {
          timer = setTimeout(
            () => latch.request({ reasons: [next.reason], files: [] }),
            Math.min(MAX_TIMER_MS, Math.max(0, next.at - now())),
          );
        }
        if (report !== undefined) {
          const queued = latch.state === 'queued';
          emit({
            code: 'watch.cycle_done',
            time: time(),
            level: CYCLE_LEVEL[report.outcome],
            ...report,
            queued,
            ...(next !== undefined ? { nextCycleAt: new Date(next.at).toISOString() } : {}),
          });
        }
      }
    },
    merge: mergeTriggers,
    onError: (error) => emit({ code: 'watch.error', time: time(), level: 'error', error: String(error), during: 'cycle' }),
  });

  const files = await watchDesiredState({
    path: options.path,
    debounceMs: options.debounceMs,
    onEvent: (event, file) => emit({ code: 'watch.file_event', time: time(), level: 'debug', event, file }),
    onChange: (changed) => {
      const queued = latch.state === 'running' || latch.state === 'queued';
      emit({ code: 'watch.files_changed', time: time(), level: 'info', files: changed, queued });
      latch.request({ reasons: ['change'], files: changed });
    },
    onError: (error) =>
      emit({ code: 'watch.error', time: time(), level: 'error', error: error.message, during: 'watching', path: options.path }),
  });

  emit({
    code: 'watch.started',
    time: time(),
    level: 'info',
    path: options.path,
    prune: options.prune,
    ...(options.intervalMs !== undefined ? { intervalSeconds: options.intervalMs / 1000 } : {}),
    debounceMs: options.debounceMs,
  });
  latch.ready({ reasons: ['start'], files: [] });

  return {
    stop: async (reason) => {
      if (stopped) return;
      stopped = true;
      emit({ code: 'watch.stopping', time: time(), level: 'info', signal: reason });
      clearTimeout(timer);
      abort.abort();
      await files.close();
      await latch.dispose();
      emit({ code: 'watch.stopped', time: time(), level: 'info' });
    },
  };
}
