import type { Command } from 'commander';
import type winston from 'winston';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { ApplyEvent, ApplyResult } from '../../apply/events.js';
import { applyPlan, forExecution } from '../../apply/executor.js';
import { type LoadedDesiredState, loadDesired, openClient, readLiveStateFor, secretResolver, secretValues } from '../../engine.js';
import type { PulpClient } from '../../live/index.js';
import { liveStateDigest, readLiveState } from '../../live/index.js';
import type { JsonObject } from '../../model/json.js';
import type { Plan } from '../../model/plan.js';
import type { Secret } from '../../model/secret.js';
import { buildPlan } from '../../plan/index.js';
import { PlanFileError } from '../../plan/planfile.js';
import type { LiveState } from '../../model/resource.js';
import { checkSavedPlan } from '../../plan/stale.js';
import { preflightPlan } from '../../preflight/index.js';
import { describeApplyEvent } from '../../render/apply-events.js';
import { progressThrottle, renderApplyEvent, renderApplySummary } from '../../render/apply-text.js';
import { renderDiagnostics } from '../../render/diagnostics.js';
import { eventLine } from '../../render/json-lines.js';
import { planTextChunks } from '../../render/plan-text.js';
import { renderSavedPlanCheck } from '../../render/saved-plan.js';
import {
  addDesiredStateOption,
  addServerOptions,
  clientSettingsOf,
  loggerFor,
  positiveInteger,
  reportError,
  type ServerCommandOptions,
  useColor,
  writeChunks,
} from '../common.js';
import { ConnectionError, resolveConnection } from '../connection.js';
import { addLockOptions, type LockFlags, type LockedSession, startLockedSession } from '../lock.js';
import { readPlanFile } from '../plan-files.js';
import { JsonOutput } from '../json-output.js';
import { addPlanningOptions, hasChanges, hasErrors, planData, type PlanningFlags, planOptionsOf, planSummary } from './plan.js';

export interface ApplyCommandOptions extends ServerCommandOptions, LockFlags, PlanningFlags {
  autoApprove?: boolean;
  json?: boolean;
  concurrency: number;
  taskTimeout?: number;
  skipPreflight?: boolean;
}

export function registerApplyCommand(program: Command): void {
  const command = program
    .command('apply')
    .argument('[planfile]', 'a plan saved with `pulpform plan --out FILE`: apply exactly it, refusing objects that changed since')
    .description('Make the Pulp server match the desired state: plan, confirm, then create, update, sync and delete.')
    .option('--auto-approve', 'do not ask for confirmation')
    .option('--json', 'print the plan, every event and the result as JSON lines on stdout')
    .option('--concurrency <n>', 'actions in flight at once', positiveInteger, 8)
    .option('--task-timeout <seconds>', 'give up waiting for one Pulp task after this long (it runs on in Pulp)', positiveInteger)
    .option('--skip-preflight', 'do not probe the upstreams of planned syncs before writing (when only the Pulp server can reach them)');
  addLockOptions(addServerOptions(addDesiredStateOption(addPlanningOptions(command, 'apply only to')))).action(
    async (planFile: string | undefined, options: ApplyCommandOptions, command: Command) => {
      await runApplyCommand(planFile, options, command.getOptionValueSource('file') !== 'default');
    },
  );
}

/** What `pulpform apply` does, for `pin --apply` and `promote --apply` too; sets process.exitCode. */
export async function runApplyCommand(planFile: string | undefined, options: ApplyCommandOptions, fileGiven: boolean): Promise<void> {
  const color = useColor(process.stdout, options.color);
  const errColor = useColor(process.stderr, options.color);
  let secrets: string[] = [];
  const logger = loggerFor(options, () => secrets);
  const print = (text: string): void => void process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  const json = options.json ? new JsonOutput('apply') : undefined;
  const held: Held = {};
  try {
    try {
      // Planned in a function of its own: the desired state lives in its frame only, and is gone
      // before the first write (a suspended async function keeps what its registers held; at
      // 10,000 objects the desired state was 8 of the 49 MB live in the middle of apply).
      const ready = await planForApply(planFile, options, fileGiven, {
        color,
        errColor,
        json,
        logger,
        held,
        onSecrets: (values) => {
          secrets = values;
        },
      });
      if (ready === undefined) return;
      const { plan, live, resolveSecret, saved } = ready;
      const session = held.session!;
      const client = held.client!;
      session.interruptible();
      const show = json ? (event: ApplyEvent) => json.line(eventLine(event, describeApplyEvent(event))) : terminalView(color, print);
      const result = await runApply(
        plan,
        live,
        client,
        resolveSecret,
        options,
        session,
        (event) => {
          // winston builds and formats a record before it drops it by level: not 26,000 times for nothing.
          if (logger.isInfoEnabled()) logger.info(describeApplyEvent(event), { code: event.code, severity: event.level });
          show(event);
        },
        saved,
      );
      process.exitCode = result.ok ? 0 : 1;
      if (json) json.result(result.ok ? 0 : 1, { ...planSummary(plan), ...applyCounts(result) });
      else print(renderApplySummary(result, { color }));
    } finally {
      await held.session?.end();
      held.client?.close();
    }
  } catch (error) {
    if (json) json.failure(error);
    else reportError(error, { color: errColor, logger });
    process.exitCode = 1;
  }
}

