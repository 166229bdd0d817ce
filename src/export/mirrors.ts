import { differsFromDefault } from '../diff/values.js';
import { LABELS, STAMP, type Diagnostic, type Json, type LiveObject } from '../model/index.js';
import {
  builtAsMirror,
  byName,
  commonOwnership,
  defaultsExcept,
  environmentKeys,
  groupImages,
  leftOutDiagnostic,
  present,
  publicationMode,
  splitContentUrl,
  versionNumber,
  type ImageExport,
  type Item,
} from './live-objects.js';

/**
 * The Release Train shapes among a server's objects, for `pulpform export`: upstreams, package
 * mirrors (remote + repository + publications + distributions of an upstream's snapshot) and
 * container mirrors (remote + repository + distribution per image), with the pins the server
 * records. An object that does not fit the shape exactly stays low-level (the caller's job).
 * Pure.
 */

export interface MirrorExport {
  upstreams: Item[];
  packageMirrors: Item[];
  containerMirrors: Item[];
  /** The live objects the mirrors declare: not to be exported again as low-level items. */
  covered: Set<LiveObject>;
  /** Objects of a mirror left out (with a warning): not to be exported low-level either. */
  declined: Set<LiveObject>;
  /** The publications the mirrors' distributions serve, which they declare too. */
  publications: number;
  /** Environment variables the upstreams read for write-only values. */
  env: string[];
  diagnostics: Diagnostic[];
}

export interface MirrorExportInput {
  /** The objects to export (remotes, repositories, distributions). */
  objects: readonly LiveObject[];
  /** Every live object by href (publications included). */
  byHref: ReadonlyMap<string, LiveObject>;
  /** A mirror is exported only when one of its objects is among these (the --select). */
  wanted: ReadonlySet<LiveObject>;
  /** Name of the environment variable holding a remote's write-only field. */
  secretVariable: (remote: LiveObject, field: string) => string;
}

/** Remote fields an upstream sets on every remote made from it. */
const UPSTREAM_FIELDS = ['ca_cert', 'client_cert', 'tls_validation', 'proxy_url'] as const;
const UPSTREAM_SECRETS = ['username', 'password', 'client_key', 'proxy_username', 'proxy_password'] as const;
/** Fields a package mirror writes itself, besides the upstream's. */
const PACKAGE_REMOTE_FIELDS: Record<string, string> = {
  url: 'url',
  policy: 'policy',
  distributions: 'dists',
  components: 'components',
  architectures: 'architectures',
};
const CONTAINER_REMOTE_FIELDS = new Set(['url', 'policy', 'upstream_name', 'include_tags', 'exclude_tags']);

interface Upstream {
  name: string;
  origin: string;
  /** The settings every remote of it shares, as read from the first one. */
  shared: Record<string, Json | undefined>;
  secrets: Record<string, string>;
  secretVersion?: string;
  item: Item;
}

interface PackageCandidate {
  remote: LiveObject;
  repository: LiveObject;
  origin: string;
  path: string;
  snapshot?: string;
  distributions: LiveObject[];
}

export function exportMirrors(input: MirrorExportInput): MirrorExport {
  return new MirrorExporter(input).run();
}

class MirrorExporter {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly upstreams = new Map<string, Upstream>();
  private readonly covered = new Set<LiveObject>();
  private readonly declined = new Set<LiveObject>();
  private readonly env = new Set<string>();
  private readonly remotesByName = new Map<string, LiveObject>();

  constructor(private readonly input: MirrorExportInput) {
    for (const object of input.objects) if (object.kind === 'remote') this.remotesByName.set(`${object.plugin} ${object.name}`, object);
  }

  run(): MirrorExport {
    const repositories = this.input.objects.filter((o) => o.kind === 'repository').sort(byName);
    const packageMirrors = repositories
      .filter((r) => r.plugin === 'rpm' || r.plugin === 'deb')
      .flatMap((r) => present(this.packageMirror(r)));
    const images = repositories.filter((r) => r.plugin === 'container').flatMap((r) => present(this.containerImage(r)));
    return {
      upstreams: [...this.upstreams.values()].map((upstream) => upstream.item),
      packageMirrors,
      containerMirrors: groupImages(images),
      covered: this.covered,
      declined: this.declined,
      publications: new Set(
        [...this.covered].filter((o) => o.kind === 'distribution' && o.plugin !== 'container').map((o) => o.fields.publication),
      ).size,
      env: [...this.env].sort(),
      diagnostics: this.diagnostics,
    };
  }

  // ── package mirrors ─────────────────────────────────────────────────────────────────────

