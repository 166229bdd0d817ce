import type { JsonObject } from '../model/json.js';
import { type PublicationKind, type ProgressReport, publish, publishProgressReports } from './content/index.js';
import { type Endpoint, endpointOf } from './endpoints.js';
import { applyRetention, createPublication } from './lifecycle.js';
import type { PulpObject, RepositoryVersion, Store } from './store.js';

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

/** What a publication of this endpoint is, for generating the files it serves. */
function publicationKind(endpoint: Endpoint, options: JsonObject): PublicationKind {
  switch (endpoint.pulpType) {
    case 'rpm.rpm':
      return { plugin: 'rpm' };
    case 'file.file':
      return { plugin: 'file', manifest: (options['manifest'] as string | null | undefined) ?? null };
    case 'deb.apt-publication':
      return { plugin: 'deb', mode: 'apt', simple: options['simple'] === true, structured: options['structured'] === true };
    default:
      return { plugin: 'deb', mode: 'verbatim' };
  }
}

/** Publishes a version: the publication object with its generated files, and the publish task's progress reports. */
export function publishVersion(store: Store, endpoint: Endpoint, version: RepositoryVersion, options: JsonObject): { publication: PulpObject; reports: ProgressReport[] } {
  const kind = publicationKind(endpoint, options);
  const publication = createPublication(store, endpoint, version, options);
  publication.files = publish(kind, [...version.units.values()].map((u) => u.unit));
  return { publication, reports: publishProgressReports(kind.plugin) };
}

/** The publication endpoint of a repository's plugin (rpm, file), for autopublish and sync-made publications. */
export function publicationEndpointFor(repository: PulpObject): Endpoint | undefined {
  return endpointOf(repository.endpoint.pulpType, 'publications');
}

/**
 * What follows a new version in the same task: `autopublish` (rpm, file) publishes it with the
 * repository's settings, and `retain_repo_versions` drops the oldest versions.
 */
export function afterNewVersion(store: Store, version: RepositoryVersion): { createdResources: string[]; progressReports: ProgressReport[] } {
  const repository = version.repository;
  const endpoint = publicationEndpointFor(repository);
  const published =
    repository.values['autopublish'] === true && endpoint ? publishVersion(store, endpoint, version, publicationOptions(endpoint, repository, {})) : undefined;
  applyRetention(store, repository);
  return { createdResources: published ? [published.publication.href] : [], progressReports: published?.reports ?? [] };
}
