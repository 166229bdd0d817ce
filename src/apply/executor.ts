import type { PulpClient, TaskProgress } from '../live/index.js';
import { PulpApiError, TaskFailedError, TaskTimeoutError, TaskWaitAbandonedError } from '../live/index.js';
import { readLiveState } from '../live/index.js';
import { capabilitiesOf } from '../model/capabilities.js';
import type { LiveObject, LiveState } from '../model/resource.js';
import type { Plan, PlanAction } from '../model/plan.js';
import type { Secret } from '../model/secret.js';
import { type ActionContext, ActionInterruptedError, executeAction, type ActionOutcome } from './actions.js';
import type {
  ActionDoneEvent,
  ActionFailed,
  ActionFailure,
  ActionIdentity,
  ActionInterrupted,
  ActionSkipped,
  ActionSucceeded,
  ApplyEvent,
  ApplyResult,
} from './events.js';
import { ApplyStepError, RunState } from './refs.js';
import { PulpformError } from '../model/errors.js';

export interface ApplyOptions {
  client: PulpClient;
  /** The value of a secret source (`env:NAME`, `file:/path`, `inline:...`), or null when it is not available. */
  secrets: (source: string) => Secret | null;
  /** Actions in flight at once. Default 8. */
  concurrency?: number;
  /** Longest wait for one Pulp task. Default 2 hours. */
  taskTimeoutMs?: number | undefined;
  /** Abort (a first Ctrl-C): start nothing new; the actions in flight run to their end. */
  signal?: AbortSignal;
  /**
   * Abort (a second Ctrl-C): stop waiting for the tasks of the actions in flight too (they run on
   * in Pulp) and resolve with the result at once. Default: `signal` does both.
   */
  abandon?: AbortSignal;
  onEvent?: (event: ApplyEvent) => void;
  /** The live state to resolve references to existing objects against. Default: `liveForStaleness`, else read once from the server. */
  live?: LiveState;
  /** A fresh read of the server: actions whose object changed since the plan are refused. */
  liveForStaleness?: LiveState;
  /** Longest silence between progress events of a long task. Default 10 s. */
  progressIntervalMs?: number;
}

/** Tasks that end sooner than this get no progress events. */
const PROGRESS_QUIET_MS = 1000;

/** The plan's actions do not form a valid dependency graph (a corrupt or hand-edited plan file). */
export class InvalidPlanError extends PulpformError {
  constructor(message: string) {
    super(`the plan cannot be applied: ${message}`);
    this.name = 'InvalidPlanError';
  }

  get code(): string {
    return 'planfile';
  }
}

type Outcome =
  | { status: 'succeeded'; record: ActionSucceeded }
  | { status: 'failed'; record: ActionFailed }
  | { status: 'skipped'; record: ActionSkipped }
  | { status: 'interrupted'; record: ActionInterrupted };

/**
 * Carries out a plan against Pulp. Actions run as soon as the actions they depend on have
 * succeeded, at most `concurrency` at a time; the waves of the plan are only for display.
 * A failed, refused or interrupted action's dependents are skipped; independent ones go on.
 * Reports through `onEvent` and never prints; no secret value reaches an event or the result.
 */
