import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of a real Pulp that counts what pulpform sends (so "no writes" is
 * measured on the wire, not by pulpform's own counters) and can break answers: `lose` carries
 * the request to Pulp and then drops the connection (Pulp acted, the client never hears);
 * `unavailable` answers 503 without forwarding (Pulp never saw it).
 */

export interface ProxiedRequest {
  method: string;
  path: string;
}

export type Fault = 'lose' | 'unavailable';

export interface CountingProxy {
  readonly url: string;
  readonly requests: ProxiedRequest[];
  /** Requests other than GET and HEAD. */
  writes(): ProxiedRequest[];
  reset(): void;
  /** Decides, per request, whether to break it; undefined passes it through. */
  faults: (request: ProxiedRequest) => Fault | undefined;
  /** Faults injected so far. */
  readonly injected: Array<ProxiedRequest & { fault: Fault }>;
  close(): Promise<void>;
}

export async function startProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  const requests: ProxiedRequest[] = [];
  const injected: Array<ProxiedRequest & { fault: Fault }> = [];
  const server = http.createServer((req, res) => {
    const request = { method: req.method ?? 'GET', path: req.url ?? '/' };
    requests.push(request);
    const fault = proxy.faults(request);
    if (fault) injected.push({ ...request, fault });
    if (fault === 'unavailable') {
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' }).end('injected by the e2e proxy: Service Unavailable');
      return;
    }
    const forwarded = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        agent,
      },
      (answer) => {
        if (fault === 'lose') {
          // Pulp has acted; read its answer to the end and hang up on the client instead.
          answer.resume();
          answer.on('end', () => res.socket?.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.socket?.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const proxy: CountingProxy = {
    url: `http://127.0.0.1:${port}`,
    requests,
    writes: () => requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD'),
    reset: () => {
      requests.length = 0;
      injected.length = 0;
    },
    faults: () => undefined,
    injected,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
  return proxy;
}
