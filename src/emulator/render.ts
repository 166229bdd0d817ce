import type { Json, JsonObject } from '../model/json.js';
import type { ApiDocument, ObjectSchema } from './api-doc.js';
import { isoMicros } from './clock.js';
import { CONTENT_TYPES, type ContentType, type ContentUnit, isUnitRef, renderUnitFields } from './content/index.js';
import { operationPrefix } from './endpoints.js';
import type { PulpProfile } from './profiles.js';
import type { PulpObject, RepositoryVersion, Store, StoredUnit } from './store.js';

/** Turns stored objects into response bodies, with the field order of the OpenAPI response schema (the server's order). */
export interface RenderContext {
  doc: ApiDocument;
  store: Store;
  contentOrigin: string;
  /** The request's Host header, which pulp_container uses in `registry_path`; undefined inside a task. */
  host: string | undefined;
  prnOf: (href: string) => string;
  profile: PulpProfile;
}

/**
 * `partial`: rendered by a PATCH's serializer, where DRF skips read-only fields that only have a
 * declared default (no model column), such as rpm 3.30's sqlite_metadata.
 */
export function renderObject(ctx: RenderContext, obj: PulpObject, schema: ObjectSchema, options: { partial?: boolean } = {}): JsonObject {
  const out: JsonObject = {};
  const skipped = skippedFields(ctx.profile, obj);
  for (const p of schema.properties) {
    if (p.writeOnly || skipped.includes(p.name) || (options.partial && p.readOnly && p.default)) continue;
    out[p.name] = fieldValue(ctx, obj, p.name);
  }
  return out;
}

/**
 * Fields a serializer declares but never shows, having no model column, no default and no null:
 * rpm ≥3.30's read-only gpgcheck and repo_gpgcheck, deb 3.x's publish_upstream_release_fields
 * on publications. DRF leaves them out of the answer.
 */