export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  const started = Date.now();
  const actions = plan.waves.flat();
  const waveOf = new Map<string, number>();
  plan.waves.forEach((wave, index) => wave.forEach((action) => waveOf.set(action.id, index)));
  const dependents = checkGraph(actions);
  const { signal } = options;
  const abandon = options.abandon ?? signal;
  const revealed = new Set<string>();
  const capabilities = capabilitiesOf(plan.server.versions);
  const emit = (event: ApplyEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // A failing listener (a renderer bug) must not leave the server half-applied.
    }
  };
  const scrub = (text: string): string => [...revealed].reduce((out, secret) => out.split(secret).join('(sensitive)'), text);

  const live = options.live ?? options.liveForStaleness ?? (actions.length > 0 ? await readLiveState(options.client) : undefined);
  const run = new RunState(live);
  const fresh = options.liveForStaleness ? new Map(options.liveForStaleness.objects.map((o) => [o.href, o])) : undefined;
  const outcomes = new Map<string, Outcome>();
  const byId = new Map(actions.map((a) => [a.id, a]));
  const remainingDeps = new Map(actions.map((a) => [a.id, new Set(a.dependsOn)]));
  const ready = actions.filter((a) => a.dependsOn.length === 0);
  const running = new Map<string, Promise<void>>();
  const progressIntervalMs = options.progressIntervalMs ?? 10_000;

  const identity = (action: PlanAction): ActionIdentity => ({ actionId: action.id, type: action.type, address: action.address });
  const now = (): string => new Date().toISOString();

  const skipDependents = (failed: PlanAction, how: string): void => {
    // Direct dependents first, so each names the action that really failed when it can.
    const skippedNow: PlanAction[] = [];
    for (const dependentId of dependents.get(failed.id) ?? []) {
      if (outcomes.has(dependentId)) continue;
      const dependent = byId.get(dependentId)!;
      const reason = `depends on ${failed.id}, which ${how}`;
      const record: ActionSkipped = { ...identity(dependent), cause: 'dependency', reason };
      outcomes.set(dependentId, { status: 'skipped', record });
      emit({ code: 'action.skipped', time: now(), level: 'warn', ...record });
      skippedNow.push(dependent);
    }
    for (const dependent of skippedNow) skipDependents(dependent, 'was skipped');
  };

  const runOne = async (action: PlanAction): Promise<void> => {
    const actionStarted = Date.now();
    const elapsed = (): number => Date.now() - actionStarted;
    // Written out, not spread from identity(): see actionForExecution.
    emit({
      code: 'action.start',
      time: now(),
      level: 'info',
      actionId: action.id,
      type: action.type,
      address: action.address,
      wave: waveOf.get(action.id) ?? 0,
    });
    let lastProgress = { at: actionStarted, state: '', reports: '' };
    const ctx: ActionContext = {
      client: options.client,
      run,
      secrets: options.secrets,
      revealed,
      capabilities,
      taskTimeoutMs: options.taskTimeoutMs ?? 2 * 60 * 60 * 1000,
      signal: abandon,
      progress: (step: string, progress: TaskProgress) => {
        // Short tasks are reported by action.done alone; long ones on every change, and at least every interval.
        if (progress.state !== 'waiting' && progress.state !== 'running') return;
        const reports = JSON.stringify(progress.reports.map((r) => [r.message, r.done, r.total]));
        const at = Date.now();
        const changed = progress.state !== lastProgress.state || reports !== lastProgress.reports;
        const quiet = at - lastProgress.at < progressIntervalMs;
        if (elapsed() < Math.min(PROGRESS_QUIET_MS, progressIntervalMs) || (!changed && quiet)) return;
        lastProgress = { at, state: progress.state, reports };
        emit({
          code: 'action.progress',
          time: now(),
          level: 'info',
          ...identity(action),
          step,
          taskHref: progress.taskHref,
          taskState: progress.state,
          elapsedMs: elapsed(),
          reports: progress.reports,
        });
      },
    };
    let outcome: Outcome;
    try {
      const stale = fresh ? staleness(action, fresh) : undefined;
      if (stale) throw stale;
      const done: ActionOutcome = await executeAction(ctx, action);
      const record: ActionSucceeded = { actionId: action.id, type: action.type, address: action.address, elapsedMs: elapsed() };
      if (done.href !== undefined) record.href = done.href;
      if (done.note !== undefined) record.note = done.note;
      outcome = { status: 'succeeded', record };
      const event: ActionDoneEvent = {
        code: 'action.done',
        time: now(),
        level: 'info',
        actionId: record.actionId,
        type: record.type,
        address: record.address,
        elapsedMs: record.elapsedMs,
      };
      if (record.href !== undefined) event.href = record.href;
      if (record.note !== undefined) event.note = record.note;
      emit(event);
    } catch (error) {
      if (error instanceof TaskWaitAbandonedError || error instanceof ActionInterruptedError) {
        const record: ActionInterrupted = { ...identity(action), elapsedMs: elapsed() };
        if (error instanceof TaskWaitAbandonedError) record.taskHref = error.taskHref;
        else record.detail = error.detail;
        outcome = { status: 'interrupted', record };
        emit({ code: 'action.interrupted', time: now(), level: 'warn', ...record });
      } else {
        const failure = failureOf(error, scrub);
        const record: ActionFailed = { ...identity(action), elapsedMs: elapsed(), error: failure };
        outcome = { status: 'failed', record };
        emit({ code: 'action.failed', time: now(), level: 'error', ...record });
      }
    }
    outcomes.set(action.id, outcome);
    if (outcome.status !== 'succeeded') {
      skipDependents(action, outcome.status === 'failed' ? 'failed' : 'was interrupted');
      return;
    }
    for (const dependentId of dependents.get(action.id) ?? []) {
      const left = remainingDeps.get(dependentId)!;
      left.delete(action.id);
      if (left.size === 0 && !outcomes.has(dependentId)) ready.push(byId.get(dependentId)!);
    }
  };

  const stopping = (): void => {
    if (abandon === signal) return;
    const inFlight = [...running.keys()];
    emit({ code: 'apply.stopping', time: now(), level: 'warn', inFlight });
  };
  signal?.addEventListener('abort', stopping, { once: true });

  const concurrency = Math.max(1, options.concurrency ?? 8);
  let next = 0;
  for (;;) {
    while (!signal?.aborted && running.size < concurrency && next < ready.length) {
      const action = ready[next++]!;
      running.set(
        action.id,
        runOne(action).finally(() => running.delete(action.id)),
      );
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }

  signal?.removeEventListener('abort', stopping);
  for (const action of actions) {
    if (outcomes.has(action.id)) continue;
    const record: ActionSkipped = {
      ...identity(action),
      cause: 'interrupted',
      reason: 'the apply was interrupted before this action started',
    };
    outcomes.set(action.id, { status: 'skipped', record });
    emit({ code: 'action.skipped', time: now(), level: 'warn', ...record });
  }

  const result: ApplyResult = {
    ok: false,
    aborted: signal?.aborted ?? false,
    elapsedMs: Date.now() - started,
    succeeded: [],
    failed: [],
    skipped: [],
    interrupted: [],
  };
  for (const action of actions) {
    const outcome = outcomes.get(action.id)!;
    if (outcome.status === 'succeeded') result.succeeded.push(outcome.record);
    else if (outcome.status === 'failed') result.failed.push(outcome.record);
    else if (outcome.status === 'skipped') result.skipped.push(outcome.record);
    else result.interrupted.push(outcome.record);
  }
  result.ok = result.succeeded.length === actions.length;
  const counts = {
    succeeded: result.succeeded.length,
    failed: result.failed.length,
    skipped: result.skipped.length,
    interrupted: result.interrupted.length,
  };
  emit({
    code: 'apply.summary',
    time: now(),
    level: result.ok ? 'info' : 'error',
    elapsedMs: result.elapsedMs,
    counts,
    aborted: result.aborted,
  });
  return result;
}

