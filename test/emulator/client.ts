import type { Json, JsonObject } from '../../src/model/json.js';

/** A minimal HTTP client for emulator tests: JSON in, parsed JSON (or text) out, no redirects followed. */
export interface Answer {
  status: number;
  headers: Headers;
  body: Json;
}

export function apiClient(
  baseUrl: string,
  credentials: { username: string; password: string } | null = { username: 'admin', password: 'password' },
) {
  const call = async (method: string, path: string, body?: Json): Promise<Answer> => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (credentials)
      headers['Authorization'] = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(new URL(path, baseUrl), {
      method,
      headers,
      redirect: 'manual',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: Json = text;
    try {
      parsed = text === '' ? null : (JSON.parse(text) as Json);
    } catch {
      // Django's HTML pages stay text.
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };

  /** Polls a task until it reaches a final state (the condition, not a fixed sleep). */
  const waitTask = async (href: string): Promise<JsonObject> => {
    for (;;) {
      const task = (await call('GET', href)).body as JsonObject;
      if (['completed', 'failed', 'canceled'].includes(task['state'] as string)) return task;
      await new Promise((r) => setTimeout(r, 2));
    }
  };

  /** Sends a request that answers 202 with a task and waits for that task. */
  const run = async (method: string, path: string, body?: Json): Promise<JsonObject> => {
    const answer = await call(method, path, body);
    if (answer.status !== 202) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return waitTask((answer.body as JsonObject)['task'] as string);
  };

  return { call, waitTask, run };
}
