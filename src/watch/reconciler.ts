import type { ApplyResult } from '../apply/events.js';
import { applyPlan } from '../apply/executor.js';
import { acquireLock, type HeldLock } from '../apply/lock.js';
import { waitForPendingWrites } from '../apply/settle.js';
import { DesiredStateError, type LoadedDesiredState, loadDesired, planAgainstServer, secretResolver } from '../engine.js';
import type { PulpClient } from '../live/index.js';
import type { Address, DesiredState, Diagnostic, DiagnosticCode, LiveState, Plan } from '../model/index.js';
import { preflight } from '../preflight/index.js';
import { type BackoffEntry, type BackoffPolicy, FailureBackoff } from './backoff.js';
import type { BackingOff, CycleReport, DistributiveOmit, WatchEvent, WatchTrigger } from './events.js';
import { holdBack } from './hold-back.js';

export interface ReconcilerOptions {
  /** The `-f` target. */
  path: string;
  env?: NodeJS.ProcessEnv;
  /** A client for the server this desired state names (flags > env > `server:`); it is closed after the cycle. Throwing ends the cycle as an error. */
  connect: (state: DesiredState) => PulpClient;
  /** Perform deletions and replacements; without it they are reported and left out. */
  prune: boolean;
  allowDeleteAll: boolean;
  concurrency: number;
  taskTimeoutMs?: number;
  /** Probe the upstream of every planned sync first; a sync whose upstream fails is left out, with the fix. */
  preflight: boolean;
  /** Hold the server lock while applying (a cycle that finds it held retries on the server backoff). */
  lock: boolean;
  /** How long a cycle waits for a lock another run holds. */
  lockTimeoutMs: number;
  /** Per object, and for the server when it cannot be read. */
  backoff: BackoffPolicy;
  emit: (event: WatchEvent) => void;
  now?: () => number;
}

const SERVER = 'server';

/**
 * One reconcile per call: load the desired state, read Pulp, plan, leave out what is backing
 * off, apply, and report. Keeps what must outlive a cycle: the last valid desired state (in
 * force while the files are invalid), per-object failure backoff, and which plan problems were
 * already reported, so that one that persists is described in full once and counted each cycle.
 * Never throws for bad input or an unreachable server; those are outcomes of the cycle.
 */
export class Reconciler {
  #cycle = 0;
  #lastGood: LoadedDesiredState | undefined;
  readonly #objects: FailureBackoff;
  readonly #server: FailureBackoff;
  readonly #now: () => number;
  /** Errors in the desired state files as last read; 0 when they were valid. */
  #invalidErrors = 0;
  /** Fingerprints of the plan and preflight problems last described in full. */
  readonly #reported = { plan: '', heldBack: '', preflight: '' };

  constructor(private readonly options: ReconcilerOptions) {
    this.#objects = new FailureBackoff(options.backoff);
    this.#server = new FailureBackoff(options.backoff);
    this.#now = options.now ?? Date.now;
  }

