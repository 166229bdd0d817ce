import { KINDS, parseAddress, PLUGINS, type Address, type Diagnostic, type Kind, type PlanAction, type Plugin } from '../model/index.js';

/** One part of `--only`: `kind`, `kind/plugin`, `kind/plugin/name-glob`, or a name glob. */
export interface Selector {
  text: string;
  kind?: Kind;
  plugin?: Plugin;
  name?: RegExp;
}

const PLURAL: Record<string, Kind> = { remotes: 'remote', repositories: 'repository', publications: 'publication', distributions: 'distribution' };

function kindOf(word: string): Kind | undefined {
  return (KINDS as readonly string[]).includes(word) ? (word as Kind) : PLURAL[word];
}

/** `*` matches any run of characters (names contain `/`), `?` one character. */
export function globToRegExp(glob: string): RegExp {
  const source = [...glob].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/, '\\$&'))).join('');
  return new RegExp(`^${source}$`);
}

export function parseSelectors(only: string): { selectors: Selector[]; diagnostics: Diagnostic[] } {
  const selectors: Selector[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const text of only.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const [first = '', second, ...rest] = text.split('/');
    const kind = kindOf(first);
    if (kind === undefined) {
      selectors.push({ text, name: globToRegExp(text) });
    } else if (second === undefined) {
      selectors.push({ text, kind });
    } else if (!(PLUGINS as readonly string[]).includes(second)) {
      diagnostics.push({
        severity: 'error',
        code: 'plan.bad_scope',
        summary: `--only ${text}: "${second}" is not a plugin`,
        detail: `A selector is a kind (${KINDS.join(', ')}), kind/plugin, kind/plugin/name-glob, or a name glob.`,
        hint: `Use one of the plugins ${PLUGINS.join(', ')}, e.g. --only ${kind}/rpm${rest.length > 0 ? `/${rest.join('/')}` : ''}.`,
        value: text,
      });
    } else {
      selectors.push({ text, kind, plugin: second as Plugin, ...(rest.length > 0 ? { name: globToRegExp(rest.join('/')) } : {}) });
    }
  }
  return { selectors, diagnostics };
}

export function selectorMatches(selector: Selector, address: Address): boolean {
  const { kind, plugin, name } = parseAddress(address);
  return (selector.kind === undefined || selector.kind === kind)
    && (selector.plugin === undefined || selector.plugin === plugin)
    && (selector.name === undefined || selector.name.test(name));
}

/**
 * Narrows a plan to `--only`: the actions whose address matches, plus the actions they need
 * first (a warning names them). A selector never implies deletion: deletes outside it are
 * dropped, even when an in-scope action would have waited for them.
 */
export function scopeActions(actions: PlanAction[], diagnostics: Diagnostic[], only: string): { actions: PlanAction[]; diagnostics: Diagnostic[] } {
  const parsed = parseSelectors(only);
  const inScope = (address: Address): boolean => parsed.selectors.some((selector) => selectorMatches(selector, address));
  const byId = new Map(actions.map((action) => [action.id, action]));
  const kept = new Set<string>();
  const pulledIn: string[] = [];
  const visit = (action: PlanAction, direct: boolean): void => {
    if (kept.has(action.id)) return;
    if (!direct && action.type === 'delete') return;
    kept.add(action.id);
    if (!direct) pulledIn.push(action.id);
    for (const id of action.dependsOn) {
      const dependency = byId.get(id);
      if (dependency !== undefined && !inScope(dependency.address)) visit(dependency, false);
    }
  };
  for (const action of actions) if (inScope(action.address)) visit(action, true);

  const scoped = actions
    .filter((action) => kept.has(action.id))
    .map((action) => ({ ...action, dependsOn: action.dependsOn.filter((id) => kept.has(id)) }));
  const keptAddresses = new Set(scoped.map((action) => action.address));
  const notes: Diagnostic[] = [{
    severity: 'warning',
    code: 'plan.partial',
    summary: `This plan covers only --only ${only}`,
    detail: 'Changes the desired state asks for outside this selector are not shown and will not be made. Objects outside it are never deleted because of it.',
    hint: 'Run without --only to see and converge everything.',
  }];
  if (pulledIn.length > 0) {
    notes.push({
      severity: 'warning',
      code: 'plan.scope_dependencies',
      summary: `${pulledIn.length} action${pulledIn.length === 1 ? '' : 's'} outside --only ${only} ${pulledIn.length === 1 ? 'is' : 'are'} included because selected actions need ${pulledIn.length === 1 ? 'it' : 'them'}`,
      detail: pulledIn.sort().join('\n'),
    });
  }
  const relevant = diagnostics.filter((diagnostic) => diagnostic.address === undefined || inScope(diagnostic.address) || keptAddresses.has(diagnostic.address));
  return { actions: scoped, diagnostics: [...parsed.diagnostics, ...relevant, ...notes] };
}
