import {
  type Address,
  addressOf,
  type DesiredResource,
  type DesiredState,
  type Diagnostic,
  LABELS,
  type LiveObject,
  type LiveRepositoryVersion,
  type LiveState,
  type PlanAction,
} from '../model/index.js';

/**
 * `retain: N` on a repository: keep its newest N versions and delete the older ones with their
 * publications, never a version a distribution serves (or will serve after this plan), one a
 * desired snapshot pin names, or the latest. A sync in the same plan takes one of the N places
 * for the version it makes; the executor keeps the newest N it finds after the sync, so a sync
 * that made no version deletes nothing it should keep. Pure: one `trim` action per repository.
 */
export function planRetention(
  desired: DesiredState,
  live: LiveState,
  actions: PlanAction[],
): { actions: PlanAction[]; diagnostics: Diagnostic[] } {
  const trims: PlanAction[] = [];
  const diagnostics: Diagnostic[] = [];
  const retained = desired.resources.filter((resource) => resource.kind === 'repository' && resource.retain !== undefined);
  if (retained.length === 0) return { actions: trims, diagnostics };
  if (live.versions === undefined) {
    diagnostics.push({
      severity: 'warning',
      code: 'plan.retain_not_read',
      summary: 'Retention is not planned: the repository versions were not read from the server',
      hint: 'Plan with a reader that lists repository versions (pulpform plan does when a repository sets retain).',
    });
    return { actions: trims, diagnostics };
  }
  const versionsOf = new Map<string, LiveRepositoryVersion[]>();
  for (const version of live.versions) versionsOf.set(version.repository, [...(versionsOf.get(version.repository) ?? []), version]);
  const context: Context = {
    desired,
    live,
    actions,
    byAddress: new Map(desired.resources.map((r) => [r.address, r])),
    liveByHref: new Map(live.objects.map((o) => [o.href, o])),
  };
  for (const repository of retained) {
    const own = actions.filter((action) => action.address === repository.address);
    if (own.some((action) => action.type === 'create' || action.type === 'replace')) {
      // A new repository starts with the empty version 0: `retain: 1` lets its first sync's version replace it.
      const trim = trimOf(context, repository, undefined, own, [0]);
      if (trim !== undefined) trims.push(trim);
      continue;
    }
    const object = live.objects.find((o) => o.kind === 'repository' && o.name === repository.name && o.endpoint === repository.endpoint);
    // Not ours to trim: another stack's, or unmanaged and not adopted (the plan reports that conflict).
    if (object === undefined || (object.labels[LABELS.stack] !== desired.stack && !own.some((action) => action.type === 'adopt'))) continue;
    const trim = trimOf(
      context,
      repository,
      object,
      own,
      (versionsOf.get(object.href) ?? []).map((version) => version.number),
    );
    if (trim !== undefined) trims.push(trim);
  }
  return { actions: trims, diagnostics };
}

interface Context {
  desired: DesiredState;
  live: LiveState;
  actions: PlanAction[];
  byAddress: Map<Address, DesiredResource>;
  liveByHref: Map<string, LiveObject>;
}

const SERVING_FIELDS = ['publication', 'repository', 'repository_version'];

