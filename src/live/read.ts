import { type Capabilities, capabilitiesOf } from '../model/capabilities.js';
import type { JsonObject } from '../model/json.js';
import { LABELS } from '../model/labels.js';
import type { Endpoint, Kind, LiveObject, LiveRepositoryVersion, LiveState, Plugin, ServerInfo } from '../model/resource.js';
import { mapBounded } from './bounded.js';
import { componentVersions, type PulpClient } from './client.js';
import { PulpApiError } from './errors.js';
import { PUSH_REPOSITORY_ENDPOINT } from '../model/fields.js';
import { kindAndPluginOf, normalizeLiveObject } from './normalize.js';

/** Every typed list pulpform reads, one paginated request chain each. */
export const LIVE_ENDPOINTS: readonly Endpoint[] = [
  'remotes/rpm/rpm',
  'remotes/deb/apt',
  'remotes/file/file',
  'remotes/container/container',
  'repositories/rpm/rpm',
  'repositories/deb/apt',
  'repositories/file/file',
  'repositories/container/container',
  PUSH_REPOSITORY_ENDPOINT,
  'publications/rpm/rpm',
  'publications/deb/apt',
  'publications/deb/verbatim',
  'publications/file/file',
  'distributions/rpm/rpm',
  'distributions/deb/apt',
  'distributions/file/file',
  'distributions/container/container',
];

/** The `pulp_type` of the objects of each typed list (publications are not read from generic lists). */
const PULP_TYPES: Readonly<Record<Endpoint, string>> = {
  'remotes/rpm/rpm': 'rpm.rpm',
  'remotes/deb/apt': 'deb.apt-remote',
  'remotes/file/file': 'file.file',
  'remotes/container/container': 'container.container',
  'repositories/rpm/rpm': 'rpm.rpm',
  'repositories/deb/apt': 'deb.deb',
  'repositories/file/file': 'file.file',
  'repositories/container/container': 'container.container',
  [PUSH_REPOSITORY_ENDPOINT]: 'container.container-push',
  'distributions/rpm/rpm': 'rpm.rpm',
  'distributions/deb/apt': 'deb.apt-distribution',
  'distributions/file/file': 'file.file',
  'distributions/container/container': 'container.container',
};

/**
 * The lists of every type (pulpcore's own, on 3.23 and later), with the fields a scoped read
 * needs from them: who owns an object, and where a distribution serves. Publications have no
 * generic list with a label filter; they are read with their plugin.
 */
const GENERIC_LISTS = [
  { path: 'remotes/', family: 'remotes/', fields: 'pulp_href,name,pulp_labels', everyObject: false },
  { path: 'repositories/', family: 'repositories/', fields: 'pulp_href,name,pulp_labels', everyObject: false },
  // Every distribution, not only this stack's: Pulp refuses a base path that overlaps any other.
  {
    path: 'distributions/',
    family: 'distributions/',
    fields: 'pulp_href,name,pulp_labels,base_path,base_url,content_guard,repository',
    everyObject: true,
  },
] as const;

/** What a plan needs of the server: the plugins its desired state declares, and whose objects `--prune` may delete. */
export interface LiveScope {
  stack: string;
  plugins: ReadonlySet<Plugin>;
  /** How many objects of each kind the desired state declares: how long the generic lists' answers will be, about. */
  declared?: Partial<Record<Kind, number>>;
}

export interface ReadLiveStateOptions {
  /** Lists in flight at once. Default 8. */
  concurrency?: number;
  /** Also list every repository version (one more paginated list), for retention. */
  versions?: boolean;
  /**
   * Read only what a plan of this scope needs (see readLiveState); without it every typed list
   * of every installed plugin is read (export, status, saved plans).
   */
  scope?: LiveScope;
}

