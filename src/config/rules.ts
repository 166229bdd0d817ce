import { labelProblem, labelRulesOfAllReleases } from '../model/index.js';
import type { Kind } from '../model/index.js';
import { isPlainObject, SENSITIVE } from './issues.js';
import type { Finding } from './issues.js';
import type { ReportItem } from './items.js';
import { itemName, text } from './items.js';
import { originOf } from './entries.js';
import type { ConfigItem } from './section-types.js';
import { closest } from '../model/suggest.js';
import { describeLocation } from './yaml-file.js';

/** Label rules of the supported releases, oldest first. */
const LABEL_RULES = labelRulesOfAllReleases();

/**
 * Checks that need more than one field or more than one item (changesets-style rules). They
 * run on every item, including those that failed the schema, so one run reports everything;
 * hence they read fields defensively.
 */
export interface RuleContext {
  items: readonly ConfigItem[];
  report: ReportItem;
}

export type Rule = (context: RuleContext) => void;

const RESERVED_LABEL_PREFIX = 'pulpform_';

function where(item: ConfigItem, field?: string): string {
  const { origin, path } = originOf(item, field === undefined ? [] : [field]);
  return describeLocation(origin.file, [...origin.path, ...path]);
}

function ofKind(items: readonly ConfigItem[], kind: Kind): ConfigItem[] {
  return items.filter((item) => item.kind === kind);
}

/** The first item of each name; later ones are the duplicates uniqueNames reports. */
function byName(items: readonly ConfigItem[]): Map<string, ConfigItem> {
  const names = new Map<string, ConfigItem>();
  for (const item of items) {
    const name = itemName(item);
    if (name !== undefined && !names.has(name)) names.set(name, item);
  }
  return names;
}

const uniqueNames: Rule = ({ items, report }) => {
  for (const kind of ['remote', 'repository', 'distribution', 'publication'] as const) {
    const seen = new Map<string, ConfigItem>();
    for (const item of ofKind(items, kind)) {
      const name = itemName(item);
      if (name === undefined) continue;
      const first = seen.get(name);
      if (first === undefined) {
        seen.set(name, item);
      } else if (kind === 'publication') {
        report(item, ['repository'], 'value', {
          severity: 'error',
          code: 'config.duplicate_publication',
          summary: 'Two publications for one repository',
          detail: `Repository "${name}" already has a publication declared at ${where(first)}; pulpform manages one publication per repository.`,
          hint: 'Remove one of the two publications (merge their options into the other).',
          value: name,
        });
      } else {
        report(item, ['name'], 'value', {
          severity: 'error',
          code: 'config.duplicate_name',
          summary: `Duplicate ${kind} name`,
          detail: `Another ${kind} named "${name}" is declared at ${where(first)}. Pulp ${kind} names are unique across all plugins.`,
          hint: 'Rename one of them, or remove the duplicate.',
          value: name,
        });
      }
    }
  }
};

