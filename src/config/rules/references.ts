import type { Kind } from '../../model/index.js';
import { closest } from '../../model/suggest.js';
import { text } from '../items.js';
import type { ConfigItem } from '../section-types.js';
import type { Rule, RuleContext } from './context.js';
import { byName, ofKind } from './context.js';

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
        hint:
          guess !== undefined
            ? `Use "${guess}", or declare "${name}" under "${section}:".`
            : `Declare a ${kind} named "${name}" under "${section}:", or correct the name.`,
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
      hint:
        item.kind === 'distribution'
          ? 'Remove "type" (it is inferred from what the distribution serves) or correct it.'
          : `Name a ${item.plugin} ${kind}, or give both the same type.`,
      value: name,
    });
  }
  return target;
}

export const references: Rule = (context) => {
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
      } else if (
        publication === undefined &&
        repository === undefined &&
        item.data.publication === undefined &&
        item.data.repository === undefined
      ) {
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
