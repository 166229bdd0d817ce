import { type Agent, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Json, JsonObject } from '../model/json.js';

export interface SideOptions {
  /** e.g. `http://127.0.0.1:24927` */
  url: string;
  username: string;
  password: string;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  /** The parsed JSON body; undefined when the body is empty or not JSON. */
  body: Json | undefined;
  text: string;
}

/** One request to one side, answered with its status, headers and body (parsed when it is JSON). */
export function send(
  target: SideOptions,
  agent: Agent,
  side: string,
  method: string,
  path: string,
  auth: 'admin' | 'none' | 'wrong',
  body?: string,
): Promise<Answer> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (auth !== 'none') {
    const password = auth === 'wrong' ? `${target.password}-wrong` : target.password;
    headers['Authorization'] = `Basic ${Buffer.from(`${target.username}:${password}`).toString('base64')}`;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(body));
  }
  const url = new URL(path, target.url);
  const requester = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = requester(url, { method, headers, ...(url.protocol === 'http:' ? { agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: out, text, body: parseJson(text, out['content-type']) });
      });
      res.on('error', reject);
    });
    req.setTimeout(120_000, () => req.destroy(new Error(`${side} ${method} ${path}: no answer in 120 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

function parseJson(text: string, contentType: string | undefined): Json | undefined {
  if (!contentType?.includes('json') || text === '') return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `remotes/rpm/rpm/` → `/pulp/api/v3/remotes/rpm/rpm/`; absolute paths and URLs pass through. */
export function apiPath(path: string): string {
  if (/^https?:\/\//.test(path)) return new URL(path).pathname + new URL(path).search;
  return path.startsWith('/') ? path : `/pulp/api/v3/${path}`;
}

export function queryString(query: Record<string, string | string[]>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    for (const item of Array.isArray(v) ? v : [v]) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(item)}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}