/** What a run holds open, closed and released whatever happens. */
interface Held {
  client?: PulpClient;
  session?: LockedSession;
}

interface PlanningContext {
  color: boolean;
  errColor: boolean;
  json: JsonOutput | undefined;
  logger: winston.Logger;
  held: Held;
  /** The secret values of this run, for the logger to mask. */
  onSecrets(values: string[]): void;
}

/**
 * Reads the desired state (or the saved plan), plans, shows the plan, takes the lock and asks;
 * undefined when the run ends here (process.exitCode set), else what executing the plan needs.
 */
async function planForApply(
  planFile: string | undefined,
  options: ApplyCommandOptions,
  fileGiven: boolean,
  { color, errColor, json, logger, held, onSecrets }: PlanningContext,
): Promise<{ plan: Plan; live: LiveState; resolveSecret: (source: string) => Secret | null; saved: boolean } | undefined> {
  const saved = planFile === undefined ? undefined : readPlanFile(planFile);
  const desired = await desiredFor(saved, options, fileGiven, errColor, json);
  const connection = resolveConnection(options, process.env, desired?.state.server);
  onSecrets(secretValues(desired?.state, connection));
  if (connection.insecure) logger.warn(`TLS certificate verification is off for ${connection.url} (--insecure)`);
  if (saved && saved.server.url !== connection.url) {
    throw new ConnectionError(
      `${planFile} was planned against ${saved.server.url}, but this run would apply it to ${connection.url}`,
      'point --server (or PULP_BASE_URL) at the server the plan was made for, or make a new plan',
    );
  }
  const client = openClient(connection, clientSettingsOf(options));
  held.client = client;
  // Only a run with something to change takes the server lock, so a run with nothing to do writes nothing.
  const stack = saved?.stack ?? desired!.state.stack;
  const lock = async (): Promise<void> => {
    held.session = await startLockedSession(client, options, { stack, operation: 'apply' });
  };
  // Probes go to the upstreams, not to Pulp: a run they stop never takes the lock.
  const preflighted = async (plan: Plan, live: LiveState): Promise<Plan> =>
    options.skipPreflight || hasErrors(plan) || !hasChanges(plan)
      ? plan
      : (await preflightPlan(plan, { desired: desired?.state, live, secrets: secretResolver(desired?.state) })).plan;
  let plan: Plan;
  let live: LiveState;
  if (saved) {
    plan = saved;
    live = await readLiveState(client);
    // All or nothing: a stale object anywhere refuses the whole plan before the first write.
    if (refusedSavedPlan(saved, planFile!, live, errColor, json)) return undefined;
    plan = await preflighted(plan, live);
    if (hasChanges(plan) && !hasErrors(plan)) {
      await lock();
      // Judged again once no other run can change the server underneath.
      live = await readLiveState(client);
      if (refusedSavedPlan(saved, planFile!, live, errColor, json)) return undefined;
    }
  } else {
    const planFrom = async (now: LiveState): Promise<Plan> => preflighted(buildPlan(desired!.state, now, planOptionsOf(options)), now);
    live = await readLiveStateFor(desired!.state, client);
    plan = await planFrom(live);
    if (hasChanges(plan) && !hasErrors(plan)) {
      if (!options.autoApprove) requireTerminal(options.json === true);
      await lock();
      // Read again now that no other run can change the server underneath. The same server
      // plans the same, so the plan stands (a second plan of 10,000 objects is seconds and
      // tens of MB); a server that changed meanwhile is planned again.
      const planned = liveStateDigest(live);
      live = await readLiveStateFor(desired!.state, client);
      if (liveStateDigest(live) !== planned) {
        logger.info('the server changed between the plan and taking the lock: planned again');
        plan = await planFrom(live);
      }
    }
  }
  // Apply needs only the secrets of the desired state from here on.
  const resolveSecret = secretResolver(desired?.state);
  if (json) {
    json.diagnostics(plan.diagnostics);
    json.line({ type: 'plan', plan: planData(plan) });
  } else if (!saved || hasErrors(plan)) writeChunks(process.stdout, planTextChunks(plan, { color }));
  if (hasErrors(plan)) {
    process.exitCode = 1;
    json?.result(1, planSummary(plan));
    if (!json) process.stderr.write('\nThe plan has errors (above); nothing was changed.\n');
    return undefined;
  }
  if (!hasChanges(plan)) {
    process.exitCode = 0;
    json?.result(0, { ...planSummary(plan), ...applyCounts() });
    return undefined;
  }
  if (!saved && !options.autoApprove && !(await approved(options.json === true))) {
    process.exitCode = 1;
    return undefined;
  }
  // Once shown, apply keeps only what executing the plan needs.
  return { plan: forExecution(plan), live, resolveSecret, saved: saved !== undefined };
}

