import { createReadStream, realpathSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';

export interface StaticServer {
  /** e.g. `http://127.0.0.1:40123` (no trailing slash) */
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.xml': 'text/xml',
  '.gz': 'application/gzip',
  '.rpm': 'application/x-rpm',
  '.deb': 'application/vnd.debian.binary-package',
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.json': 'application/json',
};

/**
 * Serves a directory on 127.0.0.1 the way the recorder's `python3 -m http.server` did, because
 * the transcripts show its answers through Pulp: a missing file is `404 File not found` (the
 * reason phrase ends up in sync error descriptions) and a directory without its slash redirects.
 */
export async function serveDirectory(root: string): Promise<StaticServer> {
  const base = realpathSync(resolve(root));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://static');
    const fail = (status: number, reason: string) => {
      const body = `<!DOCTYPE HTML>\n<html lang="en">\n<head><title>Error response</title></head>\n<body>\n<h1>Error response</h1>\n<p>Error code: ${status}</p>\n<p>Message: ${reason}.</p>\n</body>\n</html>\n`;
      res.writeHead(status, reason, { 'Content-Type': 'text/html;charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(501, 'Unsupported method');
    let path: string;
    try {
      path = resolve(join(base, decodeURIComponent(url.pathname)));
    } catch {
      return fail(404, 'File not found');
    }
    if (path !== base && !path.startsWith(base + sep)) return fail(404, 'File not found');
    let stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isDirectory()) {
      if (!url.pathname.endsWith('/')) {
        res.writeHead(301, { Location: `${url.pathname}/${url.search}`, 'Content-Length': 0 });
        return res.end();
      }
      path = join(path, 'index.html');
      stat = statSync(path, { throwIfNoEntry: false });
    }
    if (!stat?.isFile()) return fail(404, 'File not found');
    res.writeHead(200, {
      'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
      'Content-Length': stat.size,
      'Last-Modified': stat.mtime.toUTCString(),
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
