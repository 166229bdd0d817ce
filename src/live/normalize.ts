import { createHash } from 'node:crypto';
import type { Capabilities } from '../model/capabilities.js';
import { FIELDS, type FieldSpec, PUSH_REPOSITORY_ENDPOINT } from '../model/fields.js';
import { canonicalJson, type Json, type JsonObject } from '../model/json.js';
import { addressOf, type Endpoint, KINDS, type Kind, type LiveObject, type LiveState, PLUGINS, type Plugin } from '../model/resource.js';
import { fromServerFields } from '../model/server-fields.js';

const KIND_OF_SEGMENT: Record<string, Kind> = {
  remotes: 'remote',
  repositories: 'repository',
  publications: 'publication',
  distributions: 'distribution',
};

/** Fields that depend on how the server was addressed, not on the object (`registry_path` is `<request host>/<base_path>`). */
const HOST_DEPENDENT_FIELDS = new Set(['registry_path']);

/** The fields table of an endpoint; push repositories share the container repository's (minus `remote`, which they lack). */
export function fieldSpecsOf(endpoint: Endpoint): Record<string, FieldSpec> {
  if (endpoint === PUSH_REPOSITORY_ENDPOINT) return FIELDS['repositories/container/container'] ?? {};
  return FIELDS[endpoint] ?? {};
}

export function kindAndPluginOf(endpoint: Endpoint): { kind: Kind; plugin: Plugin } {
  const [segment, plugin] = endpoint.split('/');
  const kind = KIND_OF_SEGMENT[segment ?? ''];
  if (!kind || !KINDS.includes(kind) || !PLUGINS.includes(plugin as Plugin)) throw new Error(`not a Pulp resource endpoint: ${endpoint}`);
  return { kind, plugin: plugin as Plugin };
}

/**
 * sha256 of the object as read, in canonical JSON, without host-dependent fields. A saved plan
 * records it per object; apply compares it with a fresh read to refuse acting on a changed object.
 */
export function fingerprintOf(raw: JsonObject): string {
  const stable: JsonObject = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!HOST_DEPENDENT_FIELDS.has(key)) stable[key] = value;
  }
  return createHash('sha256').update(canonicalJson(stable)).digest('hex');
}

/**
 * A digest of everything a plan reads from the server: its release, and every object and
 * repository version as read (in any order). Two reads with the same digest plan the same.
 */
export function liveStateDigest(live: LiveState): string {
  const hash = createHash('sha256').update(canonicalJson(live.server as unknown as Json));
  const objects = [...live.objects].sort((a, b) => (a.href < b.href ? -1 : a.href > b.href ? 1 : 0));
  for (const object of objects)
    hash.update(`\n${object.href} ${object.fingerprint} ${object.versionHref ?? ''} ${object.partial ? 'partial' : ''}`);
  const versions = (live.versions ?? []).map((version) => `${version.href} ${version.repository} ${version.number}`).sort();
  hash.update(`\n${live.versions === undefined ? 'no versions' : versions.join('\n')}`);
  return hash.digest('hex');
}

/**
 * One object of a list response in the shape of DesiredResource: the managed fields the server
 * returned, in pulpform's terms on every release (references stay hrefs), labels, which
 * write-only fields are set, and what it serves or holds. Publications are named after their
 * repository (`repositoryNames`: href → name).
 */
export function normalizeLiveObject(
  endpoint: Endpoint,
  raw: JsonObject,
  repositoryNames: ReadonlyMap<string, string>,
  capabilities: Capabilities,
): LiveObject {
  const { kind, plugin } = kindAndPluginOf(endpoint);
  const href = stringOf(raw['pulp_href']) ?? '';
  const name = kind === 'publication' ? publicationName(raw, repositoryNames) : (stringOf(raw['name']) ?? '');
  const read: JsonObject = {};
  for (const [field, spec] of Object.entries(fieldSpecsOf(endpoint))) {
    if (!spec.secret && field in raw) read[field] = raw[field] as Json;
  }
  const fields = fromServerFields(endpoint, raw, read, capabilities);
  // Only the objects a plan acts on need a fingerprint: hash on first use, not 10,000 per read.
  let fingerprint: string | undefined;
  const object: LiveObject = {
    address: addressOf(kind, plugin, name),
    kind,
    plugin,
    name,
    endpoint,
    href,
    get fingerprint(): string {
      return (fingerprint ??= fingerprintOf(raw));
    },
    set fingerprint(value: string) {
      fingerprint = value;
    },
    fields,
    labels: labelsOf(raw['pulp_labels']),
    secretsSet: secretsSetOf(raw['hidden_fields']),
    raw,
  };
  const lastUpdated = stringOf(raw['pulp_last_updated']);
  if (lastUpdated) object.lastUpdated = lastUpdated;
  const versionHref = stringOf(
    kind === 'publication' ? raw['repository_version'] : kind === 'repository' ? raw['latest_version_href'] : undefined,
  );
  if (versionHref) object.versionHref = versionHref;
  return object;
}

function publicationName(raw: JsonObject, repositoryNames: ReadonlyMap<string, string>): string {
  const repository = stringOf(raw['repository']) ?? repositoryOfVersion(stringOf(raw['repository_version']));
  if (!repository) return '';
  // A publication whose repository vanished between two list requests keeps a recognisable name.
  return repositoryNames.get(repository) ?? repository;
}

function repositoryOfVersion(versionHref: string | undefined): string | undefined {
  return versionHref?.replace(/versions\/\d+\/$/, '');
}

function labelsOf(value: Json | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, label] of Object.entries(value)) labels[key] = typeof label === 'string' ? label : '';
  }
  return labels;
}

function secretsSetOf(value: Json | undefined): Record<string, boolean> {
  const set: Record<string, boolean> = {};
  if (!Array.isArray(value)) return set;
  for (const entry of value) {
    if (entry && typeof entry === 'object' && !Array.isArray(entry) && typeof entry['name'] === 'string') {
      set[entry['name']] = entry['is_set'] === true;
    }
  }
  return set;
}

function stringOf(value: Json | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
