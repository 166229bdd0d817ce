/**
 * What a Pulp server does differently by version, decided once from the component versions of
 * `/status/`. Every behaviour difference pulpform adapts to is one row of CHANGES, and the rest
 * of the code asks `capabilitiesOf(versions)`; fields that appear or go away are
 * FieldSpec.since / FieldSpec.until in FIELDS. Differences the client absorbs the same way on
 * every version need no row: 401 or 403 for bad credentials, an update answered 200 without a
 * task, task lock records as hrefs or PRNs, deb's `structured` default (publications always
 * send their options), a served repository version refused deletion from pulpcore 3.44
 * (pulpform never deletes one, on any release).
 */

/** pulpcore releases the end-to-end suite runs on. */
export const TESTED_CORE = { oldest: '3.23', newest: '3.116' } as const;

export interface LabelRule {
  key: RegExp;
  /** What keys may contain, in words. */
  keyAllowed: string;
  /** Characters refused in values. */
  valueForbidden: RegExp;
  /** Those characters, in words. */
  valueForbiddenWords: string;
}

export interface Capabilities {
  /**
   * Where rpm repositories and publications keep config.repo's gpgcheck and repo_gpgcheck:
   * their own `fields`, or inside `repo_config` (the old fields then answer null, or are
   * read-only, and rpm 3.24 drops a gpgcheck sent on create).
   */
  rpmGpgOptions: 'fields' | 'repo_config';
  /** pulp_rpm's deprecation shim sets repo_config to `{}` on every repository update that does not send it. */
  rpmUpdateResetsRepoConfig: boolean;
  /** The names container remotes answer their tag filters under; the older names stay accepted on write. */
  containerTagFilters: { include: string; exclude: string };
  labelKeys: Pick<LabelRule, 'key' | 'keyAllowed'>;
  labelValues: Pick<LabelRule, 'valueForbidden' | 'valueForbiddenWords'>;
  /** Tasks can be listed by `pulp_href__in`. */
  taskHrefFilter: boolean;
  /** The lists of every type (`remotes/`, `repositories/`, `distributions/`) filter by `pulp_type__in`. */
  genericTypeFilter: boolean;
}

/** pulpcore 3.23.24 with pulp_rpm 3.20, pulp_container 2.14, pulp_deb 2.20, pulp_file 1.14. */
const BASELINE: Capabilities = {
  rpmGpgOptions: 'fields',
  rpmUpdateResetsRepoConfig: false,
  containerTagFilters: { include: 'include_tags', exclude: 'exclude_tags' },
  labelKeys: { key: /^[\p{L}\p{N}_ ]+$/u, keyAllowed: 'letters, digits, underscores and spaces' },
  labelValues: { valueForbidden: /[,()]/, valueForbiddenWords: 'commas or parentheses' },
  taskHrefFilter: false,
  genericTypeFilter: false,
};

export interface CapabilityChange<K extends keyof Capabilities = keyof Capabilities> {
  capability: K;
  component: string;
  /** The first release with `value`. */
  since: string;
  value: Capabilities[K];
  /** The upstream change, or what the real servers answered. */
  evidence: string;
}

function row<K extends keyof Capabilities>(change: CapabilityChange<K>): CapabilityChange {
  return change as unknown as CapabilityChange;
}

