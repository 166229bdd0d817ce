import type { Json } from '../model/json.js';

/**
 * A JSON value with its object keys in PostgreSQL jsonb order (shorter keys first, then by
 * bytes), which is how Pulp answers what it stored in a JSONField (worker versions, task results).
 */
export function jsonbOrder(value: Json): Json {
  if (Array.isArray(value)) return value.map(jsonbOrder);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value).sort((a, b) => {
    const la = Buffer.byteLength(a);
    const lb = Buffer.byteLength(b);
    return la !== lb ? la - lb : Buffer.compare(Buffer.from(a), Buffer.from(b));
  });
  return Object.fromEntries(keys.map((k) => [k, jsonbOrder(value[k] as Json)]));
}
