import {
  coreRelease,
  FIELDS,
  fieldUnavailable,
  type BodyValue,
  type DesiredResource,
  type Diagnostic,
  type FieldChange,
  type HrefRef,
  type Impact,
  type Json,
  type LiveObject,
} from '../model/index.js';
import { desiredLabels, diffLabels } from './labels.js';
import { diffSecrets } from './secrets.js';
import { differsFromDefault, parsePointer, pointerSegment, sameValue, wireValue } from './values.js';

export interface DiffContext {
  stack: string;
  /** Server component versions: fields some releases lack (FieldSpec.since, FieldSpec.until). */
  versions: Record<string, string>;
  /**
   * What each reference of `comparedRefs` points at, by field: an href known now, or a reference
   * filled in at apply time. A field left out cannot be resolved (the planner says why) and is not compared.
   */
  refs: Readonly<Record<string, string | HrefRef>>;
  /** Status labels to record along with the desired ones (e.g. an adopted repository's sync marker). */
  extraLabels?: Record<string, string>;
}

/**
 * `patch`: the object exists with the same type; compare field by field. `create`: a new
 * object (or the replacement of `live`); `live`, if given, only supplies the `before` values
 * shown in the plan.
 */
export type DiffMode = 'patch' | 'create';

/** One field or reference of the desired resource, as compared. */
export interface FieldDiff {
  field: string;
  /** The desired value as the server takes it: a reference's href, or the reference an earlier action fills in. */
  wire: BodyValue;
  /** It differs from the live object (always, for a reference known only after apply). */
  changed: boolean;
  /** It equals what the server stores when the field is omitted. */
  atDefault: boolean;
}

export interface ResourceDiff {
  impact: Impact;
  changes: FieldChange[];
  unchanged: number;
  /** Every field and reference compared, fields then references, each by name. */
  fields: FieldDiff[];
  /** The labels the object is to carry: the desired ones and `extraLabels`. */
  labels: Record<string, string>;
  labelsChanged: boolean;
  /** Changed fields that Pulp only accepts at create time. */
  createOnlyChanged: string[];
  /** Why the object differs, in words. */
  notes: string[];
  diagnostics: Diagnostic[];
}

/** The references `diffResource` compares, and so needs resolved: all of a new object's, those the live object has otherwise. */
export function comparedRefs(desired: DesiredResource, live: LiveObject | undefined, mode: DiffMode): string[] {
  return Object.keys(desired.refs)
    .filter((field) => mode === 'create' || (live !== undefined && Object.hasOwn(live.fields, field)))
    .sort();
}

