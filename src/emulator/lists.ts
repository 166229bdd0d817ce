import type { Json, JsonObject } from '../model/json.js';
import type { Operation, QueryParameter } from './api-doc.js';
import type { PulpProfile } from './profiles.js';
import { HttpError } from './errors.js';
import { parseLabelSelect } from './labels.js';

/** Query parameters with Django QueryDict semantics: a repeated key keeps every value, `get` is the last one. */
export class Query {
  readonly #entries: [string, string][];

  constructor(search: string) {
    this.#entries = [...new URLSearchParams(search)];
  }

  get(name: string): string | undefined {
    let found: string | undefined;
    for (const [k, v] of this.#entries) if (k === name) found = v;
    return found;
  }

  getAll(name: string): string[] {
    return this.#entries.filter(([k]) => k === name).map(([, v]) => v);
  }

  keys(): string[] {
    return [...new Set(this.#entries.map(([k]) => k))];
  }

  entries(): [string, string][] {
    return [...this.#entries];
  }
}

/** Parameters pulpcore's `BaseFilterSet.is_valid` accepts on every list, whatever the filter set. */
const ALWAYS_ALLOWED = new Set(['exclude_fields', 'fields', 'limit', 'minimal', 'offset', 'page_size', 'ordering', 'format']);
/** django-filter's EMPTY_VALUES plus pulpcore's "null": such a value disables the filter. */
const EMPTY_VALUES = new Set(['', 'null']);
const DEFAULT_LIMIT = 100;
const LOOKUPS = [
  'exact',
  'iexact',
  'in',
  'contains',
  'icontains',
  'startswith',
  'istartswith',
  'endswith',
  'iendswith',
  'gt',
  'gte',
  'lt',
  'lte',
  'range',
  'isnull',
  'ne',
  'regex',
  'iregex',
];

export interface Listable {
  createdAt: number;
  id: string;
}

export interface ListSpec<T extends Listable> {
  /** Oldest first. */
  items: Iterable<T>;
  /** A field's value for filtering and ordering (timestamps as ISO strings). */
  value: (item: T, field: string) => Json | undefined;
  /** Filters that are not plain field lookups (relations given as hrefs, content membership...), by parameter name. */
  special?: Record<string, (value: string) => (item: T) => boolean>;
  render: (item: T) => JsonObject;
}

export interface ListRequest {
  op: Operation;
  query: Query;
  /** `http://host:port`, for the absolute next/previous links. */
  origin: string;
  path: string;
  /** How date-time filter values parse (see PulpProfile.filters). */
  dateTimes: 'date-and-time' | 'iso-format';
  /** The pulp_label_select grammar (see PulpProfile.labels). */
  labelSelect: PulpProfile['labels']['select'];
}

export function listResponse<T extends Listable>(req: ListRequest, spec: ListSpec<T>): JsonObject {
  const { op, query } = req;
  const formErrors: JsonObject = {};
  const unknown: string[] = [];
  const predicates: ((item: T) => boolean)[] = [];
  for (const name of query.keys()) {
    if (ALWAYS_ALLOWED.has(name)) continue;
    const param = op.queryParameters.get(name);
    if (!param) {
      unknown.push(`Invalid Filter: '${name}'`);
      continue;
    }
    const raw = query.get(name) as string;
    const invalid = EMPTY_VALUES.has(raw) ? undefined : formError(param, raw, req.dateTimes);
    if (invalid) {
      formErrors[name] = [invalid];
      continue;
    }
    predicates.push(...predicateFor(name, raw, spec, req.labelSelect));
  }
  const ordering = orderingTerms(query, op, formErrors);
  if (unknown.length > 0) formErrors['errors'] = unknown;
  if (Object.keys(formErrors).length > 0) throw new HttpError(400, formErrors);

  let items = [...spec.items].filter((item) => predicates.every((p) => p(item)));
  items = ordering.length > 0 ? sortItems(items, ordering, spec) : items.reverse();

  const limit = positiveInt(query.get('limit'), true) ?? DEFAULT_LIMIT;
  const offset = positiveInt(query.get('offset'), false) ?? 0;
  const count = items.length;
  const page = items.slice(offset, offset + limit);
  const link = (params: Record<string, string | null>) => `${req.origin}${req.path}?${encodeQuery(query, params)}`;
  const next = offset + limit >= count ? null : link({ limit: String(limit), offset: String(offset + limit) });
  let previous: string | null = null;
  if (offset > 0)
    previous =
      offset - limit <= 0 ? link({ limit: String(limit), offset: null }) : link({ limit: String(limit), offset: String(offset - limit) });
  return { count, next, previous, results: page.map((item) => selectFields(spec.render(item), query)) };
}

/**
 * django-filter's form validation of one parameter, by its kind in the OpenAPI document: numbers,
 * ISO 8601 date-times (each end of a range), and the choices of a ChoiceFilter. Lists of
 * choices (`state__in`) are not validated by Pulp's filters.
 */
function formError(param: QueryParameter, raw: string, dateTimes: ListRequest['dateTimes']): string | undefined {
  if (param.type === 'integer' || param.type === 'number') return Number.isFinite(Number(raw)) ? undefined : 'Enter a number.';
  if (param.format === 'date-time') {
    const values = param.type === 'array' ? raw.split(',') : [raw];
    const valid = dateTimes === 'iso-format' ? isIsoFormat : isIsoDateTime;
    return values.every(valid) ? undefined : 'Enter a valid date/time.';
  }
  if (param.type === 'string' && param.enum && param.name !== 'ordering' && !param.enum.includes(raw)) {
    return `Select a valid choice. ${raw} is not one of the available choices.`;
  }
  return undefined;
}

/** Django's `parse_datetime` (django-filter's IsoDateTimeField): a date and a time, optional seconds, fraction and offset. */
function isIsoDateTime(value: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,]\d{1,9})?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(
    value.trim(),
  );
  if (!m) return false;
  const [, year, month, day, hour, minute, second] = m.map(Number) as number[];
  const date = new Date(Date.UTC(year as number, (month as number) - 1, day as number));
  return (
    date.getUTCMonth() === (month as number) - 1 &&
    date.getUTCDate() === day &&
    (hour as number) < 24 &&
    (minute as number) < 60 &&
    (Number.isNaN(second) || (second as number) < 60)
  );
}

/** Python's `datetime.fromisoformat` (3.11): a date, optionally with a time and an offset. */
function isIsoFormat(value: string): boolean {
  const m =
    /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?)?$/.exec(
      value.trim(),
    );
  if (!m) return false;
  const [, year, month, day, hour = '0', minute = '0', second = '0'] = m;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return (
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day) &&
    Number(hour) < 24 &&
    Number(minute) < 60 &&
    Number(second) < 60
  );
}

