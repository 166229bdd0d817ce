import type { Diagnostic } from './plan.js';
import { type Address, type DesiredResource, KINDS, type Kind, parseAddress, PLUGINS, type Plugin } from './resource.js';

// Selectors name objects on the command line (`--only`, `--resync`, `status`, `pin`) and in the
// YAML (a container mirror's `filter`); config, plan and the CLI all read them.

/** One part of `--only` or `--resync`: `kind`, `kind/plugin`, `kind/plugin/name-glob`, `group:NAME`, or a name glob. */
export interface Selector {
  text: string;
  kind?: Kind;
  plugin?: Plugin;
  name?: RegExp;
  /** A container mirror's `group`: the resources it generated. */
  group?: string;
}

/** A container mirror's `group` of each resource it generated. */
export type Groups = ReadonlyMap<Address, string>;

export function groupsOf(resources: readonly DesiredResource[]): Groups {
  return new Map(
    resources.flatMap((resource) => (resource.image?.group !== undefined ? [[resource.address, resource.image.group] as const] : [])),
  );
}

const PLURAL: Record<string, Kind> = {
  remotes: 'remote',
  repositories: 'repository',
  publications: 'publication',
  distributions: 'distribution',
};

function kindOf(word: string): Kind | undefined {
  return (KINDS as readonly string[]).includes(word) ? (word as Kind) : PLURAL[word];
}

/** `*` matches any run of characters (names contain `/`), `?` one character. */
export function globToRegExp(glob: string): RegExp {
  const source = [...glob].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/, '\\$&'))).join('');
  return new RegExp(`^${source}$`);
}

export function parseSelectors(only: string, flag = '--only'): { selectors: Selector[]; diagnostics: Diagnostic[] } {
  const selectors: Selector[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const text of only
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    const [first = '', second, ...rest] = text.split('/');
    const kind = kindOf(first);
    if (text.startsWith('group:')) {
      selectors.push({ text, group: text.slice('group:'.length) });
    } else if (kind === undefined) {
      selectors.push({ text, name: globToRegExp(text) });
    } else if (second === undefined) {
      selectors.push({ text, kind });
    } else if (!(PLUGINS as readonly string[]).includes(second)) {
      diagnostics.push({
        severity: 'error',
        code: 'plan.bad_scope',
        summary: `${flag} ${text}: "${second}" is not a plugin`,
        detail: `A selector is a kind (${KINDS.join(', ')}), kind/plugin, kind/plugin/name-glob, group:NAME, or a name glob.`,
        hint: `Use one of the plugins ${PLUGINS.join(', ')}, e.g. ${flag} ${kind}/rpm${rest.length > 0 ? `/${rest.join('/')}` : ''}.`,
        value: text,
      });
    } else {
      selectors.push({ text, kind, plugin: second as Plugin, ...(rest.length > 0 ? { name: globToRegExp(rest.join('/')) } : {}) });
    }
  }
  return { selectors, diagnostics };
}

export function selectorMatches(selector: Selector, address: Address, groups: Groups = new Map()): boolean {
  if (selector.group !== undefined) return groups.get(address) === selector.group;
  const { kind, plugin, name } = parseAddress(address);
  return (
    (selector.kind === undefined || selector.kind === kind) &&
    (selector.plugin === undefined || selector.plugin === plugin) &&
    (selector.name === undefined || selector.name.test(name))
  );
}

/** Whitespace-separated, unanchored regexes, as `stackhpc_pulp_images_kolla_filter`, or the first one that does not compile. */
export function parseImageFilter(filter: string): { regexes: RegExp[] } | { invalid: string; message: string } {
  const regexes: RegExp[] = [];
  for (const part of filter.split(/\s+/).filter((p) => p !== '')) {
    try {
      regexes.push(new RegExp(part));
    } catch (error) {
      return { invalid: part, message: (error as Error).message.replace(/^Invalid regular expression: /, '') };
    }
  }
  return { regexes };
}
