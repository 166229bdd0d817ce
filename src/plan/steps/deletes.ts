import { sameValue } from '../../diff/values.js';
import {
  FIELDS,
  KINDS,
  LABELS,
  type DesiredState,
  type Diagnostic,
  type Kind,
  type LiveObject,
  type PlanAction,
} from '../../model/index.js';
import { guardOf, type PlanContext } from '../context.js';
import { byHref, namedKey, repositoryHrefOf, versionNumber } from '../live-index.js';

// Objects of this stack the desired state no longer declares: a warning each, or with --prune a delete after whatever points at them.

export function planDeletes(ctx: PlanContext): void {
  const desiredNames = new Set(ctx.desired.resources.map((resource) => namedKey(resource.kind, resource.name)));
  // An object a desired resource still points at stays, declared or not.
  const referenced = new Set(ctx.desired.resources.flatMap((resource) => Object.values(resource.refs)));
  const orphans = [...ctx.live.named.values()]
    .filter(
      (object) =>
        !desiredNames.has(namedKey(object.kind, object.name)) &&
        !referenced.has(object.address) &&
        object.labels[LABELS.stack] === ctx.stack,
    )
    .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : byHref(a, b)));
  if (!ctx.options.prune) {
    for (const object of orphans) {
      ctx.diagnostics.push({
        severity: 'warning',
        code: 'plan.not_desired',
        summary: `${object.address} is not in the desired state`,
        detail: `It carries this stack's label (pulpform_stack=${ctx.stack}) but no file declares it, so it is left as it is.`,
        hint: 'Run with --prune to delete it, or declare it again.',
        address: object.address,
      });
    }
    return;
  }
  const deletes = orphans.map((object) => deleteAction(ctx, object));
  ctx.actions.push(...deletes);
  // Whatever points at an object goes (or is repointed) first: distributions before the
  // repositories they serve, repositories before their remotes.
  const actionOn = ctx.actionsByLiveHref();
  const deleteOf = new Map(deletes.map((action) => [action.guard?.href, action]));
  for (const object of ctx.live.byHref.values()) {
    const id = actionOn.get(object.href)?.id;
    if (id === undefined) continue;
    for (const href of referencesOf(ctx, object)) {
      const target = deleteOf.get(href);
      if (target !== undefined && target.id !== id) target.dependsOn.push(id);
    }
  }
  for (const action of deletes) action.dependsOn.sort();
}

export function deleteAction(ctx: PlanContext, object: LiveObject): PlanAction {
  const notes = ['not in the desired state (--prune)'];
  if (object.kind === 'repository') {
    const publications = [...ctx.live.publicationsByVersion.entries()]
      .filter(([version]) => version.startsWith(object.href))
      .reduce((n, [, list]) => n + list.length, 0);
    notes.push(
      publications === 0
        ? 'its repository versions are deleted with it'
        : `its repository versions and ${publications} publication${publications === 1 ? '' : 's'} are deleted with it`,
    );
  }
  const basePath = object.fields.base_path;
  if (object.kind === 'distribution' && typeof basePath === 'string') notes.push(`${basePath} stops being served`);
  const specs = FIELDS[object.endpoint] ?? {};
  return {
    id: `delete ${object.address}`,
    type: 'delete',
    address: object.address,
    kind: object.kind,
    plugin: object.plugin,
    name: object.name,
    endpoint: object.endpoint,
    reason: notes.join('; '),
    changes: Object.keys(object.fields)
      .sort()
      .filter((field) => !sameValue(object.endpoint, field, object.fields[field], specs[field]?.default ?? null))
      .map((field) => ({ path: `/${field}`, before: object.fields[field] ?? null })),
    unchanged: 0,
    guard: guardOf(object),
    dependsOn: [],
  };
}

/** Hrefs an object points at, with publications and versions counted as their repository. */
function referencesOf(ctx: PlanContext, object: LiveObject): Set<string> {
  const hrefs = new Set<string>();
  for (const value of Object.values(object.fields)) {
    if (typeof value !== 'string') continue;
    hrefs.add(value);
    const versionHref = ctx.live.byHref.get(value)?.versionHref ?? (versionNumber(value) !== undefined ? value : undefined);
    if (versionHref !== undefined) hrefs.add(repositoryHrefOf(versionHref));
  }
  return hrefs;
}

const PLURAL: Record<Kind, string> = {
  remote: 'remotes',
  repository: 'repositories',
  publication: 'publications',
  distribution: 'distributions',
};

/** --prune must not empty a kind just because the desired state lost all of it (a wrong -f, an empty file). */
export function pruneAllGuard(desired: DesiredState, actions: PlanAction[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const kind of KINDS) {
    const deletes = actions.filter((action) => action.type === 'delete' && action.kind === kind);
    if (deletes.length === 0 || desired.resources.some((resource) => resource.kind === kind)) continue;
    diagnostics.push({
      severity: 'error',
      code: 'plan.prune_all',
      summary: `Refusing to delete ${deletes.length === 1 ? 'the only' : `all ${deletes.length}`} ${deletes.length === 1 ? kind : PLURAL[kind]} of stack "${desired.stack}"`,
      detail: `The desired state declares no ${kind}, so --prune would delete every one this stack manages:\n${deletes.map((action) => action.address).join('\n')}`,
      hint: 'Check that -f points at the right files; if deleting them all is intended, add --allow-delete-all.',
    });
  }
  return diagnostics;
}
