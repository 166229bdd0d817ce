import type { JsonObject } from '../model/json.js';
import { type PublicationKind, type ProgressReport, publish, publishProgressReports } from './content/index.js';
import { type Endpoint, endpointOf } from './endpoints.js';
import { applyRetention, createPublication } from './lifecycle.js';
import type { PulpProfile } from './profiles.js';
import type { PulpObject, RepositoryVersion, Store } from './store.js';

/**
 * The stored fields of a new publication: the body's values, falling back to the repository's
 * settings as the plugins' publish views do (rpm checksums default to sha256).
 */
export function publicationOptions(profile: PulpProfile, endpoint: Endpoint, repository: PulpObject, data: JsonObject): JsonObject {
  const pick = (field: string, fallback: JsonObject[string]) => data[field] ?? repository.values[field] ?? fallback;
  switch (endpoint.pulpType) {
    case 'rpm.rpm':
      return {
        ...rpmChecksumOptions(profile, pick),
        ...rpmGpgOptions(profile, repository, data),
        sqlite_metadata: false,
        // rpm 3.3x+: the repository's settings, or the publish task's defaults.
        compression_type: pick('compression_type', null),
        layout: pick('layout', 'nested_alphabetically'),
      };
    case 'file.file':
      return { manifest: pick('manifest', 'PULP_MANIFEST') };
    case 'deb.apt-publication':
      return {
        simple: data['simple'] ?? false,
        structured: data['structured'] ?? profile.deb.structuredByDefault,
        signing_service: data['signing_service'] ?? null,
        layout: data['layout'] ?? 'nested_alphabetically',
        publish_legacy_release_files: data['publish_legacy_release_files'] ?? false,
      };
    default:
      return {};
  }
}

function rpmChecksumOptions(profile: PulpProfile, pick: (field: string, fallback: JsonObject[string]) => JsonObject[string]): JsonObject {
  if (profile.rpm.legacyChecksumsIgnored) {
    return { metadata_checksum_type: null, package_checksum_type: null, checksum_type: pick('checksum_type', 'sha256') };
  }
  const metadata = pick('metadata_checksum_type', 'sha256');
  // The publish task falls back to the metadata checksum for packages.
  return { metadata_checksum_type: metadata, package_checksum_type: pick('package_checksum_type', metadata) };
}

/**
 * rpm's gpg options of a publication: the integers (falling back to the repository's), or, from
 * rpm 3.24 on, `repo_config` made from the gpg options in the body, else the body's repo_config,
 * else the repository's.
 */
function rpmGpgOptions(profile: PulpProfile, repository: PulpObject, data: JsonObject): JsonObject {
  if (profile.rpm.gpg === 'integers') {
    return {
      gpgcheck: data['gpgcheck'] ?? repository.values['gpgcheck'] ?? 0,
      repo_gpgcheck: data['repo_gpgcheck'] ?? repository.values['repo_gpgcheck'] ?? 0,
    };
  }
  const gpg: JsonObject = {};
  if (profile.rpm.gpg === 'mapped-into-repo-config') {
    for (const field of ['gpgcheck', 'repo_gpgcheck'])
      if (data[field] !== undefined && data[field] !== null) gpg[field] = data[field] as number;
  }
  const repoConfig = Object.keys(gpg).length > 0 ? gpg : (data['repo_config'] ?? repository.values['repo_config'] ?? {});
  return { gpgcheck: null, repo_gpgcheck: null, repo_config: structuredClone(repoConfig) };
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
export function publishVersion(
  store: Store,
  endpoint: Endpoint,
  version: RepositoryVersion,
  options: JsonObject,
): { publication: PulpObject; reports: ProgressReport[] } {
  const kind = publicationKind(endpoint, options);
  const publication = createPublication(store, endpoint, version, options);
  publication.files = publish(
    kind,
    [...version.units.values()].map((u) => u.unit),
  );
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
export function afterNewVersion(
  store: Store,
  version: RepositoryVersion,
  profile: PulpProfile,
): { createdResources: string[]; progressReports: ProgressReport[] } {
  const repository = version.repository;
  const endpoint = publicationEndpointFor(repository);
  const published =
    repository.values['autopublish'] === true && endpoint
      ? publishVersion(store, endpoint, version, publicationOptions(profile, endpoint, repository, {}))
      : undefined;
  applyRetention(store, repository, profile);
  return { createdResources: published ? [published.publication.href] : [], progressReports: published?.reports ?? [] };
}

/**
 * The fields of the publication an rpm `mirror_complete` sync makes of the upstream metadata:
 * checksum types "unknown", and the gpg options as the profile's rpm records them (a signed
 * repomd.xml turns repo_gpgcheck on; rpm 3.30+ also needs the repository's repo_config to).
 */
export function mirroredRpmPublicationFields(profile: PulpProfile, repository: PulpObject, synced: JsonObject): JsonObject {
  // The content side words what it mirrored as rpm 3.20 did: repo_gpgcheck 1 for a signed repomd.xml.
  const signed = synced['repo_gpgcheck'] === 1;
  const sqlite = synced['sqlite_metadata'] === true;
  const checksums: JsonObject = profile.rpm.legacyChecksumsIgnored
    ? { metadata_checksum_type: null, package_checksum_type: null, checksum_type: 'unknown' }
    : { metadata_checksum_type: 'unknown', package_checksum_type: 'unknown' };
  switch (profile.rpm.gpg) {
    case 'integers':
      return { ...checksums, gpgcheck: 0, repo_gpgcheck: signed ? 1 : 0, sqlite_metadata: sqlite };
    case 'mapped-into-repo-config':
      return {
        ...checksums,
        gpgcheck: null,
        repo_gpgcheck: null,
        repo_config: { repo_gpgcheck: signed, gpgcheck: 0 },
        sqlite_metadata: sqlite,
      };
    case 'repo-config-only': {
      const config = (repository.values['repo_config'] ?? {}) as JsonObject;
      const flag = (value: JsonObject[string] | undefined) => (typeof value === 'boolean' ? Number(value) : Number(value ?? 0));
      return {
        ...checksums,
        repo_config: { repo_gpgcheck: signed ? flag(config['repo_gpgcheck']) : 0, gpgcheck: flag(config['gpgcheck']) },
        sqlite_metadata: false,
      };
    }
  }
}