  async reconcile(trigger: WatchTrigger, signal: AbortSignal): Promise<CycleReport> {
    const started = this.#now();
    const cycle = ++this.#cycle;
    const report: CycleReport = {
      cycle,
      trigger,
      outcome: 'in_sync',
      elapsedMs: 0,
      changed: {},
      failed: [],
      skipped: 0,
      heldBack: { deletes: 0, replacements: 0 },
      backingOff: [],
      waiting: 0,
      upstreamFailed: 0,
    };
    this.#emit({ code: 'watch.cycle_start', level: 'info', cycle, trigger });
    const state = await this.#load(cycle, trigger);
    if (state === undefined) report.outcome = 'invalid';
    else if (signal.aborted) report.outcome = 'interrupted';
    else await this.#converge(state, report, signal);

    const now = this.#now();
    const waiting = this.#objects.waiting(now);
    report.backingOff = waiting.map(backingOff);
    const retryAt = Math.min(waiting[0]?.until ?? Infinity, this.#server.waiting(now)[0]?.until ?? Infinity);
    if (Number.isFinite(retryAt)) report.retryAt = retryAt;
    report.elapsedMs = now - started;
    return report;
  }

  /**
   * The desired state to converge to, or undefined to apply nothing. Files are read only when
   * they changed (after the debounce) or at start: a periodic cycle that read them could catch
   * an edit half-written, and with --prune act on a truncated file. An invalid edit applies
   * nothing; periodic cycles go on converging to the last valid desired state meanwhile.
   */
  async #load(cycle: number, trigger: WatchTrigger): Promise<DesiredState | undefined> {
    const lastGoodSha256 = this.#lastGood?.state.sources.sha256;
    if (!trigger.reasons.includes('change') && !trigger.reasons.includes('start')) {
      if (this.#invalidErrors > 0) {
        this.#emit({
          code: 'watch.desired_invalid',
          level: this.#lastGood ? 'warn' : 'error',
          cycle,
          errors: this.#invalidErrors,
          applied: this.#lastGood ? 'last_good' : 'nothing',
          ...(lastGoodSha256 !== undefined ? { lastGoodSha256 } : {}),
          reread: false,
        });
      }
      return this.#lastGood?.state;
    }
    try {
      const loaded = await loadDesired(this.options.path, this.options.env);
      this.#invalidErrors = 0;
      const { files, sha256 } = loaded.state.sources;
      if (sha256 !== lastGoodSha256) {
        const resources = loaded.state.resources.length;
        this.#emit({ code: 'watch.desired_loaded', level: 'info', cycle, files, sha256, resources });
        for (const diagnostic of loaded.warnings) this.#diagnostic(cycle, 'config', diagnostic);
      }
      this.#lastGood = loaded;
      return loaded.state;
    } catch (error) {
      if (!(error instanceof DesiredStateError)) throw error;
      const errors = error.diagnostics.filter((d) => d.severity === 'error').length;
      this.#invalidErrors = errors;
      this.#emit({
        code: 'watch.desired_invalid',
        level: 'error',
        cycle,
        errors,
        applied: 'nothing',
        ...(lastGoodSha256 !== undefined ? { lastGoodSha256 } : {}),
        reread: true,
      });
      for (const diagnostic of error.diagnostics) this.#diagnostic(cycle, 'config', diagnostic);
      return undefined;
    }
  }

  async #converge(state: DesiredState, report: CycleReport, signal: AbortSignal): Promise<void> {
    const { cycle } = report;
    let client: PulpClient | undefined;
    let lock: HeldLock | undefined;
    try {
      client = this.options.connect(state);
      const first = await this.#runnablePlan(state, client, report);
      if (first === undefined) return;
      if (this.options.lock) {
        lock = await acquireLock(client, { stack: state.stack, operation: 'watch', timeoutMs: this.options.lockTimeoutMs, signal });
        await waitForPendingWrites(client, { signal });
      }
      // Plan again under the lock: another run may have changed the server meanwhile.
      const prepared = lock ? await this.#runnablePlan(state, client, report) : first;
      if (prepared === undefined) return;
      if (signal.aborted) {
        report.outcome = 'interrupted';
        return;
      }
      const result = await applyPlan(prepared.plan, {
        client,
        secrets: secretResolver(state, this.options.env),
        concurrency: this.options.concurrency,
        ...(this.options.taskTimeoutMs !== undefined ? { taskTimeoutMs: this.options.taskTimeoutMs } : {}),
        signal: lock ? AbortSignal.any([signal, lock.lost]) : signal,
        live: prepared.live,
        // The cycle summary says what the executor's summary would, and more.
        onEvent: (event) => this.#emit({ ...event, level: event.code === 'apply.summary' ? 'debug' : event.level, cycle }),
      });
      this.#record(result, report);
    } catch (error) {
      const described = describeError(error);
      const entry = this.#server.recordFailure(SERVER, described.message, this.#now());
      report.outcome = 'error';
      report.error = described;
      const retryAt = new Date(entry.until).toISOString();
      this.#emit({ code: 'watch.server_error', level: 'error', cycle, error: described, retryAt });
    } finally {
      await lock?.release().catch(() => undefined);
      client?.close();
    }
  }

  /**
   * Plans the cycle and leaves out what is backing off; undefined (with the report's outcome
   * set) when there is nothing to apply or the plan must not be applied.
   */
  async #runnablePlan(state: DesiredState, client: PulpClient, report: CycleReport): Promise<{ plan: Plan; live: LiveState } | undefined> {
    const { prune, allowDeleteAll } = this.options;
    const { plan, live } = await planAgainstServer(state, client, { prune, allowDeleteAll, replace: prune });
    this.#server.recordSuccess(SERVER);
    if (!this.#reportPlanProblems(plan, report)) {
      report.outcome = 'blocked';
      return undefined;
    }
    this.#objects.retainOnly(new Set(plan.waves.flat().map((action) => action.address)));
    const backedOff = new Set(this.#objects.waiting(this.#now()).map((entry) => entry.key));
    let { plan: runnable, held } = holdBack(plan, backedOff);
    report.waiting = held.length;
    if (this.options.preflight && runnable.waves.some((wave) => wave.some((action) => action.type === 'sync'))) {
      const checked = await preflight(runnable, { desired: state, live, secrets: secretResolver(state, this.options.env) });
      this.#describeOnChange('preflight', checked.diagnostics, report.cycle);
      ({ plan: runnable, held } = holdBack(runnable, new Set(checked.blocked)));
      report.upstreamFailed = held.length;
    }
    if (runnable.waves.length === 0) {
      report.outcome = report.waiting + report.upstreamFailed > 0 ? 'waiting' : 'in_sync';
      return undefined;
    }
    return { plan: runnable, live };
  }

  /** Describes the plan's or the preflight's problems in full when they differ from the last ones described. */
  #describeOnChange(origin: 'plan' | 'preflight', diagnostics: Diagnostic[], cycle: number): void {
    const fingerprint = JSON.stringify(diagnostics.map((d) => [d.severity, d.code, d.address, d.summary]));
    if (fingerprint === this.#reported[origin]) return;
    this.#reported[origin] = fingerprint;
    for (const diagnostic of diagnostics) this.#diagnostic(cycle, origin, diagnostic);
  }

  /** Reports the plan's problems when they change; false when it has errors and must not be applied. */
  #reportPlanProblems(plan: Plan, report: CycleReport): boolean {
    const { cycle } = report;
    const addressesOf = (code: DiagnosticCode): Address[] =>
      plan.diagnostics.filter((d) => d.code === code && d.address !== undefined).map((d) => d.address!);
    const deletes = addressesOf('plan.not_desired');
    const replacements = addressesOf('plan.replace_skipped');
    report.heldBack = { deletes: deletes.length, replacements: replacements.length };
    const heldBack = JSON.stringify([deletes, replacements]);
    if (heldBack !== this.#reported.heldBack) {
      this.#reported.heldBack = heldBack;
      if (deletes.length + replacements.length > 0) {
        this.#emit({ code: 'watch.held_back', level: 'warn', cycle, deletes, replacements });
      }
    }
    const others = plan.diagnostics.filter((d) => d.code !== 'plan.not_desired' && d.code !== 'plan.replace_skipped');
    this.#describeOnChange('plan', others, cycle);
    const errors = others.filter((d) => d.severity === 'error').length;
    if (errors > 0) {
      this.#emit({ code: 'watch.plan_blocked', level: 'error', cycle, errors });
    }
    return errors === 0;
  }

  #record(result: ApplyResult, report: CycleReport): void {
    for (const done of result.succeeded) report.changed[done.type] = (report.changed[done.type] ?? 0) + 1;
    report.failed = result.failed.map((f) => ({ address: f.address, actionId: f.actionId, code: f.error.code, message: f.error.message }));
    report.skipped = result.skipped.length;
    report.outcome = result.aborted ? 'interrupted' : result.ok ? 'applied' : 'incomplete';
    const failed = new Map(result.failed.map((f) => [f.address, f.error.message]));
    for (const done of result.succeeded) if (!failed.has(done.address)) this.#objects.recordSuccess(done.address);
    const now = this.#now();
    for (const [address, reason] of failed) {
      const entry = backingOff(this.#objects.recordFailure(address, reason, now));
      this.#emit({ code: 'watch.backing_off', level: 'warn', cycle: report.cycle, ...entry });
    }
  }

  #diagnostic(cycle: number, origin: 'config' | 'plan' | 'preflight', diagnostic: Diagnostic): void {
    this.#emit({ code: 'watch.diagnostic', level: diagnostic.severity === 'error' ? 'error' : 'warn', cycle, origin, diagnostic });
  }

  #emit(event: DistributiveOmit<WatchEvent, 'time'>): void {
    this.options.emit({ ...event, time: new Date(this.#now()).toISOString() });
  }
}

function backingOff(entry: BackoffEntry): BackingOff {
  return { address: entry.key as Address, failures: entry.failures, until: new Date(entry.until).toISOString(), reason: entry.reason };
}

function describeError(error: unknown): { message: string; hint?: string } {
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof Error && 'hint' in error && typeof error.hint === 'string' ? error.hint : undefined;
  return hint !== undefined ? { message, hint } : { message };
}