function predicateFor<T extends Listable>(
  name: string,
  raw: string,
  spec: ListSpec<T>,
  labelSelect: ListRequest['labelSelect'],
): ((item: T) => boolean)[] {
  const special = spec.special?.[name];
  if (special) return [special(raw)];
  // pulp_label_select parses every value itself, the empty one included.
  if (name === 'pulp_label_select') {
    const matches = parseLabelSelect(raw, labelSelect);
    return [(item) => matches((spec.value(item, 'pulp_labels') ?? {}) as JsonObject)];
  }
  if (EMPTY_VALUES.has(raw)) return [];
  const cut = name.lastIndexOf('__');
  const lookup = cut > 0 && LOOKUPS.includes(name.slice(cut + 2)) ? name.slice(cut + 2) : 'exact';
  const field = lookup === 'exact' && !name.endsWith('__exact') ? name : name.slice(0, cut);
  const test = lookupTest(lookup, raw);
  return [(item) => test(spec.value(item, field))];
}

function lookupTest(lookup: string, raw: string): (value: Json | undefined) => boolean {
  const text = (v: Json | undefined) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v));
  const lower = raw.toLowerCase();
  switch (lookup) {
    case 'in': {
      const wanted = new Set(raw.split(','));
      return (v) => wanted.has(text(v) ?? '');
    }
    case 'iexact':
      return (v) => text(v)?.toLowerCase() === lower;
    case 'contains':
      return (v) => text(v)?.includes(raw) ?? false;
    case 'icontains':
      return (v) => text(v)?.toLowerCase().includes(lower) ?? false;
    case 'startswith':
      return (v) => text(v)?.startsWith(raw) ?? false;
    case 'istartswith':
      return (v) => text(v)?.toLowerCase().startsWith(lower) ?? false;
    case 'endswith':
      return (v) => text(v)?.endsWith(raw) ?? false;
    case 'iendswith':
      return (v) => text(v)?.toLowerCase().endsWith(lower) ?? false;
    case 'isnull': {
      const wantNull = ['true', 'True', '1'].includes(raw);
      return (v) => (v === null || v === undefined) === wantNull;
    }
    case 'gt':
      return (v) => compareValues(v, raw) > 0;
    case 'gte':
      return (v) => compareValues(v, raw) >= 0;
    case 'lt':
      return (v) => compareValues(v, raw) < 0;
    case 'lte':
      return (v) => compareValues(v, raw) <= 0;
    case 'range': {
      const [lo = '', hi = ''] = raw.split(',');
      return (v) => compareValues(v, lo) >= 0 && compareValues(v, hi) <= 0;
    }
    case 'ne':
      return (v) => !equalsRaw(v, raw);
    case 'regex':
    case 'iregex': {
      // PostgreSQL's ~ and ~*: a search anywhere in the value, as JavaScript's RegExp does it.
      const pattern = new RegExp(raw, lookup === 'iregex' ? 'i' : '');
      return (v) => pattern.test(text(v) ?? '');
    }
    default:
      return (v) => equalsRaw(v, raw);
  }
}

