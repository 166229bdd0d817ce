import { isDeepStrictEqual } from 'node:util';
import type { JsonObject } from '../model/json.js';
import type { ObjectSchema, Operation } from './api-doc.js';
import {
  type Call,
  type PulpState,
  type Reply,
  dispatch,
  objectAt,
  ok,
  operationOf,
  renderStored,
  serializerFor,
  versionAt,
  versionContext,
} from './calls.js';
import { CONTAINER_DISTRIBUTIONS, CONTAINER_PUSH_REPOSITORIES, CONTAINER_REPOSITORIES, NAMESPACES, type Endpoint } from './endpoints.js';
import { HtmlError, HttpError, ValidationError, pythonErrorRepr } from './errors.js';
import { validateLabels } from './labels.js';
import { applyRetention, deleteObject } from './lifecycle.js';
import { objectList, versionList } from './list-endpoints.js';
import { selectFields } from './lists.js';
import { distributionLocks, locks } from './locks.js';
import { modifySerializer, modifyWork } from './modify.js';
import { publicationOptions, publishVersion } from './publishing.js';
import { jsonbOrder } from './jsonb.js';
import { type RenderContext, renderVersion } from './render.js';
import { deleteVersion, sync } from './repository-endpoints.js';
import { type Mode, deserialize, fieldsFromSchema, isPlainObject } from './serializer.js';
import type { PulpObject, RepositoryVersion } from './store.js';
import { TaskFailure } from './tasks.js';

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

/** An operation of an object endpoint (a remote, repository, publication, distribution, ...), by its action. */
export function endpointAction(pulp: PulpState, call: Call, ctx: RenderContext, endpoint: Endpoint, action: string): Reply {
  switch (action) {
    case 'list':
      return ok(objectList(pulp, call, ctx, pulp.store.list(endpoint.collectionPath), call.op));
    case 'read':
      return ok(selectFields(renderStored(ctx, objectAt(pulp, endpoint, call)), call.query));
    case 'create':
      return create(pulp, call, ctx, endpoint);
    case 'update':
    case 'partial_update':
      return update(pulp, call, ctx, endpoint, action === 'update' ? 'update' : 'partial');
    case 'delete':
      return destroy(pulp, call, endpoint);
    case 'sync':
      return sync(pulp, call, endpoint);
    case 'modify': {
      const repository = objectAt(pulp, endpoint, call);
      const data = deserialize(modifySerializer(pulp, call.op.requestSchema as ObjectSchema), call.body, 'create');
      return dispatch(pulp, call, modifyWork(pulp, repository, data));
    }
    case 'versions_list': {
      const repository = objectAt(pulp, endpoint, call);
      return ok(versionList(pulp, call, [...(repository.versions?.values() ?? [])]));
    }
    case 'versions_read':
      return ok(selectFields(renderVersion(versionContext(pulp), versionAt(pulp, endpoint, call)), call.query));
    case 'versions_delete':
      return deleteVersion(pulp, call, endpoint);
    case 'set_label':
    case 'unset_label':
      return labelAction(pulp, call, endpoint, action);
  }
  throw new HttpError(501, { detail: `The Pulp emulator does not implement ${call.op.id}.` });
}

