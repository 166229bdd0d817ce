import type { PlanSource } from './plan.js';
import type { Json, JsonObject } from './json.js';
import type { Secret } from './secret.js';

export const PLUGINS = ['rpm', 'deb', 'file', 'container'] as const;
export type Plugin = (typeof PLUGINS)[number];

/** Kinds in dependency order: a kind may reference only kinds before it. */
export const KINDS = ['remote', 'repository', 'publication', 'distribution'] as const;
export type Kind = (typeof KINDS)[number];

/**
 * `${kind}/${plugin}/${name}`, e.g. `remote/rpm/rocky-9-baseos`. Names may contain `/` and
 * spaces (`stackhpc/barbican-api`, `Rocky Linux 9 - BaseOS`), so parse with parseAddress.
 * Publications have no name in Pulp: theirs is the repository's name, optionally `@<snapshot>`.
 */
export type Address = string;

export function addressOf(kind: Kind, plugin: Plugin, name: string): Address {
  return `${kind}/${plugin}/${name}`;
}

export function parseAddress(address: Address): { kind: Kind; plugin: Plugin; name: string } {
  const first = address.indexOf('/');
  const second = address.indexOf('/', first + 1);
  const kind = address.slice(0, first) as Kind;
  const plugin = address.slice(first + 1, second) as Plugin;
  if (first < 0 || second < 0 || !KINDS.includes(kind) || !PLUGINS.includes(plugin)) {
    throw new Error(`not a resource address: ${address}`);
  }
  return { kind, plugin, name: address.slice(second + 1) };
}

/**
 * Pulp's list/create endpoint of a resource, relative to the API root, without slashes:
 * `remotes/rpm/rpm`, `repositories/deb/apt`, `publications/deb/verbatim`, ...
 */
export type Endpoint = string;

const KIND_SEGMENT: Record<Kind, string> = {
  remote: 'remotes',
  repository: 'repositories',
  publication: 'publications',
  distribution: 'distributions',
};

/** The detail type of each plugin's main endpoint (deb publications also have `verbatim`). */
export const DEFAULT_TYPE: Record<Plugin, string> = { rpm: 'rpm', deb: 'apt', file: 'file', container: 'container' };

export function endpointOf(kind: Kind, plugin: Plugin, type: string = DEFAULT_TYPE[plugin]): Endpoint {
  return `${KIND_SEGMENT[kind]}/${plugin}/${type}`;
}

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A sync the desired state asks for (repositories with a remote only). */
export interface DesiredSync {
  /**
   * What the repository must have been synced from, recorded on the server in the
   * repository's `pulpform_synced` label after a successful sync. A sync is planned when it
   * differs: a snapshot stamp (`20240816T002610`) for pinned mirrors, else the remote URL.
   */
  marker: string;
  /** Body of the sync request apart from `remote` (e.g. `{sync_policy: 'mirror_complete'}`). */
  options: JsonObject;
}

export interface DesiredResource {
  address: Address;
  kind: Kind;
  plugin: Plugin;
  /** Pulp name; for publications the repository's name (see Address). */
  name: string;
  endpoint: Endpoint;
  /**
   * Writable Pulp fields this resource manages, by wire name: every field of FIELDS[endpoint]
   * that has a known default, overridden by what the YAML sets (so removing a line from the
   * YAML puts the server default back). Fields without a known default that the YAML does not
   * set are absent and stay unmanaged. Excludes references (`refs`), write-only secrets
   * (`secrets`) and `pulp_labels` (`labels`). Fields the server does not have (see
   * FieldSpec.since) are dropped by the plan, with a warning if the YAML set them.
   */
  fields: JsonObject;
  /** References by address, keyed by Pulp field: `{remote}`, `{repository}`, `{publication}`, `{repository_version}`. */
  refs: Record<string, Address>;
  /**
   * Write-only fields (`password`, `proxy_password`, `client_key`, ...) the YAML declares;
   * null = must be unset. A secret field of the endpoint that is not listed must be unset too.
   */
  secrets: Record<string, Secret | null>;
  /**
   * Changing it re-sends every secret of this resource once (rotation), because Pulp only
   * tells whether a secret is set. Recorded in the `pulpform_secret_version` label.
   */
  secretVersion?: string;
  /** User labels; ownership and status labels are added by the plan. */
  labels: Record<string, string>;
  sync?: DesiredSync;
  /** Publications and distributions: serve the repository version synced from this snapshot rather than the latest. */
  snapshot?: string;
  /**
   * Distributions whose snapshot is the repository's own sync marker (a mirror's development):
   * they serve what the latest sync of it gave, a --resync included. Others keep the version
   * their snapshot first gave.
   */
  followsSync?: boolean;
  /**
   * Repositories: keep the newest N repository versions (with their publications); older ones
   * are deleted unless a distribution serves them, a desired snapshot pin refers to them, or
   * they are the latest. pulpform's own retention, not Pulp's `retain_repo_versions`.
   */
  retain?: number;
  /**
   * Resources a container mirror generated for one image. Scope only: `--image-filter` (or
   * the mirror's `filter`) narrows a run to the matching images and never deletes the others.
   */
  image?: ImageScope;
  /** Distributions a package mirror generated: how hosts consume them (`pulpform client-config`); never sent to Pulp. */
  consumer?: ConsumerSettings;
  /** Take over an existing unlabelled object of this name instead of reporting a conflict. */
  adopt: boolean;
  /** Never delete or replace this object, even with --prune. */
  protect: boolean;
  source?: SourceLocation;
}

