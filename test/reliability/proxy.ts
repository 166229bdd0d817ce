import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface Exchange {
  /** 1 for the first request through the proxy. */
  index: number;
  method: string;
  path: string;
  /** Path and query, as requested. */
  target: string;
  /** The request body as sent. */
  request: string;
  status: number;
  body: string;
}

/** What to do with an answer the server gave: pass it on, drop the connection as if it was lost, or answer this instead. */
export type Verdict = 'forward' | 'drop' | { status: number; json: unknown };

export interface InterposedProxy {
  /** e.g. `http://127.0.0.1:40123`: use it as the server URL. */
  url: string;
  close(): Promise<void>;
}

/**
 * An HTTP (or, with `tls`, HTTPS) proxy on 127.0.0.1 in front of `target` that lets a test decide, after the server
 * handled a request, whether the client gets the answer: the way to lose exactly the answer a
 * test is about, or to kill a client at an exact point of its conversation.
 */
export async function startProxy(
  target: string,
  decide: (exchange: Exchange) => Verdict | Promise<Verdict>,
  options: { tls?: { cert: string; key: string } } = {},
): Promise<InterposedProxy> {
  let count = 0;
  const agent = new http.Agent({ keepAlive: true });
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const index = ++count;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const upstream = http.request(
        `${target}${req.url ?? '/'}`,
        { method: req.method, headers: { ...req.headers, host: new URL(target).host }, agent },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            const body = Buffer.concat(parts);
            const exchange = {
              index,
              method: req.method ?? 'GET',
              path: new URL(req.url ?? '/', 'http://x').pathname,
              target: req.url ?? '/',
              request: Buffer.concat(chunks).toString('utf8'),
              status: answer.statusCode ?? 0,
              body: body.toString('utf8'),
            };
            void Promise.resolve(decide(exchange)).then((verdict) => {
              if (verdict === 'drop') {
                req.socket.destroy();
              } else if (verdict === 'forward') {
                res.writeHead(answer.statusCode ?? 502, answer.headers);
                res.end(body);
              } else {
                res.writeHead(verdict.status, { 'content-type': 'application/json' });
                res.end(JSON.stringify(verdict.json));
              }
            });
          });
        },
      );
      upstream.on('error', () => req.socket.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  };
  const server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
