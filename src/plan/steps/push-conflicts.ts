import { PUSH_REPOSITORY_ENDPOINT } from '../../model/fields.js';
import type { DesiredResource, LiveObject, PlanAction } from '../../model/index.js';
import type { Node, PlanContext } from '../context.js';
import { planDiff } from '../bodies.js';
import { deleteAction } from './deletes.js';

// Container push repositories (and the distributions serving them) holding a name or base path the desired state needs.

/**
 * What a `docker push` left in the way of this live object: the push repository itself, or
 * the distribution serving one. `distribution` is what can be deleted (Pulp then deletes
 * the push repository with it); a push repository nothing serves has none.
 */
export function pushHolder(ctx: PlanContext, live: LiveObject): { repository: LiveObject; distribution?: LiveObject } | undefined {
  if (live.endpoint === PUSH_REPOSITORY_ENDPOINT) {
    const distribution = ctx.live.pushDistributions.get(live.href);
    return { repository: live, ...(distribution !== undefined ? { distribution } : {}) };
  }
  const repository = live.kind === 'distribution' ? ctx.live.byHref.get(String(live.fields.repository)) : undefined;
  return repository?.endpoint === PUSH_REPOSITORY_ENDPOINT ? { repository, distribution: live } : undefined;
}

/** A desired name held by a push repository or distribution: an error with the remedy, or with --replace-push-conflicts a create after deleting it. */
export function planPushConflict(ctx: PlanContext, node: Node, live: LiveObject): void {
  const { desired } = node;
  const { repository, distribution } = pushHolder(ctx, live)!;
  const removal = distribution !== undefined ? replacePush(ctx, distribution) : undefined;
  if (removal === undefined) {
    node.blocked = true;
    pushConflict(ctx, desired, `the ${desired.kind} name "${desired.name}"`, repository, distribution);
    return;
  }
  node.live = undefined;
  node.action = ctx.add(
    'create',
    desired,
    planDiff(ctx, desired, undefined, 'create').content,
    `replaces the push ${live.kind} of the same name`,
  );
  node.action.dependsOn = [...new Set([...node.action.dependsOn, removal.id])].sort();
}

/** With --replace-push-conflicts, the delete of a push distribution (planned once), else undefined. */
export function replacePush(ctx: PlanContext, distribution: LiveObject): PlanAction | undefined {
  if (!ctx.options.replacePushConflicts) return undefined;
  let removal = ctx.pushDeletes.get(distribution.href);
  if (removal === undefined) {
    const repository = ctx.live.byHref.get(String(distribution.fields.repository));
    removal = {
      ...deleteAction(ctx, distribution),
      reason: `a container push distribution in the way of the desired state (--replace-push-conflicts); Pulp deletes its push repository ${repository?.name ?? ''} and the pushed images with it`,
    };
    ctx.pushDeletes.set(distribution.href, removal);
    ctx.actions.push(removal);
  }
  return removal;
}

export function pushConflict(
  ctx: PlanContext,
  desired: DesiredResource,
  what: string,
  repository: LiveObject,
  distribution: LiveObject | undefined,
): void {
  const held = `${what} is held by the container push repository "${repository.name}" (${repository.href})`;
  if (distribution === undefined) {
    ctx.error(
      'plan.push_conflict',
      desired,
      `${desired.address}: ${held}`,
      'An image push made it; no distribution serves it, and Pulp cannot delete a push repository directly.',
      `Give the ${desired.kind} another name.`,
    );
    return;
  }
  const basePath = String(distribution.fields.base_path ?? '');
  ctx.error(
    'plan.push_conflict',
    desired,
    `${desired.address}: ${held}`,
    `"docker push" (or podman push) to ${basePath} made that repository and the distribution "${distribution.name}" serving it (${distribution.href}). Pulp refuses a second object with this name or base path ({"name":["This field must be unique."]}) and deletes a push repository only with its distribution.`,
    `Delete the distribution "${distribution.name}" (Pulp deletes its push repository, and the pushed images, with it): run with --replace-push-conflicts to plan that first, or delete it yourself (DELETE ${distribution.href}).`,
  );
}