export interface ImageScope {
  /** The image as the mirror lists it (`nova-api`): what filter regexes are matched against. */
  name: string;
  /** The mirror's `group`, selectable with `--only group:NAME`. */
  group?: string;
  /** The mirror's default filter: whitespace-separated, unanchored regexes; `--image-filter` overrides it. */
  filter?: string;
}

export interface ConsumerSettings {
  /** The mirror's key for this distribution (`development`, `production`): which host configuration lists it. */
  environment: string;
  /** rpm: dnf's gpgcheck, repo_gpgcheck and gpgkey URLs, when the YAML sets them. */
  gpgcheck?: boolean;
  repoGpgcheck?: boolean;
  gpgkeys?: string[];
  /** deb: the keyring file apt checks the Release signature with (`signed-by`). */
  signedBy?: string;
}

export interface ServerSettings {
  url?: string;
  username?: string;
  password?: Secret;
  caCert?: string;
  insecure?: boolean;
  source?: SourceLocation;
}

export interface DesiredState {
  /** Ownership scope: the value of the `pulpform_stack` label on every managed object. */
  stack: string;
  /** No file says `stack:`; `stack` is the default. */
  stackDefaulted?: true;
  server: ServerSettings;
  resources: DesiredResource[];
  sources: PlanSource;
}

/** An object read from the server, normalised to the shape of DesiredResource.fields. */
export interface LiveObject {
  /** Unique for named kinds. Live publications share their repository's address; tell them apart by href. */
  address: Address;
  kind: Kind;
  plugin: Plugin;
  name: string;
  endpoint: Endpoint;
  href: string;
  /** `pulp_last_updated` when the server reports it (3.23 does only for remotes). */
  lastUpdated?: string;
  /** sha256 of the object as read, minus volatile fields: what a saved plan checks for staleness. */
  fingerprint: string;
  /** Writable fields as the server holds them, with server defaults, references as hrefs. */
  fields: JsonObject;
  labels: Record<string, string>;
  /** From `hidden_fields`: which write-only fields are set. */
  secretsSet: Record<string, boolean>;
  /** Repositories: href of the latest version; publications: the version they publish. */
  versionHref?: string;
  /**
   * Read from a generic list only (readLiveState with a scope: a distribution of a plugin the
   * desired state does not use, not this stack's): name, labels, base_path and repository; its
   * other fields are absent, not unset. A plan never acts on it, only checks names and base paths against it.
   */
  partial?: true;
  raw: JsonObject;
}

export interface ServerInfo {
  /** Base URL the client talks to, e.g. `http://127.0.0.1:24817`. Never contains credentials. */
  url: string;
  /** `component -> version` from /status/, e.g. `{core: '3.23.24', rpm: '3.20.0'}`. */
  versions: Record<string, string>;
  contentOrigin?: string;
}

/** A repository version, as `repository_versions/` lists it. */
export interface LiveRepositoryVersion {
  href: string;
  /** Href of its repository. */
  repository: string;
  number: number;
}

export interface LiveState {
  server: ServerInfo;
  objects: LiveObject[];
  /** Every repository version: read only when the desired state asks for retention (`retain`). */
  versions?: LiveRepositoryVersion[];
}

export type { Json, JsonObject };
