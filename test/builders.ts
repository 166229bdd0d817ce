/**
 * Builders for desired and live states, and `simulateApply`, a model of what the executor
 * and Pulp do with a plan. Together they state the central property at the pure level:
 * `buildPlan(d, simulateApply(buildPlan(d, l), l))` has no actions.
 */
import { createHash } from 'node:crypto';
import {
  canonicalJson,
  endpointOf,
  FIELDS,
  LABELS,
  ownershipLabels,
  parseAddress,
  Secret,
  secretFields,
  type Address,
  type BodyValue,
  type DesiredResource,
  type DesiredState,
  type HrefRef,
  type Json,
  type JsonObject,
  type LiveObject,
  type LiveState,
  type Plan,
  type PlanAction,
  type Plugin,
  type ServerInfo,
} from '../src/model/index.js';
import { buildPlan } from '../src/plan/build.js';

export const STACK = 'test';

/** The emulator's component versions: pulpcore 3.23 with the plugins of the conformance server. */
export const SERVER: ServerInfo = {
  url: 'http://127.0.0.1:24817',
  versions: { core: '3.23.24', rpm: '3.20.0', container: '2.14.3', deb: '2.20.1', file: '1.14.0' },
};

export const NOW = new Date('2024-03-01T12:00:00Z');

export function secret(value: string, source = 'env:TEST_SECRET'): Secret {
  return new Secret(value, source);
}

type DesiredOverrides = Partial<Omit<DesiredResource, 'address' | 'kind' | 'plugin' | 'name' | 'endpoint'>> & { type?: string };

/**
 * A desired resource as config produces it: every non-reference, non-secret field with a
 * known default, then `fields`. Required fields get a value derived from the name.
 * Publications are addressed `publication/<plugin>/<repository name>[@<snapshot>]`.
 */
export function desired(address: Address, overrides: DesiredOverrides = {}): DesiredResource {
  const { kind, plugin, name: fullName } = parseAddress(address);
  const [name = fullName, pinned] = kind === 'publication' ? fullName.split('@') : [fullName];
  const endpoint = endpointOf(kind, plugin, overrides.type);
  const fields: JsonObject = {};
  for (const [field, spec] of Object.entries(FIELDS[endpoint] ?? {})) {
    if (spec.default !== undefined && !spec.secret && spec.ref === undefined) fields[field] = spec.default;
  }
  Object.assign(fields, requiredFields(endpoint, name), overrides.fields);
  const { type: _type, ...rest } = overrides;
  return {
    address,
    kind,
    plugin,
    name,
    endpoint,
    refs: {},
    secrets: {},
    labels: {},
    adopt: false,
    protect: false,
    ...(pinned !== undefined ? { snapshot: pinned } : {}),
    ...rest,
    fields,
  };
}

function requiredFields(endpoint: string, name: string): JsonObject {
  const slug = name.replace(/[^\w-]+/g, '-').toLowerCase();
  const fields: JsonObject = {};
  const specs = FIELDS[endpoint] ?? {};
  if (specs.url) fields.url = `https://ark.example.com/pulp/content/${slug}/`;
  if (specs.base_path) fields.base_path = slug;
  if (specs.upstream_name) fields.upstream_name = `stackhpc/${slug}`;
  if (specs.distributions) fields.distributions = 'jammy';
  return fields;
}

export function desiredState(resources: DesiredResource[], stack = STACK): DesiredState {
  return { stack, server: {}, resources, sources: { files: ['desired-state/test.yaml'], sha256: 'f'.repeat(64) } };
}

export function hrefOf(endpoint: string, key: string): string {
  const id = createHash('sha256').update(`${endpoint} ${key}`).digest('hex');
  return `/pulp/api/v3/${endpoint}/${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}/`;
}