/**
 * The server's remotes, repositories (container push ones included), publications and
 * distributions: `GET status/`, then paginated lists, a few at a time. Never one request per object.
 *
 * Without a scope: one list per typed endpoint of the installed plugins; every object complete.
 *
 * With a scope: the typed lists of the scope's plugins (and the container push repositories,
 * whose names and base paths block container objects), plus the generic `remotes/` and
 * `repositories/` lists filtered by the stack's label, and every distribution from the generic
 * `distributions/` list; where the server filters those by type (capabilities), only the
 * types of the other plugins, and none at all when the scope has every plugin; where it cannot,
 * and the generic lists would take more pages (by the counts `declared`) than the other plugins'
 * typed lists, it reads every typed list as without a scope. A plugin outside the scope is
 * then read in full (its typed lists, a second round) when one of its objects carries the
 * stack's label (what `--prune` deletes, or a type change replaces) or serves a push repository (what --replace-push-conflicts deletes),
 * so every object a plan can act on is complete. What stays from the generic lists is
 * distributions of the other plugins that the stack does not own: name, labels, base path and
 * repository only (`partial`), enough for name and base-path conflicts. Not read: remotes and
 * repositories of plugins outside the scope that this stack does not own, so a name the desired
 * state shares with one of those is found by Pulp at apply, as for plugins pulpform does not manage.
 */
export async function readLiveState(client: PulpClient, options: ReadLiveStateOptions = {}): Promise<LiveState> {
  const server = serverInfoOf(client, await client.status());
  const installed = LIVE_ENDPOINTS.filter((endpoint) => pluginInstalled(server, kindAndPluginOf(endpoint).plugin));
  const concurrency = options.concurrency ?? 8;
  const capabilities = capabilitiesOf(server.versions);
  const scoped = (scope: LiveScope): Endpoint[] =>
    installed.filter((endpoint) => endpoint === PUSH_REPOSITORY_ENDPOINT || scope.plugins.has(kindAndPluginOf(endpoint).plugin));
  let scope = options.scope !== undefined && labelSelectable(options.scope.stack) ? options.scope : undefined;
  // Without the type filter the generic lists answer this stack's objects of every plugin again:
  // when that takes more pages than the other plugins' typed lists (one each), read those instead.
  if (
    scope !== undefined &&
    !capabilities.genericTypeFilter &&
    genericPages(scope, client.pageSize) > installed.length - scoped(scope).length
  )
    scope = undefined;
  const typed = scope === undefined ? installed : scoped(scope);
  const generic =
    scope === undefined
      ? []
      : genericQueries(
          scope,
          installed.filter((endpoint) => !typed.includes(endpoint)),
          capabilities,
        );
  // One queue, so `concurrency` bounds the typed and the generic lists together.
  const jobs: (() => Promise<JsonObject[]>)[] = [
    ...typed.map((endpoint) => () => client.list(`${endpoint}/`)),
    ...generic.map(
      ({ path, query }) =>
        () =>
          client.list(path, query),
    ),
  ];
  const [lists, versions] = await Promise.all([
    mapBounded(jobs, concurrency, (job) => job()),
    options.versions ? readRepositoryVersions(client) : undefined,
  ]);
  const genericLists = lists.slice(typed.length);
  const read = new Map<Endpoint, JsonObject[]>(typed.map((endpoint, i) => [endpoint, lists[i]!]));
  const partial: { endpoint: Endpoint; raw: JsonObject }[] = [];
  if (scope !== undefined) {
    const pushRepositories = new Set((read.get(PUSH_REPOSITORY_ENDPOINT) ?? []).map((raw) => raw['pulp_href']));
    const completeLater = new Set<Plugin>();
    for (const raw of genericLists.flat()) {
      const endpoint = typedEndpointOf(raw['pulp_href']);
      if (endpoint === undefined || !installed.includes(endpoint) || read.has(endpoint)) continue;
      const { plugin } = kindAndPluginOf(endpoint);
      const labels = raw['pulp_labels'];
      const owned = labels !== null && typeof labels === 'object' && !Array.isArray(labels) && labels[LABELS.stack] === scope.stack;
      if (owned || pushRepositories.has(raw['repository'])) completeLater.add(plugin);
      else partial.push({ endpoint, raw });
    }
    const more = installed.filter((endpoint) => completeLater.has(kindAndPluginOf(endpoint).plugin) && !read.has(endpoint));
    const moreLists = await mapBounded(more, concurrency, (endpoint) => client.list(`${endpoint}/`));
    more.forEach((endpoint, i) => read.set(endpoint, moreLists[i]!));
  }
  const repositoryNames = new Map<string, string>();
  for (const [endpoint, list] of read) {
    if (!endpoint.startsWith('repositories/')) continue;
    for (const raw of list) {
      if (typeof raw['pulp_href'] === 'string' && typeof raw['name'] === 'string') repositoryNames.set(raw['pulp_href'], raw['name']);
    }
  }
  const objects: LiveObject[] = [...read].flatMap(([endpoint, list]) =>
    list.map((raw) => normalizeLiveObject(endpoint, raw, repositoryNames, capabilities)),
  );
  for (const { endpoint, raw } of partial) {
    // Its plugin was read in the second round after all (another object of it is the stack's).
    if (read.has(endpoint)) continue;
    objects.push({ ...normalizeLiveObject(endpoint, raw, repositoryNames, capabilities), partial: true });
  }
  return versions === undefined ? { server, objects } : { server, objects, versions };
}