  private packageMirror(repository: LiveObject): Item | undefined {
    const candidate = this.packageCandidate(repository);
    if (candidate === undefined) return undefined;
    const { remote, distributions } = candidate;
    const objects = [remote, repository, ...distributions];
    if (!objects.some((object) => this.input.wanted.has(object))) return undefined;
    const ownership = commonOwnership(objects);
    const upstream = ownership === undefined ? undefined : this.upstreamFor(candidate.origin, remote);
    if (ownership === undefined || upstream === undefined) return undefined;

    const markerVersion = this.markerVersion(repository, candidate.snapshot);
    const keys = environmentKeys(distributions);
    const served: Record<string, Item> = {};
    const publications = new Set<string>();
    const kept: LiveObject[] = [];
    for (const distribution of distributions) {
      const publication = this.input.byHref.get(String(distribution.fields.publication));
      const version = publication?.versionHref;
      if (publication === undefined || version === undefined) continue;
      const key = keys.get(distribution)!;
      const follows = key === 'development' && version === markerVersion;
      const snapshot = follows ? undefined : this.snapshotServed(repository, distribution, version, candidate.snapshot, markerVersion);
      if (!follows && snapshot === undefined) {
        this.declined.add(distribution);
        this.leftOut(
          distribution,
          `it serves version ${versionNumber(version)} of "${repository.name}", whose snapshot the server does not record`,
          'Declare it in the package mirror pinned to the snapshot that version came from (with adopt: true): the version it serves is then taken as that snapshot.',
        );
        continue;
      }
      publications.add(publicationMode(publication));
      served[key] = { name: distribution.name, base_path: distribution.fields.base_path, ...(follows ? {} : { snapshot }) };
      kept.push(distribution);
    }
    if (publications.size > 1) return undefined;

    for (const object of [remote, repository, ...kept]) this.covered.add(object);
    const mode = [...publications][0];
    const item: Item = { name: repository.name, type: repository.plugin, upstream: upstream.name, path: candidate.path };
    if (candidate.snapshot !== undefined) item.snapshot = candidate.snapshot;
    if (remote.name !== `${repository.name}-remote`) item.remote_name = remote.name;
    for (const [field, key] of Object.entries(PACKAGE_REMOTE_FIELDS)) {
      if (field === 'url') continue;
      const value = remote.fields[field];
      if (value !== undefined && value !== null && (field === 'distributions' || differsFromDefault(remote.endpoint, field, value)))
        item[key] = value;
    }
    if (mode !== undefined && mode !== 'verbatim' && repository.plugin === 'deb') item.publication_mode = mode;
    if (Object.keys(served).length > 0) item.distributions = served;
    return { ...item, ...ownership };
  }

  private packageCandidate(repository: LiveObject): PackageCandidate | undefined {
    const remote = this.remoteOf(repository);
    if (remote === undefined || remote.plugin !== repository.plugin || !defaultsExcept(repository, new Set(['remote']))) return undefined;
    if (!defaultsExcept(remote, new Set([...Object.keys(PACKAGE_REMOTE_FIELDS), ...UPSTREAM_FIELDS]))) return undefined;
    const parsed = splitContentUrl(String(remote.fields.url ?? ''));
    if (parsed === undefined || !builtAsMirror(repository, (marker) => parsed.snapshot === undefined || STAMP.test(marker)))
      return undefined;
    const distributions = this.input.objects
      .filter((object) => object.kind === 'distribution' && object.plugin === repository.plugin)
      .filter((object) => this.input.byHref.get(String(object.fields.publication))?.versionHref?.startsWith(repository.href) === true)
      .sort(byName);
    if (distributions.some((d) => !defaultsExcept(d, new Set(['base_path', 'publication'])))) return undefined;
    // A pinned mirror's distributions record what they serve; low-level ones that happen to fit do not.
    if (
      parsed.snapshot !== undefined &&
      distributions.some((d) => d.labels[LABELS.stack] !== undefined && d.labels[LABELS.serves] === undefined)
    )
      return undefined;
    return { remote, repository, ...parsed, distributions };
  }

  /** The version development serves when it follows the repository: what its last sync of the snapshot left. */
  private markerVersion(repository: LiveObject, snapshot: string | undefined): string | undefined {
    if (repository.labels[LABELS.stack] === undefined || snapshot === undefined) return repository.versionHref;
    const last = repository.labels[LABELS.syncedVersion];
    const number =
      repository.labels[LABELS.synced] === snapshot && last !== undefined ? last : repository.labels[`${LABELS.snapshotPrefix}${snapshot}`];
    return number === undefined ? repository.versionHref : `${repository.href}versions/${number}/`;
  }

  /** The snapshot a distribution's version came from, as the server records it. */
  private snapshotServed(
    repository: LiveObject,
    distribution: LiveObject,
    version: string,
    snapshot: string | undefined,
    markerVersion: string | undefined,
  ): string | undefined {
    const number = String(versionNumber(version));
    const serves = distribution.labels[LABELS.serves];
    if (serves !== undefined && repository.labels[`${LABELS.snapshotPrefix}${serves}`] === number) return serves;
    const recorded = Object.entries(repository.labels)
      .filter(([key, value]) => key.startsWith(LABELS.snapshotPrefix) && value === number)
      .map(([key]) => key.slice(LABELS.snapshotPrefix.length));
    if (recorded.length === 1) return recorded[0];
    return version === markerVersion ? snapshot : undefined;
  }

