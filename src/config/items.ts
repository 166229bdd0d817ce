import { PLUGINS } from '../model/index.js';
import type { Kind, Plugin } from '../model/index.js';
import type { Finding } from './issues.js';
import { reportIssues } from './issues.js';
import { genericItemSchema, itemSchema, pluginsAllowing, PUBLISHING_PLUGINS, SYNC_OPTIONS } from './schema.js';
import type { ConfigItem, RawItem } from './section-types.js';
import { SECRET_FIELDS } from './secret-fields.js';
import { closest } from '../model/suggest.js';
import type { Path } from './yaml-file.js';

const PLURAL: Record<Kind, string> = {
  remote: 'remotes',
  repository: 'repositories',
  publication: 'publications',
  distribution: 'distributions',
};

export type ReportItem = (item: ConfigItem, path: Path, part: 'key' | 'value', finding: Finding) => void;

/** Soft accessor for rules that must also run on items that failed the schema. */
export function text(item: RawItem, key: string): string | undefined {
  const value = item.data[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The name in an item's address: its `name`; for a publication its repository's, with
 * `@<snapshot>` when it publishes a pinned snapshot (the model's publication addresses).
 */
export function itemName(item: RawItem): string | undefined {
  if (item.kind !== 'publication') return text(item, 'name');
  const repository = text(item, 'repository');
  const snapshot = item.generated?.snapshot;
  return repository === undefined || snapshot === undefined ? repository : `${repository}@${snapshot}`;
}

/**
 * Decides each item's plugin: remotes and repositories state it in `type`; a publication
 * takes its repository's; a distribution states it or takes it from what it serves.
 */
export function assignPlugins(items: readonly RawItem[], report: ReportItem): ConfigItem[] {
  const result: ConfigItem[] = items.map((item) => ({ ...item }));
  const explicit = (item: ConfigItem, required: boolean): Plugin | undefined => {
    const type = item.data.type;
    if (type === undefined) {
      if (required) {
        report(item, [], 'value', {
          severity: 'error',
          code: 'config.type_missing',
          summary: 'Missing type',
          detail:
            item.kind === 'distribution'
              ? 'This distribution serves nothing its plugin could be inferred from, so it needs a type.'
              : `Every ${item.kind} needs a type: ${PLUGINS.join(', ')}.`,
          hint: `Add "type: rpm" (or ${PLUGINS.slice(1).join(', ')}).`,
        });
      }
      return undefined;
    }
    if (typeof type === 'string' && (PLUGINS as readonly string[]).includes(type)) return type as Plugin;
    const guess = typeof type === 'string' ? closest(type, PLUGINS) : undefined;
    report(item, ['type'], 'value', {
      severity: 'error',
      code: 'config.type_unknown',
      summary: 'Unknown type',
      detail: `The type of a ${item.kind} is the Pulp plugin that manages it: ${PLUGINS.join(', ')}.`,
      hint: guess !== undefined ? `Use "type: ${guess}".` : `Use one of: ${PLUGINS.join(', ')}.`,
      value: typeof type === 'string' ? type : JSON.stringify(type),
    });
    return undefined;
  };

  const repositoryPlugins = new Map<string, Plugin | undefined>();
  for (const item of result) {
    if (item.kind === 'remote' || item.kind === 'repository') item.plugin = explicit(item, true);
    const name = itemName(item);
    if (item.kind === 'repository' && name !== undefined && !repositoryPlugins.has(name)) repositoryPlugins.set(name, item.plugin);
  }
  for (const item of result) {
    if (item.kind === 'publication') {
      const repository = text(item, 'repository');
      item.plugin = repository === undefined ? undefined : repositoryPlugins.get(repository);
    } else if (item.kind === 'distribution') {
      const served = text(item, 'publication') ?? text(item, 'repository');
      const inferred = served === undefined ? undefined : repositoryPlugins.get(served);
      item.plugin = explicit(item, served === undefined) ?? inferred;
    }
  }
  return result;
}

/** Checks each item's fields against the schema of its kind and plugin. */
export function validateItems(items: readonly ConfigItem[], report: ReportItem): void {
  for (const item of items) {
    const known = item.plugin !== undefined && (item.kind !== 'publication' || PUBLISHING_PLUGINS.includes(item.plugin));
    const schema = known ? itemSchema(item.kind, item.plugin as Plugin, 'runtime') : genericItemSchema(item.kind, 'runtime');
    const result = schema.safeParse(item.data);
    if (result.success) continue;
    const secrets = SECRET_FIELDS[item.kind];
    reportIssues(schema, item.data, result.error.issues, {
      subject: known ? `${item.plugin} ${item.kind}` : item.kind,
      isSecret: (path) => typeof path[0] === 'string' && secrets.has(path[0]),
      unknownKeyHint: (path, key) => unknownKeyHint(item.kind, item.plugin, path, key),
      report: (path, part, finding) => report(item, path, part, finding),
    });
  }
}

function unknownKeyHint(kind: Kind, plugin: Plugin | undefined, path: Path, key: string): string | undefined {
  if (path.length === 1 && path[0] === 'sync' && plugin !== undefined) {
    const options = Object.keys(SYNC_OPTIONS[plugin]);
    if (plugin === 'rpm' && key === 'mirror')
      return 'rpm repositories take "sync_policy: mirror_complete" (or mirror_content_only) instead of mirror.';
    return `Remove it. Sync options of ${plugin} repositories: ${options.join(', ')}.`;
  }
  if (path.length > 0) return undefined;
  if (key === 'pulp_labels') return 'Write labels under "labels:".';
  if (key === 'repository_version')
    return 'Serving a pinned repository version is not supported here; serve the repository with "repository: NAME".';
  if (kind === 'publication' && key === 'name') return "Publications have no name of their own: they take their repository's. Remove it.";
  if (kind === 'distribution' && key === 'publication' && plugin === 'container')
    return 'Container distributions serve a repository: use "repository: NAME" instead.';
  const owners = pluginsAllowing(kind, key);
  if (owners.length > 0) {
    return `"${key}" applies to ${owners.join(', ')} ${PLURAL[kind]} only; remove it${kind === 'distribution' ? ', or correct the type' : ''}.`;
  }
  return undefined;
}
