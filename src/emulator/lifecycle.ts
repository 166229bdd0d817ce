import type { JsonObject } from '../model/json.js';
import type { Endpoint } from './endpoints.js';
import type { PulpObject, RepositoryVersion, Store } from './store.js';

/**
 * What deleting and versioning do to related objects, as pulpcore's models do it: deletes never
 * refuse (3.23 has no protection of served versions); references on distributions and
 * repositories are nulled; a repository's versions and their publications go with it.
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

/** `retain_repo_versions = N`: only the N newest versions survive. */
export function applyRetention(store: Store, repository: PulpObject): void {
  const keep = repository.values['retain_repo_versions'];
  if (typeof keep !== 'number') return;
  const versions = [...(repository.versions?.values() ?? [])].sort((a, b) => b.number - a.number);
  for (const old of versions.slice(keep)) removeVersion(store, old);
}

/** A publication of a version; `options` are the plugin fields of the publication body. */
export function createPublication(store: Store, endpoint: Endpoint, version: RepositoryVersion, options: JsonObject): PulpObject {
  return store.create(endpoint, { repository_version: version.href, ...options });
}
