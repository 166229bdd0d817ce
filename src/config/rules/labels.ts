import { labelProblem, labelRulesOfAllReleases } from '../../model/index.js';
import { isPlainObject } from '../issues.js';
import type { Rule } from './context.js';

/** Label rules of the supported releases, oldest first. */
const LABEL_RULES = labelRulesOfAllReleases();

const RESERVED_LABEL_PREFIX = 'pulpform_';

export const labels: Rule = ({ items, report }) => {
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
      const fix = badKey
        ? `Rename it to "${key.replace(/[^\p{L}\p{N}_ ]/gu, '_')}"`
        : `Write the value without commas or parentheses, e.g. "${value.replace(/[,()]/g, ' ').replace(/\s+/g, ' ').trim()}"`;
      report(
        item,
        ['labels', key],
        badKey ? 'key' : 'value',
        accepting.length === 0
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
            },
      );
    }
  }
};