/** Apply's events on a terminal, Terraform style: what was done on stdout, progress of long tasks every ten seconds on stderr. */
function terminalView(color: boolean, print: (text: string) => void): (event: ApplyEvent) => void {
  const shown = progressThrottle();
  return (event) => {
    if (!shown(event)) return;
    const line = renderApplyEvent(event, { color });
    // Progress of long tasks is for the person watching; stdout keeps what was done.
    if (line !== undefined && (event.code === 'action.progress' || event.code === 'apply.stopping')) process.stderr.write(`${line}\n`);
    else if (line !== undefined) print(line);
  };
}

/** The result line's account of what apply did. */
function applyCounts(result?: ApplyResult): JsonObject {
  return {
    succeeded: result?.succeeded.length ?? 0,
    failed: result?.failed.length ?? 0,
    skipped: result?.skipped.length ?? 0,
    interrupted: result?.interrupted.length ?? 0,
    aborted: result?.aborted ?? false,
    elapsedMs: result?.elapsedMs ?? 0,
  };
}

/** Reports a saved plan that is stale or already applied (exit 1 or 0); false when it can be applied. */
function refusedSavedPlan(plan: Plan, file: string, live: LiveState, color: boolean, json: JsonOutput | undefined): boolean {
  const check = checkSavedPlan(plan, live);
  if (check.state === 'fresh') return false;
  process.exitCode = check.state === 'applied' ? 0 : 1;
  if (json) {
    const summary: JsonObject =
      check.state === 'applied'
        ? { savedPlan: 'applied', actions: check.actions }
        : { savedPlan: 'stale', applied: check.applied, actions: check.total, stale: check.objects as unknown as JsonObject[] };
    if (check.state === 'applied') json.result(0, summary);
    else json.failure(new PlanFileError(renderSavedPlanCheck(check, file, { color: false }).trim()), summary);
    return true;
  }
  const text = renderSavedPlanCheck(check, file, { color });
  if (check.state === 'applied') process.stdout.write(text);
  else process.stderr.write(text);
  return true;
}

/**
 * The desired state gives the server settings and inline secrets. With a saved plan it is
 * optional (env and file secrets resolve without it) and may have moved on since the plan; it
 * is read from where the plan was made from unless -f says otherwise, never from an unrelated
 * ./desired-state.
 */
async function desiredFor(
  saved: Plan | undefined,
  options: ApplyCommandOptions,
  fileGiven: boolean,
  color: boolean,
  json: JsonOutput | undefined,
): Promise<LoadedDesiredState | undefined> {
  if (!saved) {
    const loaded = await loadDesired(options.file);
    if (json) json.diagnostics(loaded.warnings);
    else if (loaded.warnings.length > 0) process.stderr.write(renderDiagnostics(loaded.warnings, { color, sources: loaded.sources }));
    return loaded;
  }
  const path = fileGiven ? options.file : saved.source.path;
  const cwd = fileGiven ? process.cwd() : (saved.source.cwd ?? process.cwd());
  if (path === undefined || !existsSync(resolve(cwd, path))) return undefined;
  try {
    const loaded = await loadDesired(path, process.env, cwd);
    if (loaded.state.stack !== saved.stack) return undefined;
    if (loaded.state.sources.sha256 !== saved.source.sha256 && !options.json) {
      process.stderr.write(`Note: ${path} changed since the plan was made; applying the saved plan as it is.\n`);
    }
    return loaded;
  } catch {
    return undefined;
  }
}

function requireTerminal(json: boolean): void {
  if (!process.stdin.isTTY || json) {
    throw new ConnectionError(
      'apply needs confirmation, but there is no terminal to ask on',
      'review the plan with `pulpform plan` and run `pulpform apply --auto-approve`, or apply a saved plan file',
    );
  }
}

async function approved(json: boolean): Promise<boolean> {
  requireTerminal(json);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(
      "\nDo you want to perform these actions?\n  pulpform will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ",
    );
    if (answer.trim() === 'yes') return true;
    process.stdout.write('\nApply cancelled.\n');
    return false;
  } finally {
    rl.close();
  }
}

async function runApply(
  plan: Plan,
  live: LiveState,
  client: PulpClient,
  secrets: (source: string) => Secret | null,
  options: ApplyCommandOptions,
  session: LockedSession,
  onEvent: (event: ApplyEvent) => void,
  checkStaleness: boolean,
): Promise<ApplyResult> {
  return applyPlan(plan, {
    client,
    secrets,
    concurrency: options.concurrency,
    taskTimeoutMs: options.taskTimeout === undefined ? undefined : options.taskTimeout * 1000,
    signal: session.signal,
    abandon: session.abandon,
    onEvent,
    ...(checkStaleness ? { liveForStaleness: live } : { live }),
  });
}
