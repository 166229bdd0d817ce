import { statfsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import type { Json, JsonObject } from '../model/json.js';
import type { ApiDocument, HttpMethod, ObjectSchema, Operation, RouteMatch } from './api-doc.js';
import type { ContentBackend } from './backend.js';
import { isoMicros } from './clock.js';
import {
  CONTENT_TYPES,
  type ContentType,
  type PublishedFiles,
  type RegistryRepository,
  type UnitRef,
  contentTypeAt,
  unitMatchesFilter,
  unitOrderingValue,
} from './content/index.js';
import {
  CONTAINER_DISTRIBUTIONS,
  CONTAINER_PUSH_REPOSITORIES,
  CONTAINER_REPOSITORIES,
  NAMESPACES,
  type Endpoint,
  type Family,
  endpointAt,
  hrefPath,
  operationPrefix,
} from './endpoints.js';
import { HtmlError, HttpError, ValidationError, badRequestList, notFound, pythonErrorRepr, taskErrorCode } from './errors.js';
import { applyRetention, deleteObject, removeVersion, servedVersions } from './lifecycle.js';
import { type ListSpec, type Listable, Query, listResponse, selectFields } from './lists.js';
import { type RenderContext, fieldValue, renderObject, renderUnit, renderVersion } from './render.js';
import { type Mode, deserialize, fieldsFromSchema, isPlainObject } from './serializer.js';
import { validateLabels } from './labels.js';
import { modifySerializer, modifyWork } from './modify.js';
import { publicationOptions, publishVersion } from './publishing.js';
import { jsonbOrder } from './jsonb.js';
import { type PulpObject, type RepositoryVersion, Store, type StoredUnit } from './store.js';
import { Pushes } from './push.js';
import { type SyncHost, syncOptions, syncSerializer, syncWork } from './sync.js';
import type { PulpProfile } from './profiles.js';
import { type Task, TaskFailure, TaskRunner, type TaskView, type TaskWork, isFinal, renderTask } from './tasks.js';
import { objectSerializer } from './validation.js';

/** One API request, after routing and authentication. */
export interface Call {
  method: HttpMethod;
  path: string;
  query: Query;
  body: unknown;
  match: RouteMatch;
  op: Operation;
  /** `http://host:port` as the client addressed the server. */
  origin: string;
  host: string;
  loggingCid: string;
}

export interface Reply {
  status: number;
  body: Json | undefined;
  headers?: Record<string, string>;
}

export interface PulpOptions {
  contentOrigin: string;
  taskMs: number;
  content: ContentBackend;
  injectTaskFailure: () => boolean;
}

const V3 = '/pulp/api/v3/';
/** The lock every distribution task takes before core 3.85 (and shared since). */
const DISTRIBUTIONS_LOCK = '/api/v3/distributions/';
/** The lock of distribution tasks that may change a base path (core 3.85+ with PRN locking). */
const BASE_PATH_LOCK = 'distribution.base_path';
/** Defaults of model fields that the serializers do not declare (everything else defaults to null). */
const MODEL_DEFAULTS: JsonObject = {
  pulp_labels: {},
  repo_config: {},
  publish_upstream_release_fields: true,
  signing_service_release_overrides: {},
  package_signing_fingerprint_release_overrides: {},
  last_sync_details: {},
  checkpoint: false,
  tls_validation: true,
  retain_package_versions: 0,
  private: false,
  sync_sources: false,
  sync_udebs: false,
  sync_installer: false,
  ignore_missing_package_indices: false,
};
/** The publish tasks that return their publication (and so show it as the task's result on 3.116). */
const PUBLISH_RETURNS_PUBLICATION = new Set(['rpm.rpm', 'file.file']);
const PROTECTED_VERSION =
  'The repository version cannot be deleted because it (or its publications) are currently being used to distribute content. Please update the necessary distributions first.';
/** Relation filters whose value is an href that may be given as an absolute URL. */
const HREF_FILTERS = new Set(['remote', 'repository', 'repository__in', 'repository_version', 'publication', 'worker', 'worker__in', 'parent_task', 'task_group']);
/** The model family each relation filter's value must name. */
const RELATED_FAMILIES: Record<string, string> = {
  remote: 'remotes',
  repository: 'repositories',
  publication: 'publications',
  worker: 'workers',
  parent_task: 'tasks',
  task_group: 'task-groups',
};
const GENERIC_FAMILIES: Record<string, Family> = {
  [`${V3}remotes/`]: 'remotes',
  [`${V3}repositories/`]: 'repositories',
  [`${V3}publications/`]: 'publications',
  [`${V3}distributions/`]: 'distributions',
  [`${V3}contentguards/`]: 'contentguards',
};

interface Worker extends Listable {
  href: string;
  name: string;
}

/** The emulated Pulp server: objects, versions, tasks, and the REST operations on them. */
export class Pulp {
  readonly store: Store;
  readonly tasks: TaskRunner;
  readonly workers: Worker[];
  /** `docker push` into the registry (and `/_emulator/registry_push`). */
  readonly pushes: Pushes;
  /** The default domain's id, which 3.43+ tasks hold shared. */
  readonly domainId: string;
  readonly #syncHost: SyncHost;
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
    this.#syncHost = {
      store: this.store,
      content: options.content,
      lastSync: new Map(),
      profile,
      versionResult: (version) => jsonbOrder(renderVersion(this.#versionContext, version)) as JsonObject,
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
      record: (exclusive, shared) => this.#record(exclusive, shared),
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

  /** A task's `reserved_resources_record`: exclusive then shared, with the domain shared from 3.43 on. */
  #record(exclusive: string[], shared: string[]): string[] {
    const domainShared = this.profile.tasks.record === 'hrefs' ? [] : [`${V3}domains/${this.domainId}/`];
    const name = (key: string): string => {
      if (this.profile.tasks.record !== 'prns') return key;
      if (key === DISTRIBUTIONS_LOCK) return `pdrn:${this.domainId}:distributions`;
      if (key === BASE_PATH_LOCK) return `pdrn:${this.domainId}:distribution.base_path`;
      if (key === `${V3}domains/${this.domainId}/`) return `prn:core.domain:${this.domainId}`;
      return this.prnOf(key);
    };
    return [...exclusive.map(name), ...[...shared, ...domainShared.filter((d) => !exclusive.includes(d))].map((key) => `shared:${name(key)}`)];
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
    return notFound(id !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? 'Not found.' : this.profile.notFound(model));
  }

  close(): void {
    this.tasks.close();
  }

  status(): JsonObject {
    const now = this.store.clock.now();
    const { status } = this.profile;
    const app = (name: string): JsonObject => ({ name, last_heartbeat: now, ...(status.appVersions ? { versions: this.#componentVersions() } : {}) });
    return {
      versions: this.profile.components.map((c) => ({ ...c })),
      online_workers: this.workers.map((w) =>
        status.workerIdentity
          ? { pulp_href: w.href, pulp_created: isoMicros(w.createdAt), ...app(w.name), current_task: null }
          : app(w.name),
      ),
      // Two of each, as the two gunicorn workers of a default deployment register themselves.
      ...(status.apiApps ? { online_api_apps: [0, 1].map((i) => app(`${process.pid + 2 + i}@localhost`)) } : {}),
      online_content_apps: [0, 1].map((i) => app(`${process.pid + 4 + i}@localhost`)),
      database_connection: { connected: true },
      redis_connection: { connected: false },
      storage: storageStats(),
      content_settings: { content_origin: this.options.contentOrigin, content_path_prefix: '/pulp/content/' },
      domain_enabled: false,
    };
  }

  handle(call: Call): Reply {
    const collection = call.match.route.collectionPath ?? call.match.route.template;
    const prefix = operationPrefix(collection);
    const action = call.op.id.startsWith(`${prefix}_`) ? call.op.id.slice(prefix.length + 1) : call.op.id;
    const ctx = this.#renderContext(call);
    const endpoint = endpointAt(collection);
    if (endpoint) return this.#endpointAction(call, ctx, endpoint, action);
    const family = GENERIC_FAMILIES[collection];
    if (family && action === 'list') {
      return ok(this.#list(call, ctx, this.store.listFamily(family), call.op));
    }
    if (collection.startsWith(`${V3}content/`)) return this.#content(call, contentTypeAt(collection), action);
    switch (call.op.id) {
      case 'repository_versions_list':
        return ok(this.#versionList(call, [...this.store.listFamily('repositories')].flatMap((r) => [...(r.versions?.values() ?? [])])));
      case 'tasks_list':
        return ok(this.#taskList(call));
      case 'tasks_read':
        return ok(selectFields(this.renderTask(this.#task(call)), call.query));
      case 'tasks_cancel':
        return this.#cancelTask(call);
      case 'tasks_delete': {
        const task = this.#task(call);
        if (!isFinal(task)) return { status: 409, body: undefined };
        this.tasks.delete(task);
        return { status: 204, body: undefined };
      }
      case 'workers_list':
        // Every emulated worker heartbeats: `online` and `missing` are computed filters, not fields.
        return ok(listResponse(this.#listRequest(call), { items: this.workers, value: (w, f) => (f === 'online' ? true : f === 'missing' ? false : this.#renderWorker(w)[f]), render: (w) => this.#renderWorker(w) }));
      case 'workers_read': {
        const worker = this.workers.find((w) => w.id === call.match.ids[0]);
        if (!worker) throw this.notFound('AppStatus', call.match.ids[0]);
        return ok(selectFields(this.#renderWorker(worker), call.query));
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
    const data = deserialize(this.#serializer(endpoint, this.#op(endpoint, 'create'), 'create'), body, 'create');
    if (endpoint.family !== 'publications') return this.#createObject(endpoint, data);
    const version = this.store.version(data['repository_version'] as string) as RepositoryVersion;
    return publishVersion(this.store, endpoint, version, publicationOptions(this.profile, endpoint, version.repository, data)).publication;
  }

  get #versionContext() {
    return { doc: this.doc, store: this.store, prnOf: (href: string) => this.prnOf(href) };
  }

  #renderContext(call: Call): RenderContext {
    return { doc: this.doc, store: this.store, contentOrigin: this.options.contentOrigin, host: call.host, prnOf: (href) => this.prnOf(href), profile: this.profile };
  }

  #listRequest(call: Call) {
    return { op: call.op, query: call.query, origin: call.origin, path: call.path, dateTimes: this.profile.filters.dateTimes, labelSelect: this.profile.labels.select };
  }

  #renderWorker(w: Worker): JsonObject {
    const value = (field: string): Json => {
      switch (field) {
        case 'pulp_href':
          return w.href;
        case 'prn':
          return `prn:core.appstatus:${w.id}`;
        case 'pulp_created':
        case 'pulp_last_updated':
          return isoMicros(w.createdAt);
        case 'name':
          return w.name;
        case 'last_heartbeat':
          return this.store.clock.now();
        case 'versions':
          return this.#componentVersions();
        default:
          return null;
      }
    };
    return Object.fromEntries(this.doc.schema('WorkerResponse').properties.map((p) => [p.name, value(p.name)]));
  }

  /** `{component: version}` as apps record it (a jsonb column). */
  #componentVersions(): JsonObject {
    return jsonbOrder(Object.fromEntries(this.profile.components.map((c) => [c.component, c.version]))) as JsonObject;
  }


  #op(endpoint: Endpoint, action: string): Operation {
    const op = this.doc.operation(`${operationPrefix(endpoint.collectionPath)}_${action}`);
    if (!op) throw new Error(`no ${action} operation for ${endpoint.collectionPath}`);
    return op;
  }

  #object(endpoint: Endpoint, call: Call): PulpObject {
    const obj = this.store.get(`${endpoint.collectionPath}${call.match.ids[0]}/`);
    if (!obj) throw this.notFound(endpoint.model, call.match.ids[0]);
    return obj;
  }

  #render(ctx: RenderContext, obj: PulpObject, options: { partial?: boolean } = {}): JsonObject {
    const schema = this.#op(obj.endpoint, 'read').responseSchema;
    return schema ? renderObject(ctx, obj, schema, options) : {};
  }

  #serializer(endpoint: Endpoint, op: Operation, mode: Mode, instance?: PulpObject) {
    const request = op.requestSchema;
    const response = this.#op(endpoint, 'read').responseSchema;
    if (!request || !response) throw new Error(`${op.id} has no request or response schema`);
    return objectSerializer(this, endpoint, request, response, mode, instance);
  }

  #dispatch(call: Call, work: TaskWork): Reply {
    const task = this.tasks.dispatch(work, call.loggingCid);
    return { status: 202, body: { task: task.href } };
  }

  #endpointAction(call: Call, ctx: RenderContext, endpoint: Endpoint, action: string): Reply {
    switch (action) {
      case 'list':
        return ok(this.#list(call, ctx, this.store.list(endpoint.collectionPath), call.op));
      case 'read':
        return ok(selectFields(this.#render(ctx, this.#object(endpoint, call)), call.query));
      case 'create':
        return this.#create(call, ctx, endpoint);
      case 'update':
      case 'partial_update':
        return this.#update(call, ctx, endpoint, action === 'update' ? 'update' : 'partial');
      case 'delete':
        return this.#delete(call, endpoint);
      case 'sync':
        return this.#sync(call, endpoint);
      case 'modify': {
        const repository = this.#object(endpoint, call);
        const data = deserialize(modifySerializer(this, call.op.requestSchema as ObjectSchema), call.body, 'create');
        return this.#dispatch(call, modifyWork(this, repository, data));
      }
      case 'versions_list': {
        const repository = this.#object(endpoint, call);
        return ok(this.#versionList(call, [...(repository.versions?.values() ?? [])]));
      }
      case 'versions_read':
        return ok(selectFields(renderVersion(this.#versionContext, this.#version(endpoint, call)), call.query));
      case 'versions_delete':
        return this.#deleteVersion(call, endpoint);
      case 'set_label':
      case 'unset_label':
        return this.#labelAction(call, endpoint, action);
    }
    throw new HttpError(501, { detail: `The Pulp emulator does not implement ${call.op.id}.` });
  }

  #list(call: Call, ctx: RenderContext, items: Iterable<PulpObject>, op: Operation): JsonObject {
    const schema = op.responseSchema;
    const special: ListSpec<PulpObject>['special'] = {
      'namespace__name': (value) => (d) => this.store.get(String(d.values['namespace']))?.values['name'] === value,
    };
    const inPublishedVersion = holdsContent((p: PulpObject) => this.store.version(String(p.values['repository_version']))?.units);
    special['content'] = inPublishedVersion;
    special['content__in'] = inPublishedVersion;
    // Repositories whose latest (or any) version holds the content unit named.
    const withContent = (versions: (repository: PulpObject) => RepositoryVersion[]) => (value: string) => {
      const unit = this.#resource(value, 'Content');
      return (repository: PulpObject) => versions(repository).some((v) => v.units.has(unit));
    };
    special['latest_with_content'] = withContent((r) => [this.store.latestVersion(r)].filter((v) => v !== undefined));
    special['with_content'] = withContent((r) => [...(r.versions?.values() ?? [])]);
    return listResponse(this.#listRequest(call), {
      items,
      value: (obj, field) => fieldValue(ctx, obj, field),
      special: this.#hrefFilters(special, (obj, field) => fieldValue(ctx, obj, field)),
      render: (obj) => (schema ? renderObject(ctx, obj, schema) : {}),
    });
  }

  #versionList(call: Call, versions: RepositoryVersion[]): JsonObject {
    const items = versions.map((v) => ({ id: v.href, createdAt: v.createdAt, version: v }));
    const membership = holdsContent((item: (typeof items)[number]) => item.version.units);
    return listResponse(this.#listRequest(call), {
      items,
      value: (item, field) => (field === 'number' ? item.version.number : field === 'pulp_created' ? isoMicros(item.createdAt) : undefined),
      special: { content: membership, content__in: membership },
      render: (item) => renderVersion(this.#versionContext, item.version),
    });
  }

  #version(endpoint: Endpoint, call: Call): RepositoryVersion {
    const repository = this.#object(endpoint, call);
    const number = call.match.ids[1] ?? '';
    const version = /^\d+$/.test(number) ? repository.versions?.get(Number(number)) : undefined;
    if (!version) throw this.notFound('RepositoryVersion');
    return version;
  }

  #create(call: Call, ctx: RenderContext, endpoint: Endpoint): Reply {
    const spec = this.#serializer(endpoint, call.op, 'create');
    const data = deserialize(spec, call.body, 'create');
    switch (endpoint.family) {
      case 'distributions':
        return this.#dispatch(call, {
          name: 'pulpcore.app.tasks.base.general_create',
          ...this.#distributionLocks(undefined, true),
          run: () => {
            const fresh = this.#revalidate(endpoint, call.op, 'create', call.body);
            const created = this.#createObject(endpoint, fresh);
            return { createdResources: [created.href], ...this.#result(ctx, created) };
          },
        });
      case 'publications': {
        const version = this.store.version(data['repository_version'] as string) as RepositoryVersion;
        // `RpmRepository.objects.get(pk=...)` in the view: another plugin's repository is a 500.
        if (!endpoint.accepts.includes(version.repository.endpoint.pulpType)) throw new HtmlError(500);
        return this.#dispatch(call, {
          name: endpoint.taskName as string,
          exclusive: [],
          shared: [version.repository.href],
          run: () => {
            const current = this.store.version(version.href);
            if (!current) throw new TaskFailure('RepositoryVersion matching query does not exist.');
            const { publication, reports } = publishVersion(this.store, endpoint, current, publicationOptions(this.profile, endpoint, current.repository, data));
            return { createdResources: [publication.href], progressReports: reports, ...(PUBLISH_RETURNS_PUBLICATION.has(endpoint.pulpType) ? this.#result(ctx, publication) : {}) };
          },
        });
      }
      default: {
        const { stored, shown } = spec.save?.(data, 'create') ?? { stored: data };
        const obj = this.#createObject(endpoint, stored);
        return { status: 201, body: { ...this.#render(ctx, obj), ...pick(shown ?? {}, this.#render(ctx, obj)) }, headers: { Location: obj.href } };
      }
    }
  }

  /** Creates an object from validated data, filling model defaults; a repository gets its version 0. */
  #createObject(endpoint: Endpoint, data: JsonObject): PulpObject {
    const values: JsonObject = {};
    const schema = this.#op(endpoint, 'read').responseSchema;
    for (const p of schema?.properties ?? []) {
      if (!p.readOnly || p.default || p.name in MODEL_DEFAULTS) values[p.name] = structuredClone(MODEL_DEFAULTS[p.name] ?? p.default?.value ?? null);
    }
    const obj = this.store.create(endpoint, { ...values, ...data });
    if (endpoint.family === 'repositories') this.store.addVersion(obj, []);
    return obj;
  }

  /** A task re-runs the serializer on the state it finds, as pulpcore's general_create/update do; what it stores. */
  #revalidate(endpoint: Endpoint, op: Operation, mode: Mode, body: unknown, instance?: PulpObject): JsonObject {
    try {
      const spec = this.#serializer(endpoint, op, mode, instance);
      const data = deserialize(spec, body, mode);
      return spec.save?.(data, mode === 'create' ? 'create' : mode).stored ?? data;
    } catch (e) {
      if (e instanceof HttpError) throw new TaskFailure(pythonErrorRepr(e.body));
      throw e;
    }
  }

  /** A task's `result` where the profile's tasks record one: the object it made or changed, as stored (jsonb). */
  #result(ctx: RenderContext, obj: PulpObject, options: { partial?: boolean } = {}): { result?: JsonObject } {
    // Rendered by the task, which has no request: no host in registry_path.
    return this.profile.tasks.results ? { result: jsonbOrder(this.#render({ ...ctx, host: undefined }, obj, options)) as JsonObject } : {};
  }

  /** What an update or delete task reserves: the object, or what the profile's distribution tasks lock. */
  #locks(endpoint: Endpoint, obj: PulpObject, basePathMayChange: boolean): { exclusive: string[]; shared: string[] } {
    return endpoint.family === 'distributions' ? this.#distributionLocks(obj, basePathMayChange) : { exclusive: [obj.href], shared: [] };
  }

  /** pulpcore's distribution reservations: one lock for all, or the object plus the base-path lock when the path may change. */
  #distributionLocks(obj: PulpObject | undefined, basePathMayChange: boolean): { exclusive: string[]; shared: string[] } {
    if (this.profile.tasks.distributionLocks === 'all-distributions') return { exclusive: [DISTRIBUTIONS_LOCK], shared: [] };
    const exclusive = obj ? [obj.href] : [];
    if (basePathMayChange) exclusive.push(BASE_PATH_LOCK);
    return { exclusive, shared: [DISTRIBUTIONS_LOCK] };
  }

  /** The object as a task finds it when it runs; it may have been deleted since the request. */
  #current(endpoint: Endpoint, obj: PulpObject): PulpObject {
    const current = this.store.get(obj.href);
    if (!current) throw new TaskFailure(`${endpoint.model} matching query does not exist.`);
    return current;
  }

  #update(call: Call, ctx: RenderContext, endpoint: Endpoint, mode: Mode): Reply {
    const obj = this.#object(endpoint, call);
    const validated = deserialize(this.#serializer(endpoint, call.op, mode, obj), call.body, mode);
    if (endpoint.family === 'contentguards') {
      // Content guards are plain DRF model views: updated at once, answered 200 with the object.
      this.store.update(obj, validated);
      return ok(this.#render(ctx, obj));
    }
    const partial = mode === 'partial';
    if (this.profile.updates.noOpAnswersObject && Object.entries(validated).every(([k, v]) => isDeepStrictEqual(obj.values[k] ?? null, v))) {
      return ok(this.#render(ctx, obj, { partial }));
    }
    const body = isPlainObject(call.body) ? call.body : {};
    const basePathMayChange = !('base_path' in body) || body['base_path'] !== obj.values['base_path'];
    return this.#dispatch(call, {
      name: this.profile.tasks.updateName,
      ...this.#locks(endpoint, obj, 'base_path' in body && basePathMayChange),
      immediate: true,
      run: () => {
        const current = this.#current(endpoint, obj);
        const data = this.#revalidate(endpoint, call.op, mode, call.body, current);
        this.store.update(current, data);
        if (endpoint.family === 'repositories' && 'retain_repo_versions' in data) applyRetention(this.store, current, this.profile);
        return this.#result(ctx, current, { partial });
      },
    });
  }

  #delete(call: Call, endpoint: Endpoint): Reply {
    const obj = this.#object(endpoint, call);
    if (endpoint.family === 'publications' || endpoint.family === 'contentguards') {
      deleteObject(this.store, obj);
      return { status: 204, body: undefined };
    }
    if (endpoint.collectionPath === CONTAINER_DISTRIBUTIONS || endpoint.collectionPath === NAMESPACES) {
      const doomed = endpoint.collectionPath === NAMESPACES ? [...this.#namespaceDistributions(obj), obj] : [obj];
      const withPushRepositories = doomed.flatMap((o) => {
        const repository = o.endpoint.family === 'distributions' ? this.store.get(String(o.values['repository'])) : undefined;
        return repository && this.#goesWithDistribution(repository) ? [o, repository] : [o];
      });
      return this.#dispatch(call, {
        name: 'pulpcore.app.tasks.base.general_multi_delete',
        exclusive: withPushRepositories.map((o) => o.href),
        run: () => {
          for (const o of withPushRepositories) if (this.store.get(o.href)) deleteObject(this.store, o);
          return {};
        },
      });
    }
    return this.#dispatch(call, {
      name: this.profile.tasks.deleteName,
      ...this.#locks(endpoint, obj, false),
      // Remotes and repositories cascade too much to be deleted inside the request.
      immediate: endpoint.family !== 'remotes' && endpoint.family !== 'repositories',
      run: () => {
        deleteObject(this.store, this.#current(endpoint, obj));
        return {};
      },
    });
  }

  /**
   * `set_label` / `unset_label` (core 3.33+): one label changed at once, in SQL, so
   * pulp_last_updated does not move; answered 201 with the key and value.
   */
  #labelAction(call: Call, endpoint: Endpoint, action: 'set_label' | 'unset_label'): Reply {
    const obj = this.#object(endpoint, call);
    const labels = (obj.values['pulp_labels'] ?? {}) as JsonObject;
    const fields = fieldsFromSchema(call.op.requestSchema as ObjectSchema);
    const key = fields.find((f) => f.name === 'key');
    if (action === 'unset_label') {
      key?.validators.push((value) => {
        if (!((value as string) in labels)) throw new ValidationError(`Label '${String(value)}' is not set on the object.`);
      });
    }
    const data = deserialize(
      {
        fields,
        known: new Set(['key', 'value']),
        validate: (d) => {
          if (action === 'set_label' && this.profile.labels.setLabelChecksRule) validateLabels({ [d['key'] as string]: d['value'] ?? null }, this.profile);
        },
      },
      call.body,
      'create',
    );
    const name = data['key'] as string;
    const next = { ...labels };
    if (action === 'set_label') next[name] = (data['value'] as string | null) ?? null;
    else delete next[name];
    obj.values['pulp_labels'] = next;
    return { status: 201, body: { key: name, value: action === 'set_label' ? (data['value'] ?? null) : (labels[name] ?? null) } };
  }

  /**
   * Whether deleting a container distribution deletes its repository: always a push repository,
   * and from container 2.29 a container repository it is the only distribution of.
   */
  #goesWithDistribution(repository: PulpObject): boolean {
    if (repository.endpoint.collectionPath === CONTAINER_PUSH_REPOSITORIES) return true;
    if (this.profile.container.distributionDeleteTakes !== 'sole-container-repository' || repository.endpoint.collectionPath !== CONTAINER_REPOSITORIES) return false;
    return [...this.store.list(CONTAINER_DISTRIBUTIONS)].filter((d) => d.values['repository'] === repository.href).length <= 1;
  }

  #namespaceDistributions(namespace: PulpObject): PulpObject[] {
    return [...this.store.list(CONTAINER_DISTRIBUTIONS)].filter((d) => d.values['namespace'] === namespace.href);
  }

  #deleteVersion(call: Call, endpoint: Endpoint): Reply {
    const version = this.#version(endpoint, call);
    const repository = version.repository;
    if (this.profile.repositoryVersions.protectServed && servedVersions(this.store, repository).has(version)) {
      throw new HttpError(400, [PROTECTED_VERSION]);
    }
    return this.#dispatch(call, {
      name: 'pulpcore.app.tasks.repository.delete_version',
      exclusive: [repository.href],
      run: () => {
        if (!repository.versions?.has(version.number)) throw new TaskFailure('RepositoryVersion matching query does not exist.');
        if (repository.versions.size <= 1) {
          const message = 'Cannot delete repository version. Repositories must have at least one repository version.';
          // A DRF ValidationError's repr before Pulp's coded exceptions, the plain message since.
          throw new TaskFailure(this.profile.tasks.errorCodes ? message : pythonErrorRepr([message]));
        }
        removeVersion(this.store, version);
        return {};
      },
    });
  }

  #sync(call: Call, endpoint: Endpoint): Reply {
    const repository = this.#object(endpoint, call);
    const request = call.op.requestSchema;
    if (!request) throw new Error(`${call.op.id} has no request schema`);
    const data = deserialize(syncSerializer(this, endpoint, repository, request), call.body, 'create');
    const remote = (data['remote'] as string | undefined) ?? (repository.values['remote'] as string);
    const options = syncOptions(this.profile, endpoint, repository, data);
    return this.#dispatch(call, syncWork(this.#syncHost, endpoint, repository, remote, options));
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

  #content(call: Call, contentType: ContentType | undefined, action: string): Reply {
    if (action === 'read') {
      const stored = this.store.unitAt(call.path);
      if (!stored || stored.unit.type !== contentType) throw this.notFound(contentType ? CONTENT_TYPES[contentType].model : 'Content', call.match.ids[0]);
      return ok(selectFields(renderUnit(this.#versionContext, stored, call.op.responseSchema, true), call.query));
    }
    if (action !== 'list') throw new HttpError(501, { detail: `The Pulp emulator does not implement ${call.op.id}.` });
    const generic = call.path === `${V3}content/`;
    const units = [...this.store.units()].filter((u) => generic || u.unit.type === contentType);
    const inVersion = (relation: 'present' | 'added' | 'removed') => (value: string) => {
      const version = this.store.version(pathOf(value));
      if (!version) throw badRequestList(`URI couldn't be resolved: ${value}`);
      const previous = this.store.previousVersion(version)?.units ?? new Map<string, StoredUnit>();
      return (u: StoredUnit) =>
        relation === 'present'
          ? version.units.has(u.href)
          : relation === 'added'
            ? version.units.has(u.href) && !previous.has(u.href)
            : previous.has(u.href) && !version.units.has(u.href);
    };
    const special: NonNullable<ListSpec<StoredUnit>['special']> = {
      repository_version: inVersion('present'),
      repository_version_added: inVersion('added'),
      repository_version_removed: inVersion('removed'),
    };
    const refs = {
      resolve: (ref: UnitRef) => this.store.unitByKey(ref.$unit.type, ref.$unit.key)?.unit,
      hrefOf: (ref: UnitRef) => this.store.unitByKey(ref.$unit.type, ref.$unit.key)?.href ?? '',
    };
    for (const filter of contentType ? CONTENT_TYPES[contentType].filters : []) {
      special[filter] = (value) => (u) => unitMatchesFilter(u.unit, filter, value, refs) === true;
    }
    return ok(
      listResponse(this.#listRequest(call), {
        items: units,
        value: (u, field) => (field === 'pulp_last_updated' ? isoMicros(u.createdAt) : unitOrderingValue(u.unit, field)),
        special,
        render: (u) => renderUnit(this.#versionContext, u, call.op.responseSchema, !generic),
      }),
    );
  }

  #task(call: Call): Task {
    const task = this.tasks.get(call.path);
    if (!task) throw this.notFound('Task', call.match.ids[0]);
    return task;
  }

  #taskList(call: Call): JsonObject {
    // pulpcore's ReservedResources(In)Filter: a task must hold every resource named.
    const has = (pick: (t: Task) => string[]) => (value: string) => {
      const wanted = value.split(',').map(pathOf);
      return (t: Task) => wanted.every((w) => pick(t).includes(w));
    };
    // A resource is named by its lock key (an href) or by what the record shows (a PRN on 3.116).
    const exclusive = (t: Task) => [...t.exclusive, ...t.record.filter((r) => !r.startsWith('shared:'))];
    const shared = (t: Task) => [...t.shared, ...t.record.filter((r) => r.startsWith('shared:')).map((r) => r.slice('shared:'.length))];
    return listResponse(this.#listRequest(call), {
      items: this.tasks.all(),
      value: (t, field) => this.renderTask(t)[field],
      special: this.#hrefFilters(
        {
          created_resources: (value) => {
            if (this.profile.tasks.createdResourcesUnresolvable404 && !this.doc.match(hrefPath(value) ?? value)) throw notFound('Not found.');
            const href = this.#resource(value);
            return (t: Task) => t.createdResources.includes(href);
          },
          reserved_resources_record: (value) => {
            if (!this.doc.match(hrefPath(value) ?? value)) throw badRequestList(`URI not valid: ${value}`);
            return (t: Task) => t.record.includes(value);
          },
          reserved_resources: has((t) => [...exclusive(t), ...shared(t)]),
          reserved_resources__in: has((t) => [...exclusive(t), ...shared(t)]),
          exclusive_resources: has(exclusive),
          exclusive_resources__in: has(exclusive),
          shared_resources: has(shared),
          shared_resources__in: has(shared),
        },
        (t, field) => this.renderTask(t)[field] ?? null,
      ),
      render: (t) => this.renderTask(t),
    });
  }

  /**
   * pulpcore's HyperlinkRelatedFilter for the relation filters of a list: "" and "null" ask for
   * objects without the relation; anything else must resolve to a view of the related model.
   */
  #hrefFilters<T extends Listable>(
    special: NonNullable<ListSpec<T>['special']>,
    value: (item: T, field: string) => Json | undefined,
  ): NonNullable<ListSpec<T>['special']> {
    const out = { ...special };
    out['pulp_href__in'] ??= (raw) => {
      const hrefs = raw.split(',').map((uri) => this.#resource(uri));
      return (item) => hrefs.includes(String(value(item, 'pulp_href')));
    };
    for (const name of HREF_FILTERS) {
      if (name in out) continue;
      const field = name.replace(/__in$/, '');
      out[name] = (raw) => {
        if (raw === '' || raw === 'null') return (item) => (value(item, field) ?? null) === null;
        if (field === 'worker' && this.profile.tasks.workerFilter === 'matches-nothing') return () => false;
        const wanted = (name.endsWith('__in') ? raw.split(',') : [raw]).map((uri) => this.#relatedFilterValue(field, uri));
        return (item) => {
          const related = String(value(item, field));
          return wanted.some((w) => related === w || (w.endsWith('/') && !/[0-9a-f]{8}-[0-9a-f]{4}-/.test(w) && related.startsWith(w)));
        };
      };
    }
    return out;
  }

  /** The href a relation filter compares, or the 400 pulpcore answers for a value that names no object of the field's model. */
  #relatedFilterValue(field: string, uri: string): string {
    const path = hrefPath(uri) ?? uri;
    const match = this.doc.match(path);
    if (!match) throw badRequestList(`URI couldn't be resolved: ${uri}`);
    // A version's view is keyed by repository and number: no pk to check.
    const isVersion = match.route.operations.get('GET')?.id.endsWith('_versions_read') ?? false;
    const pk = isVersion ? undefined : match.ids.at(-1);
    if (pk !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(pk)) {
      throw badRequestList(`UUID invalid: ${pk}`);
    }
    const family = RELATED_FAMILIES[field];
    const collection = match.route.collectionPath ?? match.route.template;
    if (family && !collection.startsWith(`${V3}${family}/`)) throw badRequestList(`URI is not a valid href for ${field} model: ${uri}`);
    return path;
  }

  /**
   * pulpcore's `NamedModelViewSet.get_resource` (created_resources, pulp_href__in): the one object
   * an href names, or the 400 saying why there is none.
   */
  #resource(uri: string, model?: 'Content'): string {
    const path = hrefPath(uri) ?? uri;
    const match = this.doc.match(path);
    if (!match) throw badRequestList(`URI not valid: ${uri}`);
    const name = (model ?? this.#modelAt(match.route.collectionPath ?? match.route.template, path)).toLowerCase();
    if (match.ids.length === 0) throw badRequestList(`URI ${uri} matches more than one ${name}.`);
    const exists = model === 'Content' ? this.store.unitAt(path) : this.store.get(path) ?? this.store.version(path) ?? this.tasks.get(path) ?? this.store.unitAt(path);
    if (!exists) throw badRequestList(`URI ${uri} not found for ${name}.`);
    return path;
  }

  #modelAt(collection: string, path: string): string {
    if (/\/versions\/[^/]+\/$/.test(path)) return 'RepositoryVersion';
    if (collection === `${V3}tasks/`) return 'Task';
    return endpointAt(collection)?.model ?? contentTypeAt(collection)?.split('.').pop() ?? 'Model';
  }

  #cancelTask(call: Call): Reply {
    const task = this.#task(call);
    const body = isPlainObject(call.body) ? call.body : {};
    const refuse = (message: string) => new HttpError(400, this.profile.tasks.cancelErrorField ? { state: [message] } : [message]);
    // 3.116 validates with TaskCancelSerializer: a missing state is the field's required error.
    if (!('state' in body)) throw refuse(this.profile.tasks.cancelErrorField ? 'This field is required.' : "'state' must be provided with the request.");
    if (body['state'] !== 'canceled') throw refuse("The only acceptable value for 'state' is 'canceled'.");
    this.tasks.cancel(task);
    const canceled = task.state === 'canceling' || task.state === 'canceled';
    return { status: canceled ? 200 : 409, body: this.renderTask(task, { createdBy: false }) };
  }
}

/** The entries of `values` whose keys the rendered object has (an answer shows only its fields). */
function pick(values: JsonObject, rendered: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(values).filter(([k]) => k in rendered));
}

function ok(body: Json): Reply {
  return { status: 200, body };
}

/** The `content` / `content__in` filters: items whose units include one of the given content hrefs. */
function holdsContent<T>(unitsOf: (item: T) => Map<string, StoredUnit> | undefined): (value: string) => (item: T) => boolean {
  return (value) => {
    const wanted = value.split(',').map(pathOf);
    return (item) => {
      const units = unitsOf(item);
      return wanted.some((href) => units?.has(href) ?? false);
    };
  };
}

function pathOf(href: string): string {
  return hrefPath(href) ?? href;
}

function storageStats(): JsonObject {
  try {
    const s = statfsSync(process.cwd());
    const total = s.blocks * s.bsize;
    const free = s.bavail * s.bsize;
    return { total, used: total - s.bfree * s.bsize, free };
  } catch {
    return { total: 0, used: 0, free: 0 };
  }
}