export function fingerprintOf(object: Pick<LiveObject, 'fields' | 'labels' | 'secretsSet' | 'versionHref'>): string {
  const seen: JsonObject = {
    fields: object.fields,
    labels: object.labels,
    secretsSet: object.secretsSet,
    version: object.versionHref ?? null,
  };
  return createHash('sha256').update(canonicalJson(seen)).digest('hex');
}

type LiveOverrides = Partial<Omit<LiveObject, 'address' | 'kind' | 'plugin' | 'name' | 'endpoint' | 'fingerprint'>> & { type?: string };

/**
 * A live object as the live reader produces it: every field of the endpoint the server has,
 * with server defaults, then `fields`. Labelled as managed by STACK unless `labels` says otherwise.
 */
export function live(address: Address, overrides: LiveOverrides = {}): LiveObject {
  const { kind, plugin, name } = parseAddress(address);
  const endpoint = endpointOf(kind, plugin, overrides.type);
  const href = overrides.href ?? hrefOf(endpoint, name);
  const fields: JsonObject = {};
  for (const [field, spec] of Object.entries(FIELDS[endpoint] ?? {})) {
    if (!spec.secret && serverHas(spec.since)) fields[field] = spec.default ?? null;
  }
  Object.assign(fields, requiredFields(endpoint, name), overrides.fields);
  const secretsSet = Object.fromEntries(secretFields(endpoint).map((field) => [field, false]));
  const { type: _type, ...rest } = overrides;
  const object: LiveObject = {
    address,
    kind,
    plugin,
    name,
    endpoint,
    href,
    labels: kind === 'publication' ? {} : ownershipLabels(STACK),
    raw: { pulp_href: href, pulp_created: '2024-01-01T00:00:00Z' },
    ...(kind === 'repository' ? { versionHref: `${href}versions/0/` } : {}),
    ...rest,
    fields,
    secretsSet: { ...secretsSet, ...overrides.secretsSet },
    fingerprint: '',
  };
  object.fingerprint = fingerprintOf(object);
  return object;
}

export function liveState(objects: LiveObject[], server: ServerInfo = SERVER): LiveState {
  return { server, objects };
}

/** Whether the simulated server (SERVER) has a field added in `since`. */
function serverHas(since: { component: string; version: string } | undefined): boolean {
  if (since === undefined) return true;
  const have = (SERVER.versions[since.component] ?? '0').split('.').map(Number);
  const need = since.version.split('.').map(Number);
  for (let i = 0; i < need.length; i++) if ((have[i] ?? 0) !== (need[i] ?? 0)) return (have[i] ?? 0) > (need[i] ?? 0);
  return true;
}

/** A plan action of `type` on `address` with nothing to change, for tests that hand the executor a plan. */
export function action(type: PlanAction['type'], address: string, extra: Partial<PlanAction> = {}): PlanAction {
  const { kind, plugin, name } = parseAddress(address);
  return {
    id: `${type} ${address}`,
    type,
    address,
    kind,
    plugin,
    name,
    endpoint: endpointOf(kind, plugin),
    reason: 'test',
    changes: [],
    unchanged: 0,
    dependsOn: [],
    ...extra,
  };
}

export function actionsOf(plan: Plan): Plan['waves'][number] {
  return plan.waves.flat();
}

export function versionHrefOf(object: LiveObject, number: number): string {
  return `${object.href}versions/${number}/`;
}

/**
 * What the executor and Pulp leave behind after applying `plan` to `state`: creates with
 * server defaults, PATCH merges, deletes with Pulp's cascades (a repository takes its
 * publications; references to a deleted object become null), syncs making a new version and
 * recording `pulpform_synced`, `pulpform_synced_version` and (once) `pulpform_snapshot_<marker>`, publications of the resolved
 * version. An action whose object changed since the plan (its guard) throws.
 */
