/**
 * The plugin endpoints the emulator serves, with the few facts about them that the OpenAPI
 * document does not carry: the `pulp_type`, the Django model name (used in task error texts),
 * which remote types a repository accepts, and the task names the plugins dispatch.
 */

export type Family = 'remotes' | 'repositories' | 'publications' | 'distributions' | 'namespaces' | 'contentguards';

export interface Endpoint {
  family: Family;
  collectionPath: string;
  /** `<app label>.<type>`, e.g. `rpm.rpm`, `deb.apt-remote`. */
  pulpType: string;
  model: string;
  /** Repositories: the `pulp_type`s of remotes it may use. Distributions: publication endpoints it may serve. */
  accepts: string[];
  /** Repositories: sync task name. Publications: publish task name. */
  taskName?: string;
}

const V3 = '/pulp/api/v3/';

function ep(family: Family, path: string, pulpType: string, model: string, accepts: string[] = [], taskName?: string): Endpoint {
  return { family, collectionPath: `${V3}${path}`, pulpType, model, accepts, ...(taskName ? { taskName } : {}) };
}

const ENDPOINTS: Endpoint[] = [
  ep('remotes', 'remotes/rpm/rpm/', 'rpm.rpm', 'RpmRemote'),
  ep('remotes', 'remotes/rpm/uln/', 'rpm.uln', 'UlnRemote'),
  ep('remotes', 'remotes/file/file/', 'file.file', 'FileRemote'),
  ep('remotes', 'remotes/container/container/', 'container.container', 'ContainerRemote'),
  ep('remotes', 'remotes/deb/apt/', 'deb.apt-remote', 'AptRemote'),
  ep(
    'repositories',
    'repositories/rpm/rpm/',
    'rpm.rpm',
    'RpmRepository',
    ['rpm.rpm', 'rpm.uln'],
    'pulp_rpm.app.tasks.synchronizing.synchronize',
  ),
  ep(
    'repositories',
    'repositories/file/file/',
    'file.file',
    'FileRepository',
    ['file.file'],
    'pulp_file.app.tasks.synchronizing.synchronize',
  ),
  ep(
    'repositories',
    'repositories/deb/apt/',
    'deb.deb',
    'AptRepository',
    ['deb.apt-remote'],
    'pulp_deb.app.tasks.synchronizing.synchronize',
  ),
  ep(
    'repositories',
    'repositories/container/container/',
    'container.container',
    'ContainerRepository',
    ['container.container'],
    'pulp_container.app.tasks.synchronize.synchronize',
  ),
  ep('repositories', 'repositories/container/container-push/', 'container.container-push', 'ContainerPushRepository'),
  ep('publications', 'publications/rpm/rpm/', 'rpm.rpm', 'RpmPublication', ['rpm.rpm'], 'pulp_rpm.app.tasks.publishing.publish'),
  ep('publications', 'publications/file/file/', 'file.file', 'FilePublication', ['file.file'], 'pulp_file.app.tasks.publishing.publish'),
  ep(
    'publications',
    'publications/deb/apt/',
    'deb.apt-publication',
    'AptPublication',
    ['deb.deb'],
    'pulp_deb.app.tasks.publishing.publish',
  ),
  ep(
    'publications',
    'publications/deb/verbatim/',
    'deb.verbatim-publication',
    'VerbatimPublication',
    ['deb.deb'],
    'pulp_deb.app.tasks.publishing.publish_verbatim',
  ),
  ep('distributions', 'distributions/rpm/rpm/', 'rpm.rpm', 'RpmDistribution', [`${V3}publications/rpm/rpm/`]),
  ep('distributions', 'distributions/file/file/', 'file.file', 'FileDistribution', [`${V3}publications/file/file/`]),
  ep('distributions', 'distributions/deb/apt/', 'deb.apt-distribution', 'AptDistribution', [
    `${V3}publications/deb/apt/`,
    `${V3}publications/deb/verbatim/`,
  ]),
  ep('distributions', 'distributions/container/container/', 'container.container', 'ContainerDistribution'),
  ep('namespaces', 'pulp_container/namespaces/', 'container.namespace', 'ContainerNamespace'),
  ep('contentguards', 'contentguards/core/content_redirect/', 'core.content_redirect', 'ContentRedirectContentGuard'),
];

const BY_PATH = new Map(ENDPOINTS.map((e) => [e.collectionPath, e]));

export function endpointAt(collectionPath: string): Endpoint | undefined {
  return BY_PATH.get(collectionPath);
}

export function endpointOf(pulpType: string, family: Family): Endpoint | undefined {
  return ENDPOINTS.find((e) => e.family === family && e.pulpType === pulpType);
}

export const CONTAINER_PUSH_REPOSITORIES = `${V3}repositories/container/container-push/`;
export const CONTAINER_REPOSITORIES = `${V3}repositories/container/container/`;
export const CONTAINER_DISTRIBUTIONS = `${V3}distributions/container/container/`;
export const NAMESPACES = `${V3}pulp_container/namespaces/`;
export const CONTENT_REDIRECT_GUARDS = `${V3}contentguards/core/content_redirect/`;

/** The `operationId` prefix of an endpoint: `remotes_rpm_rpm`, `pulp_container_namespaces`. */
export function operationPrefix(collectionPath: string): string {
  return collectionPath.slice(V3.length, -1).replace(/[/-]/g, '_');
}

/** The path of an href, which clients may also give as an absolute URL; undefined when it is not a URL at all. */
export function hrefPath(href: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(href)) return href;
  try {
    return new URL(href).pathname;
  } catch {
    return undefined;
  }
}