/** Dependents of each action; throws InvalidPlanError on duplicate ids, unknown dependencies or cycles. */
function checkGraph(actions: PlanAction[]): Map<string, string[]> {
  const ids = new Set<string>();
  for (const action of actions) {
    if (ids.has(action.id)) throw new InvalidPlanError(`two actions have the id '${action.id}'`);
    ids.add(action.id);
  }
  const dependents = new Map<string, string[]>(actions.map((a) => [a.id, []]));
  for (const action of actions) {
    for (const dependency of action.dependsOn) {
      if (!ids.has(dependency)) throw new InvalidPlanError(`'${action.id}' depends on '${dependency}', which is not in the plan`);
      dependents.get(dependency)!.push(action.id);
    }
  }
  const pending = new Map(actions.map((a) => [a.id, a.dependsOn.length]));
  const ready = actions.filter((a) => a.dependsOn.length === 0).map((a) => a.id);
  let ordered = 0;
  while (ready.length > 0) {
    const id = ready.pop()!;
    ordered += 1;
    for (const dependent of dependents.get(id)!) {
      const left = pending.get(dependent)! - 1;
      pending.set(dependent, left);
      if (left === 0) ready.push(dependent);
    }
  }
  if (ordered < actions.length) {
    const stuck = [...pending].filter(([, left]) => left > 0).map(([id]) => id);
    throw new InvalidPlanError(`the dependencies of ${stuck.join(', ')} form a cycle`);
  }
  return dependents;
}

