import { itemName } from '../items.js';
import type { ConfigItem } from '../section-types.js';
import type { Rule } from './context.js';
import { ofKind, where } from './context.js';

export const uniqueNames: Rule = ({ items, report }) => {
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
