import type { RealServer } from './servers.js';

/**
 * Direct access to a real Pulp for what the tests check or break behind pulpform's back:
 * plain fetch with Basic auth, never through pulpform's own client.
 */

type Json = Record<string, unknown>;

function authorization(server: RealServer): string {
  return `Basic ${Buffer.from(`${server.username}:${server.password}`).toString('base64')}`;
}

export async function pulpRequest(server: RealServer, method: string, path: string, body?: Json): Promise<{ status: number; body: Json }> {
  const url = path.startsWith('http') ? path : `${server.url}${path.startsWith('/') ? '' : '/pulp/api/v3/'}${path}`;
  const response = await fetch(url, {
    method,
    headers: { authorization: authorization(server), accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
}

/** Every object of a list endpoint (`repositories/rpm/rpm/`), following `next`. */
export async function listAll(server: RealServer, endpoint: string, query: Record<string, string> = {}): Promise<Json[]> {
  const out: Json[] = [];
  let next: string | null = `${endpoint}?${new URLSearchParams({ ...query, limit: '500' }).toString()}`;
  while (next) {
    const { status, body } = await pulpRequest(server, 'GET', next.replace(/^https?:\/\/[^/]+/, ''));
    if (status !== 200) throw new Error(`GET ${next} answered ${status}: ${JSON.stringify(body)}`);
    out.push(...(body['results'] as Json[]));
    next = typeof body['next'] === 'string' ? body['next'] : null;
  }
  return out;
}

/** Waits for a task href a write answered, and fails the test if it did not complete. */
export async function waitTask(server: RealServer, answer: { status: number; body: Json }): Promise<void> {
  const href = answer.body['task'];
  if (typeof href !== 'string') {
    if (answer.status >= 300) throw new Error(`Pulp refused: ${answer.status} ${JSON.stringify(answer.body)}`);
    return;
  }
  for (;;) {
    const { body } = await pulpRequest(server, 'GET', href);
    if (body['state'] === 'completed') return;
    if (['failed', 'canceled', 'skipped'].includes(String(body['state'])))
      throw new Error(`task ${href} ${String(body['state'])}: ${JSON.stringify(body['error'])}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The endpoints a train uses: what "the stack's objects" are listed from. */
export const TRAIN_ENDPOINTS = [
  'remotes/rpm/rpm/',
  'remotes/deb/apt/',
  'remotes/file/file/',
  'remotes/container/container/',
  'repositories/rpm/rpm/',
  'repositories/deb/apt/',
  'repositories/file/file/',
  'repositories/container/container/',
  'distributions/rpm/rpm/',
  'distributions/deb/apt/',
  'distributions/file/file/',
  'distributions/container/container/',
] as const;

/** `kind/plugin/name` of every labelled object of the stack. */
export async function stackObjects(server: RealServer, stack: string): Promise<string[]> {
  const lists = await Promise.all(
    TRAIN_ENDPOINTS.map((endpoint) => listAll(server, endpoint, { pulp_label_select: `pulpform_stack=${stack}` })),
  );
  return TRAIN_ENDPOINTS.flatMap((endpoint, i) =>
    lists[i]!.map((object) => `${endpoint.split('/')[0]}/${endpoint.split('/')[1]}/${String(object['name'])}`),
  ).sort();
}

/** The objects of the stack by `endpoint` and name. */
export async function findObject(server: RealServer, endpoint: string, name: string): Promise<Json | undefined> {
  const [found] = await listAll(server, endpoint, { name });
  return found;
}
