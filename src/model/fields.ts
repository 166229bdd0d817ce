import { compareVersions } from './capabilities.js';
import type { Json } from './json.js';
import type { Endpoint, Kind } from './resource.js';

/**
 * The writable fields pulpform manages, per Pulp endpoint, as a pulpcore 3.23 server
 * (pulp_rpm 3.20, pulp_container 2.14, pulp_deb 2.20, pulp_file 1.14) declares them, plus
 * newer fields marked `since` (see ../shared/pulp/FIELD_TABLES.md). Config validation, live
 * normalisation and the diff all read this one table, so "equal means equal" on both sides.
 */
export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'string[]' | 'headers' | 'object' | 'enum';

export interface FieldSpec {
  type: FieldType;
  enum?: readonly string[];
  nullable?: boolean;
  /** What the server stores when the field is omitted on create (undefined: no default known). */
  default?: Json;
  required?: boolean;
  minimum?: number;
  /** Write-only: never returned, reported through `hidden_fields[].is_set`. */
  secret?: boolean;
  /** A reference to another object, held as an href on the wire and as an address in YAML. */
  ref?: Kind | 'repository_version' | 'content_guard';
  /** First release that has the field: `component>=version`. */
  since?: ComponentRelease;
  /** First release that no longer honours the field (it may still answer it, read-only). */
  until?: ComponentRelease;
  /** Set at create only; changing it means replacing the object. */
  createOnly?: boolean;
  description: string;
}

export interface ComponentRelease {
  component: string;
  version: string;
}

const RPM_3_25: ComponentRelease = { component: 'rpm', version: '3.25.0' };
const RPM_3_30: ComponentRelease = { component: 'rpm', version: '3.30.0' };

