import { Agent, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { Json } from '../model/json.js';
import { Bindings, type CompareOptions, type Deployment, compareBodies, fillRequest, matchString } from './match.js';
import { serveDirectory } from './static-server.js';
import { type ActionStep, type RecordedResponse, type Step, type Transcript, isRequest, isWait } from './transcript.js';

export interface ReplayOptions {
  /** Where the Pulp API is, e.g. `http://127.0.0.1:24817` (the emulator or a real server). */
  baseUrl: string;
  /** Base URLs (no trailing slash) of the served fixtures: `upstream` (rpm), `file_upstream`, `deb_upstream`. */
  upstreams: Record<'upstream' | 'file_upstream' | 'deb_upstream', string>;
  username?: string;
  password?: string;
  /** The server's CONTENT_ORIGIN; by default read from its `/status/`. */
  contentOrigin?: string;
  /** How often a wait step polls its task; the recorder used 200 ms. */
  pollIntervalMs?: number;
  taskTimeoutMs?: number;
  /** Also compare key order (the emulator promises the real server's order). */
  strictKeyOrder?: boolean;
  /** Performs a `registry_push` action; by default `POST <baseUrl>/_emulator/registry_push`, which only the emulator offers. */
  registryPush?: (args: { name: string; tag: string }) => Promise<void>;
}

export interface StepResult {
  id: string;
  kind: 'request' | 'wait_task' | 'action';
  /** e.g. `PATCH /pulp/api/v3/remotes/rpm/rpm/<uuid>/` */
  summary: string;
  passed: boolean;
  mismatches: string[];
}

export interface ScenarioResult {
  scenario: string;
  steps: StepResult[];
  passed: number;
  failed: number;
}

interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

const FINAL_TASK_STATES = ['completed', 'failed', 'canceled'];

/** Replays one transcript against a server and reports, step by step, where its answers differ from the recorded ones. */
export async function replayTranscript(transcript: Transcript, options: ReplayOptions): Promise<ScenarioResult> {
  const base = new URL(options.baseUrl);
  const agent = new Agent({ keepAlive: true });
  const client = (method: string, path: string, auth: string, body?: string) =>
    send(base, agent, method, path, authorization(auth, options), body);
  try {
    const deployment: Deployment = {
      origin: base.origin,
      host: base.host,
      content_origin: options.contentOrigin ?? (await contentOrigin(client)),
      ...options.upstreams,
    };
    const bindings = new Bindings();
    const steps: StepResult[] = [];
    for (const step of transcript.steps) steps.push(await runStep(step, { client, deployment, bindings, options }));
    const passed = steps.filter((s) => s.passed).length;
    return { scenario: transcript.scenario, steps, passed, failed: steps.length - passed };
  } finally {
    agent.destroy();
  }
}

type Client = (method: string, path: string, auth: string, body?: string) => Promise<HttpAnswer>;

interface StepContext {
  client: Client;
  deployment: Deployment;
  bindings: Bindings;
  options: ReplayOptions;
}

async function runStep(step: Step, ctx: StepContext): Promise<StepResult> {
  const compareOptions: CompareOptions = {
    deployment: ctx.deployment,
    volatile: step.volatile ?? [],
    unordered: step.unordered ?? [],
    strictKeyOrder: ctx.options.strictKeyOrder ?? false,
  };
  if (isRequest(step)) {
    const r = step.request;
    const path = fillRequest(r.path, ctx.deployment, ctx.bindings) as string;
    const query = r.query ? queryString(fillRequest(r.query, ctx.deployment, ctx.bindings) as Record<string, Json>) : '';
    const body = 'body' in r ? JSON.stringify(fillRequest(r.body as Json, ctx.deployment, ctx.bindings)) : undefined;
    const summary = `${r.method} ${path}${query}`;
    try {
      const answer = await ctx.client(r.method, path + query, r.auth, body);
      return result(step, 'request', summary, compareAnswer(step.response, answer, compareOptions, ctx.bindings));
    } catch (e) {
      return result(step, 'request', summary, [`request failed: ${e instanceof Error ? e.message : String(e)}`]);
    }
  }
  if (isWait(step)) {
    const href = fillRequest(step.wait_task, ctx.deployment, ctx.bindings) as string;
    try {
      const answer = await waitTask(ctx, href);
      return result(step, 'wait_task', `wait ${href}`, compareAnswer(step.response, answer, compareOptions, ctx.bindings));
    } catch (e) {
      return result(step, 'wait_task', `wait ${href}`, [e instanceof Error ? e.message : String(e)]);
    }
  }
  return runAction(step, ctx);
}

function result(step: Step, kind: StepResult['kind'], summary: string, mismatches: string[]): StepResult {
  return { id: step.id, kind, summary, passed: mismatches.length === 0, mismatches };
}

async function runAction(step: ActionStep, ctx: StepContext): Promise<StepResult> {
  const summary = `${step.action} ${JSON.stringify(step.args)}`;
  if (step.action !== 'registry_push') return result(step, 'action', summary, [`unknown action ${step.action}`]);
  const args = { name: String(step.args['name']), tag: String(step.args['tag']) };
  try {
    if (ctx.options.registryPush) await ctx.options.registryPush(args);
    else {
      const answer = await ctx.client('POST', '/_emulator/registry_push', 'none', JSON.stringify(args));
      if (answer.status >= 300)
        return result(step, 'action', summary, [`registry_push answered ${answer.status}: ${answer.text.slice(0, 300)}`]);
    }
    return result(step, 'action', summary, []);
  } catch (e) {
    return result(step, 'action', summary, [`registry_push failed: ${e instanceof Error ? e.message : String(e)}`]);
  }
}

async function waitTask(ctx: Pick<StepContext, 'client' | 'options'>, href: string): Promise<HttpAnswer> {
  const deadline = Date.now() + (ctx.options.taskTimeoutMs ?? 60_000);
  for (;;) {
    const answer = await ctx.client('GET', href, 'admin');
    const state = answer.status === 200 ? (parseJson(answer.text) as { state?: string } | undefined)?.state : undefined;
    if (answer.status !== 200 || (state && FINAL_TASK_STATES.includes(state))) return answer;
    if (Date.now() > deadline) throw new Error(`task ${href} still ${state} after ${ctx.options.taskTimeoutMs ?? 60_000} ms`);
    await new Promise((r) => setTimeout(r, ctx.options.pollIntervalMs ?? 200));
  }
}

function compareAnswer(expected: RecordedResponse, answer: HttpAnswer, options: CompareOptions, bindings: Bindings): string[] {
  const problems: string[] = [];
  if (answer.status !== expected.status) problems.push(`status: expected ${expected.status}, got ${answer.status}`);
  const recordedType = expected.headers?.['Content-Type'];
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    const actual = answer.headers[name.toLowerCase()];
    if (actual === undefined || !matchString(value, actual, options.deployment, bindings)) {
      problems.push(`header ${name}: expected ${JSON.stringify(value)}, got ${JSON.stringify(actual ?? null)}`);
    }
  }
  if (!recordedType && expected.body !== null && answer.headers['content-type'] !== 'application/json') {
    problems.push(`header Content-Type: expected "application/json", got ${JSON.stringify(answer.headers['content-type'] ?? null)}`);
  }
  let actual: Json | undefined;
  if (expected.body === null) actual = answer.text === '' ? null : answer.text;
  else if (typeof expected.body === 'string') actual = answer.text;
  else actual = parseJson(answer.text) ?? answer.text;
  problems.push(...compareBodies(expected.body, actual, options, bindings));
  return problems;
}

