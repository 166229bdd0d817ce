import type { ProgressReport } from '../live/index.js';
import type { ActionType } from '../model/plan.js';
import type { Address } from '../model/resource.js';

/** Why an action failed, as data: safe to print, log and serialise (no secret can be in it). */
export interface ActionFailure {
  /** `pulp.http`, `pulp.connection_refused`, ..., `task.failed`, `task.timeout`, `apply.stale`, `apply.secret_missing`, `apply.unresolved_ref`, `apply.internal`. */
  code: string;
  message: string;
  hint?: string;
  /** HTTP status, when Pulp answered. */
  status?: number;
  /** The Pulp task involved, when there was one. */
  taskHref?: string;
}

export type SkipCause = 'dependency' | 'interrupted';

export interface ActionIdentity {
  actionId: string;
  type: ActionType;
  address: Address;
}

/** Facts only: `describeApplyEvent` (src/render) says them in words. */
interface EventBase {
  /** ISO time the event was emitted. */
  time: string;
  level: 'info' | 'warn' | 'error';
}

export interface ActionStartEvent extends EventBase, ActionIdentity {
  code: 'action.start';
  /** Index of the plan wave the action is displayed in. */
  wave: number;
}

export interface ActionProgressEvent extends EventBase, ActionIdentity {
  code: 'action.progress';
  /** Which part of the action the task belongs to: `create`, `update`, `delete`, `sync`, `labels`, `find`. */
  step: string;
  taskHref: string;
  taskState: string;
  /** Since the action started. */
  elapsedMs: number;
  reports: ProgressReport[];
}

export interface ActionDoneEvent extends EventBase, ActionIdentity {
  code: 'action.done';
  elapsedMs: number;
  /** Href of the object the action created or acted on. */
  href?: string;
  /** Something worth knowing about how it went, e.g. "was already deleted". */
  note?: string;
}

export interface ActionFailedEvent extends EventBase, ActionIdentity {
  code: 'action.failed';
  elapsedMs: number;
  error: ActionFailure;
}

export interface ActionSkippedEvent extends EventBase, ActionIdentity {
  code: 'action.skipped';
  cause: SkipCause;
  reason: string;
}

export interface ActionInterruptedEvent extends EventBase, ActionIdentity {
  code: 'action.interrupted';
  elapsedMs: number;
  /** The task left running in Pulp, if the action was waiting for one. */
  taskHref?: string;
  /** What had been done already, e.g. "the old object was deleted; the new one was not created". */
  detail?: string;
}

/** The first interrupt: nothing new starts; the actions in flight run to their end. */
export interface ApplyStoppingEvent extends EventBase {
  code: 'apply.stopping';
  /** Ids of the actions still running. */
  inFlight: string[];
}

export interface ApplySummaryEvent extends EventBase {
  code: 'apply.summary';
  elapsedMs: number;
  counts: { succeeded: number; failed: number; skipped: number; interrupted: number };
  aborted: boolean;
}

export type ApplyEvent =
  | ActionStartEvent
  | ActionProgressEvent
  | ActionDoneEvent
  | ActionFailedEvent
  | ActionSkippedEvent
  | ActionInterruptedEvent
  | ApplyStoppingEvent
  | ApplySummaryEvent;

export type ApplyEventCode = ApplyEvent['code'];

export interface ActionSucceeded extends ActionIdentity {
  elapsedMs: number;
  href?: string;
  note?: string;
}

export interface ActionFailed extends ActionIdentity {
  elapsedMs: number;
  error: ActionFailure;
}

export interface ActionSkipped extends ActionIdentity {
  cause: SkipCause;
  reason: string;
}

export interface ActionInterrupted extends ActionIdentity {
  elapsedMs: number;
  taskHref?: string;
  detail?: string;
}

export interface ApplyResult {
  /** True when every action succeeded. */
  ok: boolean;
  /** The signal was aborted during the run. */
  aborted: boolean;
  elapsedMs: number;
  succeeded: ActionSucceeded[];
  failed: ActionFailed[];
  skipped: ActionSkipped[];
  interrupted: ActionInterrupted[];
}