export function simulateApply(plan: Plan, state: LiveState): LiveState {
  const objects = new Map(state.objects.map((object) => [object.href, structuredClone(object)]));
  const createdPublications = new Map<Address, string>();
  const syncedNow = new Map<string, string>();
  let serial = 0;

  const named = (address: Address): LiveObject | undefined => {
    const { kind, name } = parseAddress(address);
    return [...objects.values()].find((object) => object.kind === kind && object.name === name);
  };
  const resolve = (value: BodyValue): Json => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    if (typeof value.$ref === 'string') {
      const ref = value as unknown as HrefRef;
      if (ref.output === 'version') {
        const repository = named(ref.$ref);
        if (repository === undefined) throw new Error(`simulateApply: no repository ${ref.$ref}`);
        // As the executor: what a sync in this apply left for the snapshot, else the recorded version.
        const synced = ref.snapshot === undefined ? undefined : syncedNow.get(`${ref.$ref} ${ref.snapshot}`);
        if (synced !== undefined) return synced;
        const number = ref.snapshot === undefined ? undefined : repository.labels[`${LABELS.snapshotPrefix}${ref.snapshot}`];
        return number === undefined ? (repository.versionHref ?? null) : versionHrefOf(repository, Number(number));
      }
      const href = parseAddress(ref.$ref).kind === 'publication' ? createdPublications.get(ref.$ref) : named(ref.$ref)?.href;
      if (href === undefined) throw new Error(`simulateApply: ${ref.$ref} does not exist when it is referenced`);
      return href;
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item as BodyValue)]));
  };
  const touch = (object: LiveObject): void => {
    object.fingerprint = fingerprintOf(object);
  };
  const remove = (href: string): void => {
    const object = objects.get(href);
    objects.delete(href);
    if (object?.kind === 'repository') {
      for (const other of [...objects.values()])
        if (other.kind === 'publication' && other.versionHref?.startsWith(href)) objects.delete(other.href);
    }
    for (const other of objects.values()) {
      const dangling = Object.entries(other.fields).filter(([, value]) => typeof value === 'string' && !objectExists(objects, value));
      for (const [field] of dangling) other.fields[field] = null;
      if (dangling.length > 0) touch(other);
    }
  };
  const applySecrets = (object: LiveObject, secrets: { field: string; source: string }[] | undefined): void => {
    for (const { field, source } of secrets ?? []) object.secretsSet[field] = source !== 'unset';
  };

  // Guards are checked before the first write: a replace's cascade (Pulp nulling references
  // to the deleted object) legitimately changes objects that later actions then repoint.
  for (const action of plan.waves.flat()) {
    if (action.guard === undefined) continue;
    const current = objects.get(action.guard.href);
    if (current === undefined || current.fingerprint !== action.guard.fingerprint) {
      throw new Error(`simulateApply: ${action.id}: ${action.guard.href} changed since the plan`);
    }
  }
  for (const wave of plan.waves) {
    for (const action of wave) {
      const body = Object.fromEntries(Object.entries(action.body ?? {}).map(([key, value]) => [key, resolve(value)])) as JsonObject;
      switch (action.type) {
        case 'delete':
          remove(action.guard?.href as string);
          break;
        case 'replace':
        case 'create': {
          if (action.type === 'replace') remove(action.guard?.href as string);
          const key = `${action.address}#${serial++}`;
          if (action.kind === 'publication') {
            const { repository_version: version, ...options } = body;
            const object = live(action.address.split('@')[0] as string, {
              type: action.endpoint.split('/')[2] as string,
              href: hrefOf(action.endpoint, key),
              fields: options,
              versionHref: version as string,
            });
            object.raw.pulp_created = new Date(Date.UTC(2024, 2, 1, 0, 0, serial)).toISOString();
            objects.set(object.href, object);
            createdPublications.set(action.address, object.href);
            break;
          }
          const { name: _name, pulp_labels: labels, ...fields } = body;
          const object = live(action.address, {
            type: action.endpoint.split('/')[2] as string,
            href: hrefOf(action.endpoint, key),
            fields,
            labels: (labels ?? {}) as Record<string, string>,
          });
          applySecrets(object, action.secrets);
          touch(object);
          objects.set(object.href, object);
          break;
        }
        case 'update':
        case 'adopt': {
          const object = objects.get(action.guard?.href as string) as LiveObject;
          const { pulp_labels: labels, ...fields } = body;
          Object.assign(object.fields, fields);
          if (labels !== undefined) object.labels = labels as Record<string, string>;
          applySecrets(object, action.secrets);
          touch(object);
          break;
        }
        case 'sync': {
          const repository = named(action.address);
          if (repository === undefined || typeof body.remote !== 'string' || !objectExists(objects, body.remote)) {
            throw new Error(`simulateApply: ${action.id}: repository or remote missing`);
          }
          const number = Number(/\/versions\/(\d+)\/$/.exec(repository.versionHref ?? '')?.[1] ?? 0) + 1;
          repository.versionHref = versionHrefOf(repository, number);
          const marker = action.labelsAfter?.[LABELS.synced] as string;
          // As the executor: the version a snapshot first gave stays its record.
          const recorded = repository.labels[`${LABELS.snapshotPrefix}${marker}`] ?? String(number);
          repository.labels = {
            ...repository.labels,
            ...action.labelsAfter,
            [`${LABELS.snapshotPrefix}${marker}`]: recorded,
            [LABELS.syncedVersion]: String(number),
          };
          syncedNow.set(`${action.address} ${marker}`, repository.versionHref);
          touch(repository);
          break;
        }
      }
    }
  }
  return { server: state.server, objects: [...objects.values()] };
}

