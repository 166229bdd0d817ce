import { basename } from 'node:path';
import { type CycleOutcome, type CycleReport, mergeTriggers, type TriggerReason, type WatchEvent, type WatchTrigger } from './events.js';
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
          timer = setTimeout(() => latch.request({ reasons: [next.reason], files: [] }), Math.min(MAX_TIMER_MS, Math.max(0, next.at - now())));
        }
        if (report !== undefined) {
          const queued = latch.state === 'queued';
          emit({
            code: 'watch.cycle_done',
            time: time(),
            level: CYCLE_LEVEL[report.outcome],
            message: describeCycle(report, queued, next?.at),
            ...report,
            queued,
            ...(next !== undefined ? { nextCycleAt: new Date(next.at).toISOString() } : {}),
          });
        }
      }
    },
    merge: mergeTriggers,
    onError: (error) => emit({ code: 'watch.error', time: time(), level: 'error', message: `internal error in a reconcile cycle: ${String(error)}`, error: String(error) }),
  });

  const files = await watchDesiredState({
    path: options.path,
    debounceMs: options.debounceMs,
    onEvent: (event, file) => emit({ code: 'watch.file_event', time: time(), level: 'debug', message: `${event} ${file}`, event, file }),
    onChange: (changed) => {
      const queued = latch.state === 'running' || latch.state === 'queued';
      const names = changed.map((file) => basename(file)).join(', ');
      emit({
        code: 'watch.files_changed',
        time: time(),
        level: 'info',
        message: queued ? `detected a change to ${names} while a cycle is running; another cycle follows it` : `detected a change to ${names}`,
        files: changed,
        queued,
      });
      latch.request({ reasons: ['change'], files: changed });
    },
    onError: (error) => emit({ code: 'watch.error', time: time(), level: 'error', message: `watching ${options.path} failed: ${error.message}`, error: error.message }),
  });

  emit({
    code: 'watch.started',
    time: time(),
    level: 'info',
    message: `watching ${options.path}${options.intervalMs !== undefined ? `, and reconciling every ${options.intervalMs / 1000} s` : ''}${options.prune ? ' (--prune: deletions and replacements are performed)' : ''}`,
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
      emit({ code: 'watch.stopping', time: time(), level: 'info', message: `${reason}: stopping; an apply in flight starts nothing new and its Pulp tasks run on`, signal: reason });
      clearTimeout(timer);
      abort.abort();
      await files.close();
      await latch.dispose();
      emit({ code: 'watch.stopped', time: time(), level: 'info', message: 'stopped' });
    },
  };
}

const CHANGE_WORDS: [keyof CycleReport['changed'], string][] = [
  ['create', 'created'],
  ['adopt', 'adopted'],
  ['update', 'updated'],
  ['replace', 'replaced'],
  ['sync', 'synced'],
  ['delete', 'deleted'],
];

/** The cycle summary line: what changed, what failed, what is held back or backing off, and when the next check is. */
export function describeCycle(report: CycleReport, queued: boolean, nextAt: number | undefined): string {
  const parts: string[] = [];
  const changed = CHANGE_WORDS.filter(([type]) => report.changed[type]).map(([type, word]) => `${report.changed[type]} ${word}`);
  const outcome: Record<CycleReport['outcome'], string> = {
    in_sync: 'in sync',
    waiting: 'nothing applied',
    applied: 'applied',
    incomplete: 'incomplete',
    interrupted: 'interrupted',
    invalid: 'invalid desired state, nothing applied',
    blocked: 'the plan has errors, nothing applied',
    error: `could not reconcile: ${report.error?.message ?? 'unknown error'}`,
  };
  parts.push(`cycle ${report.cycle} ${outcome[report.outcome]}${changed.length > 0 ? `: ${changed.join(', ')}` : ''}`);
  if (report.failed.length > 0) parts.push(`${report.failed.length} failed: ${report.failed.map((f) => f.actionId).join(', ')}`);
  if (report.skipped > 0) parts.push(`${report.skipped} skipped`);
  const { deletes, replacements } = report.heldBack;
  if (deletes + replacements > 0) {
    const held = [deletes > 0 ? `${deletes} deletion${deletes === 1 ? '' : 's'}` : '', replacements > 0 ? `${replacements} replacement${replacements === 1 ? '' : 's'}` : ''].filter(Boolean);
    parts.push(`${held.join(' and ')} held back (run with --prune)`);
  }
  if (report.backingOff.length > 0) {
    parts.push(`backing off: ${report.backingOff.map((b) => `${b.address} until ${b.until}`).join(', ')}${report.waiting > 0 ? ` (${report.waiting} action${report.waiting === 1 ? '' : 's'} waiting)` : ''}`);
  }
  if (report.upstreamFailed > 0) parts.push(`${report.upstreamFailed} action${report.upstreamFailed === 1 ? '' : 's'} held back: the upstream check failed (see above)`);
  if (queued) parts.push('another cycle follows for changes made meanwhile');
  else if (nextAt !== undefined) parts.push(`next check by ${new Date(nextAt).toISOString()}`);
  return `${parts.join('; ')} (${(report.elapsedMs / 1000).toFixed(1)} s)`;
}
