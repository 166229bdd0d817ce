import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through HTTP proxy in front of a real Pulp, so that requests are counted on the wire
 * the way the emulator counts them: by method and by path (query left out). It also notes the
 * task of every 202 answer and the Correlation-ID each client sent, to read back afterwards
 * how long Pulp itself worked on those tasks.
 */
export interface CountingProxy {
  readonly url: string;
  requestCounts(): { byMethod: Record<string, number>; byPath: Record<string, number> };
  resetRequests(): void;
  /** Tasks the answers since the last reset dispatched. */
  dispatchedTasks(): string[];
  /** Since the last reset: how long at least one request waited for Pulp's answer, and all their waits added up. */
  answering(): { busyMs: number; sumMs: number };
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let byMethod: Record<string, number> = {};
  let byPath: Record<string, number> = {};
  let tasks: string[] = [];
  // Requests in flight, and since when at least one has been: how long the client waited on Pulp's API.
  let inFlight = 0;
  let busySince = 0;
  let busyMs = 0;
  let sumMs = 0;
  const server = http.createServer((req, res) => {
    const started = performance.now();
    if (inFlight++ === 0) busySince = started;
    // A response closes once, answered or cut off.
    res.once('close', () => {
      const now = performance.now();
      sumMs += now - started;
      if (--inFlight === 0) busyMs += now - busySince;
    });
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0]!;
    byMethod[method] = (byMethod[method] ?? 0) + 1;
    byPath[path] = (byPath[path] ?? 0) + 1;
    const forwarded = http.request(
      { host: upstream.hostname, port: upstream.port, method, path: req.url, headers: { ...req.headers, host: upstream.host }, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (answer.statusCode !== 202) {
          answer.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          try {
            const task = (JSON.parse(body.toString('utf8')) as { task?: unknown }).task;
            if (typeof task === 'string') tasks.push(task);
          } catch {
            // Not a task answer: nothing to note.
          }
          res.end(body);
        });
      },
    );
    forwarded.on('error', () => res.socket?.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requestCounts: () => ({ byMethod: { ...byMethod }, byPath: { ...byPath } }),
    resetRequests: () => {
      byMethod = {};
      byPath = {};
      tasks = [];
      busyMs = 0;
      sumMs = 0;
      busySince = performance.now();
    },
    dispatchedTasks: () => [...tasks],
    answering: () => ({ busyMs: busyMs + (inFlight > 0 ? performance.now() - busySince : 0), sumMs }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