/** A reference by name to an item of `kind`: dangling, of another kind, or of another plugin. */
function checkReference(
  context: RuleContext,
  item: ConfigItem,
  field: string,
  kind: Kind,
  targets: Map<string, ConfigItem>,
  everything: Map<Kind, Map<string, ConfigItem>>,
): ConfigItem | undefined {
  const name = text(item, field);
  if (name === undefined) return undefined;
  const target = targets.get(name);
  const section = kind === 'repository' ? 'repositories' : `${kind}s`;
  if (target === undefined) {
    const otherKind = [...everything].find(([other, names]) => other !== kind && names.has(name))?.[0];
    if (kind === 'publication' && everything.get('repository')?.has(name)) {
      context.report(item, [field], 'value', {
        severity: 'error',
        code: 'config.dangling_reference',
        summary: 'Reference to an undeclared publication',
        detail: `Repository "${name}" exists, but no publication is declared for it.`,
        hint: `Add "- repository: ${name}" under "publications:", or serve the repository with "repository: ${name}".`,
        value: name,
      });
    } else if (otherKind !== undefined) {
      context.report(item, [field], 'value', {
        severity: 'error',
        code: 'config.wrong_reference_kind',
        summary: `Reference to a ${otherKind} where a ${kind} is expected`,
        detail: `"${name}" is a ${otherKind}, not a ${kind}.`,
        hint: `Name a ${kind} here; ${section} are declared under "${section}:".`,
        value: name,
      });
    } else {
      const guess = closest(name, targets.keys());
      context.report(item, [field], 'value', {
        severity: 'error',
        code: 'config.dangling_reference',
        summary: `Reference to an undeclared ${kind}`,
        detail: `No ${kind} named "${name}" is declared${kind === 'publication' ? ' (a publication is named by its repository)' : ''}.`,
        hint: guess !== undefined ? `Use "${guess}", or declare "${name}" under "${section}:".` : `Declare a ${kind} named "${name}" under "${section}:", or correct the name.`,
        value: name,
      });
    }
    return undefined;
  }
  if (target.plugin !== undefined && item.plugin !== undefined && target.plugin !== item.plugin) {
    const stated = item.data.type !== undefined;
    context.report(item, [stated && item.kind === 'distribution' ? 'type' : field], 'value', {
      severity: 'error',
      code: 'config.reference_plugin_mismatch',
      summary: `Reference to a ${target.plugin} ${kind} from a ${item.plugin} ${item.kind}`,
      detail: `${kind[0]?.toUpperCase()}${kind.slice(1)} "${name}" is ${target.plugin}; this ${item.kind} is ${item.plugin}. Both must belong to the same plugin.`,
      hint: item.kind === 'distribution' ? 'Remove "type" (it is inferred from what the distribution serves) or correct it.' : `Name a ${item.plugin} ${kind}, or give both the same type.`,
      value: name,
    });
  }
  return target;
}

const references: Rule = (context) => {
  const { items, report } = context;
  const everything = new Map<Kind, Map<string, ConfigItem>>(
    (['remote', 'repository', 'publication', 'distribution'] as const).map((kind) => [kind, byName(ofKind(items, kind))]),
  );
  const targets = (kind: Kind): Map<string, ConfigItem> => everything.get(kind) ?? new Map();
  for (const item of items) {
    if (item.kind === 'repository') {
      checkReference(context, item, 'remote', 'remote', targets('remote'), everything);
    } else if (item.kind === 'publication') {
      const repository = checkReference(context, item, 'repository', 'repository', targets('repository'), everything);
      if (repository?.plugin === 'container') {
        report(item, ['repository'], 'value', {
          severity: 'error',
          code: 'config.container_publication',
          summary: 'Publication for a container repository',
          detail: 'Container repositories are served directly; Pulp has no container publications.',
          hint: `Remove this publication and serve the repository from a distribution with "repository: ${repository.data.name as string}".`,
          value: text(item, 'repository') ?? null,
        });
      }
    } else if (item.kind === 'distribution') {
      const publication = text(item, 'publication');
      const repository = text(item, 'repository');
      if (publication !== undefined && repository !== undefined) {
        report(item, ['repository'], 'key', {
          severity: 'error',
          code: 'config.distribution_target_conflict',
          summary: 'Distribution serves both a publication and a repository',
          detail: 'A distribution serves either a publication or a repository, not both.',
          hint: 'Remove "publication:" or "repository:".',
        });
      } else if (publication === undefined && repository === undefined && item.data.publication === undefined && item.data.repository === undefined) {
        report(item, [], 'value', {
          severity: 'warning',
          code: 'config.distribution_serves_nothing',
          summary: 'Distribution serves nothing',
          detail: 'This distribution names neither a publication nor a repository; Pulp will serve nothing at its base path.',
          hint: 'Add "publication: REPOSITORY" or "repository: REPOSITORY" if it should serve content.',
        });
      }
      if (item.plugin !== 'container') checkReference(context, item, 'publication', 'publication', targets('publication'), everything);
      checkReference(context, item, 'repository', 'repository', targets('repository'), everything);
    }
  }
};