  private remoteOf(repository: LiveObject): LiveObject | undefined {
    const named = typeof repository.fields.remote === 'string' ? this.input.byHref.get(repository.fields.remote) : undefined;
    // The Ansible tooling passes the remote to each sync instead of naming it on the repository.
    return named ?? this.remotesByName.get(`${repository.plugin} ${repository.name}-remote`);
  }

  // ── container mirrors ───────────────────────────────────────────────────────────────────

  private containerImage(repository: LiveObject): ImageExport | undefined {
    const remote = this.remoteOf(repository);
    const slash = repository.name.lastIndexOf('/');
    if (
      remote === undefined ||
      slash <= 0 ||
      remote.name !== `${repository.name}-remote` ||
      remote.fields.upstream_name !== repository.name
    )
      return undefined;
    if (
      !defaultsExcept(repository, new Set(['remote'])) ||
      !defaultsExcept(remote, new Set([...CONTAINER_REMOTE_FIELDS, ...UPSTREAM_FIELDS]))
    )
      return undefined;
    if (!builtAsMirror(repository, (marker) => marker.startsWith('tags:'))) return undefined;
    const distributions = this.input.objects.filter(
      (o) => o.kind === 'distribution' && o.plugin === 'container' && o.fields.repository === repository.href,
    );
    const [distribution] = distributions;
    if (distributions.length !== 1 || distribution === undefined || distribution.fields.base_path !== repository.name) return undefined;
    if (!defaultsExcept(distribution, new Set(['base_path', 'repository', 'content_guard']))) return undefined;
    const objects = [remote, repository, distribution];
    if (!objects.some((object) => this.input.wanted.has(object))) return undefined;
    const ownership = commonOwnership(objects);
    let origin: string;
    try {
      origin = new URL(String(remote.fields.url)).origin;
    } catch {
      return undefined;
    }
    if (String(remote.fields.url).replace(/\/+$/, '') !== origin) return undefined;
    const upstream = ownership === undefined ? undefined : this.upstreamFor(origin, remote);
    if (ownership === undefined || upstream === undefined) return undefined;
    for (const object of objects) this.covered.add(object);
    const image = repository.name.slice(slash + 1);
    const tags = (field: string): string[] | undefined =>
      Array.isArray(remote.fields[field]) ? (remote.fields[field] as string[]) : undefined;
    return {
      group: {
        upstream: upstream.name,
        namespace: repository.name.slice(0, slash),
        ...(remote.fields.policy !== undefined && differsFromDefault(remote.endpoint, 'policy', remote.fields.policy)
          ? { policy: remote.fields.policy }
          : {}),
        ...(tags('include_tags') ? { include_tags: tags('include_tags') } : {}),
        ...(tags('exclude_tags') ? { exclude_tags: tags('exclude_tags') } : {}),
        ...ownership,
      },
      image: distribution.name === repository.name ? image : { name: image, distribution: distribution.name },
    };
  }

  // ── upstreams ───────────────────────────────────────────────────────────────────────────

  /** The upstream at `origin`, declared from the first remote of it; undefined when this remote's shared settings differ. */
  private upstreamFor(origin: string, remote: LiveObject): Upstream | undefined {
    const shared = Object.fromEntries(UPSTREAM_FIELDS.map((field) => [field, remote.fields[field]]));
    const secrets = Object.fromEntries(
      UPSTREAM_SECRETS.filter((field) => remote.secretsSet[field] === true).map((field) => [
        field,
        this.input.secretVariable(remote, field),
      ]),
    );
    const secretVersion = remote.labels[LABELS.secretVersion];
    const existing = this.upstreams.get(origin);
    if (existing !== undefined) {
      const same =
        JSON.stringify(existing.shared) === JSON.stringify(shared) &&
        JSON.stringify(existing.secrets) === JSON.stringify(secrets) &&
        existing.secretVersion === secretVersion;
      return same ? existing : undefined;
    }
    const item: Item = { name: this.upstreamName(origin), url: origin };
    for (const field of UPSTREAM_FIELDS) {
      const value = shared[field];
      if (value !== undefined && differsFromDefault(remote.endpoint, field, value)) item[field] = value;
    }
    for (const [field, variable] of Object.entries(secrets)) {
      item[field] = `\${env:${variable}}`;
      this.env.add(variable);
    }
    if (secretVersion !== undefined) item.secret_version = secretVersion;
    const upstream: Upstream = {
      name: String(item.name),
      origin,
      shared,
      secrets,
      ...(secretVersion !== undefined ? { secretVersion } : {}),
      item,
    };
    this.upstreams.set(origin, upstream);
    return upstream;
  }

  /** `ark` for https://ark.stackhpc.com, `upstream` for an address; unique among the upstreams. */
  private upstreamName(origin: string): string {
    const host = new URL(origin).hostname;
    const base = /^[\d.]+$|^\[|^localhost$/.test(host) ? 'upstream' : (host.split('.')[0] ?? 'upstream').toLowerCase();
    const taken = new Set([...this.upstreams.values()].map((upstream) => upstream.name));
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
    return name;
  }

  private leftOut(object: LiveObject, why: string, hint: string): void {
    this.diagnostics.push(leftOutDiagnostic(object, why, hint));
  }
}
