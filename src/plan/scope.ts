import {
  type Address,
  closest,
  type DesiredResource,
  type Diagnostic,
  groupsOf,
  type Groups,
  parseImageFilter,
  parseSelectors,
  type PlanAction,
  type Selector,
  selectorMatches,
} from '../model/index.js';

/**
 * The actions `inScope` admits, plus the actions they need first (`pulledIn`). A dependency
 * that is a delete is never pulled in (a narrowed run deletes nothing it did not select),
 * unless the operator asked for that delete by flag (`requestedDeletes`: --replace-push-conflicts).
 */
function narrow(
  actions: PlanAction[],
  inScope: (action: PlanAction) => boolean,
  requestedDeletes: ReadonlySet<string>,
): { actions: PlanAction[]; pulledIn: string[] } {
  const byId = new Map(actions.map((action) => [action.id, action]));
  const kept = new Set<string>();
  const pulledIn: string[] = [];
  const visit = (action: PlanAction, direct: boolean): void => {
    if (kept.has(action.id)) return;
    if (!direct && action.type === 'delete' && !requestedDeletes.has(action.id)) return;
    kept.add(action.id);
    if (!direct) pulledIn.push(action.id);
    for (const id of action.dependsOn) {
      const dependency = byId.get(id);
      if (dependency !== undefined && !inScope(dependency)) visit(dependency, false);
    }
  };
  for (const action of actions) if (inScope(action)) visit(action, true);
  const narrowed = actions
    .filter((action) => kept.has(action.id))
    .map((action) => ({ ...action, dependsOn: action.dependsOn.filter((id) => kept.has(id)) }));
  return { actions: narrowed, pulledIn: pulledIn.sort() };
}

function pulledInNote(pulledIn: string[], scope: string): Diagnostic[] {
  if (pulledIn.length === 0) return [];
  const one = pulledIn.length === 1;
  return [
    {
      severity: 'warning',
      code: 'plan.scope_dependencies',
      summary: `${pulledIn.length} action${one ? '' : 's'} outside ${scope} ${one ? 'is' : 'are'} included because selected actions need ${one ? 'it' : 'them'}`,
      detail: pulledIn.join('\n'),
    },
  ];
}

/**
 * Narrows a plan to `--only`: the actions whose address matches, plus the actions they need
 * first (a warning names them). A selector never implies deletion: deletes outside it are
 * dropped, even when an in-scope action would have waited for them, except `requestedDeletes`.
 */
export function scopeActions(
  actions: PlanAction[],
  diagnostics: Diagnostic[],
  only: string,
  resources: readonly DesiredResource[],
  requestedDeletes: ReadonlySet<string> = new Set(),
): { actions: PlanAction[]; diagnostics: Diagnostic[] } {
  const parsed = parseSelectors(only);
  const groups = groupsOf(resources);
  const unmatched = selectorsMatchingNothing(
    parsed.selectors,
    [...resources.map((r) => r.address), ...actions.map((a) => a.address)],
    groups,
  );
  if (unmatched.length > 0)
    return {
      actions: [],
      diagnostics: [...parsed.diagnostics, ...unmatched.map((selector) => matchesNothing(selector, '--only', resources))],
    };
  const inScope = (address: Address): boolean => parsed.selectors.some((selector) => selectorMatches(selector, address, groups));
  const narrowed = narrow(actions, (action) => inScope(action.address), requestedDeletes);
  const keptAddresses = new Set(narrowed.actions.map((action) => action.address));
  const notes: Diagnostic[] = [
    {
      severity: 'warning',
      code: 'plan.partial',
      summary: `This plan covers only --only ${only}`,
      detail:
        'Changes the desired state asks for outside this selector are not shown and will not be made. Objects outside it are never deleted because of it.',
      hint: 'Run without --only to see and converge everything.',
    },
    ...pulledInNote(narrowed.pulledIn, `--only ${only}`),
  ];
  const relevant = diagnostics.filter(
    (diagnostic) => diagnostic.address === undefined || inScope(diagnostic.address) || keptAddresses.has(diagnostic.address),
  );
  return { actions: narrowed.actions, diagnostics: [...parsed.diagnostics, ...relevant, ...notes] };
}

function selectorsMatchingNothing(selectors: Selector[], addresses: readonly Address[], groups: Groups): Selector[] {
  return selectors.filter((selector) => !addresses.some((address) => selectorMatches(selector, address, groups)));
}

/** A selector that matches nothing is a mistake (a typo), not an empty plan: say so, with the closest names. */
function matchesNothing(selector: Selector, flag: string, resources: readonly DesiredResource[]): Diagnostic {
  const names = [...new Set(resources.map((resource) => resource.name))];
  const groups = [
    ...new Set(resources.flatMap((resource) => (resource.image?.group !== undefined ? [`group:${resource.image.group}`] : []))),
  ];
  const guess = closest(selector.text, [...names, ...groups]);
  const near =
    guess !== undefined
      ? [guess]
      : names.filter((name) => name.toLowerCase().includes(selector.text.replace(/[*?]/g, '').toLowerCase())).slice(0, 3);
  return {
    severity: 'error',
    code: 'plan.selector_matches_nothing',
    summary: `${flag} ${selector.text} matches nothing in the desired state or on the server`,
    detail: 'A selector is a kind, kind/plugin, kind/plugin/name-glob, group:NAME, or a name glob (* and ?); names are matched whole.',
    hint:
      near.length > 0
        ? `Did you mean ${near.map((name) => `"${name}"`).join(' or ')}?`
        : `Check the name, or use a glob such as "${selector.text}*".`,
    value: selector.text,
  };
}

