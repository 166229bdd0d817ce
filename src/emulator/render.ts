import type { Json, JsonObject } from '../model/json.js';
import type { ApiDocument, ObjectSchema } from './api-doc.js';
import { isoMicros } from './clock.js';
import { CONTENT_TYPE_PATHS } from './content-types.js';
import { operationPrefix } from './endpoints.js';
import type { ContentUnit, PulpObject, RepositoryVersion, Store } from './store.js';

/** Turns stored objects into response bodies, with the field order of the OpenAPI response schema (the server's order). */
export interface RenderContext {
  doc: ApiDocument;
  store: Store;
  contentOrigin: string;
  /** The request's Host header, which pulp_container uses in `registry_path`. */
  host: string;
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

/** The version just before this one that still exists: what `added`/`removed` are computed against. */
function previousVersion(version: RepositoryVersion): RepositoryVersion | undefined {
  let previous: RepositoryVersion | undefined;
  for (const v of version.repository.versions?.values() ?? []) {
    if (v.number < version.number && (!previous || v.number > previous.number)) previous = v;
  }
  return previous;
}

export function renderVersion(version: RepositoryVersion): JsonObject {
  const previous = previousVersion(version)?.units ?? new Map<string, ContentUnit>();
  const added = [...version.units.values()].filter((u) => !previous.has(u.href));
  const removed = [...previous.values()].filter((u) => !version.units.has(u.href));
  const summary = (units: ContentUnit[], param: string): JsonObject => {
    const counts = new Map<string, number>();
    for (const u of units) counts.set(u.type, (counts.get(u.type) ?? 0) + 1);
    return Object.fromEntries(
      [...counts.keys()].sort().map((type) => [type, { count: counts.get(type) as number, href: `${CONTENT_TYPE_PATHS[type]}?${param}=${version.href}` }]),
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
 * A content unit with the fields of its endpoint's response schema, in that order. A type's own
 * endpoint also shows fields the schema does not list; the generic `content/` list shows only its own.
 */
export function renderUnit(unit: ContentUnit, schema: ObjectSchema | undefined, ownEndpoint: boolean): JsonObject {
  const out: JsonObject = { pulp_href: unit.href, pulp_created: isoMicros(unit.createdAt) };
  for (const p of schema?.properties ?? []) if (p.name in unit.fields) out[p.name] = structuredClone(unit.fields[p.name] as Json);
  if (ownEndpoint) for (const [k, v] of Object.entries(unit.fields)) if (!(k in out)) out[k] = structuredClone(v);
  return out;
}
