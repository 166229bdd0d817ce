import { capabilitiesOf } from '../model/capabilities.js';
import type { JsonObject } from '../model/json.js';
import type { Endpoint, LiveObject, LiveRepositoryVersion, LiveState, ServerInfo } from '../model/resource.js';
import { mapBounded } from './bounded.js';
import type { PulpClient } from './client.js';
import { PulpApiError } from './errors.js';
import { PUSH_REPOSITORY_ENDPOINT } from '../model/fields.js';
import { kindAndPluginOf, normalizeLiveObject } from './normalize.js';

/** Every list pulpform reads, one paginated request chain each. */
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

export interface ReadLiveStateOptions {
  /** Lists in flight at once. Default 8. */
  concurrency?: number;
  /** Also list every repository version (one more paginated list), for retention. */
  versions?: boolean;
}

/**
 * The server's remotes, repositories (container push ones included), publications and
 * distributions: `GET status/`, then one paginated list per endpoint of the installed plugins,
 * a few at a time. Never one request per object.
 */
export async function readLiveState(client: PulpClient, options: ReadLiveStateOptions = {}): Promise<LiveState> {
  const server = serverInfoOf(client, await client.status());
  const endpoints = LIVE_ENDPOINTS.filter((endpoint) => pluginInstalled(server, kindAndPluginOf(endpoint).plugin));
  const [lists, versions] = await Promise.all([
    mapBounded(endpoints, options.concurrency ?? 8, (endpoint) => client.list(`${endpoint}/`)),
    options.versions ? readRepositoryVersions(client) : undefined,
  ]);
  const repositoryNames = new Map<string, string>();
  endpoints.forEach((endpoint, i) => {
    if (!endpoint.startsWith('repositories/')) return;
    for (const raw of lists[i]!) {
      if (typeof raw['pulp_href'] === 'string' && typeof raw['name'] === 'string') repositoryNames.set(raw['pulp_href'], raw['name']);
    }
  });
  const capabilities = capabilitiesOf(server.versions);
  const objects: LiveObject[] = endpoints.flatMap((endpoint, i) => lists[i]!.map((raw) => normalizeLiveObject(endpoint, raw, repositoryNames, capabilities)));
  return versions === undefined ? { server, objects } : { server, objects, versions };
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
  const versions = status['versions'];
  if (!Array.isArray(versions)) {
    throw new PulpApiError({
      code: 'not_json',
      method: 'GET',
      path: `${client.apiRoot}status/`,
      reason: 'the status answer has no list of component versions',
      hint: `this URL does not look like a Pulp API root: check the server URL (${client.baseUrl}) and the API root (${client.apiRoot})`,
      outcomeUnknown: false,
    });
  }
  const info: ServerInfo = { url: client.baseUrl, versions: {} };
  for (const entry of versions) {
    if (entry && typeof entry === 'object' && !Array.isArray(entry) && typeof entry['component'] === 'string' && typeof entry['version'] === 'string') {
      info.versions[entry['component']] = entry['version'];
    }
  }
  const settings = status['content_settings'];
  if (settings && typeof settings === 'object' && !Array.isArray(settings) && typeof settings['content_origin'] === 'string') {
    info.contentOrigin = settings['content_origin'];
  }
  return info;
}

function pluginInstalled(server: ServerInfo, plugin: string): boolean {
  return plugin in server.versions;
}
