import { createHash } from 'node:crypto';
import type { Json, JsonObject } from '../../model/json.js';
import { CONTENT_TYPES } from './content-types.js';
import { type ContentUnit, type FieldValue, isUnitRef, type UnitRef } from './units.js';

type StoredChecksums = Record<'sha224' | 'sha256' | 'sha384' | 'sha512', string>;
const checksumCache = new WeakMap<Buffer, StoredChecksums>();

/** The checksums Pulp 3.23 keeps for a stored artifact (ALLOWED_CONTENT_CHECKSUMS: no md5, no sha1), computed once. */
function storedChecksums(data: Buffer): StoredChecksums {
  let checksums = checksumCache.get(data);
  if (!checksums) {
    const hex = (algorithm: string) => createHash(algorithm).update(data).digest('hex');
    checksums = { sha224: hex('sha224'), sha256: hex('sha256'), sha384: hex('sha384'), sha512: hex('sha512') };
    checksumCache.set(data, checksums);
  }
  return checksums;
}

export interface HrefResolvers {
  unitHref(ref: UnitRef['$unit']): string;
  artifactHref(sha256: string): string;
}

/** The unit's fields as Pulp's content list returns them, after pulp_href and pulp_created. */
export function renderUnitFields(unit: ContentUnit, resolvers: HrefResolvers): JsonObject {
  const out: JsonObject = {};
  const main = unit.artifacts[0];
  const mainStored = main?.data ? main : undefined;
  for (const [name, source] of CONTENT_TYPES[unit.type].fields) {
    switch (source.from) {
      case 'field':
        out[name] = renderValue(unit.fields[name] ?? null, resolvers);
        break;
      case 'artifact':
        out[name] = mainStored?.sha256 ? resolvers.artifactHref(mainStored.sha256) : null;
        break;
      case 'artifacts': {
        const map: JsonObject = {};
        for (const a of unit.artifacts) if (a.data && a.sha256) map[a.relativePath] = resolvers.artifactHref(a.sha256);
        out[name] = map;
        break;
      }
      case 'checksum':
        out[name] =
          mainStored?.data && source.algorithm !== 'md5' && source.algorithm !== 'sha1'
            ? storedChecksums(mainStored.data)[source.algorithm]
            : null;
        break;
    }
  }
  return out;
}

function renderValue(value: FieldValue, resolvers: HrefResolvers): Json {
  if (isUnitRef(value)) return resolvers.unitHref(value.$unit);
  if (Array.isArray(value)) return value.map((v) => renderValue(v as FieldValue, resolvers));
  return value as Json;
}

/**
 * Whether a unit passes one plugin-specific list filter (`name`, `name__in`, `digest`, ...);
 * `resolve` finds referenced units (a tag's `digest`/`media_type` filter its tagged manifest).
 * Reference filters (`release`, `package`, ...) take the referenced unit's href, so they need
 * `hrefOf`. Returns undefined for a filter this endpoint does not have.
 */
export function unitMatchesFilter(
  unit: ContentUnit,
  filter: string,
  value: string,
  context: { resolve(ref: UnitRef): ContentUnit | undefined; hrefOf(ref: UnitRef): string },
): boolean | undefined {
  if (!CONTENT_TYPES[unit.type].filters.includes(filter)) return undefined;
  const [name = filter, lookup = 'exact'] = filter.split('__');
  let actual: Json;
  if (unit.type === 'container.tag' && (name === 'digest' || name === 'media_type')) {
    const manifest = context.resolve(unit.fields.tagged_manifest as UnitRef);
    actual = (manifest?.fields[name] as Json) ?? null;
  } else if (name === 'sha256') {
    const stored = unit.artifacts[0]?.data ? unit.artifacts[0].sha256 : null;
    actual = ((unit.fields.sha256 ?? unit.fields.digest) as Json | undefined) ?? stored;
  } else {
    const raw = unit.fields[name];
    actual = isUnitRef(raw) ? context.hrefOf(raw) : ((raw as Json) ?? null);
  }
  const text = actual === null ? null : String(actual);
  switch (lookup) {
    case 'exact':
      return text === value;
    case 'in':
      return text !== null && value.split(',').includes(text);
    case 'ne':
      return text !== value;
    case 'contains':
      return text?.includes(value);
    case 'startswith':
      return text?.startsWith(value);
    default:
      return undefined;
  }
}

/** A sortable value of a plugin-specific ordering field (core fields such as pulp_created are the core's). */
export function unitOrderingValue(unit: ContentUnit, name: string): string | number | null {
  if (unit.type === 'rpm.package' && name === 'evr') {
    return `${unit.fields.epoch}:${unit.fields.version}-${unit.fields.release}`;
  }
  if (name === 'sha256' && unit.artifacts[0]?.sha256) return unit.artifacts[0].sha256;
  const value = unit.fields[name];
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  return JSON.stringify(value);
}