/** In release order per capability: a later row of a capability overrides an earlier one. */
export const CHANGES: readonly CapabilityChange[] = [
  row({
    capability: 'rpmGpgOptions',
    component: 'rpm',
    since: '3.24.0',
    value: 'repo_config',
    evidence: 'pulp_rpm 3.24.0 adds repo_config; gpgcheck/repo_gpgcheck answer null (rpm 3.24.1 drops gpgcheck sent on create)',
  }),
  row({
    capability: 'rpmUpdateResetsRepoConfig',
    component: 'rpm',
    since: '3.24.0',
    value: true,
    evidence: 'pulp_rpm 3.24.1: PATCH {"description": …} leaves repo_config {}',
  }),
  row({
    capability: 'rpmUpdateResetsRepoConfig',
    component: 'rpm',
    since: '3.30.0',
    value: false,
    evidence: 'pulp_rpm 3.30.0 makes gpgcheck/repo_gpgcheck read-only and drops the update shim',
  }),
  row({
    capability: 'containerTagFilters',
    component: 'container',
    since: '2.28.0',
    value: { include: 'includes', exclude: 'excludes' },
    evidence: 'pulp_container 2.28.0 renames include_tags/exclude_tags',
  }),
  row({
    capability: 'labelKeys',
    component: 'core',
    since: '3.105.0',
    value: { key: /^[\p{L}\p{N}_ .-]+$/u, keyAllowed: 'letters, digits, underscores, spaces, hyphens and dots' },
    evidence: 'pulpcore 3.105.0 "Unify pulp_labels key validation to allow hyphens, spaces, and dots"',
  }),
  row({
    capability: 'labelValues',
    component: 'core',
    since: '3.115.0',
    value: { valueForbidden: /[()]/, valueForbiddenWords: 'parentheses' },
    evidence: 'pulpcore 3.115.0 "Allow commas in pulp_labels values"',
  }),
  row({
    capability: 'taskHrefFilter',
    component: 'core',
    since: '3.24.0',
    value: true,
    evidence: 'pulpcore 3.24.0 adds pulp_href__in to tasks/',
  }),
  row({
    capability: 'genericTypeFilter',
    component: 'core',
    since: '3.43.0',
    value: true,
    evidence:
      'the OpenAPI of pulpcore 3.43.1 has pulp_type__in on remotes/, repositories/ and distributions/; 3.23.24 has not (the first release between them with it is not pinned down)',
  }),
];

/** Numeric comparison of dotted versions: `3.20.0` < `3.23`, `3.9` < `3.116`. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const right = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Whether the server's `component` is `version` or later; false when the server lacks the component. */
export function hasVersion(versions: Readonly<Record<string, string>>, component: string, version: string): boolean {
  const have = versions[component];
  return have !== undefined && compareVersions(have, version) >= 0;
}

/** The capabilities of a server with these component versions (`{core: '3.43.1', rpm: '3.24.1', …}`). */
export function capabilitiesOf(versions: Readonly<Record<string, string>>): Capabilities {
  const capabilities: Record<string, unknown> = { ...BASELINE };
  for (const change of CHANGES) {
    if (hasVersion(versions, change.component, change.since)) capabilities[change.capability] = change.value;
  }
  return capabilities as unknown as Capabilities;
}

/** The first release that changed `capability` so that `accepts` holds, for error texts ("needs pulpcore 3.105.0 or later"). */
export function firstReleaseWhere<K extends keyof Capabilities>(
  capability: K,
  accepts: (value: Capabilities[K]) => boolean,
): CapabilityChange | undefined {
  return CHANGES.find((change) => change.capability === capability && accepts(change.value as Capabilities[K]));
}

/** `pulpcore 3.43.1`: how error texts name a server. */
export function coreRelease(versions: Readonly<Record<string, string>>): string {
  return versions['core'] === undefined ? 'this Pulp server' : `pulpcore ${versions['core']}`;
}

/** Label rules of every supported release, oldest first: offline validation accepts what any of them accepts. */
export function labelRulesOfAllReleases(): Array<{ release: string; rule: LabelRule }> {
  const releases = ['3.23.0', ...CHANGES.filter((c) => c.capability === 'labelKeys' || c.capability === 'labelValues').map((c) => c.since)];
  return [...new Set(releases)].sort(compareVersions).map((release) => {
    const capabilities = capabilitiesOf({ core: release });
    return { release, rule: { ...capabilities.labelKeys, ...capabilities.labelValues } };
  });
}
