import type { JsonObject } from '../model/index.js';

/** Pulp's default `CONTENT_PATH_PREFIX`. */
export const DEFAULT_CONTENT_PATH = '/pulp/content/';

/**
 * Where the server says it serves content: `content_settings.content_origin` plus
 * `content_path_prefix` of its /status/ answer; undefined when it does not say (3.80-era
 * servers may leave the origin null).
 */
export function contentBaseFromStatus(status: JsonObject): string | undefined {
  const settings = status.content_settings;
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) return undefined;
  const origin = settings.content_origin;
  if (typeof origin !== 'string' || origin === '') return undefined;
  const prefix = typeof settings.content_path_prefix === 'string' ? settings.content_path_prefix : DEFAULT_CONTENT_PATH;
  return joinContentBase(origin, prefix);
}

/** `http://pulp.example.com` + `/pulp/content/`, with exactly one slash between and one at the end. */
export function joinContentBase(origin: string, path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, '');
  return `${origin.replace(/\/+$/, '')}/${trimmed === '' ? '' : `${trimmed}/`}`;
}

/** Why `url` cannot be the content base hosts use, or undefined when it can (credentials are never echoed). */
export function contentBaseProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'it is not a URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `it must use http or https, not ${parsed.protocol}`;
  if (parsed.username !== '' || parsed.password !== '') return 'it contains credentials, which every host would then store';
  if (parsed.search !== '' || parsed.hash !== '') return 'it has a query or fragment';
  return undefined;
}
