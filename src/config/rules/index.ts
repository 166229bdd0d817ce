import { basePaths } from './base-paths.js';
import type { Rule } from './context.js';
import { labels } from './labels.js';
import { uniqueNames } from './names.js';
import { syncNeedsRemote, syncOptionConflicts, verbatimPublications } from './options.js';
import { references } from './references.js';
import { urls } from './urls.js';

export type { Rule, RuleContext } from './context.js';

/** Cross-item checks (one module each), in the order they run. */
export const RULES: readonly Rule[] = [
  uniqueNames,
  references,
  syncNeedsRemote,
  syncOptionConflicts,
  verbatimPublications,
  basePaths,
  urls,
  labels,
];
