import type { ResourceDiff } from '../../diff/resource.js';
import { addressOf, LABELS, labelProblem, type DesiredResource } from '../../model/index.js';
import { planDiff } from '../bodies.js';
import { NEW, type Node, type PlanContext } from '../context.js';
import { repositoryHrefOf, versionNumber } from '../live-index.js';
import { recordedVersion } from '../references.js';
import { planPushConflict, pushHolder } from './push-conflicts.js';

// Remotes, repositories and distributions: create, update, replace or adopt the object of the desired name, or refuse (another stack's, unmanaged, protected).

const ENDPOINT_WORDS: Record<string, string> = {
  remotes: 'remote',
  repositories: 'repository',
  publications: 'publication',
  distributions: 'distribution',
};

/** `repositories/file/file` → `a file repository`. */
export function describeEndpoint(endpoint: string): string {
  const [kind = '', plugin = '', type = ''] = endpoint.split('/');
  const what = `${plugin}${type !== plugin && type !== 'apt' ? ` ${type}` : ''} ${ENDPOINT_WORDS[kind] ?? kind}`;
  return `${/^(rpm|[aeiou])/.test(what) ? 'an' : 'a'} ${what}`;
}

export function planNamed(ctx: PlanContext, node: Node): void {
  const { desired, live } = node;
  if (live !== undefined && pushHolder(ctx, live) !== undefined) {
    planPushConflict(ctx, node, live);
    return;
  }
  if (live === undefined) {
    node.action = ctx.add('create', desired, planDiff(ctx, desired, undefined, 'create').content, 'not on the server');
    return;
  }
  const owner = live.labels[LABELS.stack];
  if (owner !== undefined && owner !== ctx.stack) {
    node.blocked = true;
    ctx.otherStacks.add(owner);
    ctx.error(
      'plan.conflict_other_stack',
      desired,
      `${desired.address} is managed by another stack ("${owner}")`,
      `The ${desired.kind} "${desired.name}" on the server (${live.href}) is labelled pulpform_stack=${owner}; this desired state is stack "${ctx.stack}".`,
      `Remove it from stack "${owner}" first, or give it another name here.`,
    );
    return;
  }
  const adopting = owner === undefined;
  if (adopting && !desired.adopt) {
    node.blocked = true;
    ctx.error(
      'plan.conflict_unmanaged',
      desired,
      `${desired.address} exists but is not managed by pulpform`,
      `The ${desired.kind} "${desired.name}" on the server (${live.href}) has no pulpform_stack label, so pulpform will not change it.`,
      'Set "adopt: true" on it to take it over, or give it another name.',
    );
    return;
  }
  if (live.endpoint !== desired.endpoint) {
    const reason = `exists as ${describeEndpoint(live.endpoint)}; a Pulp object cannot change its type`;
    if (adopting) {
      node.blocked = true;
      ctx.error(
        'plan.adopt_type_mismatch',
        desired,
        `${desired.address} cannot be adopted: it ${reason}`,
        `The desired state declares ${describeEndpoint(desired.endpoint)} "${desired.name}".`,
        'Delete the existing object yourself, or give the desired one another name.',
      );
      return;
    }
    node.action = ctx.add('replace', desired, planDiff(ctx, desired, live, 'create').content, reason, live);
    checkProtected(ctx, node);
    return;
  }
  if (adopting) {
    const assumed = assumedSync(ctx, node);
    if (assumed !== undefined) node.assumedLabels = assumed;
  }
  const { diff, content } = planDiff(ctx, desired, live, 'patch', node.assumedLabels);
  if (diff.impact === 'replace') {
    const replacement = planDiff(ctx, desired, live, 'create').content;
    node.action = ctx.add('replace', desired, replacement, `${diff.createOnlyChanged.join(', ')} cannot be changed in place`, live);
    checkProtected(ctx, node);
    return;
  }
  const notes = [...servesNote(ctx, desired, diff), ...diff.notes];
  if (adopting) {
    const assumed = node.assumedLabels?.[LABELS.synced];
    node.action = ctx.add(
      'adopt',
      desired,
      content,
      [
        'exists without pulpform labels; adopt: true takes it over',
        ...(assumed !== undefined ? [`its content is taken as synced from ${assumed} (its remote's url is unchanged)`] : []),
        ...Object.entries(node.assumedLabels ?? {})
          .filter(([key]) => key.startsWith(LABELS.snapshotPrefix) && key !== `${LABELS.snapshotPrefix}${assumed}`)
          .map(
            ([key, number]) =>
              `version ${number} is taken as snapshot ${key.slice(LABELS.snapshotPrefix.length)} (an adopted distribution pinned to it serves that version)`,
          ),
        ...notes,
      ].join('; '),
      live,
    );
  } else if (diff.impact === 'update') {
    node.action = ctx.add('update', desired, content, notes.join('; '), live);
  } else {
    ctx.diagnostics.push(...diff.diagnostics);
  }
}