const syncNeedsRemote: Rule = ({ items, report }) => {
  for (const item of ofKind(items, 'repository')) {
    const sync = item.data.sync;
    if ((sync === true || isPlainObject(sync)) && item.data.remote === undefined) {
      report(item, ['sync'], 'key', {
        severity: 'error',
        code: 'config.sync_without_remote',
        summary: 'Sync without a remote',
        detail: 'This repository asks to be synced but names no remote to sync from.',
        hint: 'Add "remote: NAME" to the repository, or remove "sync".',
      });
    }
  }
};

/** Combinations Pulp's sync endpoints refuse (pulp_rpm viewsets/repository.py, pulp_file). */
const syncOptionConflicts: Rule = ({ items, report }) => {
  for (const item of ofKind(items, 'repository')) {
    const sync = item.data.sync;
    if (!isPlainObject(sync)) continue;
    const conflict = (path: string[], detail: string, hint: string): void =>
      report(item, path, 'value', { severity: 'error', code: 'config.sync_option_conflict', summary: 'Conflicting sync options', detail, hint });
    if (item.plugin === 'rpm') {
      const policy = sync.sync_policy;
      const mirroring = policy === 'mirror_complete' || policy === 'mirror_content_only';
      if (policy === 'mirror_complete' && Array.isArray(sync.skip_types) && sync.skip_types.length > 0) {
        conflict(['sync', 'skip_types'], 'Pulp refuses skip_types together with sync_policy mirror_complete.', 'Remove skip_types, or use sync_policy: mirror_content_only.');
      }
      if (mirroring && typeof item.data.retain_package_versions === 'number' && item.data.retain_package_versions > 0) {
        conflict(['sync', 'sync_policy'], `Pulp refuses sync_policy ${policy} on a repository with retain_package_versions > 0.`, 'Set retain_package_versions: 0, or use sync_policy: additive.');
      }
      if (policy === 'mirror_complete' && item.data.autopublish === true) {
        conflict(['sync', 'sync_policy'], 'Pulp refuses sync_policy mirror_complete on a repository with autopublish (the mirror sync publishes by itself).', 'Remove autopublish, or use another sync_policy.');
      }
    }
    if (item.plugin === 'file' && sync.mirror === true && item.data.autopublish === true) {
      conflict(['sync', 'mirror'], 'Pulp refuses mirror mode on a repository with autopublish.', 'Remove autopublish, or mirror: true.');
    }
  }
};

const verbatimPublications: Rule = ({ items, report }) => {
  for (const item of ofKind(items, 'publication')) {
    if (item.data.verbatim !== true) continue;
    for (const option of ['simple', 'structured', 'signing_service']) {
      if (item.data[option] !== undefined) {
        report(item, [option], 'key', {
          severity: 'error',
          code: 'config.verbatim_options',
          summary: 'Option of a generated publication on a verbatim one',
          detail: `A verbatim publication copies the upstream metadata as it is; "${option}" applies only to generated (apt) publications.`,
          hint: `Remove "${option}", or remove "verbatim: true".`,
        });
      }
    }
  }
};

