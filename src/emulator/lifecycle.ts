import type { JsonObject } from '../model/json.js';
import type { Endpoint } from './endpoints.js';
import type { PulpProfile } from './profiles.js';
import type { PulpObject, RepositoryVersion, Store } from './store.js';

/**
 * What deleting and versioning do to related objects, as pulpcore's models do it: references on
 * distributions and repositories are nulled; a repository's versions and their publications go
 * with it; from core 3.44 on, versions a distribution serves are protected.
 */

function nullReferences(store: Store, family: 'distributions' | 'repositories', field: string, hrefs: Set<string>): void {
  if (hrefs.size === 0) return;
  for (const obj of store.listFamily(family)) {
    const value = obj.values[field];
    // A database SET NULL: pulp_last_updated does not move.
    if (typeof value === 'string' && hrefs.has(value)) obj.values[field] = null;
  }
}

export function deleteObject(store: Store, obj: PulpObject): void {
  switch (obj.endpoint.family) {
    case 'remotes':
      nullReferences(store, 'repositories', 'remote', new Set([obj.href]));
      break;
    case 'repositories':
      for (const version of [...(obj.versions?.values() ?? [])]) removeVersion(store, version);
      nullReferences(store, 'distributions', 'repository', new Set([obj.href]));
      break;
    case 'publications':
      nullReferences(store, 'distributions', 'publication', new Set([obj.href]));
      break;
    case 'contentguards':
      nullReferences(store, 'distributions', 'content_guard', new Set([obj.href]));
      break;
    case 'distributions':
    case 'namespaces':
      break;
  }
  store.delete(obj);
}

/** Removes a version with its publications; the next version's added/removed are then computed against the one before. */
export function removeVersion(store: Store, version: RepositoryVersion): void {
  for (const publication of [...store.listFamily('publications')]) {
    if (publication.values['repository_version'] === version.href) deleteObject(store, publication);
  }
  nullReferences(store, 'distributions', 'repository_version', new Set([version.href]));
  version.repository.versions?.delete(version.number);
}

/** `retain_repo_versions = N`: only the N newest versions survive, besides protected ones. */
export function applyRetention(store: Store, repository: PulpObject, profile: PulpProfile): void {
  const keep = repository.values['retain_repo_versions'];
  if (typeof keep !== 'number') return;
  const protectedVersions = profile.repositoryVersions.protectServed ? servedVersions(store, repository) : new Set<RepositoryVersion>();
  const versions = [...(repository.versions?.values() ?? [])].sort((a, b) => b.number - a.number);
  for (const old of versions.slice(keep)) if (!protectedVersions.has(old)) removeVersion(store, old);
}

/**
 * pulpcore's `Repository.protected_versions()`: versions a distribution names, versions of
 * publications a distribution names, and for a distribution of the repository itself the
 * version it serves (the newest published one, or the latest for container distributions).
 */
export function servedVersions(store: Store, repository: PulpObject): Set<RepositoryVersion> {
  const served = new Set<RepositoryVersion>();
  const add = (version: RepositoryVersion | undefined) => {
    if (version?.repository === repository) served.add(version);
  };
  let servesRepository: PulpObject | undefined;
  for (const distribution of store.listFamily('distributions')) {
    const { repository_version: version, publication, repository: repo } = distribution.values;
    if (typeof version === 'string') add(store.version(version));
    if (typeof publication === 'string') add(store.version(String(store.get(publication)?.values['repository_version'])));
    if (repo === repository.href) servesRepository ??= distribution;
  }
  if (servesRepository) {
    if (servesRepository.endpoint.accepts.length === 0) add(store.latestVersion(repository));
    else {
      const published = new Set([...store.listFamily('publications')].map((p) => String(p.values['repository_version'])));
      const versions = [...(repository.versions?.values() ?? [])].filter((v) => published.has(v.href)).sort((a, b) => b.number - a.number);
      add(versions[0]);
    }
  }
  return served;
}

/** A publication of a version; `options` are the plugin fields of the publication body. */
export function createPublication(store: Store, endpoint: Endpoint, version: RepositoryVersion, options: JsonObject): PulpObject {
  // A checkpoint publication (core 3.74+) is only made on request.
  return store.create(endpoint, { repository_version: version.href, checkpoint: false, ...options });
}