/** Pages of the generic lists without a type filter: this stack's remotes and repositories, and (about) every distribution. */
function genericPages(scope: LiveScope, pageSize: number): number {
  const pages = (kind: Kind): number => Math.max(1, Math.ceil((scope.declared?.[kind] ?? 0) / pageSize));
  return pages('remote') + pages('repository') + pages('distribution');
}

/**
 * The generic lists a scoped read sends. Where the server filters them by type, only the types
 * of the lists it does not read typed (none: no request); else every type, and the typed lists'
 * objects come back a second time (remotes and repositories only this stack's).
 */
function genericQueries(
  scope: LiveScope,
  unread: readonly Endpoint[],
  capabilities: Capabilities,
): { path: string; query: Record<string, string> }[] {
  return GENERIC_LISTS.flatMap((list) => {
    const query: Record<string, string> = { fields: list.fields };
    if (!list.everyObject) query['pulp_label_select'] = `${LABELS.stack}=${scope.stack}`;
    if (!capabilities.genericTypeFilter) return [{ path: list.path, query }];
    const types = unread.filter((endpoint) => endpoint.startsWith(list.family)).map((endpoint) => PULP_TYPES[endpoint]!);
    return types.length === 0 ? [] : [{ path: list.path, query: { ...query, pulp_type__in: types.join(',') } }];
  });
}

/** `…/distributions/file/file/<id>/` → `distributions/file/file`, when it is a list pulpform reads. */
function typedEndpointOf(href: unknown): Endpoint | undefined {
  if (typeof href !== 'string') return undefined;
  const match = /\/((?:remotes|repositories|publications|distributions)\/[^/]+\/[^/]+)\/[^/]+\/$/.exec(href);
  return match !== null && LIVE_ENDPOINTS.includes(match[1]!) ? match[1] : undefined;
}

/** Whether `pulp_label_select` can select this stack: its grammar splits on commas and reads operators. */
function labelSelectable(stack: string): boolean {
  return !/[,()=!~\s]/.test(stack);
}

/** `repository_versions/`: every version of every repository, three fields each. */
async function readRepositoryVersions(client: PulpClient): Promise<LiveRepositoryVersion[]> {
  const versions: LiveRepositoryVersion[] = [];
  for (const raw of await client.list('repository_versions/', { fields: 'pulp_href,number,repository' })) {
    const href = raw['pulp_href'];
    const number = raw['number'];
    if (typeof href !== 'string' || typeof number !== 'number') continue;
    const repository = typeof raw['repository'] === 'string' ? raw['repository'] : href.replace(/versions\/\d+\/$/, '');
    versions.push({ href, repository, number });
  }
  return versions;
}

function serverInfoOf(client: PulpClient, status: JsonObject): ServerInfo {
  const versions = componentVersions(status);
  if (versions === undefined) {
    throw new PulpApiError({
      kind: 'not_json',
      method: 'GET',
      path: `${client.apiRoot}status/`,
      reason: 'the status answer has no list of component versions',
      hint: `this URL does not look like a Pulp API root: check the server URL (${client.baseUrl}) and the API root (${client.apiRoot})`,
      outcomeUnknown: false,
    });
  }
  const info: ServerInfo = { url: client.baseUrl, versions };
  const settings = status['content_settings'];
  if (settings && typeof settings === 'object' && !Array.isArray(settings) && typeof settings['content_origin'] === 'string') {
    info.contentOrigin = settings['content_origin'];
  }
  return info;
}

function pluginInstalled(server: ServerInfo, plugin: string): boolean {
  return plugin in server.versions;
}
