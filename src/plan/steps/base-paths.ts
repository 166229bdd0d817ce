import { LABELS } from '../../model/index.js';
import type { PlanContext } from '../context.js';
import { pushConflict, pushHolder, replacePush } from './push-conflicts.js';

/**
 * Pulp refuses a base_path that equals or nests with another distribution's. A distribution
 * taking a path another one leaves waits for that one to be deleted or moved; a path held
 * by a distribution that stays is an error now rather than a failed apply.
 */
export function orderBasePaths(ctx: PlanContext): void {
  const actionOn = ctx.actionsByLiveHref();
  const distributions = [...ctx.live.byHref.values()].filter(
    (object) => object.kind === 'distribution' && typeof object.fields.base_path === 'string',
  );
  for (const action of ctx.actions) {
    const basePath = action.body?.base_path;
    if (action.kind !== 'distribution' || action.type === 'delete' || typeof basePath !== 'string') continue;
    for (const holder of distributions) {
      const held = holder.fields.base_path as string;
      if (holder.href === action.guard?.href || !basePathsOverlap(held, basePath)) continue;
      const push = pushHolder(ctx, holder);
      if (push !== undefined) {
        const removal = replacePush(ctx, holder);
        if (removal !== undefined && !action.dependsOn.includes(removal.id)) action.dependsOn.push(removal.id);
        const desired = ctx.nodes.get(action.address)?.desired;
        if (removal === undefined && desired !== undefined) pushConflict(ctx, desired, `base_path ${basePath}`, push.repository, holder);
        continue;
      }
      const leaving = actionOn.get(holder.href);
      const moves =
        leaving !== undefined &&
        (leaving.type === 'delete' ||
          leaving.type === 'replace' ||
          (typeof leaving.body?.base_path === 'string' && !basePathsOverlap(leaving.body.base_path, basePath)));
      if (leaving !== undefined && moves) {
        if (!action.dependsOn.includes(leaving.id)) action.dependsOn.push(leaving.id);
        continue;
      }
      const orphan =
        holder.labels[LABELS.stack] === ctx.stack &&
        !ctx.desired.resources.some((r) => r.kind === 'distribution' && r.name === holder.name);
      const desired = ctx.nodes.get(action.address)?.desired;
      ctx.diagnostics.push({
        severity: 'error',
        code: 'plan.base_path_taken',
        summary: `${action.address}: base_path ${basePath} overlaps ${holder.address} (${held})`,
        detail: `Pulp refuses two distributions whose base paths are equal or nested.${orphan ? ` ${holder.address} is not in the desired state but is only deleted with --prune.` : ''}`,
        hint: orphan
          ? 'Run with --prune to delete it first, or choose another base_path.'
          : `Choose another base_path, or move or delete ${holder.address} first.`,
        address: action.address,
        ...(desired?.source ? { source: desired.source } : {}),
      });
    }
  }
}

export function basePathsOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}
