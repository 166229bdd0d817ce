import { mapBounded } from '../live/index.js';
import { loadCaCert, type PulpClient } from '../live/index.js';
import { requestText } from '../live/index.js';
import { endpointOf, type JsonObject, type Plugin, type Secret } from '../model/index.js';
import type { HostEntry } from './entries.js';
import { contentUrl } from './render.js';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** GET a URL; an answer of any status resolves, only a failure to get one rejects. */
export type HttpGet = (url: string, headers?: Record<string, string>) => Promise<HttpAnswer>;

export function httpGetter(options: { caCert?: string | undefined; insecure?: boolean | undefined; timeoutMs?: number }): HttpGet {
  const ca = options.caCert === undefined ? undefined : loadCaCert(options.caCert);
  return async (url, headers = {}) => {
    const answer = await requestText(url, {
      method: 'GET',
      headers,
      timeoutMs: options.timeoutMs ?? 30_000,
      ca,
      rejectUnauthorized: options.insecure !== true,
    });
    return { status: answer.status, headers: answer.headers, body: answer.text };
  };
}

export interface CheckOptions {
  contentBase: string;
  /** `scheme://host[:port]` of the registry. */
  registryOrigin: string;
  get: HttpGet;
  /** Who pulls private images (a host would `podman login` first). */
  credentials?: { username: string; password?: Secret };
  /** Asked, when a URL does not serve, what the server has at that base path. */
  client?: PulpClient;
  concurrency?: number;
}

export interface Probe {
  url: string;
  entry: HostEntry;
  /** Absent when the URL serves; else why not, as a host would need it explained. */
  failure?: string;
}

/**
 * Fetches what a host would fetch first from each entry (repomd.xml, each suite's Release, the
 * image's tag list with a registry token) and says why each one that does not serve fails:
 * the distribution is missing, serves nothing, refuses the host, or the server is unreachable.
 */
export async function checkHostEntries(entries: readonly HostEntry[], options: CheckOptions): Promise<Probe[]> {
  const jobs = entries.flatMap((entry): Array<() => Promise<Probe>> => {
    const base = contentUrl(options.contentBase, entry.basePath);
    switch (entry.format) {
      case 'dnf':
        return [() => probeContent(entry, `${base}repodata/repomd.xml`, (body) => body.includes('<repomd'), options)];
      case 'apt':
        return entry.suites.map(
          (suite) => () =>
            probeContent(entry, `${base}dists/${encodeURI(suite)}/Release`, (body) => /^(Suite|Codename):/m.test(body), options),
        );
      case 'registry':
        return [() => probeTags(entry, options)];
    }
  });
  return mapBounded(jobs, options.concurrency ?? 8, (job) => job());
}

async function probeContent(entry: HostEntry, url: string, looksRight: (body: string) => boolean, options: CheckOptions): Promise<Probe> {
  let answer: HttpAnswer;
  try {
    answer = await options.get(url);
  } catch (error) {
    return { url, entry, failure: unreachable(error) };
  }
  if (answer.status === 200 && looksRight(answer.body)) return { url, entry };
  const file = url.slice(contentUrl(options.contentBase, entry.basePath).length);
  let cause: string;
  if (answer.status === 401 || answer.status === 403) {
    cause = `auth: the content app answered ${answer.status} to an anonymous request: hosts would need credentials (is a content guard set on ${entry.distribution}?)`;
  } else if (answer.status === 200) {
    cause = `serves something else at ${file}: not ${entry.format === 'dnf' ? 'yum repository metadata' : 'an apt Release file'}`;
  } else if (answer.status === 404) {
    const what =
      entry.format === 'apt'
        ? `${file}: the upstream has no suite ${file.split('/').slice(1, -1).join('/')}, or the mirror's dists do not name it`
        : file;
    cause = `not published: ${entry.distribution} serves a publication without ${what}`;
  } else {
    cause = serverError('the server', answer.status);
  }
  return { url, entry, failure: await explain(entry, cause, options.client, contentUrl(options.contentBase, entry.basePath)) };
}

