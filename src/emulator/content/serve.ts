import type http from 'node:http';
import type { PublishedFiles } from './publish.js';
import { artifactBytes } from './source.js';

/** The small interface the core implements to serve /pulp/content/. */
export interface ContentLookup {
  /** The files of the publication the distribution at this exact base path serves, or null. */
  distribution(basePath: string): PublishedFiles | null | Promise<PublishedFiles | null>;
  /**
   * When set, every content request needs Basic credentials this accepts (the emulator playing
   * an Ark that serves subscribers only); others get 401.
   */
  checkCredentials?(username: string, password: string): boolean;
  /** Base paths of the distributions below `prefix` (`prefix/...`): what Pulp lists at `<prefix>/` when no distribution serves it. */
  basePathsUnder?(prefix: string): Iterable<string>;
}

export const CONTENT_PREFIX = '/pulp/content/';

const CONTENT_TYPES: Array<[RegExp, string]> = [
  [/\.xml$/, 'text/xml'],
  [/\.gz$/, 'application/gzip'],
  [/\.rpm$/, 'application/x-rpm'],
  [/\.deb$/, 'application/vnd.debian.binary-package'],
  [/\.(txt|repo)$|\/(Release|Packages|InRelease|PULP_MANIFEST)$/, 'text/plain'],
];

function contentTypeOf(path: string): string {
  return CONTENT_TYPES.find(([pattern]) => pattern.test(path))?.[1] ?? 'application/octet-stream';
}

function text(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

function listing(path: string, files: PublishedFiles, dir: string): string | null {
  const entries = new Set<string>();
  for (const name of files.keys()) {
    if (!name.startsWith(dir)) continue;
    const rest = name.slice(dir.length);
    const slash = rest.indexOf('/');
    entries.add(slash < 0 ? rest : rest.slice(0, slash + 1));
  }
  if (!entries.size) return null;
  return indexPage(path, entries);
}

function indexPage(path: string, entries: Iterable<string>): string {
  const links = [...entries].sort().map((e) => `<a href="${encodeURI(e)}">${e}</a>`);
  return (
    `<!DOCTYPE html>\n<html>\n<head><title>Index of ${path}</title></head>\n<body>\n<h1>Index of ${path}</h1>\n` +
    `<hr><pre><a href="../">../</a>\n${links.join('\n')}\n</pre><hr></body>\n</html>\n`
  );
}

/**
 * A path no distribution serves, but distributions lie below: Pulp lists the next segment of
 * each (`<stamp>/` for every snapshot Ark serves under a repository path), after a redirect to
 * the path with its slash.
 */
async function prefixListing(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  relative: string,
  lookup: ContentLookup,
): Promise<boolean> {
  const prefix = relative.replace(/\/+$/, '');
  if (prefix === '' || lookup.basePathsUnder === undefined) return false;
  const entries = new Set<string>();
  for (const basePath of lookup.basePathsUnder(prefix)) entries.add(`${basePath.slice(prefix.length + 1).split('/')[0]}/`);
  if (entries.size === 0) return false;
  if (!relative.endsWith('/')) {
    res.writeHead(301, { Location: `${url.pathname}/` });
    res.end();
    return true;
  }
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(req.method === 'HEAD' ? undefined : indexPage(`${prefix}/`, entries));
  return true;
}

/**
 * Serves `/pulp/content/<base_path>/<path>` from the publication a distribution serves:
 * metadata, artifacts (fetched from the upstream when synced on_demand), HTML directory
 * listings for paths ending in `/`, a redirect from the bare base path to its listing. Returns
 * false for paths outside the content prefix.
 */
export async function handleContentRequest(req: http.IncomingMessage, res: http.ServerResponse, lookup: ContentLookup): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://content');
  if (!url.pathname.startsWith(CONTENT_PREFIX)) return false;
  if (lookup.checkCredentials) {
    const header = req.headers.authorization ?? '';
    const decoded = header.toLowerCase().startsWith('basic ') ? Buffer.from(header.slice(6), 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 0 || !lookup.checkCredentials(decoded.slice(0, colon), decoded.slice(colon + 1))) {
      text(res, 401, '401: Unauthorized', { 'WWW-Authenticate': 'Basic realm="pulp"' });
      return true;
    }
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    text(res, 405, '405: Method Not Allowed', { Allow: 'GET, HEAD' });
    return true;
  }
  const relative = decodeURIComponent(url.pathname.slice(CONTENT_PREFIX.length));
  const segments = relative.split('/');
  for (let i = segments.length; i > 0; i--) {
    const basePath = segments.slice(0, i).join('/');
    if (!basePath || basePath.endsWith('/')) continue;
    const files = await lookup.distribution(basePath);
    if (!files) continue;
    if (i === segments.length) {
      res.writeHead(301, { Location: `${url.pathname}/` });
      res.end();
      return true;
    }
    const path = segments.slice(i).join('/');
    const file = files.get(path);
    if (!file) {
      const html = path === '' || path.endsWith('/') ? listing(url.pathname, files, path) : null;
      if (html === null) text(res, 404, '404: Not Found');
      else {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(req.method === 'HEAD' ? undefined : html);
      }
      return true;
    }
    let data: Buffer;
    try {
      data = file.kind === 'metadata' ? file.data : await artifactBytes(file.artifact);
    } catch (error) {
      text(res, 502, `502: Bad Gateway (${error instanceof Error ? error.message : String(error)})`);
      return true;
    }
    res.writeHead(200, { 'Content-Type': contentTypeOf(path), 'Content-Length': data.length });
    res.end(req.method === 'HEAD' ? undefined : data);
    return true;
  }
  if (await prefixListing(req, res, url, relative, lookup)) return true;
  text(res, 404, '404: Not Found');
  return true;
}
