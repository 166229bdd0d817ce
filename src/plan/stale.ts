import { jsonEqual, LABELS, type Json, type Kind, type LiveObject, type LiveState, type Plan, type PlanAction } from '../model/index.js';
import { parsePointer } from '../diff/values.js';

/**
 * Whether a saved plan still describes the server, judged for the whole plan before anything is
 * written (as Terraform refuses a stale saved plan): an object an action would touch changed
 * since the plan read it; or the plan's own changes are already there (it was applied). Pure.
 */

/** One changed value: `base_path: "a" -> "b"`. */
export interface ChangedValue {
  path: string;
  planned?: Json;
  now?: Json;
}

export interface StaleObject {
  address: string;
  href?: string;
  /** `changed`: its managed values moved (listed, when the plan recorded them); `gone`: deleted; `exists`: a create's name is taken. */
  how: 'changed' | 'gone' | 'exists';
  values: ChangedValue[];
}

export type SavedPlanCheck =
  | { state: 'fresh' }
  | { state: 'applied'; actions: number }
  | { state: 'stale'; objects: StaleObject[]; applied: number; total: number };

const namedKeyOf = (kind: Kind, name: string): string => `${kind}\u0000${name}`;

type ActionState = { state: 'fresh' } | { state: 'done' } | { state: 'unknown' } | { state: 'stale'; object: StaleObject };

export function checkSavedPlan(plan: Plan, live: LiveState): SavedPlanCheck {
  const byHref = new Map(live.objects.map((object) => [object.href, object]));
  const byName = new Map(
    live.objects.filter((object) => object.kind !== 'publication').map((object) => [namedKeyOf(object.kind, object.name), object]),
  );
  const actions = plan.waves.flat();
  const states = actions.map((action) => stateOf(action, plan.stack, byHref, byName));
  const stale = states.flatMap((s) => (s.state === 'stale' ? [s.object] : []));
  const done = states.filter((s) => s.state === 'done').length;
  const fresh = states.filter((s) => s.state === 'fresh').length;
  if (stale.length === 0 && done === 0) return { state: 'fresh' };
  if (stale.length === 0 && fresh === 0) return { state: 'applied', actions: actions.length };
  return { state: 'stale', objects: stale, applied: done, total: actions.length };
}

function stateOf(
  action: PlanAction,
  stack: string,
  byHref: ReadonlyMap<string, LiveObject>,
  byName: ReadonlyMap<string, LiveObject>,
): ActionState {
  const { guard } = action;
  if (guard === undefined) {
    // Creates of named objects: someone may have taken the name, or this plan made it already.
    if (action.type !== 'create' || action.kind === 'publication') return { state: 'unknown' };
    const existing = byName.get(namedKeyOf(action.kind, action.name));
    if (existing === undefined) return { state: 'fresh' };
    if (existing.labels[LABELS.stack] === stack && satisfied(action, existing)) return { state: 'done' };
    return { state: 'stale', object: { address: action.address, href: existing.href, how: 'exists', values: [] } };
  }
  const current = byHref.get(guard.href);
  if (current === undefined) {
    return action.type === 'delete'
      ? { state: 'done' }
      : { state: 'stale', object: { address: action.address, href: guard.href, how: 'gone', values: [] } };
  }
  const unchanged =
    current.fingerprint === guard.fingerprint &&
    (guard.lastUpdated === undefined || current.lastUpdated === undefined || guard.lastUpdated === current.lastUpdated);
  if (unchanged) return { state: 'fresh' };
  if (action.type !== 'delete' && action.type !== 'trim' && satisfied(action, current)) return { state: 'done' };
  return {
    state: 'stale',
    object: { address: action.address, href: guard.href, how: 'changed', values: changedValues(guard.seen, current) },
  };
}

/** Whether the object already has what the action would give it. */
function satisfied(action: PlanAction, object: LiveObject): boolean {
  if (action.type === 'sync') {
    const marker = action.labelsAfter?.[LABELS.synced];
    return (
      marker !== undefined && (object.labels[LABELS.synced] === marker || object.labels[`${LABELS.snapshotPrefix}${marker}`] !== undefined)
    );
  }
  return action.changes.every((change) => {
    // Secrets and hrefs known only after apply cannot be read back; the other changes decide.
    if (change.sensitive || change.unknown) return true;
    const [field, key] = parsePointer(change.path);
    const now = field === 'pulp_labels' ? object.labels[key ?? ''] : object.fields[field ?? ''];
    return jsonEqual(now ?? null, change.after ?? null);
  });
}

function changedValues(
  seen: { fields: Record<string, Json>; labels: Record<string, string> } | undefined,
  current: LiveObject,
): ChangedValue[] {
  if (seen === undefined) return [];
  const values: ChangedValue[] = [];
  for (const field of [...new Set([...Object.keys(seen.fields), ...Object.keys(current.fields)])].sort()) {
    const planned = seen.fields[field];
    const now = current.fields[field];
    if (!jsonEqual(planned ?? null, now ?? null))
      values.push({ path: field, ...(planned !== undefined ? { planned } : {}), ...(now !== undefined ? { now } : {}) });
  }
  for (const key of [...new Set([...Object.keys(seen.labels), ...Object.keys(current.labels)])].sort()) {
    const planned = seen.labels[key];
    const now = current.labels[key];
    if (planned !== now)
      values.push({ path: `pulp_labels.${key}`, ...(planned !== undefined ? { planned } : {}), ...(now !== undefined ? { now } : {}) });
  }
  return values;
}