export function diffResource(desired: DesiredResource, live: LiveObject | undefined, mode: DiffMode, context: DiffContext): ResourceDiff {
  const changes: FieldChange[] = [];
  const fields: FieldDiff[] = [];
  const diagnostics: Diagnostic[] = [];
  const createOnlyChanged: string[] = [];
  const changedFields: string[] = [];
  let unchanged = 0;
  const specs = FIELDS[desired.endpoint] ?? {};
  const hasField = (field: string): boolean => live !== undefined && Object.hasOwn(live.fields, field);
  const record = (field: string, before: Json | undefined, after: Json): void => {
    changes.push({ path: `/${pointerSegment(field)}`, ...(before !== undefined ? { before } : {}), after });
    changedFields.push(field);
    if (specs[field]?.createOnly) createOnlyChanged.push(field);
  };

  for (const field of Object.keys(desired.fields).sort()) {
    const value = desired.fields[field] as Json;
    const unavailable = fieldUnavailable(specs[field], context.versions);
    if (unavailable !== undefined || (mode === 'patch' && !hasField(field))) {
      if (differsFromDefault(desired.endpoint, field, value)) diagnostics.push(unsupportedField(desired, field, value, context.versions));
      continue;
    }
    const before = hasField(field) ? live?.fields[field] : undefined;
    const same = hasField(field) && sameValue(desired.endpoint, field, value, before);
    const changed = !same && !(before === undefined && value === null);
    fields.push({
      field,
      wire: wireValue(desired.endpoint, field, value),
      changed,
      atDefault: !differsFromDefault(desired.endpoint, field, value),
    });
    if (same) unchanged++;
    else if (changed) record(field, before, value);
  }

  // A reference field the YAML leaves out is managed as its default (null), so a distribution
  // switching from `repository` to `publication` clears the former in the same PATCH.
  const implicit = Object.entries(specs)
    .filter(([field, spec]) => spec.ref !== undefined && spec.default === null && !(field in desired.refs) && !(field in desired.fields))
    .map(([field]) => field);
  for (const field of [...Object.keys(desired.refs), ...implicit].sort()) {
    if (mode === 'patch' && !hasField(field)) continue;
    const before = hasField(field) ? live?.fields[field] : undefined;
    if (desired.refs[field] === undefined) {
      if (mode === 'create') continue;
      if (before === null || before === undefined) unchanged++;
      else {
        fields.push({ field, wire: null, changed: true, atDefault: true });
        record(field, before, null);
      }
      continue;
    }
    const resolved = context.refs[field];
    if (resolved === undefined) continue;
    if (typeof resolved !== 'string') {
      fields.push({ field, wire: resolved, changed: true, atDefault: false });
      changes.push({ path: `/${pointerSegment(field)}`, ...(before !== undefined ? { before } : {}), unknown: true });
      changedFields.push(field);
      continue;
    }
    fields.push({ field, wire: resolved, changed: before !== resolved, atDefault: false });
    if (before === resolved) unchanged++;
    else record(field, before, resolved);
  }

  const labels = { ...desiredLabels(desired, context.stack), ...context.extraLabels };
  const labelChanges = diffLabels(labels, live?.labels ?? {});
  if (labelChanges.length > 0) changes.push(...labelChanges);
  else if (live !== undefined) unchanged++;

  const secrets = diffSecrets(desired, mode === 'patch' ? live : undefined);
  changes.push(...secrets.changes);
  unchanged += secrets.unchanged;

  const notes: string[] = [];
  if (changedFields.length > 0) notes.push(`${changedFields.join(', ')} ${changedFields.length === 1 ? 'differs' : 'differ'}`);
  const userLabels = labelChanges.map((change) => parsePointer(change.path)[1] ?? '').filter((key) => !key.startsWith('pulpform_'));
  if (userLabels.length > 0)
    notes.push(`label${userLabels.length === 1 ? '' : 's'} ${userLabels.join(', ')} ${userLabels.length === 1 ? 'differs' : 'differ'}`);
  notes.push(...secrets.notes);
  return {
    impact: impactOf(mode, live, changes, createOnlyChanged),
    changes,
    unchanged,
    fields,
    labels,
    labelsChanged: labelChanges.length > 0,
    createOnlyChanged,
    notes,
    diagnostics,
  };
}

function impactOf(mode: DiffMode, live: LiveObject | undefined, changes: FieldChange[], createOnlyChanged: string[]): Impact {
  if (mode === 'create') return live === undefined ? 'create' : 'replace';
  if (createOnlyChanged.length > 0) return 'replace';
  return changes.length > 0 ? 'update' : 'none';
}

/**
 * A field the YAML sets that this server cannot honour: an error naming the release that has
 * it; a warning when the server merely does not report it (it may be judged by the server).
 */
export function unsupportedField(
  desired: DesiredResource,
  field: string,
  value: Json,
  versions: Readonly<Record<string, string>>,
): Diagnostic {
  const unavailable = fieldUnavailable(FIELDS[desired.endpoint]?.[field], versions);
  const server = coreRelease(versions);
  const where = { address: desired.address, value, ...(desired.source ? { source: desired.source } : {}) };
  if (unavailable === undefined) {
    return {
      severity: 'warning',
      code: 'plan.field_unreported',
      summary: `${desired.address}: ${server} does not report "${field}"; it is left out`,
      detail: `The ${desired.endpoint} objects of this server have no "${field}" field.`,
      hint: `Remove "${field}" from the desired state, or check the server's plugin versions.`,
      ...where,
    };
  }
  const { release, have, removed } = unavailable;
  return {
    severity: 'error',
    code: 'plan.field_unsupported',
    summary: `${desired.address}: ${server} cannot honour "${field}"`,
    detail: removed
      ? `${release.component} ${release.version} and later no longer honour "${field}"; this server runs ${release.component} ${have}.`
      : `"${field}" needs ${release.component} ${release.version} or later; this server runs ${release.component} ${have}.`,
    hint: removed
      ? `Remove "${field}" from the desired state (or set it to its default) for this server.`
      : `Upgrade ${release.component} to ${release.version} or later, or remove "${field}" from the desired state.`,
    ...where,
  };
}
