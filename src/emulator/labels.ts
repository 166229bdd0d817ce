import type { Json, JsonObject } from '../model/json.js';
import { HtmlError, ValidationError, badRequestList } from './errors.js';
import type { PulpProfile } from './profiles.js';

/**
 * pulpcore's `pulp_labels_validator`: keys and values must match the profile's rules. Before core 3.105 a null value makes the server crash (`re.search` on
 * None), which answers Django's HTML 500 page, so the emulator does the same.
 */
export function validateLabels(labels: Json, profile: PulpProfile): void {
  for (const [key, value] of Object.entries(labels as JsonObject)) {
    if (!profile.labels.key.pattern.test(key)) throw new ValidationError(profile.labels.key.message(key));
    if (value === null) {
      if (profile.labels.nullValue === 'server-error') throw new HtmlError(500);
      continue;
    }
    if (!profile.labels.value.pattern.test(value as string)) throw new ValidationError(profile.labels.value.message(key));
  }
}

type LabelTerm = (labels: JsonObject) => boolean;

/**
 * Parses a `pulp_label_select` value with the profile's grammar: comma-separated terms, ANDed
 * (`k=v`, `k!=v`, `k~v` case-insensitive contains, `k`, `!k`). Errors are the view-level bare lists.
 */
export function parseLabelSelect(value: string, grammar: PulpProfile['labels']['select']): LabelTerm {
  const split = grammar.escapedCommas ? value.split(/(?<!\\),/) : value.split(',');
  // The same unanchored regex as pulpcore, so `a=b=c` is key `a`, value `b=c`.
  const pattern = new RegExp(`^(!?${grammar.keyChars}+)(=|!=|~)?(.*)?`, 'u');
  const terms: LabelTerm[] = split.map((term) => {
    const m = pattern.exec(term);
    if (!m) throw badRequestList(`Invalid search term: '${term}'.`);
    const key = m[1] as string;
    const op = m[2];
    const val = grammar.escapedCommas ? (m[3] ?? '').replace(/\\,/g, ',') : (m[3] ?? '');
    if (key.startsWith('!') && op) throw badRequestList(`Cannot use an operator with '${key}'.`);
    switch (op) {
      case '=':
        return (labels) => labels[key] === val;
      case '!=':
        return (labels) => key in labels && labels[key] !== val;
      case '~':
        return (labels) => typeof labels[key] === 'string' && (labels[key] as string).toLowerCase().includes(val.toLowerCase());
      default:
        return key.startsWith('!') ? (labels) => !(key.slice(1) in labels) : (labels) => key in labels;
    }
  });
  return (labels) => terms.every((t) => t(labels));
}