const FORBIDDEN_IN_BASE_PATH = /[\s?#]/;
const CONTAINER_SEGMENT = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export function basePathProblem(path: string, container: boolean): string | undefined {
  if (path.startsWith('/') || path.endsWith('/')) return 'must not start or end with "/"';
  if (FORBIDDEN_IN_BASE_PATH.test(path)) return 'must not contain spaces, "?" or "#"';
  const segments = path.split('/');
  if (segments.some((segment) => segment === '')) return 'must not contain empty segments ("//")';
  if (segments.some((segment) => segment === '.' || segment === '..')) return 'must not contain "." or ".." segments';
  if (container && path.length > 255) return 'must be at most 255 characters for a container distribution';
  if (container && !segments.every((segment) => CONTAINER_SEGMENT.test(segment))) {
    return 'must be a registry path for a container distribution: lowercase letters and digits, separated by ".", "_" or "-" within a segment';
  }
  return undefined;
}

function suggestedBasePath(path: string, container: boolean): string {
  const cleaned = path.split('/').map((segment) => segment.trim().replace(/[\s?#]+/g, '-')).filter((segment) => segment !== '' && segment !== '.' && segment !== '..').join('/');
  return container ? cleaned.toLowerCase() : cleaned;
}

const basePaths: Rule = ({ items, report }) => {
  const claimed = new Map<string, ConfigItem>();
  const distributions = ofKind(items, 'distribution');
  for (const item of distributions) {
    const path = text(item, 'base_path');
    if (path === undefined) continue;
    const problem = basePathProblem(path, item.plugin === 'container');
    if (problem !== undefined) {
      report(item, ['base_path'], 'value', {
        severity: 'error',
        code: 'config.invalid_base_path',
        summary: 'Invalid base path',
        detail: `The base path ${problem}.`,
        hint: `Write it as "${suggestedBasePath(path, item.plugin === 'container')}".`,
        value: path,
      });
      continue;
    }
    const first = claimed.get(path);
    if (first !== undefined) {
      report(item, ['base_path'], 'value', {
        severity: 'error',
        code: 'config.duplicate_base_path',
        summary: 'Duplicate base path',
        detail: `Distribution "${itemName(first) ?? '?'}" (${where(first, 'base_path')}) already serves "${path}".`,
        hint: 'Give each distribution its own base path.',
        value: path,
      });
    } else {
      claimed.set(path, item);
    }
  }
  for (const [path, item] of claimed) {
    const segments = path.split('/');
    for (let length = segments.length - 1; length >= 1; length--) {
      const outer = claimed.get(segments.slice(0, length).join('/'));
      // Pulp checks nesting for publication-based distributions; container registry paths may nest.
      if (outer === undefined || (outer.plugin === 'container' && item.plugin === 'container')) continue;
      report(item, ['base_path'], 'value', {
        severity: 'error',
        code: 'config.overlapping_base_path',
        summary: 'Overlapping base paths',
        detail: `"${path}" (distribution "${itemName(item) ?? '?'}", ${where(item, 'base_path')}) lies inside "${segments.slice(0, length).join('/')}" (distribution "${itemName(outer) ?? '?'}", ${where(outer, 'base_path')}); Pulp refuses base paths that nest.`,
        hint: 'Move one of them so that neither base path is a prefix of the other, e.g. side by side as .../development and .../production.',
        value: path,
      });
      break;
    }
  }
};

/** Credentials in a URL end up in logs and plans: they belong in the write-only fields. */
export function urlProblem(raw: string, allowFile: boolean): { code: string; summary: string; detail: string; redacted: string } | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { code: 'config.invalid_url', summary: 'Invalid URL', detail: 'The value is not an absolute URL.', redacted: raw.replace(/\/\/[^/@]*@/, `//${SENSITIVE}@`) };
  }
  const schemes = allowFile ? ['http:', 'https:', 'file:'] : ['http:', 'https:'];
  const redacted = url.username !== '' || url.password !== '' ? raw.replace(/\/\/[^/@]*@/, `//${SENSITIVE}@`) : raw;
  if (url.username !== '' || url.password !== '') {
    return { code: 'config.url_credentials', summary: 'Credentials in a URL', detail: 'The URL carries a user name or password; URLs are shown in plans and logs.', redacted };
  }
  if (!schemes.includes(url.protocol)) {
    return { code: 'config.invalid_url', summary: 'Unsupported URL scheme', detail: `The URL must start with ${schemes.map((s) => `${s}//`).join(', ')}.`, redacted };
  }
  return undefined;
}

/** The finding for a URL field that is not a URL or carries credentials, or undefined. */
export function urlFinding(field: string, url: string, options: { allowFile: boolean; example: string }): Finding | undefined {
  const problem = urlProblem(url, options.allowFile);
  if (problem === undefined) return undefined;
  const proxy = field === 'proxy_url';
  return {
    severity: 'error',
    code: problem.code,
    summary: problem.summary,
    detail: problem.detail,
    hint: problem.code === 'config.url_credentials'
      ? `Remove the credentials from the URL and set ${proxy ? 'proxy_username and proxy_password' : 'username and password'} (e.g. ${proxy ? 'proxy_password' : 'password'}: \${env:NAME}).`
      : `Write a full URL such as ${options.example}.`,
    value: problem.redacted,
  };
}

const urls: Rule = ({ items, report }) => {
  for (const item of ofKind(items, 'remote')) {
    for (const field of ['url', 'proxy_url']) {
      const url = text(item, field);
      const finding = url === undefined ? undefined : urlFinding(field, url, { allowFile: item.plugin !== 'container', example: 'https://host.example.com/path/' });
      if (finding !== undefined) report(item, [field], 'value', finding);
    }
  }
};

const labels: Rule = ({ items, report }) => {
  for (const item of items) {
    const declared = item.data.labels;
    if (!isPlainObject(declared)) continue;
    for (const [key, value] of Object.entries(declared)) {
      if (key.startsWith(RESERVED_LABEL_PREFIX)) {
        report(item, ['labels', key], 'key', {
          severity: 'error',
          code: 'config.reserved_label',
          summary: 'Reserved label key',
          detail: `Label keys starting with "${RESERVED_LABEL_PREFIX}" are pulpform's own (ownership, sync records); the plan writes them.`,
          hint: `Rename the label, e.g. "${key.slice(RESERVED_LABEL_PREFIX.length) || 'team'}".`,
          value: key,
        });
        continue;
      }
      if (typeof value !== 'string') continue;
      // Offline there is no server to ask: refuse only what no supported release accepts.
      const accepting = LABEL_RULES.filter(({ rule }) => labelProblem(key, value, rule) === undefined);
      if (accepting.length === LABEL_RULES.length) continue;
      const newest = LABEL_RULES.at(-1)!.rule;
      const badKey = labelProblem(key, '', accepting.length === 0 ? newest : LABEL_RULES[0]!.rule) !== undefined;
      const fix = badKey ? `Rename it to "${key.replace(/[^\p{L}\p{N}_ ]/gu, '_')}"` : `Write the value without commas or parentheses, e.g. "${value.replace(/[,()]/g, ' ').replace(/\s+/g, ' ').trim()}"`;
      report(item, ['labels', key], badKey ? 'key' : 'value', accepting.length === 0
        ? {
            severity: 'error',
            code: 'config.invalid_label',
            summary: badKey ? 'Invalid label key' : 'Invalid label value',
            detail: `No supported Pulp accepts this label: ${labelProblem(key, value, newest)}.`,
            hint: `${fix}.`,
            value: badKey ? key : value,
          }
        : {
            severity: 'warning',
            code: 'config.label_needs_newer_pulp',
            summary: badKey ? 'Label key needs a newer Pulp' : 'Label value needs a newer Pulp',
            detail: `Only pulpcore ${accepting[0]!.release} and later accept this label (older releases: ${labelProblem(key, value, LABEL_RULES[0]!.rule)}); planning against an older server refuses it.`,
            hint: `${fix}, which every supported Pulp accepts.`,
            value: badKey ? key : value,
          });
    }
  }
};

export const RULES: readonly Rule[] = [uniqueNames, references, syncNeedsRemote, syncOptionConflicts, verbatimPublications, basePaths, urls, labels];
