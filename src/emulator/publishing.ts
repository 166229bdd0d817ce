import type { JsonObject } from '../model/json.js';
import { type Endpoint, endpointOf } from './endpoints.js';
import { createPublication } from './lifecycle.js';
import type { PulpObject, RepositoryVersion, Store } from './store.js';
import type { ProgressReport } from './tasks.js';

/**
 * The stored fields of a new publication: the body's values, falling back to the repository's
 * settings as the plugins' publish views do (rpm checksums default to sha256).
 */
export function publicationOptions(endpoint: Endpoint, repository: PulpObject, data: JsonObject): JsonObject {
  const pick = (field: string, fallback: JsonObject[string]) => data[field] ?? repository.values[field] ?? fallback;
  switch (endpoint.pulpType) {
    case 'rpm.rpm':
      return {
        metadata_checksum_type: pick('metadata_checksum_type', 'sha256'),
        package_checksum_type: pick('package_checksum_type', 'sha256'),
        gpgcheck: pick('gpgcheck', 0),
        repo_gpgcheck: pick('repo_gpgcheck', 0),
        sqlite_metadata: pick('sqlite_metadata', false),
      };
    case 'file.file':
      return { manifest: pick('manifest', 'PULP_MANIFEST') };
    case 'deb.apt-publication':
      return { simple: data['simple'] ?? false, structured: data['structured'] ?? false, signing_service: data['signing_service'] ?? null };
    default:
      return {};
  }
}

/** The progress reports of a publish task: pulp_rpm reports its metadata generation, file and deb report nothing. */
export function publishReports(endpoint: Endpoint): ProgressReport[] {
  if (endpoint.pulpType !== 'rpm.rpm') return [];
  return [{ message: 'Generating repository metadata', code: 'publish.generating_metadata', state: 'completed', total: 1, done: 1, suffix: null }];
}

/** The publication endpoint of a repository's plugin (rpm, file), for autopublish and sync-made publications. */
export function publicationEndpointFor(repository: PulpObject): Endpoint | undefined {
  return endpointOf(repository.endpoint.pulpType, 'publications');
}

/** `autopublish`: a publication with the repository's settings for every new version (rpm, file). */
export function autopublish(store: Store, version: RepositoryVersion): { href: string; reports: ProgressReport[] } | undefined {
  const repository = version.repository;
  const endpoint = publicationEndpointFor(repository);
  if (repository.values['autopublish'] !== true || !endpoint) return undefined;
  const publication = createPublication(store, endpoint, version, publicationOptions(endpoint, repository, {}));
  return { href: publication.href, reports: publishReports(endpoint) };
}