function skippedFields(profile: PulpProfile, obj: PulpObject): string[] {
  const rpm = obj.endpoint.pulpType === 'rpm.rpm' && (obj.endpoint.family === 'repositories' || obj.endpoint.family === 'publications');
  if (rpm && profile.rpm.gpg === 'repo-config-only') return ['gpgcheck', 'repo_gpgcheck'];
  // A publish option of deb 3.x, not a column of the publication.
  if (obj.endpoint.pulpType === 'deb.apt-publication') return ['publish_upstream_release_fields'];
  return [];
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
      return ctx.host === undefined ? String(obj.values['base_path']) : `${ctx.host}/${String(obj.values['base_path'])}`;
    case 'content_guard_prn': {
      const guard = obj.values['content_guard'];
      return typeof guard === 'string' ? ctx.prnOf(guard) : null;
    }
    case 'no_content_change_since': {
      // Publication-serving distributions change content when their publication changes;
      // container distributions when their pinned version does.
      const servesPublications = obj.endpoint.accepts.length > 0;
      const pinned = obj.values['publication'] ?? (servesPublications ? null : obj.values['repository_version']);
      return pinned ? obj.lastUpdated : null;
    }
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

/** A repository version with its schema's fields (`RepositoryVersionResponse` of the profile's document). */
export function renderVersion(ctx: Pick<RenderContext, 'doc' | 'store' | 'prnOf'>, version: RepositoryVersion): JsonObject {
  const { store } = ctx;
  const previous = store.previousVersion(version)?.units ?? new Map<string, StoredUnit>();
  const added = [...version.units.values()].filter((u) => !previous.has(u.href));
  const removed = [...previous.values()].filter((u) => !version.units.has(u.href));
  const summary = (units: StoredUnit[], param: string): JsonObject => {
    const counts = new Map<ContentType, number>();
    for (const { unit } of units) counts.set(unit.type, (counts.get(unit.type) ?? 0) + 1);
    return Object.fromEntries(
      [...counts.keys()]
        .sort()
        .map((type) => [
          type,
          { count: counts.get(type) as number, href: `/pulp/api/v3/${CONTENT_TYPES[type].endpoint}?${param}=${version.href}` },
        ]),
    );
  };
  const value = (field: string): Json => {
    switch (field) {
      case 'pulp_href':
        return version.href;
      case 'prn':
        return ctx.prnOf(version.href);
      case 'pulp_created':
      case 'pulp_last_updated':
        return isoMicros(version.createdAt);
      case 'number':
        return version.number;
      case 'repository':
        return version.repository.href;
      case 'base_version':
        return version.baseVersion?.href ?? null;
      case 'content_summary':
        return {
          added: summary(added, 'repository_version_added'),
          removed: summary(removed, 'repository_version_removed'),
          present: summary([...version.units.values()], 'repository_version'),
        };
      case 'vuln_report':
        return `/pulp/api/v3/vuln_report/?repo_versions=${ctx.prnOf(version.href)}`;
      default:
        return null;
    }
  };
  return Object.fromEntries(ctx.doc.schema('RepositoryVersionResponse').properties.map((p) => [p.name, value(p.name)]));
}

/**
 * A content unit in the fields of its response schema (the generic `content/` list shows only the
 * fields every content type has). Values the emulator does not model are what Pulp answers for
 * content nobody labelled or scanned.
 */
export function renderUnit(
  ctx: Pick<RenderContext, 'store' | 'prnOf'>,
  stored: StoredUnit,
  schema: ObjectSchema | undefined,
  ownEndpoint: boolean,
): JsonObject {
  const { store } = ctx;
  const resolvers = {
    unitHref: (ref: { type: ContentType; key: string }) => {
      const target = store.unitByKey(ref.type, ref.key);
      if (!target) throw new Error(`${stored.href} refers to ${ref.type} ${ref.key}, which is not stored`);
      return target.href;
    },
    artifactHref: (sha256: string) => store.artifactHref(sha256),
  };
  const values: JsonObject = {
    pulp_href: stored.href,
    prn: ctx.prnOf(stored.href),
    pulp_created: isoMicros(stored.createdAt),
    pulp_last_updated: isoMicros(stored.createdAt),
    pulp_labels: {},
    vuln_report: null,
  };
  if (ownEndpoint) Object.assign(values, renderUnitFields(stored.unit, resolvers), unitExtras(store, stored.unit));
  else {
    const artifacts: JsonObject = {};
    for (const a of stored.unit.artifacts) if (a.data && a.sha256) artifacts[a.relativePath] = store.artifactHref(a.sha256);
    values['artifacts'] = artifacts;
  }
  if (!schema) return values;
  return Object.fromEntries(schema.properties.filter((p) => !p.writeOnly).map((p) => [p.name, values[p.name] ?? null]));
}

/** Fields newer plugins derive from a unit's own data (container 2.2x manifests: config, annotations, sizes). */
function unitExtras(store: Store, unit: ContentUnit): JsonObject {
  if (unit.type !== 'container.manifest') return {};
  const json = jsonOf(unit.artifacts[0]?.data) as
    | { annotations?: JsonObject; layers?: Array<{ size?: number }>; manifests?: unknown[] }
    | undefined;
  const configRef = unit.fields['config_blob'];
  const configUnit = isUnitRef(configRef) ? store.unitByKey(configRef.$unit.type, configRef.$unit.key)?.unit : undefined;
  const config = jsonOf(configUnit?.artifacts[0]?.data) as
    | { architecture?: string; os?: string; config?: { Labels?: JsonObject | null } }
    | undefined;
  const isList = Array.isArray(json?.manifests);
  return {
    annotations: json?.annotations ?? {},
    labels: config?.config?.Labels ?? {},
    is_bootable: false,
    is_flatpak: false,
    type: isList ? null : 'image',
    architecture: config?.architecture ?? null,
    os: config?.os ?? null,
    compressed_image_size: isList ? null : (json?.layers ?? []).reduce((sum, layer) => sum + (layer.size ?? 0), 0),
  };
}

function jsonOf(data: Buffer | undefined): unknown {
  if (!data) return undefined;
  try {
    return JSON.parse(data.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