function objectExists(objects: Map<string, LiveObject>, href: string): boolean {
  if (!href.startsWith('/pulp/api/v3/')) return true;
  const version = /^(.*\/)versions\/\d+\/$/.exec(href);
  return objects.has(version ? (version[1] as string) : href);
}

/**
 * One Release Train style mirror: remote, repository synced from `snapshot`, and for
 * publishing plugins a `development` distribution serving the publication of that snapshot
 * (plus `production` pinned to `production` if given); containers serve the repository.
 */
export function mirror(plugin: Plugin, name: string, options: { snapshot?: string; production?: string } = {}): DesiredResource[] {
  const snapshot = options.snapshot ?? '20240115T000000';
  const remote = desired(`remote/${plugin}/${name}`, { fields: { url: `https://ark.example.com/pulp/content/${name}/${snapshot}/` } });
  const repository = desired(`repository/${plugin}/${name}`, { refs: { remote: remote.address }, sync: { marker: snapshot, options: {} } });
  if (plugin === 'container') {
    return [remote, repository, desired(`distribution/container/${name}`, { refs: { repository: repository.address } })];
  }
  const serving = (stage: string, pin: string): DesiredResource[] => [
    desired(`publication/${plugin}/${name}@${pin}`),
    desired(`distribution/${plugin}/${name}-${stage}`, {
      refs: { publication: `publication/${plugin}/${name}@${pin}` },
      snapshot: pin,
      ...(stage === 'development' ? { followsSync: true } : {}),
      fields: { base_path: `${name}/${stage}` },
    }),
  ];
  const resources = [
    remote,
    repository,
    ...serving('development', snapshot),
    ...(options.production !== undefined ? serving('production', options.production) : []),
  ];
  return resources.filter((resource, index) => resources.findIndex((other) => other.address === resource.address) === index);
}

/** The live state pulpform leaves behind after converging `state` from an empty server. */
export function liveFrom(state: DesiredState, server: ServerInfo = SERVER): LiveState {
  const empty = liveState([], server);
  return simulateApply(buildPlan(state, empty, { now: NOW }), empty);
}

/** A small deterministic PRNG (mulberry32), so generative tests replay from their seed. */
export function randomSource(seed: number): {
  next(): number;
  int(max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
} {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (max) => Math.floor(next() * max),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    chance: (p) => next() < p,
  };
}
