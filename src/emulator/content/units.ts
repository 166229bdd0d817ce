import { createHash } from 'node:crypto';
import type { Json, JsonObject } from '../../model/json.js';
import { type RemoteConnection, sha256Hex } from '../../upstream/http.js';

export { sha256Hex };

export type ContentType =
  | 'rpm.package'
  | 'rpm.repo_metadata_file'
  | 'file.file'
  | 'deb.package'
  | 'deb.release'
  | 'deb.release_component'
  | 'deb.release_architecture'
  | 'deb.package_index'
  | 'deb.release_file'
  | 'deb.package_release_component'
  | 'container.blob'
  | 'container.manifest'
  | 'container.tag';

/** A reference from one unit's field to another unit; the core renders it as that unit's href. */
export interface UnitRef {
  $unit: { type: ContentType; key: string };
}

export type FieldValue = Json | UnitRef | UnitRef[];

/** Where the bytes of an artifact that was not downloaded (on_demand/streamed) can be fetched. */
export interface ArtifactSource {
  url: string;
  remote: RemoteConnection;
  /** Keep the bytes once fetched (on_demand), or fetch them every time (streamed). */
  save: boolean;
  /** Fetch through the registry token flow for this repository name (container blobs). */
  registryName?: string;
}

export interface UnitArtifact {
  /** The content-artifact path: where a pass-through publication serves it, relative to the base path. */
  relativePath: string;
  /** Known before download when the upstream metadata states it; always set once `data` is. */
  sha256: string | null;
  size: number | null;
  /** The bytes, when Pulp would have stored the artifact (immediate policy, metadata files). */
  data?: Buffer;
  /** How to fetch the bytes on demand when `data` is absent. */
  source?: ArtifactSource;
}

/**
 * One content unit. Equal `type` + `key` means the same unit, shared by every repository that
 * holds it. `fields` are the unit's own fields by name (model fields the response hides, such as
 * a file's `digest`, included for filters and ordering); renderUnitFields puts the response
 * together in Pulp's order, with the artifact-derived fields.
 */
export interface ContentUnit {
  type: ContentType;
  key: string;
  fields: Record<string, FieldValue>;
  artifacts: UnitArtifact[];
}

export function unitRef(unit: Pick<ContentUnit, 'type' | 'key'>): UnitRef {
  return { $unit: { type: unit.type, key: unit.key } };
}

export function isUnitRef(value: unknown): value is UnitRef {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && '$unit' in value;
}

/** `type key`: a string identity for maps and sets. */
export function unitId(unit: Pick<ContentUnit, 'type' | 'key'>): string {
  return `${unit.type} ${unit.key}`;
}

export function refId(ref: UnitRef): string {
  return `${ref.$unit.type} ${ref.$unit.key}`;
}

/** Builds a natural key from its parts; JSON keeps it unambiguous for parts containing separators. */
export function naturalKey(...parts: Array<string | number | null>): string {
  return JSON.stringify(parts);
}

type StoredChecksums = Record<'sha224' | 'sha256' | 'sha384' | 'sha512', string>;
const checksumCache = new WeakMap<Buffer, StoredChecksums>();

/** The checksums Pulp 3.23 keeps for a stored artifact (ALLOWED_CONTENT_CHECKSUMS: no md5, no sha1), computed once. */
function storedChecksums(data: Buffer): StoredChecksums {
  let checksums = checksumCache.get(data);
  if (!checksums) {
    const hex = (algorithm: string) => createHash(algorithm).update(data).digest('hex');
    checksums = { sha224: hex('sha224'), sha256: hex('sha256'), sha384: hex('sha384'), sha512: hex('sha512') };
    checksumCache.set(data, checksums);
  }
  return checksums;
}

/** An artifact whose bytes are known now. */
export function storedArtifact(relativePath: string, data: Buffer): UnitArtifact {
  return { relativePath, sha256: sha256Hex(data), size: data.length, data };
}

/**
 * When a sync or push yields a unit the store already holds, the stored unit stays; it gains the
 * bytes the incoming one downloaded (an on_demand unit later synced immediately), in place, so
 * every publication serving it sees them. Returns the stored unit.
 */
export function mergeUnit(stored: ContentUnit, incoming: ContentUnit): ContentUnit {
  for (const artifact of stored.artifacts) {
    const downloaded = artifact.data ? undefined : incoming.artifacts.find((a) => a.relativePath === artifact.relativePath && a.data);
    if (!downloaded) continue;
    artifact.data = downloaded.data;
    artifact.sha256 = downloaded.sha256;
    artifact.size = downloaded.size;
  }
  return stored;
}