/**
 * The plan as applyPlan reads it, without what only its rendering shows: each action's changes,
 * reason and source, and the values its guard saw. Once the plan is printed, apply keeps this
 * instead (at 10,000 objects the full plan is some 18 MB of the run's memory).
 */
export function forExecution(plan: Plan): Plan {
  return { ...plan, waves: plan.waves.map((wave) => wave.map(actionForExecution)) };
}

function actionForExecution(action: PlanAction): PlanAction {
  // Properties written out rather than spread: V8 gives every object made by a spread followed
  // by more properties a hidden class of its own (some 400 bytes each, 13,000 actions).
  const lean: PlanAction = {
    id: action.id,
    type: action.type,
    address: action.address,
    kind: action.kind,
    plugin: action.plugin,
    name: action.name,
    endpoint: action.endpoint,
    reason: '',
    changes: [],
    unchanged: action.unchanged,
    dependsOn: action.dependsOn,
  };
  if (action.body !== undefined) lean.body = action.body;
  if (action.secrets !== undefined) lean.secrets = action.secrets;
  if (action.labelsAfter !== undefined) lean.labelsAfter = action.labelsAfter;
  if (action.syncFrom !== undefined) lean.syncFrom = action.syncFrom;
  if (action.guard !== undefined) {
    lean.guard = { href: action.guard.href, fingerprint: action.guard.fingerprint };
    if (action.guard.lastUpdated !== undefined) lean.guard.lastUpdated = action.guard.lastUpdated;
  }
  return lean;
}

/** Why the object an action would touch is not the one the plan saw, if it is not. */
function staleness(action: PlanAction, fresh: ReadonlyMap<string, LiveObject>): ApplyStepError | undefined {
  const guard = action.guard;
  if (!guard) return undefined;
  const hint = 'run plan again and review what changed';
  const current = fresh.get(guard.href);
  if (!current)
    return new ApplyStepError('apply.stale', `${action.address} (${guard.href}) no longer exists on the server; the plan is stale`, hint);
  const updatedElsewhere =
    guard.lastUpdated !== undefined && current.lastUpdated !== undefined && guard.lastUpdated !== current.lastUpdated;
  if (current.fingerprint !== guard.fingerprint || updatedElsewhere) {
    return new ApplyStepError(
      'apply.stale',
      `${action.address} changed on the server since the plan was made; refusing to ${action.type} it`,
      hint,
    );
  }
  return undefined;
}

function failureOf(error: unknown, scrub: (text: string) => string): ActionFailure {
  if (error instanceof PulpApiError) {
    const failure: ActionFailure = { code: error.code, message: scrub(error.message) };
    if (error.hint) failure.hint = error.hint;
    if (error.status !== undefined) failure.status = error.status;
    return failure;
  }
  if (error instanceof TaskFailedError) return { code: 'task.failed', message: scrub(error.message), taskHref: error.taskHref };
  if (error instanceof TaskTimeoutError) return { code: 'task.timeout', message: scrub(error.message), taskHref: error.taskHref };
  if (error instanceof ApplyStepError) {
    const failure: ActionFailure = { code: error.code, message: scrub(error.message) };
    if (error.hint) failure.hint = error.hint;
    return failure;
  }
  return { code: 'apply.internal', message: scrub(error instanceof Error ? error.message : String(error)) };
}
