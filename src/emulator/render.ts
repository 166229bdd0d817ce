import type { Json, JsonObject } from '../model/json.js';
import type { ApiDocument, ObjectSchema } from './api-doc.js';
import { isoMicros } from './clock.js';
import { CONTENT_TYPES, type ContentType, renderUnitFields } from './content/index.js';
import { operationPrefix } from './endpoints.js';
import type { PulpObject, RepositoryVersion, Store, StoredUnit } from './store.js';

/** Turns stored objects into response bodies, with the field order of the OpenAPI response schema (the server's order). */
export interface RenderContext {
  doc: ApiDocument;
  store: Store;
  contentOrigin: string;
  /** The request's Host header, which pulp_container uses in `registry_path`. */
  host: string;
  prnOf: (href: string) => string;
}

export function renderObject(ctx: RenderContext, obj: PulpObject, schema: ObjectSchema): JsonObject {
  const out: JsonObject = {};
  for (const p of schema.properties) if (!p.writeOnly) out[p.name] = fieldValue(ctx, obj, p.name);
  return out;
}

/** A field's value as the API shows it; also what list filters and `ordering` compare. */
export function fieldValue(ctx: RenderContext, obj: PulpObject, name: string): Json {
  switch (name) {
    case 'pulp_href':
      return obj.href;
    case 'prn':
      return ctx.prnOf(obj.href);
    case 'pulp_created':
      return isoMicros(obj.createdAt);
    case 'pulp_last_updated':
      return obj.lastUpdated;
    case 'pulp_type':
      return obj.endpoint.pulpType;
    case 'hidden_fields':
      return hiddenFields(ctx.doc, obj);
    case 'versions_href':
      return `${obj.href}versions/`;
    case 'latest_version_href':
      return ctx.store.latestVersion(obj)?.href ?? null;
    case 'base_url':
      return `${ctx.contentOrigin.replace(/\/+$/, '')}/pulp/content/${String(obj.values['base_path']).replace(/^\/+|\/+$/g, '')}/`;
    case 'registry_path':
      return `${ctx.host}/${String(obj.values['base_path'])}`;
  }
  if (obj.endpoint.family === 'publications') {
    if (name === 'repository') return ctx.store.version(obj.values['repository_version'] as string)?.repository.href ?? null;
    if (name === 'distributions') {
      return [...ctx.store.listFamily('distributions')].filter((d) => d.values['publication'] === obj.href).map((d) => d.href);
    }
  }
  return structuredClone(obj.values[name] ?? null);
}

/** `hidden_fields`: every write-only field in serializer order, `is_set` false for null and "". */
function hiddenFields(doc: ApiDocument, obj: PulpObject): Json {
  return doc.writeOnlyFields(`${operationPrefix(obj.endpoint.collectionPath)}_create`).map((name) => ({
    name,
    is_set: obj.values[name] !== null && obj.values[name] !== undefined && obj.values[name] !== '',
  }));
}

export function renderVersion(store: Store, version: RepositoryVersion): JsonObject {
  const previous = store.previousVersion(version)?.units ?? new Map<string, StoredUnit>();
  const added = [...version.units.values()].filter((u) => !previous.has(u.href));
  const removed = [...previous.values()].filter((u) => !version.units.has(u.href));
  const summary = (units: StoredUnit[], param: string): JsonObject => {
    const counts = new Map<ContentType, number>();
    for (const { unit } of units) counts.set(unit.type, (counts.get(unit.type) ?? 0) + 1);
    return Object.fromEntries(
      [...counts.keys()]
        .sort()
        .map((type) => [type, { count: counts.get(type) as number, href: `/pulp/api/v3/${CONTENT_TYPES[type].endpoint}?${param}=${version.href}` }]),
    );
  };
  return {
    pulp_href: version.href,
    pulp_created: isoMicros(version.createdAt),
    number: version.number,
    repository: version.repository.href,
    base_version: null,
    content_summary: {
      added: summary(added, 'repository_version_added'),
      removed: summary(removed, 'repository_version_removed'),
      present: summary([...version.units.values()], 'repository_version'),
    },
  };
}

/**
 * A content unit as its type's endpoint shows it; the generic `content/` list shows only the
 * fields every content type has.
 */
export function renderUnit(store: Store, stored: StoredUnit, ownEndpoint: boolean): JsonObject {
  const resolvers = {
    unitHref: (ref: { type: ContentType; key: string }) => {
      const target = store.unitByKey(ref.type, ref.key);
      if (!target) throw new Error(`${stored.href} refers to ${ref.type} ${ref.key}, which is not stored`);
      return target.href;
    },
    artifactHref: (sha256: string) => store.artifactHref(sha256),
  };
  const head: JsonObject = { pulp_href: stored.href, pulp_created: isoMicros(stored.createdAt) };
  if (ownEndpoint) return { ...head, ...renderUnitFields(stored.unit, resolvers) };
  const artifacts: JsonObject = {};
  for (const a of stored.unit.artifacts) if (a.data && a.sha256) artifacts[a.relativePath] = store.artifactHref(a.sha256);
  return { ...head, artifacts };
}
