import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const UPSTREAMS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../shared/pulp/conformance/upstreams');

export interface TestServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

export async function listen(handler: http.RequestListener): Promise<TestServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Serves a directory like the recorder's `python3 -m http.server` did: a 404 carries the
 * reason phrase "File not found", which ends up in Pulp's error description.
 */
export function staticServer(root: string, options: { credentials?: [string, string] } = {}): Promise<TestServer> {
  return listen(async (req, res) => {
    if (options.credentials) {
      const expected = `Basic ${Buffer.from(options.credentials.join(':')).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, 'Unauthorized', { 'WWW-Authenticate': 'Basic realm="test"' });
        res.end();
        return;
      }
    }
    const relative = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(root, relative);
    try {
      if (!file.startsWith(root) || !(await stat(file)).isFile()) throw new Error('not a file');
      const data = await readFile(file);
      res.writeHead(200, { 'Content-Length': data.length });
      res.end(data);
    } catch {
      res.writeHead(404, 'File not found', { 'Content-Type': 'text/html' });
      res.end('<html><body>Error response</body></html>');
    }
  });
}