function create(pulp: PulpState, call: Call, ctx: RenderContext, endpoint: Endpoint): Reply {
  const spec = serializerFor(pulp, endpoint, call.op, 'create');
  const data = deserialize(spec, call.body, 'create');
  switch (endpoint.family) {
    case 'distributions':
      return dispatch(pulp, call, {
        name: 'pulpcore.app.tasks.base.general_create',
        ...distributionLocks(pulp.profile, undefined, true),
        run: () => {
          const fresh = revalidate(pulp, endpoint, call.op, 'create', call.body);
          const created = createObject(pulp, endpoint, fresh);
          return { createdResources: [created.href], ...taskResult(pulp, ctx, created) };
        },
      });
    case 'publications': {
      const version = pulp.store.version(data['repository_version'] as string) as RepositoryVersion;
      // `RpmRepository.objects.get(pk=...)` in the view: another plugin's repository is a 500.
      if (!endpoint.accepts.includes(version.repository.endpoint.pulpType)) throw new HtmlError(500);
      return dispatch(pulp, call, {
        name: endpoint.taskName as string,
        exclusive: [],
        shared: [version.repository.href],
        run: () => {
          const current = pulp.store.version(version.href);
          if (!current) throw new TaskFailure('RepositoryVersion matching query does not exist.');
          const { publication, reports } = publishVersion(
            pulp.store,
            endpoint,
            current,
            publicationOptions(pulp.profile, endpoint, current.repository, data),
          );
          return {
            createdResources: [publication.href],
            progressReports: reports,
            ...(PUBLISH_RETURNS_PUBLICATION.has(endpoint.pulpType) ? taskResult(pulp, ctx, publication) : {}),
          };
        },
      });
    }
    default: {
      const { stored, shown } = spec.save?.(data, 'create') ?? { stored: data };
      const obj = createObject(pulp, endpoint, stored);
      return {
        status: 201,
        body: { ...renderStored(ctx, obj), ...pick(shown ?? {}, renderStored(ctx, obj)) },
        headers: { Location: obj.href },
      };
    }
  }
}

/** Creates an object from validated data, filling model defaults; a repository gets its version 0. */
export function createObject(pulp: PulpState, endpoint: Endpoint, data: JsonObject): PulpObject {
  const values: JsonObject = {};
  const schema = operationOf(pulp.doc, endpoint, 'read').responseSchema;
  for (const p of schema?.properties ?? []) {
    if (!p.readOnly || p.default || p.name in MODEL_DEFAULTS)
      values[p.name] = structuredClone(MODEL_DEFAULTS[p.name] ?? p.default?.value ?? null);
  }
  const obj = pulp.store.create(endpoint, { ...values, ...data });
  if (endpoint.family === 'repositories') pulp.store.addVersion(obj, []);
  return obj;
}

/** A task re-runs the serializer on the state it finds, as pulpcore's general_create/update do; what it stores. */
function revalidate(pulp: PulpState, endpoint: Endpoint, op: Operation, mode: Mode, body: unknown, instance?: PulpObject): JsonObject {
  try {
    const spec = serializerFor(pulp, endpoint, op, mode, instance);
    const data = deserialize(spec, body, mode);
    return spec.save?.(data, mode === 'create' ? 'create' : mode).stored ?? data;
  } catch (e) {
    if (e instanceof HttpError) throw new TaskFailure(pythonErrorRepr(e.body));
    throw e;
  }
}

/** A task's `result` where the profile's tasks record one: the object it made or changed, as stored (jsonb). */
function taskResult(pulp: PulpState, ctx: RenderContext, obj: PulpObject, options: { partial?: boolean } = {}): { result?: JsonObject } {
  // Rendered by the task, which has no request: no host in registry_path.
  return pulp.profile.tasks.results ? { result: jsonbOrder(renderStored({ ...ctx, host: undefined }, obj, options)) as JsonObject } : {};
}

/** The object as a task finds it when it runs; it may have been deleted since the request. */
function currentObject(pulp: PulpState, endpoint: Endpoint, obj: PulpObject): PulpObject {
  const current = pulp.store.get(obj.href);
  if (!current) throw new TaskFailure(`${endpoint.model} matching query does not exist.`);
  return current;
}

