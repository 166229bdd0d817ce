import type { JsonObject } from '../model/json.js';
import type { ApiDocument } from './api-doc.js';
import {
  type Call,
  type PulpOptions,
  type PulpState,
  type Reply,
  V3,
  listRequest,
  ok,
  operationOf,
  renderContext,
  serializerFor,
  versionContext,
} from './calls.js';
import { CONTENT_TYPES, type PublishedFiles, type RegistryRepository, contentTypeAt } from './content/index.js';
import { CONTAINER_DISTRIBUTIONS, type Family, endpointAt, operationPrefix } from './endpoints.js';
import { HttpError, notFound, taskErrorCode } from './errors.js';
import { contentAnswer, objectList, versionList } from './list-endpoints.js';
import { listResponse, selectFields } from './lists.js';
import { reservedResourcesRecord } from './locks.js';
import { createObject, endpointAction } from './object-endpoints.js';
import { renderVersion } from './render.js';
import { deserialize } from './serializer.js';
import { publicationOptions, publishVersion } from './publishing.js';
import { jsonbOrder } from './jsonb.js';
import { type Worker, renderWorker, serverStatus } from './status.js';
import { type PulpObject, type RepositoryVersion, Store } from './store.js';
import { Pushes } from './push.js';
import type { SyncHost } from './sync.js';
import type { PulpProfile } from './profiles.js';
import { cancelTask, taskAt, taskList } from './task-endpoints.js';
import { type Task, type TaskFailure, TaskRunner, type TaskView, isFinal, renderTask } from './tasks.js';

export type { Call, PulpOptions, Reply } from './calls.js';

const GENERIC_FAMILIES: Record<string, Family> = {
  [`${V3}remotes/`]: 'remotes',
  [`${V3}repositories/`]: 'repositories',
  [`${V3}publications/`]: 'publications',
  [`${V3}distributions/`]: 'distributions',
  [`${V3}contentguards/`]: 'contentguards',
};

/** The emulated Pulp server: objects, versions, tasks, and the REST operations on them. */
export class Pulp implements PulpState {
  readonly store: Store;
  readonly tasks: TaskRunner;
  readonly workers: Worker[];
  /** `docker push` into the registry (and `/_emulator/registry_push`). */
  readonly pushes: Pushes;
  /** The default domain's id, which 3.43+ tasks hold shared. */
  readonly domainId: string;
  readonly syncHost: SyncHost;
  readonly #taskView: TaskView;