function parseJson(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/** The recorded query: a list value is a repeated parameter, numbers were sent as decimal strings. */
function queryString(query: Record<string, Json>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    for (const item of Array.isArray(v) ? v : [v]) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(item))}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

function authorization(auth: string, options: Pick<ReplayOptions, 'username' | 'password'>): string | undefined {
  const user = options.username ?? 'admin';
  if (auth === 'none') return undefined;
  const password = auth === 'wrong' ? `${options.password ?? 'password'}-wrong` : (options.password ?? 'password');
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

async function contentOrigin(client: Client): Promise<string> {
  const status = parseJson((await client('GET', '/pulp/api/v3/status/', 'none')).text) as
    | { content_settings?: { content_origin?: string } }
    | undefined;
  const origin = status?.content_settings?.content_origin;
  if (!origin) throw new Error('could not read content_settings.content_origin from /pulp/api/v3/status/; pass contentOrigin');
  return origin.replace(/\/+$/, '');
}

function send(base: URL, agent: Agent, method: string, path: string, auth: string | undefined, body?: string): Promise<HttpAnswer> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (auth) headers['Authorization'] = auth;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(Buffer.byteLength(body));
  }
  const target = new URL(path, base);
  const requester = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = requester(target, { method, headers, ...(target.protocol === 'http:' ? { agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
        resolve({ status: res.statusCode ?? 0, headers: out, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Gives a server the fixture artifacts the recording server already held, which is why the
 * transcripts' first rpm and file syncs download nothing ("Downloading Artifacts" done 0): syncs
 * the rpm and file fixtures into throwaway repositories and deletes them again. Units and
 * artifacts stay behind, as on the real server. The objects are not named `cf-*`.
 */
export async function primeServer(
  options: Pick<ReplayOptions, 'baseUrl' | 'upstreams' | 'username' | 'password' | 'pollIntervalMs' | 'taskTimeoutMs'>,
): Promise<void> {
  const base = new URL(options.baseUrl);
  const agent = new Agent({ keepAlive: true });
  const client: Client = (method, path, auth, body) => send(base, agent, method, path, authorization(auth, options), body);
  const ctx = { client, options };
  const call = async (method: string, path: string, body?: Json): Promise<Record<string, Json>> => {
    const answer = await client(method, path, 'admin', body === undefined ? undefined : JSON.stringify(body));
    if (answer.status >= 300) throw new Error(`priming: ${method} ${path} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    const parsed = (parseJson(answer.text) ?? {}) as Record<string, Json>;
    if (answer.status === 202) {
      const task = parseJson((await waitTask(ctx, parsed['task'] as string)).text) as Record<string, Json>;
      if (task['state'] !== 'completed')
        throw new Error(`priming: the task of ${method} ${path} ended ${String(task['state'])}: ${JSON.stringify(task['error'])}`);
    }
    return parsed;
  };
  try {
    for (const [plugin, url] of [
      ['rpm', `${options.upstreams.upstream}/`],
      ['file', `${options.upstreams.file_upstream}/PULP_MANIFEST`],
    ] as const) {
      const name = `conformance-prime-${plugin}`;
      const remote = await call('POST', `/pulp/api/v3/remotes/${plugin}/${plugin}/`, { name, url });
      const repository = await call('POST', `/pulp/api/v3/repositories/${plugin}/${plugin}/`, {
        name,
        remote: remote['pulp_href'] as string,
      });
      await call('POST', `${repository['pulp_href'] as string}sync/`, {});
      await call('DELETE', repository['pulp_href'] as string);
      await call('DELETE', remote['pulp_href'] as string);
    }
  } finally {
    agent.destroy();
  }
}

/** Serves `upstreams/{rpm,file,deb}` of a conformance directory on 127.0.0.1 for `{{upstream}}` and friends. */
export async function serveUpstreams(
  conformanceDir: string,
): Promise<{ upstreams: ReplayOptions['upstreams']; close: () => Promise<void> }> {
  const [rpm, file, deb] = await Promise.all([
    serveDirectory(join(conformanceDir, 'upstreams', 'rpm')),
    serveDirectory(join(conformanceDir, 'upstreams', 'file')),
    serveDirectory(join(conformanceDir, 'upstreams', 'deb')),
  ]);
  const servers = [rpm, file, deb];
  return {
    upstreams: { upstream: rpm.url, file_upstream: file.url, deb_upstream: deb.url },
    close: async () => {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}

/** A readable report: one line per scenario, then the failed steps with their first mismatches. */
export function formatScenarioResult(r: ScenarioResult, maxMismatches = 5): string {
  const lines = [`${r.scenario}: ${r.passed}/${r.steps.length} steps pass`];
  for (const s of r.steps.filter((x) => !x.passed)) {
    lines.push(`  ${s.id} ${s.summary}`);
    for (const m of s.mismatches.slice(0, maxMismatches)) lines.push(`    - ${m}`);
    if (s.mismatches.length > maxMismatches) lines.push(`    - ... ${s.mismatches.length - maxMismatches} more`);
  }
  return lines.join('\n');
}
