import type { Json, JsonObject } from '../model/json.js';
import type { Operation } from './api-doc.js';
import { type Call, type PulpState, type Reply, V3, listRequest, ok, pathOf, versionContext } from './calls.js';
import { isoMicros } from './clock.js';
import { CONTENT_TYPES, type ContentType, type UnitRef, contentTypeAt, unitMatchesFilter, unitOrderingValue } from './content/index.js';
import { endpointAt, hrefPath } from './endpoints.js';
import { HttpError, badRequestList } from './errors.js';
import { type ListSpec, type Listable, listResponse, selectFields } from './lists.js';
import { type RenderContext, fieldValue, renderObject, renderUnit, renderVersion } from './render.js';
import type { PulpObject, RepositoryVersion, StoredUnit } from './store.js';

/** Relation filters whose value is an href that may be given as an absolute URL. */
const HREF_FILTERS = new Set([
  'remote',
  'repository',
  'repository__in',
  'repository_version',
  'publication',
  'worker',
  'worker__in',
  'parent_task',
  'task_group',
]);

/** The model family each relation filter's value must name. */
const RELATED_FAMILIES: Record<string, string> = {
  remote: 'remotes',
  repository: 'repositories',
  publication: 'publications',
  worker: 'workers',
  parent_task: 'tasks',
  task_group: 'task-groups',
};

/** The list of an object endpoint or of a generic family (`remotes/`), with the relation and content filters. */
export function objectList(pulp: PulpState, call: Call, ctx: RenderContext, items: Iterable<PulpObject>, op: Operation): JsonObject {
  const schema = op.responseSchema;
  const special: ListSpec<PulpObject>['special'] = {
    namespace__name: (value) => (d) => pulp.store.get(String(d.values['namespace']))?.values['name'] === value,
  };
  const inPublishedVersion = holdsContent((p: PulpObject) => pulp.store.version(String(p.values['repository_version']))?.units);
  special['content'] = inPublishedVersion;
  special['content__in'] = inPublishedVersion;
  // Repositories whose latest (or any) version holds the content unit named.
  const withContent = (versions: (repository: PulpObject) => RepositoryVersion[]) => (value: string) => {
    const unit = resourceAt(pulp, value, 'Content');
    return (repository: PulpObject) => versions(repository).some((v) => v.units.has(unit));
  };
  special['latest_with_content'] = withContent((r) => [pulp.store.latestVersion(r)].filter((v) => v !== undefined));
  special['with_content'] = withContent((r) => [...(r.versions?.values() ?? [])]);
  return listResponse(listRequest(pulp, call), {
    items,
    value: (obj, field) => fieldValue(ctx, obj, field),
    special: hrefFilters(pulp, special, (obj, field) => fieldValue(ctx, obj, field)),
    render: (obj) => (schema ? renderObject(ctx, obj, schema) : {}),
  });
}

/** Repository versions, filterable by the content they hold. */
export function versionList(pulp: PulpState, call: Call, versions: RepositoryVersion[]): JsonObject {
  const items = versions.map((v) => ({ id: v.href, createdAt: v.createdAt, version: v }));
  const membership = holdsContent((item: (typeof items)[number]) => item.version.units);
  return listResponse(listRequest(pulp, call), {
    items,
    value: (item, field) => (field === 'number' ? item.version.number : field === 'pulp_created' ? isoMicros(item.createdAt) : undefined),
    special: { content: membership, content__in: membership },
    render: (item) => renderVersion(versionContext(pulp), item.version),
  });
}

