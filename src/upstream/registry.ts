// A container registry client (/v2/, bearer token challenges) over the upstream downloader, as
// pulp_container's sync talks to a registry; shared by the emulator's sync and preflight.
import { basic, type Downloader, type FetchOptions, type FetchResult, ResponseError } from './http.js';

/** Parses `Bearer realm="...",service="...",scope="..."` into its parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const item of (space < 0 ? '' : header.slice(space + 1)).split(/,(?=[^=,]+=)/)) {
    const eq = item.indexOf('=');
    if (eq < 0) continue;
    params[item.slice(0, eq).trim()] = item
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return { scheme, params };
}

/**
 * pulp_container's RegistryAuthHttpDownloader: requests go out without credentials; a 401 with
 * a Bearer challenge fetches a token from the realm (with the remote's Basic credentials) and
 * the request is retried once with it; a Basic challenge is retried with Basic credentials.
 */
export class RegistryClient {
  readonly downloader: Downloader;
  #token: string | null = null;
  #basic = false;

  constructor(downloader: Downloader) {
    this.downloader = downloader;
  }

  async fetch(url: string, repoName: string, options: FetchOptions = {}): Promise<FetchResult> {
    const attempt = () => {
      const headers = { ...options.headers };
      if (this.#token) headers.Authorization = `Bearer ${this.#token}`;
      return this.downloader.fetch(url, { ...options, headers, basicAuth: this.#basic });
    };
    const used = this.#token;
    try {
      return await attempt();
    } catch (error) {
      const challenge = error instanceof ResponseError && error.status === 401 ? error.headers['www-authenticate'] : undefined;
      if (!challenge) throw error;
      const { scheme, params } = parseChallenge(challenge);
      if (scheme === 'bearer') {
        if (this.#token === used) await this.#updateToken(params, repoName);
      } else if (scheme === 'basic') {
        this.#basic = true;
      } else {
        throw error;
      }
      return attempt();
    }
  }

  async #updateToken(params: Record<string, string>, repoName: string): Promise<void> {
    const { realm, ...query } = params;
    if (!realm) throw new Error('No realm specified for token auth challenge.');
    query.scope ??= `repository:${repoName}:pull`;
    const tokenUrl = new URL(realm);
    for (const [key, value] of Object.entries(query)) tokenUrl.searchParams.set(key, value);
    const c = this.downloader.connection;
    const headers: Record<string, string> = c.username ? { Authorization: basic(c.username, c.password?.reveal() ?? '') } : {};
    const response = await this.downloader.fetch(tokenUrl.toString(), { headers, basicAuth: false });
    const body = JSON.parse(response.body.toString('utf8')) as { token?: string; access_token?: string };
    this.#token = body.token ?? body.access_token ?? null;
  }
}
