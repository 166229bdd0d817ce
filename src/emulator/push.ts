import type { JsonObject } from '../model/json.js';
import { type ContentUnit, type PushStep, type RegistryPushHandler, unitId } from './content/index.js';
import { blobUnit, digestOf, manifestUnit, tagUnit } from './content/container/image.js';
import {
  CONTAINER_DISTRIBUTIONS,
  CONTAINER_PUSH_REPOSITORIES,
  CONTAINER_REPOSITORIES,
  CONTENT_REDIRECT_GUARDS,
  NAMESPACES,
  type Endpoint,
  endpointAt,
} from './endpoints.js';
import { HttpError } from './errors.js';
import { applyRetention } from './lifecycle.js';
import type { PulpProfile } from './profiles.js';
import type { PulpObject, Store, StoredUnit } from './store.js';
import { getOrCreateByName } from './validation.js';

/**
 * What `docker push` leaves in Pulp: the push repository `name` (container-push before container
 * 2.29, a plain container repository since), its distribution at base_path `name` and the
 * namespace of the first path segment, made when the first upload starts; then new versions as
 * the profile's push model makes them: one per finished blob upload and one for the manifest PUT
 * (container 2.14), or one per push, at the manifest PUT.
 */
export class Pushes implements RegistryPushHandler {
  /** Blobs uploaded since the last manifest PUT, by push repository href (one-version-per-push models). */
  readonly #pending = new Map<string, Map<string, StoredUnit>>();

  constructor(
    private readonly store: Store,
    private readonly profile: PulpProfile,
  ) {}

  start(name: string): void {
    this.repository(name);
  }

  hasBlob(name: string, digest: string): boolean {
    const repository = this.store.byName('repositories', name);
    if (!repository) return false;
    const present = [...(this.store.latestVersion(repository)?.units.values() ?? [])];
    return (
      present.some((u) => u.unit.type === 'container.blob' && u.unit.fields.digest === digest) ||
      (this.#pending.get(repository.href)?.has(digest) ?? false)
    );
  }

  blob(name: string, digest: string, data: Buffer): void {
    const repository = this.repository(name);
    const unit = this.store.unit(blobUnit(digest, data));
    if (this.profile.container.push === 'push-repository-per-upload') {
      if (!this.#present(repository).some((u) => u.href === unit.href)) this.#addVersion(repository, [unit], []);
      return;
    }
    let pending = this.#pending.get(repository.href);
    if (!pending) this.#pending.set(repository.href, (pending = new Map()));
    pending.set(digest, unit);
  }

  manifest(name: string, reference: string, data: Buffer, mediaType: string): { digest: string } | { missingBlob: string } {
    const repository = this.repository(name);
    const json = JSON.parse(data.toString('utf8')) as { config?: { digest: string }; layers?: Array<{ digest: string }> };
    const pending = this.#pending.get(repository.href) ?? new Map<string, StoredUnit>();
    const known = new Map([
      ...this.#present(repository)
        .filter((u) => u.unit.type === 'container.blob')
        .map((u) => [String(u.unit.fields.digest), u] as const),
      ...pending,
    ]);
    const blobOf = (digest: string) => known.get(digest)?.unit;
    for (const digest of [json.config?.digest, ...(json.layers ?? []).map((l) => l.digest)]) {
      if (digest !== undefined && !blobOf(digest)) return { missingBlob: digest };
    }
    const layers = (json.layers ?? []).map((l) => blobOf(l.digest) as ContentUnit);
    const config = json.config ? (blobOf(json.config.digest) as ContentUnit) : null;
    const digest = digestOf(data);
    const manifest = manifestUnit(data, mediaType, { config, layers, listed: [] }, digest);
    const added = [manifest, ...(reference.startsWith('sha256:') ? [] : [tagUnit(reference, manifest)])].map((u) => this.store.unit(u));
    this.#pending.delete(repository.href);
    // A tag of that name on another manifest gives way to the pushed one.
    const replaced = this.#present(repository).filter(
      (u) => u.unit.type === 'container.tag' && u.unit.fields.name === reference && !added.includes(u),
    );
    this.#addVersion(repository, [...pending.values(), ...added], replaced);
    return { digest };
  }

  /** `/_emulator/registry_push`: a push of the content side's test image as these protocol steps. */
  pushSteps(name: string, tag: string, push: (tag: string, present: ContentUnit[]) => PushStep[]): PulpObject {
    const repository = this.repository(name);
    const steps = push(
      tag,
      this.#present(repository).map((u) => u.unit),
    );
    const versions =
      this.profile.container.push === 'push-repository-per-upload' || steps.length === 0
        ? steps
        : [{ add: steps.flatMap((s) => s.add), remove: steps.flatMap((s) => s.remove) }];
    for (const step of versions) {
      const removed = new Set(step.remove.map(unitId));
      this.#addVersion(
        repository,
        step.add.map((u) => this.store.unit(u)),
        this.#present(repository).filter((u) => removed.has(unitId(u.unit))),
      );
    }
    return repository;
  }

  /** The push repository of `name`, made with its distribution and namespace on first use. */
  repository(name: string): PulpObject {
    const endpoint = endpointAt(
      this.profile.container.push === 'container-repository' ? CONTAINER_REPOSITORIES : CONTAINER_PUSH_REPOSITORIES,
    ) as Endpoint;
    let repository = this.store.byName('repositories', name);
    if (repository && repository.endpoint !== endpoint) {
      throw new HttpError(400, { detail: `A repository named '${name}' exists and is not a ${endpoint.model}.` });
    }
    if (!repository) {
      const values: JsonObject = { name, pulp_labels: {}, description: null, retain_repo_versions: null, manifest_signing_service: null };
      if (endpoint.collectionPath === CONTAINER_REPOSITORIES) values['remote'] = null;
      repository = this.store.create(endpoint, values);
      this.store.addVersion(repository, []);
    }
    const namespace = getOrCreateByName(this.store, NAMESPACES, name.split('/')[0] as string, {});
    if (!this.store.byBasePath(name)) {
      this.store.create(endpointAt(CONTAINER_DISTRIBUTIONS) as Endpoint, {
        pulp_labels: {},
        content_guard: getOrCreateByName(this.store, CONTENT_REDIRECT_GUARDS, 'content redirect', { description: null }).href,
        name,
        base_path: name,
        repository: repository.href,
        repository_version: null,
        namespace: namespace.href,
        private: false,
        description: null,
        hidden: false,
        remote: null,
      });
    }
    return repository;
  }

  #present(repository: PulpObject): StoredUnit[] {
    return [...(this.store.latestVersion(repository)?.units.values() ?? [])];
  }

  /** A new version with `add` and without `remove`, unless that is the latest version's content. */
  #addVersion(repository: PulpObject, add: StoredUnit[], remove: StoredUnit[]): void {
    const units = new Map(this.#present(repository).map((u) => [u.href, u]));
    for (const u of remove) units.delete(u.href);
    const before = units.size;
    for (const u of add) units.set(u.href, u);
    if (units.size === before && remove.length === 0) return;
    this.store.addVersion(repository, units.values());
    applyRetention(this.store, repository, this.profile);
  }
}