  constructor(
    readonly doc: ApiDocument,
    readonly profile: PulpProfile,
    readonly options: PulpOptions,
  ) {
    this.store = new Store(profile.ids);
    this.domainId = this.store.clock.id();
    this.pushes = new Pushes(this.store, profile);
    this.workers = [0, 1].map((i) => {
      const id = this.store.clock.id();
      return { id, href: `${V3}workers/${id}/`, name: `${process.pid + i}@localhost`, createdAt: this.store.clock.tick() };
    });
    this.syncHost = {
      store: this.store,
      content: options.content,
      lastSync: new Map(),
      profile,
      versionResult: (version) => jsonbOrder(renderVersion(versionContext(this), version)) as JsonObject,
    };
    this.#taskView = {
      fields: doc.schema('TaskResponse').properties.map((p) => p.name),
      prnOf: (href) => this.prnOf(href),
    };
    this.tasks = new TaskRunner(this.store.clock, {
      taskMs: options.taskMs,
      workers: this.workers.map((w) => w.href),
      injectFailure: options.injectTaskFailure,
      immediate: profile.tasks.immediate,
      showsWorker: profile.tasks.showsWorker,
      record: (exclusive, shared) => reservedResourcesRecord(this, exclusive, shared),
      describeFailure: (failure) => this.#describeFailure(failure),
    });
  }

  /** `prn:<app>.<model>:<id>` of an object, version or unit href (PRNs name models, not endpoints). */
  prnOf(href: string): string {
    const obj = this.store.get(href);
    if (obj) return `prn:${obj.endpoint.pulpType.split('.')[0]}.${obj.endpoint.model.toLowerCase()}:${obj.id}`;
    const version = this.store.version(href);
    if (version) return `prn:core.repositoryversion:${version.id}`;
    const unit = this.store.unitAt(href);
    if (unit) return `prn:${CONTENT_TYPES[unit.unit.type].prnModel}:${unit.id}`;
    return href;
  }

  /** A failure's text as the profile's workers word it: aiohttp's URL repr, Pulp's error codes. */
  #describeFailure(failure: TaskFailure): { description: string; code?: string } {
    let description = failure.description;
    if (this.profile.tasks.plainUrlsInErrors) description = description.replace(/url=URL\('([^']*)'\)/g, "url='$1'");
    const code = this.profile.tasks.errorCodes ? taskErrorCode(description) : undefined;
    return code ? { description: `[${code}] ${description}`, code } : { description };
  }

  renderTask(task: Task, options: { createdBy?: boolean } = {}): JsonObject {
    return renderTask(task, this.#taskView, options);
  }

  /** The 404 of a missing object; an id that is no UUID fails Django's lookup before the model is named. */
  notFound(model: string, id?: string): HttpError {
    return notFound(
      id !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
        ? 'Not found.'
        : this.profile.notFound(model),
    );
  }

  close(): void {
    this.tasks.close();
  }

  status(): JsonObject {
    return serverStatus(this, this.workers);
  }

  handle(call: Call): Reply {
    const collection = call.match.route.collectionPath ?? call.match.route.template;
    const prefix = operationPrefix(collection);
    const action = call.op.id.startsWith(`${prefix}_`) ? call.op.id.slice(prefix.length + 1) : call.op.id;
    const ctx = renderContext(this, call);
    const endpoint = endpointAt(collection);
    if (endpoint) return endpointAction(this, call, ctx, endpoint, action);
    const family = GENERIC_FAMILIES[collection];
    if (family && action === 'list') {
      return ok(objectList(this, call, ctx, this.store.listFamily(family), call.op));
    }
    if (collection.startsWith(`${V3}content/`)) return contentAnswer(this, call, contentTypeAt(collection), action);
    switch (call.op.id) {
      case 'repository_versions_list':
        return ok(
          versionList(
            this,
            call,
            [...this.store.listFamily('repositories')].flatMap((r) => [...(r.versions?.values() ?? [])]),
          ),
        );
      case 'tasks_list':
        return ok(taskList(this, call));
      case 'tasks_read':
        return ok(selectFields(this.renderTask(taskAt(this, call)), call.query));
      case 'tasks_cancel':
        return cancelTask(this, call);
      case 'tasks_delete': {
        const task = taskAt(this, call);
        if (!isFinal(task)) return { status: 409, body: undefined };
        this.tasks.delete(task);
        return { status: 204, body: undefined };
      }
      case 'workers_list':
        // Every emulated worker heartbeats: `online` and `missing` are computed filters, not fields.
        return ok(
          listResponse(listRequest(this, call), {
            items: this.workers,
            value: (w, f) => (f === 'online' ? true : f === 'missing' ? false : renderWorker(this, w)[f]),
            render: (w) => renderWorker(this, w),
          }),
        );
      case 'workers_read': {
        const worker = this.workers.find((w) => w.id === call.match.ids[0]);
        if (!worker) throw this.notFound('AppStatus', call.match.ids[0]);
        return ok(selectFields(renderWorker(this, worker), call.query));
      }
    }
    throw new HttpError(501, { detail: `The Pulp emulator does not implement ${call.op.id}.` });
  }

  /**
   * Creates an object the way its POST would (same validation and defaults), without HTTP or a
   * task: for tests and benchmarks that need many objects quickly.
   */
  seed(collectionPath: string, body: JsonObject): PulpObject {
    const endpoint = endpointAt(collectionPath);
    if (!endpoint) throw new Error(`the emulator has no endpoint ${collectionPath}`);
    const data = deserialize(serializerFor(this, endpoint, operationOf(this.doc, endpoint, 'create'), 'create'), body, 'create');
    if (endpoint.family !== 'publications') return createObject(this, endpoint, data);
    const version = this.store.version(data['repository_version'] as string) as RepositoryVersion;
    return publishVersion(this.store, endpoint, version, publicationOptions(this.profile, endpoint, version.repository, data)).publication;
  }

  /** `POST /_emulator/registry_push`: what `skopeo copy` into the registry leaves behind. */
  registryPush(name: string, tag: string): PulpObject {
    return this.pushes.pushSteps(name, tag, (t, present) => this.options.content.push(t, present));
  }

  /** The files served under `/pulp/content/<basePath>/`: the distribution's publication, or its repository's newest one. */
  servedFiles(basePath: string): PublishedFiles | null {
    const distribution = this.store.byBasePath(basePath);
    if (!distribution || distribution.endpoint.collectionPath === CONTAINER_DISTRIBUTIONS) return null;
    const publication = distribution.values['publication'];
    if (typeof publication === 'string') return this.store.get(publication)?.files ?? null;
    const repository = distribution.values['repository'];
    if (typeof repository !== 'string') return null;
    let newest: { publication: PulpObject; number: number } | undefined;
    for (const p of this.store.listFamily('publications')) {
      const version = this.store.version(String(p.values['repository_version']));
      if (version?.repository.href !== repository) continue;
      if (!newest || version.number > newest.number || (version.number === newest.number && p.createdAt > newest.publication.createdAt)) {
        newest = { publication: p, number: version.number };
      }
    }
    return newest?.publication.files ?? null;
  }

  /** What the registry serves at `/v2/<name>/`: the container distribution's version (or its repository's latest). */
  registryRepository(name: string): RegistryRepository | null {
    const distribution = this.store.byBasePath(name);
    if (distribution?.endpoint.collectionPath !== CONTAINER_DISTRIBUTIONS) return null;
    const pinned = distribution.values['repository_version'];
    const repository = distribution.values['repository'];
    const version =
      typeof pinned === 'string'
        ? this.store.version(pinned)
        : typeof repository === 'string'
          ? this.store.latestVersion(this.store.get(repository) as PulpObject)
          : undefined;
    return { units: [...(version?.units.values() ?? [])].map((u) => u.unit), private: distribution.values['private'] === true };
  }

  registryCatalog(): string[] {
    return [...this.store.list(CONTAINER_DISTRIBUTIONS)].map((d) => String(d.values['base_path']));
  }
}