export interface HrefResolvers {
  unitHref(ref: UnitRef['$unit']): string;
  artifactHref(sha256: string): string;
}

type FieldSource =
  | { from: 'field' }
  /** The main artifact's href, or null when it was not downloaded. */
  | { from: 'artifact' }
  /** `{relative_path: artifact href}` of the downloaded artifacts. */
  | { from: 'artifacts' }
  /** A checksum of the downloaded main artifact (null when not downloaded, or not allowed in 3.23). */
  | { from: 'checksum'; algorithm: 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' };

export interface ContentTypeInfo {
  type: ContentType;
  /** The list endpoint under /pulp/api/v3/. */
  endpoint: string;
  /** The Django model (404 texts) and its PRN label (`rpm.package`). */
  model: string;
  prnModel: string;
  /** Response fields after pulp_href and pulp_created, in Pulp 3.23's order. */
  fields: Array<[name: string, source: FieldSource]>;
  /** The plugin-specific list filters this endpoint accepts in 3.23 (beside repository_version*). */
  filters: string[];
  /** The `ordering` values besides the common ones (pk, pulp_created, ...); each also with a leading `-`. */
  ordering: string[];
  /** False where 3.23 offers only `pk` (repo_metadata_files). */
  commonOrdering?: false;
}

const field: FieldSource = { from: 'field' };
const checksums = (['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const).map(
  (algorithm): [string, FieldSource] => [algorithm, { from: 'checksum', algorithm }],
);
const named = (...names: string[]) => names.map((n): [string, FieldSource] => [n, field]);

const RPM_PACKAGE_FIELDS = [
  'name', 'epoch', 'version', 'release', 'arch', 'pkgId', 'checksum_type', 'summary', 'description', 'url',
  'changelogs', 'files', 'requires', 'provides', 'conflicts', 'obsoletes', 'suggests', 'enhances', 'recommends',
  'supplements', 'location_base', 'location_href', 'rpm_buildhost', 'rpm_group', 'rpm_license', 'rpm_packager',
  'rpm_sourcerpm', 'rpm_vendor', 'rpm_header_start', 'rpm_header_end', 'is_modular', 'size_archive',
  'size_installed', 'size_package', 'time_build', 'time_file',
];

export const DEB_PACKAGE_FIELDS = [
  'package', 'source', 'version', 'architecture', 'section', 'priority', 'origin', 'tag', 'bugs', 'essential',
  'build_essential', 'installed_size', 'maintainer', 'original_maintainer', 'description', 'description_md5',
  'homepage', 'built_using', 'auto_built_package', 'multi_arch', 'breaks', 'conflicts', 'depends', 'recommends',
  'suggests', 'enhances', 'pre_depends', 'provides', 'replaces',
];

export const CONTENT_TYPES: Record<ContentType, ContentTypeInfo> = {
  'rpm.package': {
    type: 'rpm.package',
    model: 'Package',
    prnModel: 'rpm.package',
    endpoint: 'content/rpm/packages/',
    fields: [...checksums, ['artifact', { from: 'artifact' }], ...named(...RPM_PACKAGE_FIELDS)],
    filters: [
      'arch', 'arch__contains', 'arch__in', 'arch__ne', 'arch__startswith', 'checksum_type', 'checksum_type__in',
      'checksum_type__ne', 'epoch', 'epoch__in', 'epoch__ne', 'name', 'name__contains', 'name__in', 'name__ne',
      'name__startswith', 'pkgId', 'pkgId__in', 'release', 'release__contains', 'release__in', 'release__ne',
      'release__startswith', 'sha256', 'version', 'version__in', 'version__ne',
    ],
    ordering: [
      'arch', 'changelogs', 'checksum_type', 'conflicts', 'description', 'enhances', 'epoch', 'evr', 'files',
      'is_modular', 'location_base', 'location_href', 'name', 'obsoletes', 'pkgId', 'provides', 'recommends',
      'release', 'requires', 'rpm_buildhost', 'rpm_group', 'rpm_header_end', 'rpm_header_start', 'rpm_license',
      'rpm_packager', 'rpm_sourcerpm', 'rpm_vendor', 'size_archive', 'size_installed', 'size_package', 'suggests',
      'summary', 'supplements', 'time_build', 'time_file', 'url', 'version',
    ],
  },
  'rpm.repo_metadata_file': {
    type: 'rpm.repo_metadata_file',
    model: 'RepoMetadataFile',
    prnModel: 'rpm.repometadatafile',
    endpoint: 'content/rpm/repo_metadata_files/',
    fields: [...checksums, ['artifact', { from: 'artifact' }], ...named('relative_path', 'data_type', 'checksum_type', 'checksum')],
    filters: [],
    ordering: [],
    commonOrdering: false,
  },
  'file.file': {
    type: 'file.file',
    model: 'FileContent',
    prnModel: 'file.filecontent',
    endpoint: 'content/file/files/',
    fields: [['artifact', { from: 'artifact' }], ...named('relative_path'), ...checksums],
    filters: ['relative_path', 'sha256'],
    ordering: ['digest', 'relative_path'],
  },
  'deb.package': {
    type: 'deb.package',
    model: 'Package',
    prnModel: 'deb.package',
    endpoint: 'content/deb/packages/',
    fields: [['artifact', { from: 'artifact' }], ...named('relative_path'), ...checksums, ...named(...DEB_PACKAGE_FIELDS)],
    filters: [
      'architecture', 'auto_built_package', 'build_essential', 'built_using', 'essential', 'installed_size',
      'maintainer', 'multi_arch', 'origin', 'original_maintainer', 'package', 'priority', 'relative_path',
      'section', 'sha256', 'source', 'tag', 'version',
    ],
    ordering: [...DEB_PACKAGE_FIELDS, 'custom_fields', 'relative_path', 'sha256'].sort(),
  },
  'deb.release': {
    type: 'deb.release',
    model: 'Release',
    prnModel: 'deb.release',
    endpoint: 'content/deb/releases/',
    fields: named('codename', 'suite', 'distribution'),
    filters: ['codename', 'distribution', 'suite'],
    ordering: ['codename', 'distribution', 'suite'],
  },
  'deb.release_component': {
    type: 'deb.release_component',
    model: 'ReleaseComponent',
    prnModel: 'deb.releasecomponent',
    endpoint: 'content/deb/release_components/',
    fields: named('component', 'release'),
    filters: ['component', 'release'],
    ordering: ['component'],
  },
  'deb.release_architecture': {
    type: 'deb.release_architecture',
    model: 'ReleaseArchitecture',
    prnModel: 'deb.releasearchitecture',
    endpoint: 'content/deb/release_architectures/',
    fields: named('architecture', 'release'),
    filters: ['architecture', 'release'],
    ordering: ['architecture'],
  },
  'deb.package_index': {
    type: 'deb.package_index',
    model: 'PackageIndex',
    prnModel: 'deb.packageindex',
    endpoint: 'content/deb/package_indices/',
    fields: [['artifacts', { from: 'artifacts' }], ...named('component', 'architecture', 'relative_path')],
    filters: ['architecture', 'component', 'relative_path', 'sha256'],
    ordering: ['architecture', 'artifact_set_sha256', 'component', 'relative_path', 'sha256'],
  },
  'deb.release_file': {
    type: 'deb.release_file',
    model: 'ReleaseFile',
    prnModel: 'deb.releasefile',
    endpoint: 'content/deb/release_files/',
    fields: [['artifacts', { from: 'artifacts' }], ...named('codename', 'suite', 'distribution', 'relative_path')],
    filters: ['codename', 'relative_path', 'sha256', 'suite'],
    ordering: ['architectures', 'artifact_set_sha256', 'codename', 'components', 'distribution', 'relative_path', 'sha256', 'suite'],
  },
  'deb.package_release_component': {
    type: 'deb.package_release_component',
    model: 'PackageReleaseComponent',
    prnModel: 'deb.packagereleasecomponent',
    endpoint: 'content/deb/package_release_components/',
    fields: named('package', 'release_component'),
    filters: ['package', 'release_component'],
    ordering: [],
  },
  'container.blob': {
    type: 'container.blob',
    model: 'Blob',
    prnModel: 'container.blob',
    endpoint: 'content/container/blobs/',
    fields: [['artifact', { from: 'artifact' }], ...named('digest')],
    filters: ['digest', 'digest__in'],
    ordering: ['digest'],
  },
  'container.manifest': {
    type: 'container.manifest',
    model: 'Manifest',
    prnModel: 'container.manifest',
    endpoint: 'content/container/manifests/',
    fields: [['artifact', { from: 'artifact' }], ...named('digest', 'schema_version', 'media_type', 'listed_manifests', 'config_blob', 'blobs')],
    filters: ['digest', 'digest__in', 'media_type'],
    ordering: ['digest', 'media_type', 'schema_version'],
  },
  'container.tag': {
    type: 'container.tag',
    model: 'Tag',
    prnModel: 'container.tag',
    endpoint: 'content/container/tags/',
    fields: named('name', 'tagged_manifest'),
    filters: ['digest', 'media_type', 'name', 'name__in'],
    ordering: ['name'],
  },
};

/** The content type listed at an endpoint (`content/rpm/packages/`), if any. */
export function contentTypeAt(endpoint: string): ContentType | undefined {
  const normalized = endpoint.replace(/^\/?(pulp\/api\/v3\/)?/, '').replace(/\/?$/, '/');
  return Object.values(CONTENT_TYPES).find((info) => info.endpoint === normalized)?.type;
}

/** Every `ordering` value the endpoint accepts in 3.23, common fields included (for the 400 on others). */
export function orderingChoices(type: ContentType): string[] {
  const info = CONTENT_TYPES[type];
  const common = info.commonOrdering === false ? ['pk'] : ['pk', 'pulp_created', 'pulp_id', 'pulp_last_updated', 'pulp_type', 'timestamp_of_interest', 'upstream_id'];
  const names = [...common, ...info.ordering].sort();
  return [...names.map((n) => `-${n}`), ...names];
}

/** The unit's fields as Pulp's content list returns them, after pulp_href and pulp_created. */
export function renderUnitFields(unit: ContentUnit, resolvers: HrefResolvers): JsonObject {
  const out: JsonObject = {};
  const main = unit.artifacts[0];
  const mainStored = main?.data ? main : undefined;
  for (const [name, source] of CONTENT_TYPES[unit.type].fields) {
    switch (source.from) {
      case 'field':
        out[name] = renderValue(unit.fields[name] ?? null, resolvers);
        break;
      case 'artifact':
        out[name] = mainStored?.sha256 ? resolvers.artifactHref(mainStored.sha256) : null;
        break;
      case 'artifacts': {
        const map: JsonObject = {};
        for (const a of unit.artifacts) if (a.data && a.sha256) map[a.relativePath] = resolvers.artifactHref(a.sha256);
        out[name] = map;
        break;
      }
      case 'checksum':
        out[name] =
          mainStored?.data && source.algorithm !== 'md5' && source.algorithm !== 'sha1'
            ? storedChecksums(mainStored.data)[source.algorithm]
            : null;
        break;
    }
  }
  return out;
}

function renderValue(value: FieldValue, resolvers: HrefResolvers): Json {
  if (isUnitRef(value)) return resolvers.unitHref(value.$unit);
  if (Array.isArray(value)) return value.map((v) => renderValue(v as FieldValue, resolvers));
  return value as Json;
}

/**
 * Whether a unit passes one plugin-specific list filter (`name`, `name__in`, `digest`, ...);
 * `resolve` finds referenced units (a tag's `digest`/`media_type` filter its tagged manifest).
 * Reference filters (`release`, `package`, ...) take the referenced unit's href, so they need
 * `hrefOf`. Returns undefined for a filter this endpoint does not have.
 */
export function unitMatchesFilter(
  unit: ContentUnit,
  filter: string,
  value: string,
  context: { resolve(ref: UnitRef): ContentUnit | undefined; hrefOf(ref: UnitRef): string },
): boolean | undefined {
  if (!CONTENT_TYPES[unit.type].filters.includes(filter)) return undefined;
  const [name = filter, lookup = 'exact'] = filter.split('__');
  let actual: Json;
  if (unit.type === 'container.tag' && (name === 'digest' || name === 'media_type')) {
    const manifest = context.resolve(unit.fields.tagged_manifest as UnitRef);
    actual = (manifest?.fields[name] as Json) ?? null;
  } else if (name === 'sha256') {
    const stored = unit.artifacts[0]?.data ? unit.artifacts[0].sha256 : null;
    actual = ((unit.fields.sha256 ?? unit.fields.digest) as Json | undefined) ?? stored;
  } else {
    const raw = unit.fields[name];
    actual = isUnitRef(raw) ? context.hrefOf(raw) : ((raw as Json) ?? null);
  }
  const text = actual === null ? null : String(actual);
  switch (lookup) {
    case 'exact':
      return text === value;
    case 'in':
      return text !== null && value.split(',').includes(text);
    case 'ne':
      return text !== value;
    case 'contains':
      return text !== null && text.includes(value);
    case 'startswith':
      return text !== null && text.startsWith(value);
    default:
      return undefined;
  }
}

/** A sortable value of a plugin-specific ordering field (core fields such as pulp_created are the core's). */
export function unitOrderingValue(unit: ContentUnit, name: string): string | number | null {
  if (unit.type === 'rpm.package' && name === 'evr') {
    return `${unit.fields.epoch}:${unit.fields.version}-${unit.fields.release}`;
  }
  if (name === 'sha256' && unit.artifacts[0]?.sha256) return unit.artifacts[0].sha256;
  const value = unit.fields[name];
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  return JSON.stringify(value);
}
