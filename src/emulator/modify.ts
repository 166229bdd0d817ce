import type { JsonObject } from '../model/json.js';
import type { ObjectSchema } from './api-doc.js';
import { hrefPath } from './endpoints.js';
import { ValidationError } from './errors.js';
import { afterNewVersion } from './publishing.js';
import { type SerializerSpec, fieldsFromSchema } from './serializer.js';
import type { PulpObject, StoredUnit } from './store.js';
import { TaskFailure, type TaskWork } from './tasks.js';
import { type ValidationContext, resolveHref } from './validation.js';

/** `RepositoryAddRemoveContentSerializer`: content hrefs resolved to stored units by their primary key, `*` to remove all. */
export function modifySerializer(ctx: ValidationContext, request: ObjectSchema): SerializerSpec {
  const fields = fieldsFromSchema(request);
  const units = (value: string[]) => {
    const found = new Map<string, StoredUnit | undefined>();
    for (const href of value) {
      const path = hrefPath(href);
      const match = path === undefined ? undefined : ctx.doc.match(path);
      if (!match) throw new ValidationError(`URI not valid: ${href}`);
      if (!/^\{\w+\}$/.test(match.route.template) || match.ids.length !== 1)
        throw new ValidationError('URI does not contain an unqualified resource PK');
      found.set(href, ctx.store.unitById(match.ids[0] as string));
    }
    const missing = [...found].filter(([, unit]) => !unit).map(([href]) => `'${href}'`);
    if (missing.length > 0) throw new ValidationError(`Could not find the following content units: [${missing.join(', ')}]`);
    return [...found.values()].map((unit) => (unit as StoredUnit).href);
  };
  for (const field of fields) {
    if (field.name === 'add_content_units') field.validators.push((value) => units(value as string[]));
    if (field.name === 'remove_content_units') {
      field.validators.push((value) => {
        const hrefs = value as string[];
        if (!hrefs.includes('*')) return units(hrefs);
        if (hrefs.length > 1) throw new ValidationError("Cannot supply content units and '*'.");
        return ['*'];
      });
    }
    if (field.name === 'base_version')
      field.validators.push((value) => resolveHref(ctx, value as string, { family: 'repositories', versions: true }).href);
  }
  return { fields, known: new Set(request.properties.map((p) => p.name)) };
}

/**
 * pulpcore's `add_and_remove`: a new version from the base version (default the latest) with the
 * removals, then the additions; none when that is the latest version's content.
 */
export function modifyWork(ctx: ValidationContext, repository: PulpObject, data: JsonObject): TaskWork {
  return {
    name: repository.endpoint.pulpType === 'rpm.rpm' ? ctx.profile.rpm.modifyTaskName : 'pulpcore.app.tasks.repository.add_and_remove',
    exclusive: [repository.href],
    run: () => {
      const { store } = ctx;
      if (!store.get(repository.href)) throw new TaskFailure('Repository matching query does not exist.');
      const latest = store.latestVersion(repository);
      const base = typeof data['base_version'] === 'string' ? store.version(data['base_version']) : latest;
      if (!base || !latest) throw new TaskFailure('RepositoryVersion matching query does not exist.');
      const units = new Map(base.units);
      const remove = (data['remove_content_units'] ?? []) as string[];
      for (const href of remove.includes('*') ? latest.units.keys() : remove) units.delete(href);
      for (const href of (data['add_content_units'] ?? []) as string[]) units.set(href, store.unitAt(href) as StoredUnit);
      if (units.size === latest.units.size && [...units.keys()].every((href) => latest.units.has(href))) return {};
      const version = store.addVersion(repository, units.values(), typeof data['base_version'] === 'string' ? base : null);
      const after = afterNewVersion(store, version, ctx.profile);
      return { createdResources: [version.href, ...after.createdResources], progressReports: after.progressReports };
    },
  };
}
