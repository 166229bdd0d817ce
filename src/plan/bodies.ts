import { comparedRefs, diffResource, type DiffMode, type ResourceDiff } from '../diff/resource.js';
import { parsePointer } from '../diff/values.js';
import {
  isStatusLabel,
  toServerBody,
  type BodyValue,
  type Capabilities,
  type DesiredResource,
  type FieldChange,
  type LiveObject,
  type SecretSource,
} from '../model/index.js';
import type { ActionContent, PlanContext } from './context.js';
import { resolveRefs, type RefValue } from './references.js';

// The request an action sends (body, secrets, what it waits for), built from the diff of its resource.

/** A resource's diff, and the content of the action that makes the server match it. */
export interface PlannedDiff {
  diff: ResourceDiff;
  content: ActionContent;
}

/** Resolves the references the diff compares, compares `desired` with `live`, and builds the request. */
export function planDiff(
  ctx: PlanContext,
  desired: DesiredResource,
  live: LiveObject | undefined,
  mode: DiffMode,
  extraLabels?: Record<string, string>,
): PlannedDiff {
  const refs = resolveRefs(ctx, desired, comparedRefs(desired, live, mode));
  const diff = diffResource(desired, live, mode, {
    stack: ctx.stack,
    versions: ctx.versions,
    refs: Object.fromEntries(Object.entries(refs).map(([field, ref]) => [field, 'href' in ref ? ref.href : ref.unknown])),
    ...(extraLabels !== undefined ? { extraLabels } : {}),
  });
  const request = requestOf(desired, live, mode, diff, refs, ctx.capabilities);
  return { diff, content: { changes: diff.changes, unchanged: diff.unchanged, diagnostics: diff.diagnostics, ...request } };
}

export interface Request {
  body: { [key: string]: BodyValue };
  secrets: SecretSource[];
  /** Ids of actions whose result a reference in the body waits for. */
  dependsOn: string[];
}

/**
 * A create sends every field not at its server default (some releases refuse an explicit
 * default, like 3.23 a null `headers`) and all the labels; a PATCH sends what changed, and
 * the labels whole when one changed. The body is then mapped to the fields of this release.
 */
export function requestOf(
  desired: DesiredResource,
  live: LiveObject | undefined,
  mode: DiffMode,
  diff: ResourceDiff,
  refs: Readonly<Record<string, RefValue>>,
  capabilities: Capabilities,
): Request {
  const body: { [key: string]: BodyValue } = {};
  for (const { field, wire, changed, atDefault } of diff.fields) if (mode === 'create' ? !atDefault : changed) body[field] = wire;
  if (mode === 'create') body.pulp_labels = diff.labels;
  else if (diff.labelsChanged) body.pulp_labels = { ...statusLabels(live?.labels ?? {}), ...diff.labels };
  return {
    // rpm 3.24–3.29 resets repo_config on an update that leaves it out: the live one is carried.
    body: toServerBody(desired.endpoint, body, capabilities, mode === 'patch' ? live?.raw : undefined),
    secrets: secretsToSend(desired, diff.changes),
    dependsOn: Object.values(refs).flatMap((ref) => ('after' in ref ? [ref.after] : [])),
  };
}

/** Each secret change, with where the executor finds its value, or `unset` for one the desired state no longer has. */
export function secretsToSend(desired: DesiredResource, changes: readonly FieldChange[]): SecretSource[] {
  return changes
    .filter((change) => change.sensitive === true)
    .map((change) => {
      const field = parsePointer(change.path)[0] ?? '';
      return { field, source: desired.secrets[field]?.source ?? 'unset' };
    });
}

/** A PATCH replaces pulp_labels whole, so the server's records of what happened are sent back with the desired labels. */
function statusLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([key]) => isStatusLabel(key)));
}