/**
 * `development: 20240115T000000 -> 20240301T000000` when a distribution's pinned snapshot
 * moves, saying so when the repository was synced from it before and it is a repoint only.
 */
function servesNote(ctx: PlanContext, desired: DesiredResource, diff: ResourceDiff): string[] {
  const change = diff.changes.find((c) => c.path === `/pulp_labels/${LABELS.serves}`);
  if (!change) return [];
  const publication = desired.refs.publication === undefined ? undefined : ctx.nodes.get(desired.refs.publication);
  const repository =
    publication === undefined
      ? undefined
      : ctx.nodes.get(publication.desired.refs.repository ?? addressOf('repository', publication.desired.plugin, publication.desired.name));
  const syncing = repository?.sync?.labelsAfter?.[LABELS.synced] === desired.snapshot;
  const repoint =
    desired.snapshot !== undefined &&
    repository !== undefined &&
    !syncing &&
    recordedVersion(ctx, repository, desired.snapshot)?.exists === true;
  return [
    `${desired.name}: ${String(change.before ?? '(none)')} -> ${String(change.after ?? '(none)')}${repoint ? ' (synced before: repoint, no sync)' : ''}`,
  ];
}

function checkProtected(ctx: PlanContext, node: Node): void {
  if (!node.desired.protect || node.action === undefined) return;
  ctx.error(
    'plan.protected',
    node.desired,
    `${node.desired.address} is protected and cannot be replaced`,
    `The plan would replace it (${node.action.reason}); replacing deletes the object on the server first.`,
    'Change the desired state so that it can be updated in place, or remove "protect: true" if the replacement is intended.',
  );
}

/**
 * A repository taken over from another tool has content but no record of what it was
 * synced from. If its remote keeps its url, that content is what the remote serves:
 * record the marker instead of re-syncing everything on the first apply.
 */
function assumedSync(ctx: PlanContext, node: Node): Record<string, string> | undefined {
  const { desired, live } = node;
  if (desired.sync === undefined || live === undefined || live.labels[LABELS.synced] !== undefined) return undefined;
  const versions = adoptedPins(ctx, node);
  const labels: Record<string, string> = {};
  const number = versionNumber(live.versionHref);
  const remote = desired.refs.remote === undefined ? undefined : ctx.nodes.get(desired.refs.remote);
  const remoteUnchanged =
    remote !== undefined &&
    !remote.blocked &&
    (remote.action === undefined || (!NEW.includes(remote.action.type) && !remote.action.changes.some((c) => c.path === '/url')));
  if (number !== undefined && number > 0 && remoteUnchanged) {
    labels[LABELS.synced] = desired.sync.marker;
    versions.set(desired.sync.marker, number);
  }
  for (const [snapshot, version] of versions) {
    const key = `${LABELS.snapshotPrefix}${snapshot}`;
    if (labelProblem(key, String(version)) === undefined) labels[key] = String(version);
  }
  return Object.keys(labels).length > 0 ? labels : undefined;
}

/**
 * Snapshot → version for the pins of distributions adopted with this repository: an Ansible
 * server's production often serves an older version than development. Adopting it pinned to
 * a snapshot takes the version it serves now as that snapshot, so nothing is repointed.
 * A pin that adopted distributions serve from different versions is left out (the plan then
 * reports it as never synced).
 */
function adoptedPins(ctx: PlanContext, node: Node): Map<string, number> {
  const served = new Map<string, Set<number>>();
  for (const distribution of ctx.adoptedPinnedDistributions().get(node.desired.address) ?? []) {
    const live = ctx.live.get('distribution', distribution.name);
    if (live === undefined || live.labels[LABELS.stack] !== undefined || distribution.snapshot === node.desired.sync?.marker) continue;
    const versionHref = typeof live.fields.publication === 'string' ? ctx.live.byHref.get(live.fields.publication)?.versionHref : undefined;
    if (versionHref === undefined || repositoryHrefOf(versionHref) !== node.live!.href) continue;
    served.set(distribution.snapshot!, (served.get(distribution.snapshot!) ?? new Set()).add(versionNumber(versionHref)!));
  }
  return new Map([...served].flatMap(([snapshot, versions]) => (versions.size === 1 ? [[snapshot, [...versions][0]!] as const] : [])));
}
