import type { Json, JsonObject } from '../model/json.js';
import type { ApiDocument, HttpMethod, Operation, RouteMatch } from './api-doc.js';
import type { ContentBackend } from './backend.js';
import { type Endpoint, hrefPath, operationPrefix } from './endpoints.js';
import type { HttpError } from './errors.js';
import type { ListRequest, Query } from './lists.js';
import type { PulpProfile } from './profiles.js';
import { type RenderContext, renderObject } from './render.js';
import type { Mode } from './serializer.js';
import type { PulpObject, RepositoryVersion, Store } from './store.js';
import type { SyncHost } from './sync.js';
import type { Task, TaskRunner, TaskWork } from './tasks.js';
import { type ValidationContext, objectSerializer } from './validation.js';

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

/**
 * The emulated server as the modules answering its REST operations see it (the Pulp class):
 * they are split by resource, and all work on this one state.
 */
export interface PulpState extends ValidationContext {
  readonly doc: ApiDocument;
  readonly store: Store;
  readonly profile: PulpProfile;
  readonly options: PulpOptions;
  readonly tasks: TaskRunner;
  /** The default domain's id, which 3.43+ tasks hold shared. */
  readonly domainId: string;
  readonly syncHost: SyncHost;
  prnOf(href: string): string;
  notFound(model: string, id?: string): HttpError;
  renderTask(task: Task, options?: { createdBy?: boolean }): JsonObject;
}

export const V3 = '/pulp/api/v3/';

export function ok(body: Json): Reply {
  return { status: 200, body };
}

export function pathOf(href: string): string {
  return hrefPath(href) ?? href;
}

export function dispatch(pulp: PulpState, call: Call, work: TaskWork): Reply {
  const task = pulp.tasks.dispatch(work, call.loggingCid);
  return { status: 202, body: { task: task.href } };
}

export function versionContext(pulp: PulpState): Pick<RenderContext, 'doc' | 'store' | 'prnOf'> {
  return { doc: pulp.doc, store: pulp.store, prnOf: (href: string) => pulp.prnOf(href) };
}

export function renderContext(pulp: PulpState, call: Call): RenderContext {
  return {
    doc: pulp.doc,
    store: pulp.store,
    contentOrigin: pulp.options.contentOrigin,
    host: call.host,
    prnOf: (href) => pulp.prnOf(href),
    profile: pulp.profile,
  };
}

export function listRequest(pulp: PulpState, call: Call): ListRequest {
  return {
    op: call.op,
    query: call.query,
    origin: call.origin,
    path: call.path,
    dateTimes: pulp.profile.filters.dateTimes,
    labelSelect: pulp.profile.labels.select,
  };
}

export function operationOf(doc: ApiDocument, endpoint: Endpoint, action: string): Operation {
  const op = doc.operation(`${operationPrefix(endpoint.collectionPath)}_${action}`);
  if (!op) throw new Error(`no ${action} operation for ${endpoint.collectionPath}`);
  return op;
}

export function objectAt(pulp: PulpState, endpoint: Endpoint, call: Call): PulpObject {
  const obj = pulp.store.get(`${endpoint.collectionPath}${call.match.ids[0]}/`);
  if (!obj) throw pulp.notFound(endpoint.model, call.match.ids[0]);
  return obj;
}

export function versionAt(pulp: PulpState, endpoint: Endpoint, call: Call): RepositoryVersion {
  const repository = objectAt(pulp, endpoint, call);
  const number = call.match.ids[1] ?? '';
  const version = /^\d+$/.test(number) ? repository.versions?.get(Number(number)) : undefined;
  if (!version) throw pulp.notFound('RepositoryVersion');
  return version;
}

/** An object as its read operation answers it. */
export function renderStored(ctx: RenderContext, obj: PulpObject, options: { partial?: boolean } = {}): JsonObject {
  const schema = operationOf(ctx.doc, obj.endpoint, 'read').responseSchema;
  return schema ? renderObject(ctx, obj, schema, options) : {};
}

export function serializerFor(pulp: PulpState, endpoint: Endpoint, op: Operation, mode: Mode, instance?: PulpObject) {
  const request = op.requestSchema;
  const response = operationOf(pulp.doc, endpoint, 'read').responseSchema;
  if (!request || !response) throw new Error(`${op.id} has no request or response schema`);
  return objectSerializer(pulp, endpoint, request, response, mode, instance);
}