/** The trim of one repository, if it has versions to delete; `object` is the live repository (none when this plan creates it). */
function trimOf(
  context: Context,
  repository: DesiredResource,
  object: LiveObject | undefined,
  own: PlanAction[],
  numbers: number[],
): PlanAction | undefined {
  const retain = Math.max(1, repository.retain ?? 1);
  const sync = own.find((action) => action.type === 'sync');
  const versions = [...numbers].sort((a, b) => b - a);
  const why = new Map<number, string>();
  for (const number of versions.slice(0, sync ? retain - 1 : retain)) why.set(number, 'newest');
  const labels = object?.labels ?? {};
  const stampOf = new Map<number, string>();
  for (const [key, value] of Object.entries(labels)) {
    if (key.startsWith(LABELS.snapshotPrefix) && /^\d+$/.test(value)) stampOf.set(Number(value), key.slice(LABELS.snapshotPrefix.length));
  }
  for (const snapshot of pinnedSnapshots(context, repository)) {
    if (sync !== undefined && repository.sync?.marker === snapshot) continue;
    const number = labels[`${LABELS.snapshotPrefix}${snapshot}`];
    if (number !== undefined && !why.has(Number(number))) why.set(Number(number), `pinned ${snapshot}`);
  }
  // What distributions serve stays, unless this plan repoints them first: then the trim waits for that.
  const repointed = new Map<number, Set<string>>();
  for (const distribution of object === undefined ? [] : context.live.objects.filter((o) => o.kind === 'distribution')) {
    const served = servedVersions(context, distribution, object!);
    if (served.length === 0) continue;
    const moving = context.actions.find(
      (action) =>
        action.guard?.href === distribution.href &&
        (action.type === 'delete' || action.type === 'replace' || SERVING_FIELDS.some((field) => field in (action.body ?? {}))),
    );
    for (const number of served) {
      if (moving !== undefined) repointed.set(number, (repointed.get(number) ?? new Set()).add(moving.id));
      else if (!why.has(number)) why.set(number, `served by ${distribution.name}`);
    }
  }
  const doomed = versions.filter((number) => !why.has(number));
  if (doomed.length === 0) return undefined;
  const waitFor = doomed.flatMap((number) => [...(repointed.get(number) ?? [])]);
  const hrefs = new Set(object === undefined ? [] : doomed.map((number) => `${object.href}versions/${number}/`));
  const publications = context.live.objects.filter(
    (o) => o.kind === 'publication' && o.versionHref !== undefined && hrefs.has(o.versionHref),
  ).length;
  const kept = [...why]
    .sort(([a], [b]) => b - a)
    .map(([number, reason]) => (reason === 'newest' ? String(number) : `${number} (${reason})`));
  const keeps = [
    ...(sync ? ['the version the sync makes'] : []),
    ...(kept.length > 0 ? [`version${kept.length === 1 ? '' : 's'} ${kept.join(', ')}`] : []),
  ].join(' and ');
  return {
    id: `trim ${repository.address}`,
    type: 'trim',
    address: repository.address,
    kind: 'repository',
    plugin: repository.plugin,
    name: repository.name,
    endpoint: repository.endpoint,
    reason: [
      `retain: ${retain} keeps ${keeps}`,
      `deletes ${doomed.length} older version${doomed.length === 1 ? '' : 's'}${publications > 0 ? ` and ${publications} publication${publications === 1 ? '' : 's'} of them` : ''}`,
    ].join('; '),
    changes: doomed.map((number) => ({ path: `/versions/${number}`, before: stampOf.get(number) ?? null })),
    unchanged: why.size,
    body: { versions: doomed, retain },
    ...(own.length === 0 && object !== undefined
      ? {
          guard: {
            href: object.href,
            fingerprint: object.fingerprint,
            ...(object.lastUpdated !== undefined ? { lastUpdated: object.lastUpdated } : {}),
          },
        }
      : {}),
    dependsOn: [...new Set([...own.map((action) => action.id), ...waitFor])].sort(),
    ...(repository.source ? { source: repository.source } : {}),
  };
}

/** Snapshots desired publications and distributions of this repository pin. */
function pinnedSnapshots(context: Context, repository: DesiredResource): string[] {
  const repositoryOf = (resource: DesiredResource): Address | undefined => {
    if (resource.kind === 'publication')
      return resource.refs.repository ?? resource.refs.repository_version ?? addressOf('repository', resource.plugin, resource.name);
    const publication = resource.refs.publication === undefined ? undefined : context.byAddress.get(resource.refs.publication);
    return publication !== undefined ? repositoryOf(publication) : (resource.refs.repository ?? resource.refs.repository_version);
  };
  return context.desired.resources
    .filter((resource) => resource.snapshot !== undefined && repositoryOf(resource) === repository.address)
    .map((resource) => resource.snapshot!);
}

/** Version numbers of `repository` that a live distribution serves: its publication's, its version, or its repository's latest and newest published. */
function servedVersions(context: Context, distribution: LiveObject, repository: LiveObject): number[] {
  const numberOf = (href: string | undefined): number[] => {
    const match = href === undefined ? null : /\/versions\/(\d+)\/$/.exec(href);
    return match !== null && href!.startsWith(repository.href) ? [Number(match[1])] : [];
  };
  const { publication, repository_version: version, repository: served } = distribution.fields;
  if (typeof publication === 'string') return numberOf(context.liveByHref.get(publication)?.versionHref);
  if (typeof version === 'string') return numberOf(version);
  if (served !== repository.href) return [];
  const published = context.live.objects
    .filter((o) => o.kind === 'publication' && o.versionHref?.startsWith(repository.href))
    .flatMap((o) => numberOf(o.versionHref));
  return [...numberOf(repository.versionHref), ...(published.length > 0 ? [Math.max(...published)] : [])];
}
