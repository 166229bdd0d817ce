import { addressOf, LABELS, type Address, type DesiredResource, type HrefRef } from '../model/index.js';
import { newest, NEW, type Node, type PlanContext } from './context.js';

// How a desired resource's references become hrefs: known now, or known after an action of this plan.

/** What a reference will point at: an href known now, or one that an earlier action creates. */
export type RefValue = { href: string } | { unknown: HrefRef; after: string };

/** Each of `fields` resolved, in order; one that cannot be is left out (a diagnostic says why). */
export function resolveRefs(ctx: PlanContext, referrer: DesiredResource, fields: readonly string[]): Record<string, RefValue> {
  const resolved: Record<string, RefValue> = {};
  for (const field of fields) {
    const target = referrer.refs[field];
    const value = target === undefined ? undefined : resolveRef(ctx, referrer, field, target);
    if (value !== undefined) resolved[field] = value;
  }
  return resolved;
}

export function resolveRef(ctx: PlanContext, referrer: DesiredResource, field: string, target: Address): RefValue | undefined {
  if (field === 'repository_version') return resolveVersion(ctx, referrer, target, referrer.snapshot);
  let node = ctx.nodes.get(target);
  if (node?.aliasOf !== undefined) node = ctx.nodes.get(node.aliasOf);
  const kept = field === 'publication' && node !== undefined ? pinnedPublication(ctx, referrer, node) : undefined;
  if (kept !== undefined) return { href: kept };
  if (node !== undefined) {
    if (node.action !== undefined && NEW.includes(node.action.type))
      return { unknown: { $ref: node.desired.address }, after: node.action.id };
    if (node.desired.kind === 'publication') return node.satisfiedBy ? { href: node.satisfiedBy.href } : undefined;
    return node.live ? { href: node.live.href } : undefined;
  }
  const object = ctx.live.at(target);
  if (object !== undefined) return { href: object.href };
  ctx.error(
    'plan.dangling_ref',
    referrer,
    `${referrer.address}: ${field} refers to ${target}, which is neither in the desired state nor on the server`,
    undefined,
    `Declare ${target}, or correct the reference.`,
  );
  return undefined;
}

/**
 * The repository version a publication or distribution serves: the one synced from
 * `snapshot` (recorded in the repository's `pulpform_snapshot_<stamp>` labels), else the
 * latest. Unknown until apply when a sync or create in this plan produces it.
 */
export function resolveVersion(
  ctx: PlanContext,
  referrer: DesiredResource,
  repositoryAddress: Address,
  snapshot: string | undefined,
): RefValue | undefined {
  const node = ctx.nodes.get(repositoryAddress);
  const action = node?.action;
  const recreated = action !== undefined && NEW.includes(action.type);
  const live = node === undefined ? ctx.live.at(repositoryAddress) : recreated ? undefined : node.live;
  const unknown: HrefRef = { $ref: repositoryAddress, output: 'version', ...(snapshot !== undefined ? { snapshot } : {}) };
  const sync = node?.sync;
  if (snapshot !== undefined) {
    if (sync !== undefined && node?.desired.sync?.marker === snapshot) return { unknown, after: sync.id };
    const earlier = node?.earlierSyncs?.get(snapshot);
    if (earlier !== undefined) return { unknown, after: earlier.id };
    const labels = { ...live?.labels, ...node?.assumedLabels };
    // Following the repository: what its last sync of this snapshot left (a --resync may have made a newer version).
    const follows = referrer.followsSync === true || ctx.followedPublications.has(referrer.address);
    const last = labels[LABELS.syncedVersion];
    if (
      follows &&
      live !== undefined &&
      labels[LABELS.synced] === snapshot &&
      last !== undefined &&
      ctx.live.knownVersions.has(`${live.href}versions/${last}/`)
    ) {
      return { href: `${live.href}versions/${last}/` };
    }
    const number = labels[`${LABELS.snapshotPrefix}${snapshot}`];
    if (live !== undefined && number !== undefined) return { href: `${live.href}versions/${number}/` };
    const recorded = Object.keys(labels)
      .filter((key) => key.startsWith(LABELS.snapshotPrefix))
      .map((key) => key.slice(LABELS.snapshotPrefix.length))
      .sort();
    ctx.error(
      'plan.snapshot_not_synced',
      referrer,
      `${referrer.address} serves snapshot ${snapshot}, which ${repositoryAddress} has not been synced from`,
      `Snapshots synced into ${repositoryAddress}: ${recorded.length > 0 ? recorded.join(', ') : '(none recorded)'}.${node?.desired.sync ? ` It is being synced from ${node.desired.sync.marker}.` : ''}`,
      `Pin a snapshot that has been synced, or sync ${snapshot} first (set the repository's snapshot to it and apply).`,
    );
    return undefined;
  }
  if (sync !== undefined) return { unknown, after: sync.id };
  if (recreated) return { unknown, after: action.id };
  if (live?.versionHref !== undefined) return { href: live.versionHref };
  ctx.error(
    'plan.dangling_ref',
    referrer,
    `${referrer.address} refers to ${repositoryAddress}, which has no repository version on the server`,
    undefined,
    `Declare ${repositoryAddress}, or correct the reference.`,
  );
  return undefined;
}

/**
 * A distribution pinned on its own (production) to the snapshot its repository follows keeps
 * the version that snapshot first gave when the shared publication moves on (a --resync made
 * a newer version): an existing publication of that version, preferably the one it serves.
 */
export function pinnedPublication(ctx: PlanContext, referrer: DesiredResource, publication: Node): string | undefined {
  if (referrer.kind !== 'distribution' || referrer.followsSync || referrer.snapshot === undefined) return undefined;
  const repository = ctx.nodes.get(
    publication.desired.refs.repository ?? addressOf('repository', publication.desired.plugin, publication.desired.name),
  );
  const recorded = repository === undefined ? undefined : recordedVersion(ctx, repository, referrer.snapshot);
  if (recorded?.exists !== true) return undefined;
  const pinned = `${repository!.live!.href}versions/${recorded.number}/`;
  if (publication.satisfiedBy?.versionHref === pinned) return undefined;
  const candidates = (ctx.live.publicationsByVersion.get(pinned) ?? []).filter((p) => p.endpoint === publication.desired.endpoint);
  const served = ctx.nodes.get(referrer.address)?.live?.fields.publication;
  return (candidates.find((p) => p.href === served) ?? newest(candidates))?.href;
}

/** The version the repository's labels record for `snapshot`, and whether it is known to exist still. */
export function recordedVersion(ctx: PlanContext, node: Node, snapshot: string): { number: string; exists: boolean } | undefined {
  if (node.live === undefined || (node.action !== undefined && NEW.includes(node.action.type))) return undefined;
  const number = { ...node.live.labels, ...node.assumedLabels }[`${LABELS.snapshotPrefix}${snapshot}`];
  if (number === undefined) return undefined;
  return { number, exists: ctx.live.knownVersions.has(`${node.live.href}versions/${number}/`) };
}
