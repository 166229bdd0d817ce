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
const checksums = (['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const).map((algorithm): [string, FieldSource] => [
  algorithm,
  { from: 'checksum', algorithm },
]);
const named = (...names: string[]) => names.map((n): [string, FieldSource] => [n, field]);

const RPM_PACKAGE_FIELDS = [
  'name',
  'epoch',
  'version',
  'release',
  'arch',
  'pkgId',
  'checksum_type',
  'summary',
  'description',
  'url',
  'changelogs',
  'files',
  'requires',
  'provides',
  'conflicts',
  'obsoletes',
  'suggests',
  'enhances',
  'recommends',
  'supplements',
  'location_base',
  'location_href',
  'rpm_buildhost',
  'rpm_group',
  'rpm_license',
  'rpm_packager',
  'rpm_sourcerpm',
  'rpm_vendor',
  'rpm_header_start',
  'rpm_header_end',
  'is_modular',
  'size_archive',
  'size_installed',
  'size_package',
  'time_build',
  'time_file',
];

export const DEB_PACKAGE_FIELDS = [
  'package',
  'source',
  'version',
  'architecture',
  'section',
  'priority',
  'origin',
  'tag',
  'bugs',
  'essential',
  'build_essential',
  'installed_size',
  'maintainer',
  'original_maintainer',
  'description',
  'description_md5',
  'homepage',
  'built_using',
  'auto_built_package',
  'multi_arch',
  'breaks',
  'conflicts',
  'depends',
  'recommends',
  'suggests',
  'enhances',
  'pre_depends',
  'provides',
  'replaces',
];

export const CONTENT_TYPES: Record<ContentType, ContentTypeInfo> = {
  'rpm.package': {
    type: 'rpm.package',
    model: 'Package',
    prnModel: 'rpm.package',
    endpoint: 'content/rpm/packages/',
    fields: [...checksums, ['artifact', { from: 'artifact' }], ...named(...RPM_PACKAGE_FIELDS)],
    filters: [
      'arch',
      'arch__contains',
      'arch__in',
      'arch__ne',
      'arch__startswith',
      'checksum_type',
      'checksum_type__in',
      'checksum_type__ne',
      'epoch',
      'epoch__in',
      'epoch__ne',
      'name',
      'name__contains',
      'name__in',
      'name__ne',
      'name__startswith',
      'pkgId',
      'pkgId__in',
      'release',
      'release__contains',
      'release__in',
      'release__ne',
      'release__startswith',
      'sha256',
      'version',
      'version__in',
      'version__ne',
    ],
    ordering: [
      'arch',
      'changelogs',
      'checksum_type',
      'conflicts',
      'description',
      'enhances',
      'epoch',
      'evr',
      'files',
      'is_modular',
      'location_base',
      'location_href',
      'name',
      'obsoletes',
      'pkgId',
      'provides',
      'recommends',
      'release',
      'requires',
      'rpm_buildhost',
      'rpm_group',
      'rpm_header_end',
      'rpm_header_start',
      'rpm_license',
      'rpm_packager',
      'rpm_sourcerpm',
      'rpm_vendor',
      'size_archive',
      'size_installed',
      'size_package',
      'suggests',
      'summary',
      'supplements',
      'time_build',
      'time_file',
      'url',
      'version',
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
      'architecture',
      'auto_built_package',
      'build_essential',
      'built_using',
      'essential',
      'installed_size',
      'maintainer',
      'multi_arch',
      'origin',
      'original_maintainer',
      'package',
      'priority',
      'relative_path',
      'section',
      'sha256',
      'source',
      'tag',
      'version',
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
    fields: [
      ['artifact', { from: 'artifact' }],
      ...named('digest', 'schema_version', 'media_type', 'listed_manifests', 'config_blob', 'blobs'),
    ],
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
  const common =
    info.commonOrdering === false
      ? ['pk']
      : ['pk', 'pulp_created', 'pulp_id', 'pulp_last_updated', 'pulp_type', 'timestamp_of_interest', 'upstream_id'];
  const names = [...common, ...info.ordering].sort();
  return [...names.map((n) => `-${n}`), ...names];
}
