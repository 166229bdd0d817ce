import {
  coreRelease,
  FIELDS,
  fieldUnavailable,
  toServerBody,
  type Address,
  type BodyValue,
  type Capabilities,
  type DesiredResource,
  type Diagnostic,
  type FieldChange,
  type HrefRef,
  type Json,
  type LiveObject,
  type SecretSource,
} from '../model/index.js';
import { desiredLabels, diffLabels, statusLabels } from './labels.js';
import { diffSecrets } from './secrets.js';
import { differsFromDefault, parsePointer, pointerSegment, sameValue, wireValue } from './values.js';

/** What a reference will point at: an href known now, or one that an earlier action creates. */
export type RefValue = { href: string } | { unknown: HrefRef; after: string };

/** Resolves the reference in `field` to the object at `target`; undefined when it cannot (a diagnostic says why). */
export type ResolveRef = (field: string, target: Address) => RefValue | undefined;

export interface DiffContext {
  stack: string;
  /** Server component versions: fields some releases lack (FieldSpec.since, FieldSpec.until). */
  versions: Record<string, string>;
  /** How this release holds pulpform's fields: request bodies are mapped to it. */
  capabilities: Capabilities;
  resolveRef: ResolveRef;
  /** Status labels to record along with the desired ones (e.g. an adopted repository's sync marker). */
  extraLabels?: Record<string, string>;
}

/**
 * `patch`: the object exists with the same type; compare field by field, the body carries
 * only what changed. `create`: a new object (or the replacement of `live`); the body carries
 * everything, and `live`, if given, only supplies the `before` values shown in the plan.
 */
export type DiffMode = 'patch' | 'create';

export interface ResourceDiff {
  changes: FieldChange[];
  unchanged: number;
  body: { [key: string]: BodyValue };
  secrets: SecretSource[];
  /** Ids of actions whose result a reference in the body waits for. */
  dependsOn: string[];
  /** Changed fields that Pulp only accepts at create time. */
  createOnlyChanged: string[];
  /** Why the object differs, in words. */
  notes: string[];
  diagnostics: Diagnostic[];
}

export function diffResource(desired: DesiredResource, live: LiveObject | undefined, mode: DiffMode, context: DiffContext): ResourceDiff {
  const diff: ResourceDiff = {
    changes: [],
    unchanged: 0,
    body: {},
    secrets: [],
    dependsOn: [],
    createOnlyChanged: [],
    notes: [],
    diagnostics: [],
  };
  const changedFields: string[] = [];
  const specs = FIELDS[desired.endpoint] ?? {};
  const hasField = (field: string): boolean => live !== undefined && Object.hasOwn(live.fields, field);
  const record = (field: string, before: Json | undefined, after: Json): void => {
    diff.body[field] = wireValue(desired.endpoint, field, after);
    diff.changes.push({ path: `/${pointerSegment(field)}`, ...(before !== undefined ? { before } : {}), after });
    changedFields.push(field);
    if (specs[field]?.createOnly) diff.createOnlyChanged.push(field);
  };

  for (const field of Object.keys(desired.fields).sort()) {
    const value = desired.fields[field] as Json;
    const unavailable = fieldUnavailable(specs[field], context.versions);
    if (unavailable !== undefined || (mode === 'patch' && !hasField(field))) {
      if (differsFromDefault(desired.endpoint, field, value))
        diff.diagnostics.push(unsupportedField(desired, field, value, context.versions));
      continue;
    }
    // Omitted fields take the server default; sending some defaults explicitly (null headers) is refused by 3.23.
    if (mode === 'create' && differsFromDefault(desired.endpoint, field, value)) diff.body[field] = value;
    const before = hasField(field) ? live?.fields[field] : undefined;
    if (hasField(field) && sameValue(desired.endpoint, field, value, before)) {
      diff.unchanged++;
      continue;
    }
    if (before === undefined && value === null) continue;
    record(field, before, value);
    if (mode === 'create' && !differsFromDefault(desired.endpoint, field, value)) delete diff.body[field];
  }

  // A reference field the YAML leaves out is managed as its default (null), so a distribution
  // switching from `repository` to `publication` clears the former in the same PATCH.
  const implicit = Object.entries(specs)
    .filter(([field, spec]) => spec.ref !== undefined && spec.default === null && !(field in desired.refs) && !(field in desired.fields))
    .map(([field]) => field);
  for (const field of [...Object.keys(desired.refs), ...implicit].sort()) {
    if (mode === 'patch' && !hasField(field)) continue;
    const before = hasField(field) ? live?.fields[field] : undefined;
    const target = desired.refs[field];
    if (target === undefined) {
      if (mode === 'create') continue;
      if (before === null || before === undefined) diff.unchanged++;
      else record(field, before, null);
      continue;
    }
    const resolved = context.resolveRef(field, target);
    if (resolved === undefined) continue;
    if ('unknown' in resolved) {
      diff.body[field] = resolved.unknown;
      diff.changes.push({ path: `/${pointerSegment(field)}`, ...(before !== undefined ? { before } : {}), unknown: true });
      changedFields.push(field);
      diff.dependsOn.push(resolved.after);
      continue;
    }
    if (mode === 'create') diff.body[field] = resolved.href;
    if (before === resolved.href) {
      diff.unchanged++;
      continue;
    }
    record(field, before, resolved.href);
  }

  const want = { ...desiredLabels(desired, context.stack), ...context.extraLabels };
  const labelChanges = diffLabels(want, live?.labels ?? {});
  if (mode === 'create') diff.body.pulp_labels = want;
  else if (labelChanges.length > 0) diff.body.pulp_labels = { ...statusLabels(live?.labels ?? {}), ...want };
  if (labelChanges.length > 0) diff.changes.push(...labelChanges);
  else if (live !== undefined) diff.unchanged++;

  const secrets = diffSecrets(desired, mode === 'patch' ? live : undefined);
  diff.changes.push(...secrets.changes);
  diff.secrets = secrets.secrets;
  diff.unchanged += secrets.unchanged;

  diff.body = toServerBody(desired.endpoint, diff.body, context.capabilities, mode === 'patch' ? live?.raw : undefined);
  if (changedFields.length > 0) diff.notes.push(`${changedFields.join(', ')} ${changedFields.length === 1 ? 'differs' : 'differ'}`);
  const userLabels = labelChanges.map((change) => parsePointer(change.path)[1] ?? '').filter((key) => !key.startsWith('pulpform_'));
  if (userLabels.length > 0)
    diff.notes.push(
      `label${userLabels.length === 1 ? '' : 's'} ${userLabels.join(', ')} ${userLabels.length === 1 ? 'differs' : 'differ'}`,
    );
  diff.notes.push(...secrets.notes);
  return diff;
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