function equalsRaw(value: Json | undefined, raw: string): boolean {
  if (typeof value === 'number') return value === Number(raw);
  if (typeof value === 'boolean') {
    // django-filter's BooleanFilter: a value it does not read as true or false filters nothing.
    if (['true', 'True', '1'].includes(raw)) return value;
    if (['false', 'False', '0'].includes(raw)) return !value;
    return true;
  }
  return value === raw;
}

function compareValues(value: Json | undefined, raw: string): number {
  if (value === null || value === undefined) return NaN;
  if (typeof value === 'number') return value - Number(raw);
  const v = String(value);
  const a = Date.parse(v);
  const b = Date.parse(raw);
  if (!Number.isNaN(a) && !Number.isNaN(b) && /^\d{4}-/.test(v)) return a - b;
  return v < raw ? -1 : v > raw ? 1 : 0;
}

function orderingTerms(query: Query, op: Operation, errors: JsonObject): string[] {
  const raw = query.get('ordering');
  if (raw === undefined || raw === '') return [];
  const terms = raw.split(',').filter((t) => t !== '');
  const choices = op.queryParameters.get('ordering')?.enum;
  const invalid = choices ? terms.find((t) => !choices.includes(t)) : undefined;
  if (invalid !== undefined) errors['ordering'] = [`Select a valid choice. ${invalid} is not one of the available choices.`];
  return terms;
}

function sortItems<T extends Listable>(items: T[], terms: string[], spec: ListSpec<T>): T[] {
  const keys = [...terms, '-pulp_created'].map((term) => ({ desc: term.startsWith('-'), field: term.replace(/^-/, '') }));
  const fieldValueOf = (item: T, field: string): Json | undefined => {
    if (field === 'pulp_created') return item.createdAt;
    if (field === 'pk' || field === 'pulp_id') return item.id;
    return spec.value(item, field);
  };
  return items.sort((a, b) => {
    for (const { desc, field } of keys) {
      const c = compareForOrdering(fieldValueOf(a, field), fieldValueOf(b, field), desc);
      if (c !== 0) return c;
    }
    return 0;
  });
}

