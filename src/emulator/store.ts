import type { JsonObject } from '../model/json.js';
import { Clock, isoMicros } from './clock.js';
import { CONTENT_TYPES, type ContentType, type ContentUnit, type PublishedFiles, mergeUnit, unitId } from './content/index.js';
import type { Endpoint, Family } from './endpoints.js';

/** A remote, repository, publication, distribution, namespace or content guard. */
export interface PulpObject {
  id: string;
  href: string;
  endpoint: Endpoint;
  /** Microseconds since the epoch; unique, so it orders objects by creation. */
  createdAt: number;
  lastUpdated: string;
  /** Field values as stored: write-only secrets included, relations as hrefs. */
  values: JsonObject;
  /** Present on repositories. */
  versions?: Map<number, RepositoryVersion>;
  nextVersion?: number;
  /** Present on publications: the files their distributions serve. */
  files?: PublishedFiles;
}

export interface RepositoryVersion {
  id: string;
  number: number;
  href: string;
  repository: PulpObject;
  createdAt: number;
  /** The units present in this version, by unit href. */
  units: Map<string, StoredUnit>;
  /** The version a `modify` with `base_version` started from. */
  baseVersion: RepositoryVersion | null;
}

/** A content unit as the store holds it: one per (type, natural key), shared by every version that has it. */
export interface StoredUnit {
  id: string;
  href: string;
  createdAt: number;
  unit: ContentUnit;
}

const UNIQUE_NAME_FAMILIES: Family[] = ['remotes', 'repositories', 'distributions', 'namespaces', 'contentguards'];

export class Store {
  readonly clock: Clock;
  readonly #objects = new Map<string, PulpObject>();
  readonly #byEndpoint = new Map<string, Map<string, PulpObject>>();
  readonly #byFamily = new Map<Family, Map<string, PulpObject>>();
  readonly #names = new Map<Family, Map<string, PulpObject>>();
  readonly #basePaths = new Map<string, PulpObject>();
  /** Distributions by every proper ancestor of their base_path (`a` and `a/b` for `a/b/c`), for the overlap check. */
  readonly #underPaths = new Map<string, Set<PulpObject>>();
  readonly #units = new Map<string, StoredUnit>();
  readonly #unitsByKey = new Map<string, StoredUnit>();
  readonly #unitsById = new Map<string, StoredUnit>();
  /** Artifacts by sha256: their href ids, and the bytes once a sync or push stored them. */
  readonly #artifacts = new Map<string, { id: string; data: Buffer | undefined }>();

  constructor(ids: 'uuid4' | 'uuid7' = 'uuid4') {
    this.clock = new Clock(ids);
  }

  get(href: string): PulpObject | undefined {
    return this.#objects.get(href);
  }

  /** Objects of one endpoint (or one family), oldest first. */
  list(collectionPath: string): Iterable<PulpObject> {
    return this.#byEndpoint.get(collectionPath)?.values() ?? [];
  }

  listFamily(family: Family): Iterable<PulpObject> {
    return this.#byFamily.get(family)?.values() ?? [];
  }

  byName(family: Family, name: string): PulpObject | undefined {
    return this.#names.get(family)?.get(name);
  }

  byBasePath(basePath: string): PulpObject | undefined {
    return this.#basePaths.get(basePath);
  }

  /** Distributions whose base_path lies below `basePath` (`basePath/...`). */
  distributionsUnder(basePath: string): Iterable<PulpObject> {
    return this.#underPaths.get(basePath) ?? [];
  }