async function probeTags(entry: HostEntry, options: CheckOptions): Promise<Probe> {
  const url = `${options.registryOrigin}/v2/${entry.basePath}/tags/list`;
  const login = entry.format === 'registry' && entry.private ? options.credentials : undefined;
  let answer: HttpAnswer;
  try {
    answer = await options.get(url);
    const challenge = answer.status === 401 ? bearerChallenge(answer.headers['www-authenticate']) : undefined;
    if (challenge !== undefined) {
      const token = await registryToken(challenge, login, options.get);
      if (typeof token !== 'string') return { url, entry, failure: await explain(entry, token.failure, options.client) };
      answer = await options.get(url, { Authorization: `Bearer ${token}` });
    }
  } catch (error) {
    return { url, entry, failure: unreachable(error) };
  }
  const tags = answer.status === 200 ? (parseJson(answer.body) as { tags?: unknown } | undefined)?.tags : undefined;
  if (Array.isArray(tags) && tags.length > 0) return { url, entry };
  let cause: string;
  if (answer.status === 200) {
    cause = 'serves no tags: its repository holds no image yet (not synced, or include_tags matches nothing upstream)';
  } else if (answer.status === 401 || answer.status === 403) {
    cause =
      login !== undefined
        ? "auth: the registry refused the pull although pulpform logged in: check the user's permissions on this distribution"
        : 'auth: the registry refused an anonymous pull: the distribution is private on the server (set private: false, or log hosts in)';
  } else {
    cause = serverError('the registry', answer.status);
  }
  return { url, entry, failure: await explain(entry, cause, options.client) };
}

function serverError(who: string, status: number): string {
  return `${who} answered ${status}${status >= 500 ? ' (a server error: see its logs)' : ''}`;
}

interface Challenge {
  realm: string;
  params: Record<string, string>;
}

function bearerChallenge(header: string | string[] | undefined): Challenge | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^bearer\s/i.test(value)) return undefined;
  const params: Record<string, string> = {};
  for (const match of value.matchAll(/(\w+)="([^"]*)"/g)) params[match[1] as string] = match[2] as string;
  const { realm, ...rest } = params;
  delete rest.error;
  return realm === undefined ? undefined : { realm, params: rest };
}

/** The token a host's container runtime would get: anonymous, or with the login for a private image. */
async function registryToken(
  challenge: Challenge,
  credentials: CheckOptions['credentials'],
  get: HttpGet,
): Promise<string | { failure: string }> {
  const url = new URL(challenge.realm);
  for (const [name, value] of Object.entries(challenge.params)) url.searchParams.append(name, value);
  const headers: Record<string, string> = {};
  if (credentials !== undefined)
    headers.Authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password?.reveal() ?? ''}`).toString('base64')}`;
  const answer = await get(url.toString(), headers);
  const token = (parseJson(answer.body) as { token?: unknown } | undefined)?.token;
  if (answer.status === 200 && typeof token === 'string') return token;
  return {
    failure:
      answer.status === 401
        ? `auth: the token service ${url.origin}${url.pathname} refused pulpform's login (${credentials?.username ?? 'anonymous'})`
        : `auth: the token service ${url.origin}${url.pathname} answered ${answer.status} without a token`,
  };
}

/**
 * Why a URL does not serve: the server's own account first (the distribution is missing, or
 * serves nothing), else `cause`, read from the HTTP answer.
 */
async function explain(entry: HostEntry, cause: string, client: PulpClient | undefined, probed?: string): Promise<string> {
  if (client === undefined) return cause;
  const plugin: Plugin = entry.format === 'dnf' ? 'rpm' : entry.format === 'apt' ? 'deb' : 'container';
  let found: JsonObject[];
  try {
    found = await client.list(`${endpointOf('distribution', plugin)}/`, { base_path: entry.basePath });
  } catch (error) {
    return `${cause} (pulpform could not ask the server about the distribution: ${error instanceof Error ? error.message : String(error)})`;
  }
  const distribution = found[0];
  if (distribution === undefined) {
    return `distribution missing: the server has no ${plugin} distribution at base path ${entry.basePath} (run pulpform apply; ${entry.distribution} is in the desired state)`;
  }
  const serves = ['publication', 'repository', 'repository_version'].some((field) => typeof distribution[field] === 'string');
  if (!serves)
    return `serves nothing: ${String(distribution.name)} at ${entry.basePath} has no ${plugin === 'container' ? 'repository' : 'publication'} (run pulpform apply)`;
  // The distribution is there and serves: when the server says it is served elsewhere, the URL hosts are given is what is wrong.
  const served = distribution['base_url'];
  if (probed !== undefined && typeof served === 'string' && /^https?:\/\//.test(served) && served.replace(/\/*$/, '/') !== probed) {
    return `content URL: the server serves ${String(distribution.name)} at ${served}, but hosts would be given ${probed} (set --content-url, or fix the server's CONTENT_ORIGIN)`;
  }
  return cause;
}

function unreachable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return `unreachable: ${code ?? (error instanceof Error ? error.message : String(error))} (is the server's content app running, and the content URL right?)`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
