import type { Command } from 'commander';
import { loadDesired, openClient, planAgainstServer, secretResolver, secretValues } from '../../engine.js';
import type { JsonObject } from '../../model/json.js';
import type { Plan } from '../../model/plan.js';
import { serializePlan } from '../../plan/planfile.js';
import type { PlanOptions } from '../../plan/index.js';
import { preflightPlan } from '../../preflight/index.js';
import { renderDiagnostics } from '../../render/diagnostics.js';
import { planTextChunks } from '../../render/plan-text.js';
import {
  addDesiredStateOption,
  addServerOptions,
  clientSettingsOf,
  loggerFor,
  reportError,
  type ServerCommandOptions,
  useColor,
  writeChunks,
} from '../common.js';
import { resolveConnection } from '../connection.js';
import { describeRunningLock } from '../lock.js';
import { JsonOutput } from '../json-output.js';
import { checkPlanFileDirectory, writePlanFile } from '../plan-files.js';

/** The planning flags `plan` and `apply` share. */
export interface PlanningFlags {
  only?: string;
  imageFilter?: string;
  resync?: string;
  prune?: boolean;
  allowDeleteAll?: boolean;
  replacePushConflicts?: boolean;
}

interface PlanCommandOptions extends ServerCommandOptions, PlanningFlags {
  out?: string;
  json?: boolean;
  detailedExitcode?: boolean;
  verbose?: boolean;
  preflight?: boolean;
}

/** `narrow`: how the command's help says a selector narrows it ("plan only", "apply only to"). */
export function addPlanningOptions(command: Command, narrow: string): Command {
  return command
    .option(
      '--only <selector>',
      `${narrow} matching objects and what they need: kind, kind/plugin, a name glob, kind/plugin/name-glob or group:NAME, comma-separated`,
    )
    .option(
      '--image-filter <regexes>',
      `${narrow} the container mirrors' images matching one of these whitespace-separated regexes (never deletes the others)`,
    )
    .option('--resync <selector>', 'sync matching repositories even though their snapshot or tags did not change (selector as for --only)')
    .option('--prune', 'delete managed objects that are no longer in the desired state')
    .option('--allow-delete-all', 'with --prune, allow deleting every managed object of a kind')
    .option(
      '--replace-push-conflicts',
      'delete container push distributions (and their push repositories) that hold a name or base_path the desired state needs',
    );
}

export function planOptionsOf(flags: PlanningFlags): PlanOptions {
  return {
    prune: flags.prune,
    allowDeleteAll: flags.allowDeleteAll,
    only: flags.only,
    imageFilter: flags.imageFilter,
    resync: flags.resync,
    replacePushConflicts: flags.replacePushConflicts,
  };
}

/** The plan as the JSON document `plan --out` saves. */
export function planData(plan: Plan): JsonObject {
  return JSON.parse(serializePlan(plan)) as JsonObject;
}

/** The result line's summary of a plan. */
export function planSummary(plan: Plan): JsonObject {
  const errors = plan.diagnostics.filter((d) => d.severity === 'error').length;
  return { ...plan.summary, changes: hasChanges(plan), errors, warnings: plan.diagnostics.length - errors };
}

export function hasChanges(plan: Plan): boolean {
  return plan.waves.some((wave) => wave.length > 0);
}

export function hasErrors(plan: Plan): boolean {
  return plan.diagnostics.some((d) => d.severity === 'error');
}

export function registerPlanCommand(program: Command): void {
  const command = program
    .command('plan')
    .description('Read the live Pulp server and show what apply would change, without changing anything.')
    .option('--out <file>', 'save the plan, to apply exactly it later with `pulpform apply FILE`')
    .option('--json', 'print the diagnostics, the plan and the result as JSON lines on stdout (schema/pulpform-output.schema.json)')
    .option('--detailed-exitcode', 'exit 0 when there is nothing to do, 2 when there are changes, 1 on error')
    .option('--verbose', 'show hrefs, dependencies and every warning in full')
    .option('--preflight', 'also probe the upstream of every planned sync: snapshot or image present, credentials accepted');
  addServerOptions(addDesiredStateOption(addPlanningOptions(command, 'plan only'))).action(async (options: PlanCommandOptions) => {
    const color = useColor(process.stdout, options.color);
    const errColor = useColor(process.stderr, options.color);
    let secrets: string[] = [];
    const logger = loggerFor(options, () => secrets);
    const json = options.json ? new JsonOutput('plan') : undefined;
    try {
      if (options.out !== undefined) checkPlanFileDirectory(options.out);
      const { state, warnings, sources } = await loadDesired(options.file);
      if (json) json.diagnostics(warnings);
      else if (warnings.length > 0) process.stderr.write(renderDiagnostics(warnings, { color: errColor, sources }));
      const connection = resolveConnection(options, process.env, state.server);
      secrets = secretValues(state, connection);
      if (connection.insecure) logger.warn(`TLS certificate verification is off for ${connection.url} (--insecure)`);
      const client = openClient(connection, clientSettingsOf(options));
      try {
        const planned = await planAgainstServer(state, client, planOptionsOf(options));
        const { plan } =
          options.preflight && !hasErrors(planned.plan)
            ? await preflightPlan(planned.plan, { desired: state, live: planned.live, secrets: secretResolver(state) })
            : planned;
        const running = await describeRunningLock(client, state.stack).catch(() => undefined);
        if (running) process.stderr.write(`${running}\n`);
        logger.info('planned', { server: connection.url, actions: plan.waves.flat().length, summary: plan.summary });
        const exitCode = hasErrors(plan) ? 1 : options.detailedExitcode && hasChanges(plan) ? 2 : 0;
        if (options.out !== undefined && !hasErrors(plan)) writePlanFile(options.out, plan);
        if (json) {
          json.diagnostics(plan.diagnostics);
          json.line({ type: 'plan', plan: planData(plan) });
          json.result(exitCode, planSummary(plan));
          return;
        }
        writeChunks(process.stdout, planTextChunks(plan, { color, verbose: options.verbose }));
        if (options.out !== undefined && !hasErrors(plan)) {
          process.stdout.write(
            `\nSaved the plan to ${options.out}. To perform exactly these actions, run:\n  pulpform apply ${options.out}\n`,
          );
        } else if (hasChanges(plan) && !hasErrors(plan)) {
          process.stdout.write(
            `\nNote: you didn't use --out to save this plan, so pulpform can't guarantee to take exactly these actions if you run "pulpform apply" now.\n`,
          );
        }
        process.exitCode = exitCode;
      } finally {
        client.close();
      }
    } catch (error) {
      if (json) json.failure(error);
      else reportError(error, { color: errColor, logger });
      process.exitCode = 1;
    }
  });
}
