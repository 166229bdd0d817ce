import { capabilitiesOf, type LabelRule } from './capabilities.js';

/** What every supported release accepts: pulpcore 3.23's rule. */
const STRICTEST_LABEL_RULE: LabelRule = (() => {
  const { labelKeys, labelValues } = capabilitiesOf({});
  return { ...labelKeys, ...labelValues };
})();

/**
 * The label scheme pulpform writes on remotes, repositories and distributions (version 1).
 * pulpcore 3.23 accepts only keys matching ^[\w ]+$ and values without commas or
 * parentheses, so every key is `pulpform_<word>`.
 */
export const LABEL_SCHEME = '1';

export const LABELS = {
  /** Ownership: the stack that manages the object. Prune touches only objects carrying ours. */
  stack: 'pulpform_stack',
  /** Scheme version, so a later pulpform can migrate labels it wrote. */
  scheme: 'pulpform_scheme',
  /** Repositories: what the last successful sync was from (a snapshot stamp or the remote URL). */
  synced: 'pulpform_synced',
  /** Remotes: the secret_version whose secrets were last sent. */
  secretVersion: 'pulpform_secret_version',
  /** Repositories: prefix of `pulpform_snapshot_<stamp> = <version number>`, the version a snapshot first gave. */
  snapshotPrefix: 'pulpform_snapshot_',
  /** Repositories: the version number the last sync left (a --resync of the same snapshot may make a newer one). */
  syncedVersion: 'pulpform_synced_version',
  /** Distributions: the snapshot the distribution serves (shown as `production: A -> B`). */
  serves: 'pulpform_serves',
} as const;

/** A dated snapshot, `20220817T082321`: what package mirrors pin and record. */
export const STAMP = /^\d{8}T\d{6}$/;

/** Stamps sort as text in time order; newest first. */
export function newestFirst(stamps: readonly string[]): string[] {
  return [...stamps].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}

/** Labels that record what happened on the server rather than what the YAML asks for. */
export function isStatusLabel(key: string): boolean {
  return key === LABELS.synced || key === LABELS.syncedVersion || key === LABELS.secretVersion || key.startsWith(LABELS.snapshotPrefix);
}

export function ownershipLabels(stack: string): Record<string, string> {
  return { [LABELS.stack]: stack, [LABELS.scheme]: LABEL_SCHEME };
}

/** Why a release with this label rule refuses the label (default: the oldest supported, which is the strictest), or undefined. */
export function labelProblem(key: string, value: string, rule: LabelRule = STRICTEST_LABEL_RULE): string | undefined {
  if (!rule.key.test(key)) return `label key '${key}' may contain only ${rule.keyAllowed}`;
  if (rule.valueForbidden.test(value)) return `label value '${value}' of key '${key}' may not contain ${rule.valueForbiddenWords}`;
  return undefined;
}