  create(endpoint: Endpoint, values: JsonObject): PulpObject {
    const id = this.clock.id();
    const createdAt = this.clock.tick();
    const obj: PulpObject = {
      id,
      href: `${endpoint.collectionPath}${id}/`,
      endpoint,
      createdAt,
      lastUpdated: isoMicros(createdAt),
      values,
    };
    if (endpoint.family === 'repositories') {
      obj.versions = new Map();
      obj.nextVersion = 0;
    }
    this.#objects.set(obj.href, obj);
    mapOf(this.#byEndpoint, endpoint.collectionPath).set(obj.href, obj);
    mapOf(this.#byFamily, endpoint.family).set(obj.href, obj);
    this.#index(obj);
    return obj;
  }

  update(obj: PulpObject, values: JsonObject): void {
    this.#unindex(obj);
    Object.assign(obj.values, values);
    obj.lastUpdated = this.clock.now();
    this.#index(obj);
  }

  delete(obj: PulpObject): void {
    this.#unindex(obj);
    this.#objects.delete(obj.href);
    this.#byEndpoint.get(obj.endpoint.collectionPath)?.delete(obj.href);
    this.#byFamily.get(obj.endpoint.family)?.delete(obj.href);
  }

  #index(obj: PulpObject): void {
    const family = obj.endpoint.family;
    const name = obj.values['name'];
    if (UNIQUE_NAME_FAMILIES.includes(family) && typeof name === 'string') mapOf(this.#names, family).set(name, obj);
    const basePath = obj.values['base_path'];
    if (family === 'distributions' && typeof basePath === 'string') {
      this.#basePaths.set(basePath, obj);
      for (const ancestor of ancestorsOf(basePath)) {
        let under = this.#underPaths.get(ancestor);
        if (!under) this.#underPaths.set(ancestor, (under = new Set()));
        under.add(obj);
      }
    }
  }

  #unindex(obj: PulpObject): void {
    const name = obj.values['name'];
    const names = this.#names.get(obj.endpoint.family);
    if (typeof name === 'string' && names?.get(name) === obj) names.delete(name);
    const basePath = obj.values['base_path'];
    if (typeof basePath !== 'string' || obj.endpoint.family !== 'distributions') return;
    if (this.#basePaths.get(basePath) === obj) this.#basePaths.delete(basePath);
    for (const ancestor of ancestorsOf(basePath)) {
      const under = this.#underPaths.get(ancestor);
      under?.delete(obj);
      if (under?.size === 0) this.#underPaths.delete(ancestor);
    }
  }

  addVersion(repository: PulpObject, units: Iterable<StoredUnit>, baseVersion: RepositoryVersion | null = null): RepositoryVersion {
    const versions = repository.versions as Map<number, RepositoryVersion>;
    const number = repository.nextVersion as number;
    const version: RepositoryVersion = {
      id: this.clock.id(),
      number,
      baseVersion,
      href: `${repository.href}versions/${number}/`,
      repository,
      createdAt: this.clock.tick(),
      units: new Map([...units].map((u) => [u.href, u])),
    };
    versions.set(number, version);
    repository.nextVersion = number + 1;
    return version;
  }

  latestVersion(repository: PulpObject): RepositoryVersion | undefined {
    let latest: RepositoryVersion | undefined;
    for (const v of repository.versions?.values() ?? []) if (!latest || v.number > latest.number) latest = v;
    return latest;
  }

  /** The version before this one that still exists: what its added/removed content is relative to. */
  previousVersion(version: RepositoryVersion): RepositoryVersion | undefined {
    let previous: RepositoryVersion | undefined;
    for (const v of version.repository.versions?.values() ?? []) {
      if (v.number < version.number && (!previous || v.number > previous.number)) previous = v;
    }
    return previous;
  }

  /** The version an href like `<repository href>versions/<n>/` names, if it exists. */
  version(href: string): RepositoryVersion | undefined {
    const m = /^(.*\/)versions\/(\d+)\/$/.exec(href);
    if (!m) return undefined;
    return this.get(m[1] as string)?.versions?.get(Number(m[2]));
  }

  /**
   * The stored unit for an incoming one: the same (type, key) is the same unit in every repository;
   * a unit seen again keeps its href and gains any bytes the new copy downloaded.
   */
  unit(incoming: ContentUnit): StoredUnit {
    const key = unitId(incoming);
    const existing = this.#unitsByKey.get(key);
    if (existing) mergeUnit(existing.unit, incoming);
    const stored = existing ?? this.#newUnit(incoming);
    for (const artifact of stored.unit.artifacts) {
      if (!artifact.sha256) continue;
      const known = this.#artifacts.get(artifact.sha256);
      if (!known) this.#artifacts.set(artifact.sha256, { id: this.clock.id(), data: artifact.data });
      else known.data ??= artifact.data;
    }
    return stored;
  }

  #newUnit(unit: ContentUnit): StoredUnit {
    const id = this.clock.id();
    const stored: StoredUnit = { id, href: `/pulp/api/v3/${CONTENT_TYPES[unit.type].endpoint}${id}/`, createdAt: this.clock.tick(), unit };
    this.#unitsByKey.set(unitId(unit), stored);
    this.#unitsById.set(id, stored);
    this.#units.set(stored.href, stored);
    return stored;
  }

  unitAt(href: string): StoredUnit | undefined {
    return this.#units.get(href);
  }

  /** By primary key alone, as pulpcore looks up content named in a body, whatever the href's type path. */
  unitById(id: string): StoredUnit | undefined {
    return this.#unitsById.get(id);
  }

  unitByKey(type: ContentType, key: string): StoredUnit | undefined {
    return this.#unitsByKey.get(unitId({ type, key }));
  }

  units(): Iterable<StoredUnit> {
    return this.#units.values();
  }

  artifactHref(sha256: string): string {
    let artifact = this.#artifacts.get(sha256);
    if (!artifact) {
      artifact = { id: this.clock.id(), data: undefined };
      this.#artifacts.set(sha256, artifact);
    }
    return `/pulp/api/v3/artifacts/${artifact.id}/`;
  }

  /** The bytes of an artifact the emulator already holds, so a sync does not fetch them again. */
  artifactData(sha256: string): Buffer | undefined {
    return this.#artifacts.get(sha256)?.data;
  }
}

function ancestorsOf(basePath: string): string[] {
  const segments = basePath.split('/');
  return segments.slice(1).map((_, i) => segments.slice(0, i + 1).join('/'));
}

function mapOf<K, V>(outer: Map<K, Map<string, V>>, key: K): Map<string, V> {
  let inner = outer.get(key);
  if (!inner) {
    inner = new Map();
    outer.set(key, inner);
  }
  return inner;
}