/** `content/...`: one unit, or the list with its type's filters and the repository-version ones. */
export function contentAnswer(pulp: PulpState, call: Call, contentType: ContentType | undefined, action: string): Reply {
  if (action === 'read') {
    const stored = pulp.store.unitAt(call.path);
    if (!stored || stored.unit.type !== contentType)
      throw pulp.notFound(contentType ? CONTENT_TYPES[contentType].model : 'Content', call.match.ids[0]);
    return ok(selectFields(renderUnit(versionContext(pulp), stored, call.op.responseSchema, true), call.query));
  }
  if (action !== 'list') throw new HttpError(501, { detail: `The Pulp emulator does not implement ${call.op.id}.` });
  const generic = call.path === `${V3}content/`;
  const units = [...pulp.store.units()].filter((u) => generic || u.unit.type === contentType);
  const inVersion = (relation: 'present' | 'added' | 'removed') => (value: string) => {
    const version = pulp.store.version(pathOf(value));
    if (!version) throw badRequestList(`URI couldn't be resolved: ${value}`);
    const previous = pulp.store.previousVersion(version)?.units ?? new Map<string, StoredUnit>();
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
    resolve: (ref: UnitRef) => pulp.store.unitByKey(ref.$unit.type, ref.$unit.key)?.unit,
    hrefOf: (ref: UnitRef) => pulp.store.unitByKey(ref.$unit.type, ref.$unit.key)?.href ?? '',
  };
  for (const filter of contentType ? CONTENT_TYPES[contentType].filters : []) {
    special[filter] = (value) => (u) => unitMatchesFilter(u.unit, filter, value, refs) === true;
  }
  return ok(
    listResponse(listRequest(pulp, call), {
      items: units,
      value: (u, field) => (field === 'pulp_last_updated' ? isoMicros(u.createdAt) : unitOrderingValue(u.unit, field)),
      special,
      render: (u) => renderUnit(versionContext(pulp), u, call.op.responseSchema, !generic),
    }),
  );
}

/**
 * pulpcore's HyperlinkRelatedFilter for the relation filters of a list: "" and "null" ask for
 * objects without the relation; anything else must resolve to a view of the related model.
 */
export function hrefFilters<T extends Listable>(
  pulp: PulpState,
  special: NonNullable<ListSpec<T>['special']>,
  value: (item: T, field: string) => Json | undefined,
): NonNullable<ListSpec<T>['special']> {
  const out = { ...special };
  out['pulp_href__in'] ??= (raw) => {
    const hrefs = raw.split(',').map((uri) => resourceAt(pulp, uri));
    return (item) => hrefs.includes(String(value(item, 'pulp_href')));
  };
  for (const name of HREF_FILTERS) {
    if (name in out) continue;
    const field = name.replace(/__in$/, '');
    out[name] = (raw) => {
      if (raw === '' || raw === 'null') return (item) => (value(item, field) ?? null) === null;
      if (field === 'worker' && pulp.profile.tasks.workerFilter === 'matches-nothing') return () => false;
      const wanted = (name.endsWith('__in') ? raw.split(',') : [raw]).map((uri) => relatedFilterValue(pulp, field, uri));
      return (item) => {
        const related = String(value(item, field));
        return wanted.some((w) => related === w || (w.endsWith('/') && !/[0-9a-f]{8}-[0-9a-f]{4}-/.test(w) && related.startsWith(w)));
      };
    };
  }
  return out;
}

/** The href a relation filter compares, or the 400 pulpcore answers for a value that names no object of the field's model. */
function relatedFilterValue(pulp: PulpState, field: string, uri: string): string {
  const path = hrefPath(uri) ?? uri;
  const match = pulp.doc.match(path);
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
export function resourceAt(pulp: PulpState, uri: string, model?: 'Content'): string {
  const path = hrefPath(uri) ?? uri;
  const match = pulp.doc.match(path);
  if (!match) throw badRequestList(`URI not valid: ${uri}`);
  const name = (model ?? modelAt(match.route.collectionPath ?? match.route.template, path)).toLowerCase();
  if (match.ids.length === 0) throw badRequestList(`URI ${uri} matches more than one ${name}.`);
  const exists =
    model === 'Content'
      ? pulp.store.unitAt(path)
      : (pulp.store.get(path) ?? pulp.store.version(path) ?? pulp.tasks.get(path) ?? pulp.store.unitAt(path));
  if (!exists) throw badRequestList(`URI ${uri} not found for ${name}.`);
  return path;
}

function modelAt(collection: string, path: string): string {
  if (/\/versions\/[^/]+\/$/.test(path)) return 'RepositoryVersion';
  if (collection === `${V3}tasks/`) return 'Task';
  return endpointAt(collection)?.model ?? contentTypeAt(collection)?.split('.').pop() ?? 'Model';
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