/** PostgreSQL order: NULLs last ascending and first descending; labels (hstore) as PostgreSQL sorts them. */
function compareForOrdering(a: Json | undefined, b: Json | undefined, desc: boolean): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an === bn ? 0 : (an ? 1 : -1) * (desc ? -1 : 1);
  let c: number;
  if (isHstore(a) && isHstore(b)) c = compareHstore(a, b);
  else {
    const av = typeof a === 'object' ? JSON.stringify(a) : (a as string | number | boolean);
    const bv = typeof b === 'object' ? JSON.stringify(b) : (b as string | number | boolean);
    c = av < bv ? -1 : av > bv ? 1 : 0;
  }
  return desc ? -c : c;
}

function isHstore(value: Json | undefined): value is JsonObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => v === null || typeof v === 'string')
  );
}

/**
 * PostgreSQL's hstore_cmp: an empty hstore first; otherwise the data areas (keys in hstore order,
 * shorter first, each followed by its value) compared bytewise, then their lengths, then counts.
 */
function compareHstore(a: JsonObject, b: JsonObject): number {
  const ka = Object.keys(a).length;
  const kb = Object.keys(b).length;
  if (ka === 0 || kb === 0) return ka - kb;
  const data = (h: JsonObject) =>
    Buffer.concat(
      Object.keys(h)
        .sort((x, y) => Buffer.byteLength(x) - Buffer.byteLength(y) || Buffer.compare(Buffer.from(x), Buffer.from(y)))
        .flatMap((k) => [Buffer.from(k), Buffer.from((h[k] as string | null) ?? '')]),
    );
  const da = data(a);
  const db = data(b);
  const c = Buffer.compare(da.subarray(0, Math.min(da.length, db.length)), db.subarray(0, Math.min(da.length, db.length)));
  return c !== 0 ? c : da.length - db.length || ka - kb;
}

/** DRF's `_positive_int`: anything unparsable (or 0 when strict, or negative) falls back to the default. */
function positiveInt(raw: string | undefined, strict: boolean): number | undefined {
  if (raw === undefined || !/^\s*[-+]?\d+\s*$/.test(raw)) return undefined;
  const n = Number(raw);
  if (n < 0 || (strict && n === 0)) return undefined;
  return n;
}

/** Python's `urlencode(sorted(params), doseq=True)` with `quote_plus`, as DRF builds next/previous links. */
function encodeQuery(query: Query, replace: Record<string, string | null>): string {
  const grouped = new Map<string, string[]>();
  for (const [k, v] of query.entries()) {
    if (!grouped.has(k)) grouped.set(k, []);
    (grouped.get(k) as string[]).push(v);
  }
  for (const [k, v] of Object.entries(replace)) {
    if (v === null) grouped.delete(k);
    else grouped.set(k, [v]);
  }
  return [...grouped.keys()]
    .sort()
    .flatMap((k) => (grouped.get(k) as string[]).map((v) => `${quotePlus(k)}=${quotePlus(v)}`))
    .join('&');
}

function quotePlus(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** drf-queryfields: `fields` keeps only the named fields (unknown names ignored), `exclude_fields` drops some; both repeatable. */
export function selectFields(body: JsonObject, query: Query): JsonObject {
  const include = new Set(
    query
      .getAll('fields')
      .flatMap((v) => v.split(','))
      .filter((n) => n !== ''),
  );
  const exclude = new Set(query.getAll('exclude_fields').flatMap((v) => v.split(',')));
  if (include.size === 0 && exclude.size === 0) return body;
  return Object.fromEntries(Object.entries(body).filter(([k]) => (include.size === 0 || include.has(k)) && !exclude.has(k)));
}
