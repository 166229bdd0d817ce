import {
  addressOf,
  LABELS,
  type Address,
  type DesiredResource,
  type DesiredState,
  type LiveObject,
  type LiveState,
} from '../model/index.js';

/**
 * `pulpform status`: what the server holds and serves for each mirror of the desired state,
 * read from the same lists as a plan. Pure: desired and live state in, a report out.
 */

export interface SyncedSnapshot {
  snapshot: string;
  version: number;
  /** Whether the version is still there (retention or a manual delete may have removed it). */
  present: boolean;
  /** A publication of it, if there is one: a repoint away. */
  publication?: string;
  /** The repository's last sync was of this snapshot. */
  last: boolean;
}

export interface EnvironmentStatus {
  environment: string;
  distribution: string;
  /** What it serves now, as the server records it; undefined when it is not on the server. */
  serves?: string;
  present: boolean;
  /** What the YAML pins (its own pin, or the mirror's snapshot it follows). */
  wanted?: string;
  baseUrl?: string;
}

export interface MirrorStatus {
  name: string;
  plugin: string;
  repository: Address;
  present: boolean;
  /** The snapshot the YAML syncs. */
  snapshot?: string;
  snapshots: SyncedSnapshot[];
  environments: EnvironmentStatus[];
}

export interface ImageStatus {
  name: string;
  present: boolean;
  /** The tag selection it was last synced with; undefined when never synced. */
  synced?: string;
  /** What the YAML's tag selection is. */
  wanted?: string;
}

export interface StackStatus {
  stack: string;
  mirrors: MirrorStatus[];
  images: ImageStatus[];
  /** Objects with this stack's label the desired state no longer declares. */
  undeclared: Address[];
}

export function stackStatus(
  desired: DesiredState,
  live: LiveState,
  select: (repository: Address, name: string) => boolean = () => true,
): StackStatus {
  const byAddress = new Map(desired.resources.map((resource) => [resource.address, resource]));
  const named = new Map(live.objects.filter((o) => o.kind !== 'publication').map((o) => [o.address, o]));
  const publications = new Map<string, LiveObject>();
  for (const object of live.objects)
    if (object.kind === 'publication' && object.versionHref !== undefined && !publications.has(object.versionHref))
      publications.set(object.versionHref, object);
  const versions = new Set([
    ...(live.versions ?? []).map((v) => v.href),
    ...live.objects.flatMap((o) => (o.versionHref !== undefined ? [o.versionHref] : [])),
  ]);

  const mirrors = new Map<Address, MirrorStatus>();
  for (const distribution of desired.resources) {
    if (distribution.kind !== 'distribution' || distribution.consumer === undefined || distribution.refs.publication === undefined)
      continue;
    const publication = byAddress.get(distribution.refs.publication);
    const repository =
      publication === undefined
        ? undefined
        : byAddress.get(publication.refs.repository ?? addressOf('repository', publication.plugin, publication.name));
    if (repository === undefined || !select(repository.address, repository.name)) continue;
    const mirror = mirrors.get(repository.address) ?? mirrorStatus(repository, named.get(repository.address), publications, versions);
    const served = named.get(distribution.address);
    mirror.environments.push({
      environment: distribution.consumer.environment,
      distribution: distribution.name,
      present: served !== undefined,
      ...(served?.labels[LABELS.serves] !== undefined ? { serves: served.labels[LABELS.serves] } : {}),
      ...(distribution.snapshot !== undefined ? { wanted: distribution.snapshot } : {}),
      ...(typeof served?.raw['base_url'] === 'string' ? { baseUrl: served.raw['base_url'] } : {}),
    });
    mirrors.set(repository.address, mirror);
  }

  const images = desired.resources
    .filter((r) => r.kind === 'repository' && r.image !== undefined && select(r.address, r.name))
    .map((repository): ImageStatus => {
      const object = named.get(repository.address);
      const synced = object?.labels[LABELS.synced];
      return {
        name: repository.name,
        present: object !== undefined,
        ...(synced !== undefined ? { synced } : {}),
        ...(repository.sync ? { wanted: repository.sync.marker } : {}),
      };
    });

  const declared = new Set(desired.resources.map((resource) => resource.address));
  const undeclared = [...named.values()]
    .filter((object) => object.labels[LABELS.stack] === desired.stack && !declared.has(object.address))
    .map((object) => object.address)
    .sort();
  return { stack: desired.stack, mirrors: [...mirrors.values()].sort((a, b) => (a.name < b.name ? -1 : 1)), images, undeclared };
}

function mirrorStatus(
  repository: DesiredResource,
  live: LiveObject | undefined,
  publications: ReadonlyMap<string, LiveObject>,
  versions: ReadonlySet<string>,
): MirrorStatus {
  const snapshots: SyncedSnapshot[] = [];
  for (const [key, value] of Object.entries(live?.labels ?? {})) {
    if (!key.startsWith(LABELS.snapshotPrefix) || !/^\d+$/.test(value)) continue;
    const href = `${live!.href}versions/${value}/`;
    const snapshot = key.slice(LABELS.snapshotPrefix.length);
    const publication = publications.get(href);
    snapshots.push({
      snapshot,
      version: Number(value),
      present: versions.has(href),
      ...(publication !== undefined ? { publication: publication.href } : {}),
      last: live!.labels[LABELS.synced] === snapshot,
    });
  }
  return {
    name: repository.name,
    plugin: repository.plugin,
    repository: repository.address,
    present: live !== undefined,
    ...(repository.sync !== undefined ? { snapshot: repository.sync.marker } : {}),
    snapshots: snapshots.sort((a, b) => (a.snapshot < b.snapshot ? -1 : 1)),
    environments: [],
  };
}