function update(pulp: PulpState, call: Call, ctx: RenderContext, endpoint: Endpoint, mode: Mode): Reply {
  const obj = objectAt(pulp, endpoint, call);
  const validated = deserialize(serializerFor(pulp, endpoint, call.op, mode, obj), call.body, mode);
  if (endpoint.family === 'contentguards') {
    // Content guards are plain DRF model views: updated at once, answered 200 with the object.
    pulp.store.update(obj, validated);
    return ok(renderStored(ctx, obj));
  }
  const partial = mode === 'partial';
  if (pulp.profile.updates.noOpAnswersObject && Object.entries(validated).every(([k, v]) => isDeepStrictEqual(obj.values[k] ?? null, v))) {
    return ok(renderStored(ctx, obj, { partial }));
  }
  const body = isPlainObject(call.body) ? call.body : {};
  const basePathMayChange = !('base_path' in body) || body['base_path'] !== obj.values['base_path'];
  return dispatch(pulp, call, {
    name: pulp.profile.tasks.updateName,
    ...locks(pulp.profile, endpoint, obj, 'base_path' in body && basePathMayChange),
    immediate: true,
    run: () => {
      const current = currentObject(pulp, endpoint, obj);
      const data = revalidate(pulp, endpoint, call.op, mode, call.body, current);
      pulp.store.update(current, data);
      if (endpoint.family === 'repositories' && 'retain_repo_versions' in data) applyRetention(pulp.store, current, pulp.profile);
      return taskResult(pulp, ctx, current, { partial });
    },
  });
}

function destroy(pulp: PulpState, call: Call, endpoint: Endpoint): Reply {
  const obj = objectAt(pulp, endpoint, call);
  if (endpoint.family === 'publications' || endpoint.family === 'contentguards') {
    deleteObject(pulp.store, obj);
    return { status: 204, body: undefined };
  }
  if (endpoint.collectionPath === CONTAINER_DISTRIBUTIONS || endpoint.collectionPath === NAMESPACES) {
    const doomed = endpoint.collectionPath === NAMESPACES ? [...namespaceDistributions(pulp, obj), obj] : [obj];
    const withPushRepositories = doomed.flatMap((o) => {
      const repository = o.endpoint.family === 'distributions' ? pulp.store.get(String(o.values['repository'])) : undefined;
      return repository && goesWithDistribution(pulp, repository) ? [o, repository] : [o];
    });
    return dispatch(pulp, call, {
      name: 'pulpcore.app.tasks.base.general_multi_delete',
      exclusive: withPushRepositories.map((o) => o.href),
      run: () => {
        for (const o of withPushRepositories) if (pulp.store.get(o.href)) deleteObject(pulp.store, o);
        return {};
      },
    });
  }
  return dispatch(pulp, call, {
    name: pulp.profile.tasks.deleteName,
    ...locks(pulp.profile, endpoint, obj, false),
    // Remotes and repositories cascade too much to be deleted inside the request.
    immediate: endpoint.family !== 'remotes' && endpoint.family !== 'repositories',
    run: () => {
      deleteObject(pulp.store, currentObject(pulp, endpoint, obj));
      return {};
    },
  });
}

/**
 * `set_label` / `unset_label` (core 3.33+): one label changed at once, in SQL, so
 * pulp_last_updated does not move; answered 201 with the key and value.
 */
function labelAction(pulp: PulpState, call: Call, endpoint: Endpoint, action: 'set_label' | 'unset_label'): Reply {
  const obj = objectAt(pulp, endpoint, call);
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
        if (action === 'set_label' && pulp.profile.labels.setLabelChecksRule)
          validateLabels({ [d['key'] as string]: d['value'] ?? null }, pulp.profile);
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
function goesWithDistribution(pulp: PulpState, repository: PulpObject): boolean {
  if (repository.endpoint.collectionPath === CONTAINER_PUSH_REPOSITORIES) return true;
  if (
    pulp.profile.container.distributionDeleteTakes !== 'sole-container-repository' ||
    repository.endpoint.collectionPath !== CONTAINER_REPOSITORIES
  )
    return false;
  return [...pulp.store.list(CONTAINER_DISTRIBUTIONS)].filter((d) => d.values['repository'] === repository.href).length <= 1;
}

function namespaceDistributions(pulp: PulpState, namespace: PulpObject): PulpObject[] {
  return [...pulp.store.list(CONTAINER_DISTRIBUTIONS)].filter((d) => d.values['namespace'] === namespace.href);
}

/** The entries of `values` whose keys the rendered object has (an answer shows only its fields). */
function pick(values: JsonObject, rendered: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(values).filter(([k]) => k in rendered));
}
