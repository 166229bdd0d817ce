import { isStatusLabel, LABELS, ownershipLabels, type DesiredResource, type FieldChange } from '../model/index.js';
import { pointerSegment } from './values.js';

/** The labels a managed object carries: the user's, ownership, and what the YAML pins (secret version, served snapshot). */
export function desiredLabels(desired: DesiredResource, stack: string): Record<string, string> {
  const labels: Record<string, string> = { ...desired.labels, ...ownershipLabels(stack) };
  if (desired.kind === 'remote' && desired.secretVersion !== undefined) labels[LABELS.secretVersion] = desired.secretVersion;
  if (desired.kind === 'distribution' && desired.snapshot !== undefined) labels[LABELS.serves] = desired.snapshot;
  return labels;
}

/**
 * Per-key changes from `live` to `want`. Status labels the desired state does not set are
 * records of what happened on the server (`pulpform_synced`, snapshot records): kept, not diffed.
 */
export function diffLabels(want: Record<string, string>, live: Record<string, string>): FieldChange[] {
  const keys = [...new Set([...Object.keys(want), ...Object.keys(live)])].sort();
  const changes: FieldChange[] = [];
  for (const key of keys) {
    if (isStatusLabel(key) && !(key in want)) continue;
    const after = want[key];
    const before = live[key];
    if (after === before) continue;
    changes.push({
      path: `/pulp_labels/${pointerSegment(key)}`,
      ...(before !== undefined ? { before } : {}),
      ...(after !== undefined ? { after } : {}),
    });
  }
  return changes;
}
