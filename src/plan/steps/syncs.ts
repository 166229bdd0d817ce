import { LABELS, STAMP, type PlanAction } from '../../model/index.js';
import { guardOf, NEW, type Node, type PlanContext } from '../context.js';
import { recordedVersion, resolveRef } from '../references.js';

// Syncs by marker: a repository is synced when its marker (a snapshot stamp or the remote url) is not the one its labels say it was last synced from, or --resync asks.

export function planSync(ctx: PlanContext, node: Node): void {
  const { desired } = node;
  if (desired.sync === undefined || node.blocked) return;
  const recreated = node.action !== undefined && NEW.includes(node.action.type);
  const before = recreated ? undefined : (node.live?.labels[LABELS.synced] ?? node.assumedLabels?.[LABELS.synced]);
  const marker = desired.sync.marker;
  const requested = ctx.resync(desired.address);
  const resync = before === marker;
  if (resync && !requested) return;
  // Back to a snapshot synced before (a rollback, or forward again): its version is still there to serve.
  const recorded = before === undefined || resync ? undefined : recordedVersion(ctx, node, marker);
  if (recorded?.exists && !requested) return;
  const remoteAddress = desired.refs.remote;
  if (remoteAddress === undefined) {
    ctx.error(
      'plan.sync_without_remote',
      desired,
      `${desired.address} asks for a sync but names no remote`,
      undefined,
      'Name the remote to sync from.',
    );
    return;
  }
  const remote = resolveRef(ctx, desired, 'remote', remoteAddress);
  if (remote === undefined) return;
  const dependsOn = [node.action?.id, ctx.nodes.get(remoteAddress)?.action?.id, 'after' in remote ? remote.after : undefined];
  const action: PlanAction = Object.assign(ctx.identity('sync', desired), {
    reason:
      resync || recorded?.exists
        ? `synced again from ${marker} (--resync)`
        : `synced: ${before ?? '(never)'} -> ${marker}${recorded ? ` (version ${recorded.number}, which ${marker} gave before, is gone: retention or a manual delete removed it)` : ''}`,
    changes: resync ? [] : [{ path: `/pulp_labels/${LABELS.synced}`, ...(before !== undefined ? { before } : {}), after: marker }],
    unchanged: 0,
    body: { remote: 'href' in remote ? remote.href : remote.unknown, ...desired.sync.options },
    labelsAfter: { [LABELS.synced]: marker },
    // The first action on an object carries the guard; later ones see the object it left.
    ...(node.action === undefined && node.live !== undefined ? { guard: guardOf(node.live) } : {}),
    dependsOn: [...new Set(dependsOn.filter((id): id is string => id !== undefined))].sort(),
  });
  node.sync = action;
  ctx.actions.push(action);
  if (before === undefined) planEarlierSnapshots(ctx, node, action);
}

/**
 * A mirror set up with production pinned to an older snapshot than development's: sync that
 * one first (the remote set to its url for that sync only), then development's, so one apply
 * converges. Only for a repository never synced: on a running mirror a pin to a snapshot never
 * synced stays an error, as it is more likely a typo than a wish.
 */
function planEarlierSnapshots(ctx: PlanContext, node: Node, sync: PlanAction): void {
  const marker = node.desired.sync!.marker;
  const remote = node.desired.refs.remote === undefined ? undefined : ctx.nodes.get(node.desired.refs.remote);
  const url = remote?.desired.fields.url;
  if (typeof url !== 'string' || !STAMP.test(marker)) return;
  const pins = [...(ctx.pinsByRepository.get(node.desired.address) ?? [])]
    .filter((pin) => pin !== marker && STAMP.test(pin) && recordedVersion(ctx, node, pin)?.exists !== true)
    .sort();
  const trailing = new RegExp(`/${marker}/?$`);
  if (!trailing.test(url)) return;
  let previous = sync.dependsOn;
  const earlier = new Map<string, PlanAction>();
  for (const pin of pins) {
    const action: PlanAction = {
      ...sync,
      id: `sync ${node.desired.address}@${pin}`,
      reason: `synced: (never) -> ${pin} first, a snapshot a distribution is pinned to, then ${marker}`,
      changes: [{ path: `/pulp_labels/${LABELS.synced}`, after: pin }],
      labelsAfter: { [LABELS.synced]: pin },
      syncFrom: url.replace(trailing, (end) => end.replace(marker, pin)),
      dependsOn: previous,
    };
    delete action.guard;
    earlier.set(pin, action);
    ctx.actions.push(action);
    previous = [action.id];
  }
  if (earlier.size === 0) return;
  sync.dependsOn = [...new Set([...sync.dependsOn, ...previous])].sort();
  // The guard belongs to the first action on the repository, now the earliest sync.
  const first = earlier.get(pins[0]!)!;
  if (sync.guard !== undefined) first.guard = sync.guard;
  delete sync.guard;
  node.earlierSyncs = earlier;
}
