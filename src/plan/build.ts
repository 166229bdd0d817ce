import {
  KINDS,
  PLAN_FORMAT_VERSION,
  type DesiredResource,
  type DesiredState,
  type Diagnostic,
  type LiveState,
  type Plan,
} from '../model/index.js';
import { PlanContext, type Node, type PlanOptions } from './context.js';
import { planRetention } from './retention.js';
import { serverChecks } from './server-checks.js';
import { scopeActions, scopeImages } from './scope.js';
import { skipReplacements } from './skip.js';
import { orderBasePaths } from './steps/base-paths.js';
import { planDeletes, pruneAllGuard } from './steps/deletes.js';
import { planNamed } from './steps/named.js';
import { planPublication } from './steps/publications.js';
import { planSync } from './steps/syncs.js';
import { summarize, toWaves } from './waves.js';

export type { PlanOptions } from './context.js';

/**
 * The plan that takes the live server to the desired state. Pure: the same inputs give the
 * same plan. Problems (conflicts, guards, unsynced pins) become diagnostics next to the
 * actions, as Terraform shows a plan and its errors together; a plan with errors is not
 * meant to be applied.
 */
export function buildPlan(desired: DesiredState, live: LiveState, options: PlanOptions = {}): Plan {
  const ctx = new PlanContext(desired, live, options);
  planResources(ctx);
  planDeletes(ctx);
  orderBasePaths(ctx);
  const retention = planRetention(desired, live, ctx.actions);
  let actions = [...ctx.actions, ...retention.actions];
  let diagnostics = [...ctx.diagnostics, ...retention.diagnostics];
  if (options.replace === false) ({ actions, diagnostics } = skipReplacements(actions, diagnostics));
  const pushDeletes = new Set([...ctx.pushDeletes.values()].map((action) => action.id));
  ({ actions, diagnostics } = scopeImages(actions, diagnostics, desired.resources, options.imageFilter, pushDeletes));
  if (options.only !== undefined)
    ({ actions, diagnostics } = scopeActions(actions, diagnostics, options.only, desired.resources, pushDeletes));
  if (options.prune && !options.allowDeleteAll) diagnostics.push(...pruneAllGuard(desired, actions));
  diagnostics.push(...serverChecks(desired, live.server.versions, ctx.capabilities));
  if (desired.stackDefaulted) diagnostics.unshift(undeclaredStack(desired, [...ctx.otherStacks]));
  const { waves, cyclic } = toWaves(actions);
  if (cyclic.length > 0) {
    diagnostics.push({
      severity: 'error',
      code: 'plan.cycle',
      summary: 'These actions wait for each other, so none of them can go first',
      detail: cyclic.join('\n'),
      hint: 'Apply the change in two steps, e.g. move one of two distributions that swap base paths to a temporary base_path first.',
    });
  }
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    createdAt: (options.now ?? new Date()).toISOString(),
    stack: desired.stack,
    source: desired.sources,
    server: { url: live.server.url, versions: live.server.versions },
    ...(options.only !== undefined ? { scope: options.only } : {}),
    waves,
    diagnostics: [...diagnostics.filter((d) => d.severity === 'error'), ...diagnostics.filter((d) => d.severity !== 'error')],
    summary: summarize(actions),
    options: { prune: options.prune === true },
  };
}

/**
 * A desired state without `stack:` is stack "default". Said first: when its names are another
 * stack's objects on the server, that is the cause of every conflict after it.
 */
function undeclaredStack(desired: DesiredState, owners: readonly string[]): Diagnostic {
  const file = desired.sources.files[0];
  return {
    severity: owners.length > 0 ? 'error' : 'warning',
    code: 'plan.no_stack',
    summary:
      owners.length > 0
        ? `The desired state declares no stack, so it is stack "${desired.stack}"; the objects it names on the server belong to stack ${owners.map((o) => `"${o}"`).join(', ')}`
        : `The desired state declares no stack, so it is stack "${desired.stack}"`,
    detail:
      'The stack is written on every object pulpform manages (pulpform_stack), and prune deletes only its own: two desired states for one server need two stacks.',
    hint:
      owners.length === 1
        ? `Add "stack: ${owners[0]}" to one of its files.`
        : `Add "stack: NAME" to one of its files${owners.length > 0 ? `, naming the stack these objects belong to` : ''}.`,
    ...(file !== undefined ? { source: { file, line: 1, column: 1 } } : {}),
  };
}

/** Kinds in dependency order (remotes first), then by address: a resource is planned after what it refers to. */
function planResources(ctx: PlanContext): void {
  const order = (resource: DesiredResource): number => KINDS.indexOf(resource.kind);
  const resources = [...ctx.desired.resources].sort(
    (a, b) => order(a) - order(b) || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0),
  );
  for (const resource of resources) planResource(ctx, resource);
}

function planResource(ctx: PlanContext, desired: DesiredResource): void {
  if (ctx.nodes.has(desired.address)) {
    ctx.error(
      'plan.duplicate_address',
      desired,
      `${desired.address} is declared twice`,
      'Only the first declaration is planned.',
      'Remove or rename one of them.',
    );
    return;
  }
  const node: Node = { desired, blocked: false };
  if (desired.kind !== 'publication') {
    const live = ctx.live.get(desired.kind, desired.name);
    if (live !== undefined) node.live = live;
  }
  ctx.nodes.set(desired.address, node);
  if (desired.kind === 'publication') planPublication(ctx, node);
  else planNamed(ctx, node);
  if (desired.kind === 'repository') planSync(ctx, node);
}
