import type { Json, JsonObject } from '../model/json.js';
import type { ObjectSchema } from './api-doc.js';
import type { ContentBackend, UnitInput } from './backend.js';
import { CONTAINER_PUSH_REPOSITORIES, CONTENT_REDIRECT_GUARDS, CONTAINER_DISTRIBUTIONS, NAMESPACES, type Endpoint, endpointAt } from './endpoints.js';
import { HttpError, ValidationError, badRequestList } from './errors.js';
import { addVersionIfChanged, createPublication } from './lifecycle.js';
import { autopublish, publicationEndpointFor } from './publishing.js';
import { type SerializerSpec, fieldsFromSchema } from './serializer.js';
import type { ContentUnit, PulpObject, Store } from './store.js';
import { type ProgressReport, TaskFailure, type TaskWork } from './tasks.js';
import { type ValidationContext, getOrCreateByName, resolveHref } from './validation.js';

/** The sync body serializer of a repository type (`RepositorySyncURLSerializer` and the plugins' subclasses). */
export function syncSerializer(ctx: ValidationContext, endpoint: Endpoint, repository: PulpObject, request: ObjectSchema): SerializerSpec {
  const fields = fieldsFromSchema(request);
  fields.find((f) => f.name === 'remote')?.validators.push((value) => resolveHref(ctx, value as string, { family: 'remotes' }).href);
  return {
    fields,
    known: new Set(request.properties.map((p) => p.name)),
    validate: (data) => {
      if (!data['remote'] && !repository.values['remote']) {
        throw new ValidationError({ remote: 'This field is required since a remote is not set on the repository.' });
      }
      if (endpoint.pulpType === 'rpm.rpm' && 'mirror' in data && 'sync_policy' in data) {
        throw new ValidationError(
          "Cannot use 'mirror' and 'sync_policy' options simultaneously. The 'mirror' option is deprecated, please use 'sync_policy' only.",
        );
      }
    },
  };
}

/** The view-level checks of pulp_rpm's sync (bare-list 400s) and the resolved sync options. */
export function syncOptions(endpoint: Endpoint, repository: PulpObject, data: JsonObject): JsonObject {
  const options = { ...data };
  delete options['remote'];
  if (endpoint.pulpType !== 'rpm.rpm') return options;
  const policy = (data['sync_policy'] as string | null | undefined) || (data['mirror'] ? 'mirror_complete' : 'additive');
  if (policy === 'mirror_complete' || policy === 'mirror_content_only') {
    if ((repository.values['retain_package_versions'] as number) > 0) {
      throw badRequestList("Cannot use 'retain_package_versions' in combination with a 'mirror_complete' or 'mirror_content_only' sync policy.");
    }
  }
  if (policy === 'mirror_complete') {
    if (repository.values['autopublish']) throw badRequestList("Cannot use 'autopublish' in combination with a 'mirror_complete' sync policy.");
    if ((data['skip_types'] as Json[] | undefined)?.length) {
      throw badRequestList("Cannot use 'skip_types' in combination with a 'mirror_complete' sync policy.");
    }
  }
  delete options['mirror'];
  options['sync_policy'] = policy;
  return options;
}

function unitInput(unit: ContentUnit): UnitInput {
  return { type: unit.type, key: unit.key, fields: structuredClone(unit.fields) };
}

export interface SyncHost {
  store: Store;
  content: ContentBackend | undefined;
  /** What each repository's last successful sync returned as `memory`, by repository href. */
  memory: Map<string, Json>;
}

/** The sync task: reserves the repository exclusively and the remote shared, like the plugins' sync views. */
export function syncWork(host: SyncHost, endpoint: Endpoint, repository: PulpObject, remoteHref: string, options: JsonObject): TaskWork {
  return {
    name: endpoint.taskName as string,
    exclusive: [repository.href],
    shared: [remoteHref],
    run: async () => {
      const { store, content } = host;
      const remote = store.get(remoteHref);
      if (!store.get(repository.href) || !remote) throw new TaskFailure('The repository or the remote of this sync no longer exists.');
      if (!content) throw new TaskFailure(`Sync is not available: this emulator has no content backend for ${endpoint.pulpType} repositories.`);
      const latest = store.latestVersion(repository);
      const result = await content.sync({
        repository: { href: repository.href, pulpType: repository.endpoint.pulpType, settings: structuredClone(repository.values) },
        remote: { href: remote.href, pulpType: remote.endpoint.pulpType, settings: structuredClone(remote.values) },
        options,
        present: [...(latest?.units.values() ?? [])].map(unitInput),
        memory: host.memory.get(repository.href),
      });
      if (!store.get(repository.href)) throw new TaskFailure('The repository was deleted while it was syncing.');
      const units = result.units.map((u) => store.unit(u.type, u.key, u.fields));
      const version = addVersionIfChanged(store, repository, units);
      const createdResources: string[] = [];
      const progressReports: ProgressReport[] = [...result.progressReports];
      if (version) {
        createdResources.push(version.href);
        const publications = publicationEndpointFor(repository);
        for (const fields of result.publications ?? []) {
          if (publications) createdResources.push(createPublication(store, publications, version, fields).href);
        }
        const published = autopublish(store, version);
        if (published) {
          createdResources.push(published.href);
          progressReports.push(...published.reports);
        }
      }
      if (result.memory !== undefined) host.memory.set(repository.href, result.memory);
      return { createdResources, progressReports };
    },
  };
}

/**
 * What a `docker push` of `name:tag` leaves behind: the container-push repository `name` (one new
 * version per step of units), a distribution at base_path `name`, and the namespace of its first segment.
 */
export function applyPush(store: Store, name: string, steps: UnitInput[][]): PulpObject {
  const pushEndpoint = endpointAt(CONTAINER_PUSH_REPOSITORIES) as Endpoint;
  let repository = store.byName('repositories', name);
  if (repository && repository.endpoint !== pushEndpoint) {
    throw new HttpError(400, { detail: `A repository named '${name}' exists and is not a container push repository.` });
  }
  if (!repository) {
    repository = store.create(pushEndpoint, { name, pulp_labels: {}, description: null, retain_repo_versions: null, manifest_signing_service: null });
    store.addVersion(repository, []);
  }
  for (const step of steps) {
    const present = store.latestVersion(repository)?.units.values() ?? [];
    addVersionIfChanged(store, repository, [...present, ...step.map((u) => store.unit(u.type, u.key, u.fields))]);
  }
  const namespace = getOrCreateByName(store, NAMESPACES, name.split('/')[0] as string, {});
  if (!store.byBasePath(name)) {
    store.create(endpointAt(CONTAINER_DISTRIBUTIONS) as Endpoint, {
      pulp_labels: {},
      content_guard: getOrCreateByName(store, CONTENT_REDIRECT_GUARDS, 'content redirect', { description: null }).href,
      name,
      base_path: name,
      repository: repository.href,
      repository_version: null,
      namespace: namespace.href,
      private: false,
      description: null,
    });
  }
  return repository;
}
