import type { Kind } from '../../model/index.js';
import { originOf } from '../entries.js';
import type { ReportItem } from '../items.js';
import { itemName } from '../items.js';
import type { ConfigItem } from '../section-types.js';
import { describeLocation } from '../yaml-file.js';

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

export function where(item: ConfigItem, field?: string): string {
  const { origin, path } = originOf(item, field === undefined ? [] : [field]);
  return describeLocation(origin.file, [...origin.path, ...path]);
}

export function ofKind(items: readonly ConfigItem[], kind: Kind): ConfigItem[] {
  return items.filter((item) => item.kind === kind);
}

/** The first item of each name; later ones are the duplicates uniqueNames reports. */
export function byName(items: readonly ConfigItem[]): Map<string, ConfigItem> {
  const names = new Map<string, ConfigItem>();
  for (const item of items) {
    const name = itemName(item);
    if (name !== undefined && !names.has(name)) names.set(name, item);
  }
  return names;
}
