import { LABELS, secretFields, type DesiredResource, type FieldChange, type LiveObject } from '../model/index.js';
import { pointerSegment } from './values.js';

export interface SecretsDiff {
  /** One sensitive change per secret to send (or to unset): no value, only the path. */
  changes: FieldChange[];
  unchanged: number;
  /** Why the secrets change, in words, e.g. `password is not set on the server`. */
  notes: string[];
}

/**
 * Write-only fields: Pulp only says whether each is set (`hidden_fields[].is_set`), so a
 * declared secret is sent when the server has none, or when `secretVersion` differs from the
 * version recorded on the object (rotation), and never otherwise. No value is ever recorded.
 * `live` undefined means a new object: every declared secret is sent.
 */
export function diffSecrets(desired: DesiredResource, live: LiveObject | undefined): SecretsDiff {
  const result: SecretsDiff = { changes: [], unchanged: 0, notes: [] };
  const recorded = live?.labels[LABELS.secretVersion];
  const rotated = live !== undefined && desired.secretVersion !== undefined && desired.secretVersion !== recorded;
  const resent: string[] = [];
  for (const field of secretFields(desired.endpoint)) {
    const secret = desired.secrets[field] ?? null;
    const isSet = live?.secretsSet[field] === true;
    const path = `/${pointerSegment(field)}`;
    if (secret !== null && (!isSet || rotated)) {
      result.changes.push({ path, sensitive: true });
      if (live === undefined) continue;
      if (isSet) resent.push(field);
      else result.notes.push(`${field} is not set on the server`);
    } else if (secret === null && isSet) {
      result.changes.push({ path, sensitive: true });
      result.notes.push(`${field} is set on the server but not in the desired state`);
    } else if (live !== undefined) {
      result.unchanged++;
    }
  }
  if (resent.length > 0) {
    result.notes.push(`secret_version ${recorded ?? '(none)'} -> ${desired.secretVersion}: ${resent.join(', ')} re-sent`);
  }
  return result;
}
