import type { ApplyEvent } from '../apply/events.js';
import type { ActionType, Address, Diagnostic } from '../model/index.js';

/** What woke a reconcile: the watcher ready, edited files, the --interval timer, a backoff expiring. */
export type TriggerReason = 'start' | 'change' | 'interval' | 'retry';

export interface WatchTrigger {
  reasons: TriggerReason[];
  /** Absolute paths of the files that changed (for `change`). */
  files: string[];
}

export function mergeTriggers(a: WatchTrigger, b: WatchTrigger): WatchTrigger {
  return {
    reasons: [...new Set([...a.reasons, ...b.reasons])].sort(),
    files: [...new Set([...a.files, ...b.files])].sort(),
  };
}

/**
 * How a cycle ended. `in_sync`: nothing to do; `waiting`: only backed-off work was left;
 * `applied`: every action succeeded; `incomplete`: some failed or were skipped; `interrupted`:
 * stopped by a signal; `invalid`: the edited desired state has errors, nothing was applied;
 * `blocked`: the plan has errors, nothing was applied; `error`: Pulp could not be read.
 */
export type CycleOutcome = 'in_sync' | 'waiting' | 'applied' | 'incomplete' | 'interrupted' | 'invalid' | 'blocked' | 'error';

export interface BackingOff {
  address: Address;
  failures: number;
  /** ISO time of the next try. */
  until: string;
  reason: string;
}

export interface CycleReport {
  cycle: number;
  trigger: WatchTrigger;
  outcome: CycleOutcome;
  elapsedMs: number;
  /** Actions that succeeded, by type. */
  changed: Partial<Record<ActionType, number>>;
  failed: { address: Address; actionId: string; code: string; message: string }[];
  /** Actions skipped because something they wait for failed or the apply was interrupted. */
  skipped: number;
  /** Deletions and replacements left out because --prune is off. */
  heldBack: { deletes: number; replacements: number };
  backingOff: BackingOff[];
  /** Actions left out this cycle because their object, or one they wait for, is backing off. */
  waiting: number;
  /** Actions left out this cycle because the preflight found the upstream of their sync unusable. */
  upstreamFailed: number;
  /** When `outcome` is `error`: what went wrong and the fix. */
  error?: { message: string; hint?: string };
  /** Epoch ms at which a backed-off object or the unreachable server is due for another try. */
  retryAt?: number;
}

/** Facts only: `describeWatchEvent` (src/render) says them in words. */
interface EventBase {
  time: string;
  level: 'debug' | 'info' | 'warn' | 'error';
}

export type WatchEvent =
  | (EventBase & { code: 'watch.started'; path: string; prune: boolean; intervalSeconds?: number; debounceMs: number })
  | (EventBase & { code: 'watch.file_event'; event: string; file: string })
  | (EventBase & { code: 'watch.files_changed'; files: string[]; queued: boolean })
  | (EventBase & { code: 'watch.cycle_start'; cycle: number; trigger: WatchTrigger })
  | (EventBase & { code: 'watch.desired_loaded'; cycle: number; files: string[]; sha256: string; resources: number })
  | (EventBase & {
      code: 'watch.desired_invalid';
      cycle: number;
      errors: number;
      applied: 'nothing' | 'last_good';
      lastGoodSha256?: string;
      /** False when the files were not read again this cycle: the errors are those reported when they were saved. Not in JSON lines or log records. */
      reread: boolean;
    })
  | (EventBase & { code: 'watch.diagnostic'; cycle: number; origin: 'config' | 'plan' | 'preflight'; diagnostic: Diagnostic })
  | (EventBase & { code: 'watch.plan_blocked'; cycle: number; errors: number })
  | (EventBase & { code: 'watch.held_back'; cycle: number; deletes: Address[]; replacements: Address[] })
  | (EventBase & { code: 'watch.backing_off'; cycle: number } & BackingOff)
  | (EventBase & { code: 'watch.server_error'; cycle: number; error: { message: string; hint?: string }; retryAt: string })
  | (EventBase & { code: 'watch.cycle_done'; queued: boolean; nextCycleAt?: string } & CycleReport)
  /** `during`, and the watched `path`, are not in JSON lines or log records. */
  | (EventBase & { code: 'watch.error'; error: string } & ({ during: 'cycle' } | { during: 'watching'; path: string }))
  | (EventBase & { code: 'watch.stopping'; signal: string })
  | (EventBase & { code: 'watch.stopped' })
  | (DistributiveOmit<ApplyEvent, 'level'> & { level: EventBase['level']; cycle: number });

export type WatchEventCode = WatchEvent['code'];

/** Omit over each member of a union (the built-in Omit collapses it to the common keys). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
