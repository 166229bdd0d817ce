import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { recordFigures } from './figures.js';

// Every way a server can answer badly, through the real CLI: `pulpform plan --server URL`
// against a small local server that misbehaves. Each ends in exit 1 with one line saying what
// went wrong and one line of hint, nothing on stdout, and no stack trace.

const TLS = {
  cert: readFileSync(new URL('../live/tls/self-signed-127.0.0.1.cert.pem', import.meta.url), 'utf8'),
  key: readFileSync(new URL('../live/tls/self-signed-127.0.0.1.key.pem', import.meta.url), 'utf8'),
};
const PASSWORD = 'bad-answers-pa55';
const STATUS = JSON.stringify({
  versions: ['core', 'rpm', 'file', 'deb', 'container'].map((component) => ({ component, version: '3.23.24' })),
});

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

function json(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

function html(res: http.ServerResponse, status: number, title: string): void {
  res.writeHead(status, { 'content-type': 'text/html' });
  res.end(`<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1></body></html>`);
}

/** Pulp's status, and `onList` for every list request. */
function pulpWithLists(onList: Handler): Handler {
  return (req, res) => (req.url?.startsWith('/pulp/api/v3/status/') ? json(res, 200, STATUS) : onList(req, res));
}

interface Case {
  name: string;
  handler?: Handler;
  tls?: boolean;
  /** Builds the --server URL from the server's port (default http://127.0.0.1:PORT). */
  url?: (port: number) => string;
  cause: RegExp;
  hint: RegExp;
}

const CASES: Case[] = [
  {
    name: 'an HTML page instead of JSON',
    handler: (_req, res) => html(res, 200, 'Welcome to nginx!'),
    cause: /^Error: GET \/pulp\/api\/v3\/status\/: the response is not JSON \(text\/html\): Welcome to nginx!$/,
    hint: /does not look like a Pulp API root: check the server URL/,
  },
  {
    name: 'a JSON answer cut short',
    handler: (_req, res) => json(res, 200, STATUS.slice(0, 40)),
    cause: /^Error: GET \/pulp\/api\/v3\/status\/: HTTP 200: the JSON answer is incomplete \(40 bytes\)$/,
    hint: /cut the answer short; running again is safe/,
  },
  {
    name: 'a body shorter than its Content-Length, then the connection closes',
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
      res.write(STATUS.slice(0, 40));
      setImmediate(() => res.socket?.destroy());
    },
    cause: /^Error: GET \/pulp\/api\/v3\/status\/: the connection was closed before an answer arrived \(4 attempts over \d+ s\)$/,
    hint: /running again is safe/,
  },
  {
    name: 'a wrong API root (every path is an HTML 404)',
    handler: (_req, res) => html(res, 404, 'Not Found'),
    cause: /^Error: GET \/pulp\/api\/v3\/status\/: HTTP 404: the server has no such path$/,
    hint: /check the server URL and the API root \(\/pulp\/api\/v3\/\)/,
  },
  {
    name: 'JSON that is not Pulp’s',
    handler: (_req, res) => json(res, 200, '{"hello": "world"}'),
    cause: /^Error: GET \/pulp\/api\/v3\/status\/: the status answer has no list of component versions$/,
    hint: /does not look like a Pulp API root/,
  },
  {
    name: 'an empty answer',
    handler: (_req, res) => json(res, 200, ''),
    cause: /^Error: GET \/pulp\/api\/v3\/status\/: the response is not a JSON object$/,
    hint: /does not look like a Pulp API root/,
  },
  {
    name: 'a 400 HTML page (a web server that is not Pulp)',
    handler: (_req, res) => html(res, 400, '400 The plain HTTP request was sent to HTTPS port'),
    cause: /HTTP 400: the server answered with an HTML page: 400 The plain HTTP request was sent to HTTPS port$/,
    hint: /does not look like a Pulp API root/,
  },
  {
    name: '401 with a challenge',
    handler: pulpWithLists((_req, res) =>
      json(res, 401, '{"detail": "Invalid username/password."}', { 'www-authenticate': 'Basic realm="api"' }),
    ),
    // Lists are read 8 at a time: whichever 401 comes back first is the one reported.
    cause:
      /^Error: GET \/pulp\/api\/v3\/(remotes|repositories|publications|distributions)\/[\w-]+\/[\w-]+\/\?limit=1000&offset=0: HTTP 401: the server rejected the credentials: Invalid username\/password\.$/,
    hint: /check --username and --password-file/,
  },
  {
    name: '403 for missing credentials (as pulpcore 3.23 answers)',
    handler: pulpWithLists((_req, res) => json(res, 403, '{"detail": "Authentication credentials were not provided."}')),
    cause: /HTTP 403: the server rejected the credentials: Authentication credentials were not provided\.$/,
    hint: /check --username and --password-file/,
  },
  {
    name: '403 for a user without permission',
    handler: pulpWithLists((_req, res) => json(res, 403, '{"detail": "You do not have permission to perform this action."}')),
    cause: /HTTP 403: user admin may not do this: You do not have permission to perform this action\.$/,
    hint: /use an account with permission for this/,
  },
  {
    name: '404 on a list of a plugin the status names',
    handler: pulpWithLists((_req, res) => json(res, 404, '{"detail": "Not found."}')),
    cause: /HTTP 404: not found: Not found\.$/,
    hint: /it may have been deleted meanwhile: run plan again/,
  },
  {
    name: '500 (Django’s page), after retries',
    handler: (_req, res) => html(res, 500, 'Server Error (500)'),
    cause: /^Error: GET \/pulp\/api\/v3\/status\/: HTTP 500: server error: Server Error \(500\)$/,
    hint: /see the Pulp server logs; running again is safe/,
  },
  {
    name: '503 from a proxy in front of Pulp',
    handler: (_req, res) => html(res, 503, '503 Service Temporarily Unavailable'),
    cause: /HTTP 503: server error: 503 Service Temporarily Unavailable$/,
    hint: /running again is safe/,
  },
  {
    name: '429 rate limiting, after retries',
    handler: (_req, res) => json(res, 429, '{"detail": "Request was throttled."}', { 'retry-after': '0' }),
    cause: /HTTP 429: the server is rate limiting requests: Request was throttled\.$/,
    hint: /lower --concurrency or try again later/,
  },
  {
    name: 'a redirect to HTTPS',
    handler: (req, res) => {
      res.writeHead(301, { location: `https://pulp.example.com${req.url ?? '/'}` });
      res.end();
    },
    cause: /HTTP 301: the server redirected to https:\/\/pulp\.example\.com\/pulp\/api\/v3\/status\/$/,
    hint: /use the address the server redirects to/,
  },
  {
    name: 'a self-signed certificate',
    tls: true,
    handler: (_req, res) => json(res, 200, STATUS),
    url: (port) => `https://127.0.0.1:${port}`,
    cause: /TLS failure talking to https:\/\/127\.0\.0\.1:\d+: self[- ]signed certificate/,
    hint: /--ca-cert.*--insecure/,
  },
  {
    name: 'HTTPS to a port that speaks plain HTTP',
    handler: (_req, res) => json(res, 200, STATUS),
    url: (port) => `https://127.0.0.1:${port}`,
    cause: /^Error: GET \/pulp\/api\/v3\/status\/: https:\/\/127\.0\.0\.1:\d+ does not speak TLS$/,
    hint: /use http:\/\/ in the server URL/,
  },
  {
    name: 'plain HTTP to a port that speaks HTTPS',
    tls: true,
    handler: (_req, res) => json(res, 200, STATUS),
    cause: /the connection was closed before an answer arrived \(\d attempts? over \d+ s\)$/,
    hint: /check whether http:\/\/127\.0\.0\.1:\d+ should be https:\/\//,
  },
  {
    name: 'a host name that does not resolve (.invalid never does)',
    url: () => 'http://pulp.invalid',
    cause: /^Error: GET \/pulp\/api\/v3\/status\/: cannot resolve the host of http:\/\/pulp\.invalid$/,
    hint: /check the server URL/,
  },
  {
    name: 'nothing listening',
    url: () => 'http://127.0.0.1:1',
    cause: /^Error: GET \/pulp\/api\/v3\/status\/: connection refused by http:\/\/127\.0\.0\.1:1$/,
    hint: /is Pulp running at http:\/\/127\.0\.0\.1:1\?/,
  },
];

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pulpform-bad-answers-'));
  await writeFile(join(dir, 'state.yaml'), 'stack: bad\nremotes:\n  - { name: one, type: rpm, url: "https://ark.example.com/one/" }\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function serve(handler: Handler, tls: boolean): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = tls ? https.createServer(TLS, handler) : http.createServer(handler);
  server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('pulpform plan against a server that answers badly', () => {
  test.concurrent.each(CASES)('$name', async ({ name, handler, tls, url, cause, hint }) => {
    const server = handler ? await serve(handler, tls ?? false) : undefined;
    try {
      const target = url ? url(server?.port ?? 0) : `http://127.0.0.1:${server!.port}`;
      const result = await runCli(['plan', '-f', dir, '--server', target], { env: { PULP_PASSWORD: PASSWORD } });
      const lines = result.stderr.trimEnd().split('\n');
      expect({ status: result.status, stdout: result.stdout, lines: lines.length }).toEqual({ status: 1, stdout: '', lines: 2 });
      expect(lines[0]).toMatch(cause);
      expect(lines[1]).toMatch(/^ {2}Hint: /);
      expect(lines[1]).toMatch(hint);
      expect(result.stderr).not.toContain('internal error');
      expect(result.stderr).not.toContain(PASSWORD);
      recordFigures('bad-answers', { name, ok: true });
    } finally {
      await server?.close();
    }
  });
});
