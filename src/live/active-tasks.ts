import type { Json, JsonObject } from '../model/json.js';

export interface ActiveTaskFilter {
  /** Href of an object the task holds a lock on; omitted: any task of that name. */
  resource?: string;
  /** `exclusive`: the task writes the object (sync, update); `shared`: it reads it (publish). */
  lock?: 'exclusive' | 'shared';
  /** Part of the task name, e.g. `synchroniz` or `publish`. */
  nameContains: string;
}

/** The `tasks/` list query asking for the tasks a filter describes. */
export function activeTasksQuery(filter: ActiveTaskFilter): Record<string, string> {
  const query: Record<string, string> = { state__in: 'waiting,running', name__contains: filter.nameContains };
  const shared = filter.lock === 'shared';
  if (filter.resource !== undefined) query[shared ? 'shared_resources' : 'exclusive_resources'] = filter.resource;
  return query;
}

/** Whether a listed task is one the filter describes. */
export function isActiveTaskOf(task: JsonObject, filter: ActiveTaskFilter): boolean {
  // Checked again here: a server that ignores one of the query's filters must not make us wait on unrelated tasks.
  const shared = filter.lock === 'shared';
  const state = task['state'];
  const name = task['name'];
  const reserved = task['reserved_resources_record'];
  return (
    (state === 'waiting' || state === 'running') &&
    typeof name === 'string' &&
    name.includes(filter.nameContains) &&
    (filter.resource === undefined || (Array.isArray(reserved) && reserved.some((record) => locksObject(record, filter.resource!, shared))))
  );
}

/**
 * Whether a task's lock record is a lock on the object at `href`: the href itself, or (pulpcore
 * 3.50 and later) its PRN `prn:rpm.rpmrepository:<uuid>`; shared locks are prefixed `shared:`.
 */
export function locksObject(record: Json, href: string, shared: boolean): boolean {
  if (typeof record !== 'string' || record.startsWith('shared:') !== shared) return false;
  const id = /([0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})\/?$/i.exec(href)?.[1];
  const lock = record.replace(/^shared:/, '');
  return lock === href || (id !== undefined && lock.startsWith('prn:') && lock.endsWith(`:${id}`));
}
