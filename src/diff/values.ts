import { FIELDS, jsonEqual, type Endpoint, type Json } from '../model/index.js';

/** pulp_deb stores these as whitespace-separated sets of tokens. */
const TOKEN_FIELDS = new Set(['distributions', 'components', 'architectures']);

/**
 * The form in which a desired and a live value of one field are compared, so that values
 * Pulp treats as the same compare equal: absent vs null on nullable fields, tag lists in any
 * order, deb token strings with any spacing or order, numbers sent as strings.
 */
export function comparableValue(endpoint: Endpoint, field: string, value: Json | undefined): Json | undefined {
  const spec = FIELDS[endpoint]?.[field];
  if (value === undefined || value === null) return spec?.nullable ? null : value;
  if (spec === undefined) return value;
  if (spec.type === 'headers' && Array.isArray(value) && value.length === 0) return null;
  if (spec.type === 'string[]' && Array.isArray(value)) {
    return [...new Set(value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))))].sort();
  }
  if (
    (spec.type === 'integer' || spec.type === 'number') &&
    typeof value === 'string' &&
    value.trim() !== '' &&
    Number.isFinite(Number(value))
  ) {
    return Number(value);
  }
  if (spec.type === 'string' && typeof value === 'string' && TOKEN_FIELDS.has(field) && endpoint.startsWith('remotes/deb/')) {
    const tokens = [...new Set(value.split(/\s+/).filter((token) => token !== ''))].sort();
    return tokens.length === 0 && spec.nullable ? null : tokens.join(' ');
  }
  return value;
}

/**
 * The value to send for a field. Pulp 3.23 stores null for remote `headers` but refuses an
 * explicit null ("This field may not be null."), so clearing them sends an empty list.
 */
export function wireValue(endpoint: Endpoint, field: string, value: Json): Json {
  return value === null && FIELDS[endpoint]?.[field]?.type === 'headers' ? [] : value;
}

export function sameValue(endpoint: Endpoint, field: string, a: Json | undefined, b: Json | undefined): boolean {
  return jsonEqual(comparableValue(endpoint, field, a), comparableValue(endpoint, field, b));
}

/** Whether a value differs from what the server stores when the field is omitted. */
export function differsFromDefault(endpoint: Endpoint, field: string, value: Json | undefined): boolean {
  const spec = FIELDS[endpoint]?.[field];
  return !sameValue(endpoint, field, value, spec?.default ?? null);
}

/** One JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

export function parsePointer(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}