const POLICY = ['immediate', 'on_demand', 'streamed'] as const;
const CHECKSUM = ['unknown', 'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const;

const REMOTE_BASE: Record<string, FieldSpec> = {
  url: { type: 'string', required: true, description: 'Upstream URL (no embedded credentials: use username/password).' },
  ca_cert: { type: 'string', nullable: true, default: null, description: 'PEM CA certificate(s) to validate the upstream with.' },
  client_cert: { type: 'string', nullable: true, default: null, description: 'PEM client certificate for mutual TLS.' },
  client_key: { type: 'string', nullable: true, secret: true, description: 'PEM private key for client_cert (write-only).' },
  tls_validation: { type: 'boolean', default: true, description: 'Validate the upstream TLS certificate.' },
  proxy_url: { type: 'string', nullable: true, default: null, description: 'Proxy URL, without credentials.' },
  proxy_username: { type: 'string', nullable: true, secret: true, description: 'Proxy username (write-only).' },
  proxy_password: { type: 'string', nullable: true, secret: true, description: 'Proxy password (write-only).' },
  username: { type: 'string', nullable: true, secret: true, description: 'Upstream username (write-only).' },
  password: { type: 'string', nullable: true, secret: true, description: 'Upstream password (write-only).' },
  download_concurrency: {
    type: 'integer',
    nullable: true,
    default: null,
    minimum: 1,
    description: 'Parallel downloads (null: server default, 10).',
  },
  max_retries: { type: 'integer', nullable: true, default: null, minimum: 0, description: 'Download retries (null: server default, 3).' },
  policy: {
    type: 'enum',
    enum: POLICY,
    default: 'immediate',
    description: 'immediate downloads everything; on_demand on first request; streamed never stores.',
  },
  total_timeout: { type: 'number', nullable: true, default: null, minimum: 0, description: 'Seconds for a whole download.' },
  connect_timeout: { type: 'number', nullable: true, default: null, minimum: 0, description: 'Seconds to obtain a connection.' },
  sock_connect_timeout: { type: 'number', nullable: true, default: null, minimum: 0, description: 'Seconds to connect the socket.' },
  sock_read_timeout: { type: 'number', nullable: true, default: null, minimum: 0, description: 'Seconds between two reads.' },
  headers: { type: 'headers', nullable: true, default: null, description: 'Extra request headers, a list of single-key maps.' },
  rate_limit: { type: 'integer', nullable: true, default: null, minimum: 0, description: 'Requests per second to the upstream.' },
};

const REPOSITORY_BASE: Record<string, FieldSpec> = {
  description: { type: 'string', nullable: true, default: null, description: 'Free text.' },
  retain_repo_versions: {
    type: 'integer',
    nullable: true,
    default: null,
    minimum: 1,
    description: 'Keep only the newest N versions (null: keep all).',
  },
  remote: { type: 'string', nullable: true, default: null, ref: 'remote', description: 'Remote to sync from, by name.' },
};

const DISTRIBUTION_BASE: Record<string, FieldSpec> = {
  base_path: { type: 'string', required: true, description: 'Path under the content origin, e.g. rocky/9/BaseOS/x86_64/os/production.' },
  content_guard: { type: 'string', nullable: true, default: null, ref: 'content_guard', description: 'Content guard href.' },
  repository: {
    type: 'string',
    nullable: true,
    default: null,
    ref: 'repository',
    description: 'Serve this repository (its newest publication, or its latest version for containers).',
  },
};

const PUBLISHED_DISTRIBUTION: Record<string, FieldSpec> = {
  ...DISTRIBUTION_BASE,
  publication: { type: 'string', nullable: true, default: null, ref: 'publication', description: 'Serve this publication.' },
  // Managed so that pointing a distribution at a publication clears a version another tool set.
  repository_version: {
    type: 'string',
    nullable: true,
    default: null,
    ref: 'repository_version',
    since: { component: 'core', version: '3.106.0' },
    description: 'Serve this repository version (pulpcore 3.106 and later).',
  },
};

export const FIELDS: Record<Endpoint, Record<string, FieldSpec>> = {
  'remotes/rpm/rpm': {
    ...REMOTE_BASE,
    sles_auth_token: { type: 'string', nullable: true, default: null, description: 'SLES authentication token.' },
  },
  'remotes/file/file': { ...REMOTE_BASE },
  'remotes/deb/apt': {
    ...REMOTE_BASE,
    distributions: { type: 'string', required: true, description: 'Whitespace-separated distributions (dists/<name>).' },
    components: { type: 'string', nullable: true, default: null, description: 'Whitespace-separated components (null: all).' },
    architectures: { type: 'string', nullable: true, default: null, description: 'Whitespace-separated architectures (null: all).' },
    sync_sources: { type: 'boolean', default: false, description: 'Sync source packages.' },
    sync_udebs: { type: 'boolean', default: false, description: 'Sync installer packages (udebs).' },
    sync_installer: { type: 'boolean', default: false, description: 'Sync installer files.' },
    gpgkey: { type: 'string', nullable: true, default: null, description: 'Public key to verify the Release file.' },
    ignore_missing_package_indices: { type: 'boolean', default: false, description: 'Tolerate missing Packages indices.' },
  },
  'remotes/container/container': {
    ...REMOTE_BASE,
    upstream_name: { type: 'string', required: true, description: 'Image name in the upstream registry, e.g. stackhpc/barbican-api.' },
    include_tags: { type: 'string[]', nullable: true, default: null, description: 'Tags to sync (wildcards * and ?); null: all.' },
    exclude_tags: { type: 'string[]', nullable: true, default: null, description: 'Tags to skip (wildcards * and ?).' },
    sigstore: { type: 'string', nullable: true, default: null, description: 'Sigstore URL for signatures.' },
  },
  'repositories/rpm/rpm': {
    ...REPOSITORY_BASE,
    autopublish: { type: 'boolean', default: false, description: 'Publish every new version automatically.' },
    metadata_signing_service: {
      type: 'string',
      nullable: true,
      default: null,
      description: 'Signing service href for repository metadata.',
    },
    retain_package_versions: { type: 'integer', default: 0, minimum: 0, description: 'Keep only N versions of each package (0: all).' },
    metadata_checksum_type: {
      type: 'enum',
      enum: CHECKSUM,
      nullable: true,
      default: null,
      until: RPM_3_30,
      description: 'Checksum of the published metadata (ignored from rpm 3.30).',
    },
    package_checksum_type: {
      type: 'enum',
      enum: CHECKSUM,
      nullable: true,
      default: null,
      until: RPM_3_30,
      description: 'Checksum of packages in the published metadata (ignored from rpm 3.30).',
    },
    // rpm 3.24 moved both into repo_config; server-fields.ts maps them on every release.
    gpgcheck: { type: 'integer', default: 0, minimum: 0, description: 'gpgcheck value advertised in config.repo (0 or 1).' },
    repo_gpgcheck: { type: 'integer', default: 0, minimum: 0, description: 'repo_gpgcheck advertised in config.repo (0 or 1).' },
    sqlite_metadata: {
      type: 'boolean',
      default: false,
      until: RPM_3_25,
      description: 'Also publish sqlite metadata (ignored from rpm 3.25).',
    },
  },
  'repositories/file/file': {
    ...REPOSITORY_BASE,
    autopublish: { type: 'boolean', default: false, description: 'Publish every new version automatically.' },
    manifest: { type: 'string', nullable: true, default: 'PULP_MANIFEST', description: 'Name of the manifest file of publications.' },
  },
  'repositories/deb/apt': { ...REPOSITORY_BASE },
  'repositories/container/container': {
    ...REPOSITORY_BASE,
    manifest_signing_service: { type: 'string', nullable: true, default: null, description: 'Signing service href for manifests.' },
  },
  'publications/rpm/rpm': {
    metadata_checksum_type: {
      type: 'enum',
      enum: CHECKSUM,
      createOnly: true,
      until: RPM_3_30,
      description: "Checksum of the metadata (default: the repository's; ignored from rpm 3.30).",
    },
    package_checksum_type: {
      type: 'enum',
      enum: CHECKSUM,
      createOnly: true,
      until: RPM_3_30,
      description: "Checksum of packages (default: the repository's; ignored from rpm 3.30).",
    },
    gpgcheck: { type: 'integer', createOnly: true, description: 'gpgcheck in config.repo.' },
    repo_gpgcheck: { type: 'integer', createOnly: true, description: 'repo_gpgcheck in config.repo.' },
    sqlite_metadata: {
      type: 'boolean',
      createOnly: true,
      until: RPM_3_25,
      description: 'Publish sqlite metadata (ignored from rpm 3.25).',
    },
  },
  'publications/file/file': {
    manifest: { type: 'string', nullable: true, default: 'PULP_MANIFEST', createOnly: true, description: 'Manifest file name.' },
  },
  'publications/deb/apt': {
    simple: { type: 'boolean', default: false, createOnly: true, description: 'Simple publishing mode (all packages in one component).' },
    structured: {
      type: 'boolean',
      default: false,
      createOnly: true,
      description: 'Structured publishing mode (upstream distributions and components).',
    },
    signing_service: {
      type: 'string',
      nullable: true,
      default: null,
      createOnly: true,
      description: 'Signing service href for Release files.',
    },
  },
  'publications/deb/verbatim': {},
  'distributions/rpm/rpm': {
    ...PUBLISHED_DISTRIBUTION,
    generate_repo_config: {
      type: 'boolean',
      default: false,
      since: { component: 'rpm', version: '3.23' },
      description: 'Serve a config.repo next to repodata.',
    },
  },
  'distributions/file/file': { ...PUBLISHED_DISTRIBUTION },
  'distributions/deb/apt': { ...PUBLISHED_DISTRIBUTION },
  'distributions/container/container': {
    ...DISTRIBUTION_BASE,
    // pulp_container fills in its shared "content redirect" guard and refuses null.
    content_guard: {
      type: 'string',
      ref: 'content_guard',
      description: 'Content guard href (default: the shared content redirect guard).',
    },
    repository_version: {
      type: 'string',
      nullable: true,
      default: null,
      ref: 'repository_version',
      description: 'Serve this repository version.',
    },
    private: { type: 'boolean', default: false, description: 'Require authentication to pull.' },
    description: { type: 'string', nullable: true, default: null, description: 'Free text.' },
  },
};

/** Pulp fields holding a whole `name` of the object; every named kind has one. */
export function isNamedKind(kind: Kind): boolean {
  return kind !== 'publication';
}

export function secretFields(endpoint: Endpoint): string[] {
  return Object.entries(FIELDS[endpoint] ?? {})
    .filter(([, spec]) => spec.secret)
    .map(([name]) => name);
}

/**
 * Why a server with these component versions does not honour the field: the release that
 * added it or the one that stopped honouring it. Undefined when it does, or when the server
 * does not report the component (the server then judges).
 */
export function fieldUnavailable(
  spec: FieldSpec | undefined,
  versions: Readonly<Record<string, string>>,
): { release: ComponentRelease; have: string; removed: boolean } | undefined {
  for (const [release, removed] of [
    [spec?.since, false],
    [spec?.until, true],
  ] as const) {
    const have = release === undefined ? undefined : versions[release.component];
    if (release === undefined || have === undefined) continue;
    if (compareVersions(have, release.version) >= 0 === removed) return { release, have, removed };
  }
  return undefined;
}

/**
 * Container push repositories: made by `podman push`, not creatable through the API (POST and
 * DELETE are 405), but their names block container repositories of the same name.
 */
export const PUSH_REPOSITORY_ENDPOINT: Endpoint = 'repositories/container/container-push';
