import type { Capabilities } from './capabilities.js';
import type { Json, JsonObject } from './json.js';
import type { BodyValue } from './plan.js';
import type { Endpoint } from './resource.js';

/** A request body: JSON, where references may still wait for an href (HrefRef). */
type Body = { [key: string]: BodyValue };

/**
 * pulpform's fields (FIELDS: names and meanings as pulpcore 3.23 has them) and how each server
 * release holds them. The desired state, the plan's changes and every comparison use
 * pulpform's fields; reading a live object maps the server's fields to them, and a request body
 * is mapped back just before it is planned, so one YAML means the same on every release.
 */

interface FieldMapping {
  endpoints: readonly Endpoint[];
  applies: (capabilities: Capabilities) => boolean;
  /** pulpform's fields of a server object (added to the fields read under their own names). */
  read?: (raw: JsonObject, capabilities: Capabilities) => JsonObject;
  /** The server's form of a body; `current` is the object as read, when the body updates it. */
  write: (body: Body, capabilities: Capabilities, current: JsonObject | undefined) => Body;
}

const RPM_GPG_FIELDS = ['gpgcheck', 'repo_gpgcheck'] as const;

function objectOf(value: Json | undefined): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

const MAPPINGS: readonly FieldMapping[] = [
  {
    // config.repo writes gpgcheck=0 and repo_gpgcheck=0 for keys repo_config lacks, so absent is 0.
    endpoints: ['repositories/rpm/rpm', 'publications/rpm/rpm'],
    applies: (capabilities) => capabilities.rpmGpgOptions === 'repo_config',
    read: (raw) => {
      const config = objectOf(raw['repo_config']);
      return Object.fromEntries(RPM_GPG_FIELDS.map((field) => [field, typeof config[field] === 'number' ? config[field] : 0]));
    },
    write: (body, _capabilities, current) => {
      if (!RPM_GPG_FIELDS.some((field) => field in body)) return body;
      const { gpgcheck, repo_gpgcheck, ...rest } = body;
      const config: Body = { ...objectOf(current?.['repo_config']) };
      if (gpgcheck !== undefined) config['gpgcheck'] = gpgcheck;
      if (repo_gpgcheck !== undefined) config['repo_gpgcheck'] = repo_gpgcheck;
      return { ...rest, repo_config: config };
    },
  },
  {
    endpoints: ['repositories/rpm/rpm'],
    applies: (capabilities) => capabilities.rpmUpdateResetsRepoConfig,
    write: (body, _capabilities, current) =>
      current === undefined || 'repo_config' in body ? body : { ...body, repo_config: objectOf(current['repo_config']) },
  },
  {
    endpoints: ['remotes/container/container'],
    applies: (capabilities) => capabilities.containerTagFilters.include !== 'include_tags',
    read: (raw, { containerTagFilters: names }) => {
      const fields: JsonObject = {};
      if (names.include in raw) fields['include_tags'] = raw[names.include] ?? null;
      if (names.exclude in raw) fields['exclude_tags'] = raw[names.exclude] ?? null;
      return fields;
    },
    write: (body, { containerTagFilters: names }) => {
      const { include_tags, exclude_tags, ...rest } = body;
      return {
        ...rest,
        ...(include_tags !== undefined ? { [names.include]: include_tags } : {}),
        ...(exclude_tags !== undefined ? { [names.exclude]: exclude_tags } : {}),
      };
    },
  },
];

function mappingsFor(endpoint: Endpoint, capabilities: Capabilities): FieldMapping[] {
  return MAPPINGS.filter((mapping) => mapping.endpoints.includes(endpoint) && mapping.applies(capabilities));
}

/** `fields` (read under pulpform's names) completed with what this release holds under other names. */
export function fromServerFields(endpoint: Endpoint, raw: JsonObject, fields: JsonObject, capabilities: Capabilities): JsonObject {
  let result = fields;
  for (const mapping of mappingsFor(endpoint, capabilities)) if (mapping.read) result = { ...result, ...mapping.read(raw, capabilities) };
  return result;
}

/**
 * A request body in the form this release takes. `current`: the object as read, for an update
 * (some releases reset what an update leaves out).
 */
export function toServerBody<T extends Body>(endpoint: Endpoint, body: T, capabilities: Capabilities, current?: JsonObject): T {
  let result: Body = body;
  for (const mapping of mappingsFor(endpoint, capabilities)) result = mapping.write(result, capabilities, current);
  return result as T;
}