/**
 * Narrows a plan to the container images an image filter selects: `--image-filter` if given,
 * else each mirror's own `filter`. Scope, never desired state: the other images are left out
 * entirely, and no container object is deleted in a filtered run, even with --prune.
 */
export function scopeImages(
  actions: PlanAction[],
  diagnostics: Diagnostic[],
  resources: readonly DesiredResource[],
  override?: string,
  requestedDeletes: ReadonlySet<string> = new Set(),
): { actions: PlanAction[]; diagnostics: Diagnostic[] } {
  const compiled = new Map<string, RegExp[]>();
  const errors: Diagnostic[] = [];
  const regexesOf = (filter: string): RegExp[] => {
    let regexes = compiled.get(filter);
    if (regexes === undefined) {
      const parsed = parseImageFilter(filter);
      if ('invalid' in parsed) {
        errors.push({
          severity: 'error',
          code: 'plan.bad_image_filter',
          summary: `--image-filter: "${parsed.invalid}" is not a valid regular expression`,
          detail: `${parsed.message}. The filter is a whitespace-separated list of unanchored regular expressions matched against image names.`,
          hint: 'Correct the expression, e.g. --image-filter "^nova ^neutron-server$"; escape special characters with a backslash.',
          value: parsed.invalid,
        });
      }
      regexes = 'invalid' in parsed ? [] : parsed.regexes;
      compiled.set(filter, regexes);
    }
    return regexes;
  };
  const excluded = new Set<Address>();
  const images = new Map<string, boolean>();
  for (const { address, image } of resources) {
    const filter = image === undefined ? undefined : (override ?? image.filter);
    if (image === undefined || filter === undefined) continue;
    const selected = regexesOf(filter).some((regex) => regex.test(image.name));
    if (!selected) excluded.add(address);
    images.set(`${image.group ?? ''}\u0000${image.name}`, selected);
  }
  if (errors.length > 0) return { actions: [], diagnostics: [...diagnostics, ...errors] };
  // A filter that selects every image narrows nothing: the run is complete, deletions included.
  if (excluded.size === 0) return { actions, diagnostics };

  const inScope = (action: PlanAction): boolean =>
    !excluded.has(action.address) && !(action.type === 'delete' && action.plugin === 'container');
  const narrowed = narrow(actions, inScope, requestedDeletes);
  const keptAddresses = new Set(narrowed.actions.map((action) => action.address));
  const dropped = actions.filter(
    (action) => action.type === 'delete' && action.plugin === 'container' && !keptAddresses.has(action.address),
  );
  const selected = [...images.values()].filter(Boolean).length;
  const described = override !== undefined ? `--image-filter "${override}"` : "the container mirrors' filter";
  const notes: Diagnostic[] = [
    {
      severity: 'warning',
      code: 'plan.partial_images',
      summary: `This plan covers only the ${selected} of ${images.size} images that ${described} selects`,
      detail: [
        'The other images are not synced, changed or deleted by this run; the rest of the desired state is planned as usual.',
        ...(dropped.length > 0 ? [`Not deleted in a filtered run: ${dropped.map((action) => action.address).join(', ')}.`] : []),
      ].join(' '),
      hint:
        override !== undefined
          ? 'Run without --image-filter to converge every image.'
          : 'To converge every image, pass --image-filter ".*" (or remove "filter:" from the container mirror).',
    },
    ...pulledInNote(narrowed.pulledIn, described),
  ];
  const relevant = diagnostics.filter(
    (diagnostic) => diagnostic.address === undefined || !excluded.has(diagnostic.address) || keptAddresses.has(diagnostic.address),
  );
  return { actions: narrowed.actions, diagnostics: [...relevant, ...notes] };
}

/**
 * Which repositories `--resync SELECTOR` asks to sync although their marker is unchanged
 * (container images gain tags upstream; the Ansible flow synced on every run).
 */
export function resyncSelection(
  resync: string,
  resources: readonly DesiredResource[],
): { matches: (address: Address) => boolean; diagnostics: Diagnostic[] } {
  const parsed = parseSelectors(resync, '--resync');
  const groups = groupsOf(resources);
  const matches = (address: Address): boolean => parsed.selectors.some((selector) => selectorMatches(selector, address, groups));
  const diagnostics = [...parsed.diagnostics];
  if (parsed.diagnostics.length === 0 && !resources.some((resource) => resource.sync !== undefined && matches(resource.address))) {
    diagnostics.push({
      severity: 'warning',
      code: 'plan.resync_matches_nothing',
      summary: `--resync ${resync} matches no repository that syncs`,
      detail: 'Only repositories with a remote and "sync" (all mirrors) can be synced again.',
      hint: 'Select repositories, e.g. --resync "repository/container/*" or --resync group:kolla.',
      value: resync,
    });
  }
  return { matches, diagnostics };
}
