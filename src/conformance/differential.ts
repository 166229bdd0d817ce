import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import type { Json } from '../model/json.js';
import { compareAnswers, UUID } from './differential-compare.js';
import { type Answer, apiPath, isObject, queryString, send, type SideOptions } from './differential-http.js';

export type { Answer, SideOptions } from './differential-http.js';

/**
 * Differential conformance: the same request sequence sent to a real Pulp server and to an
 * emulator speaking that server's version, answer by answer. Statuses must be equal; bodies are
 * compared structurally (same keys, same types, same values) after normalising what legitimately
 * differs between two servers: each side's ids are mapped to the object they name (the first
 * time an id shows up in the same place on both sides binds the pair; later it must name the
 * same object), datetimes, the API host, correlation ids, worker names, storage figures.
 *
 * A scenario is written as if it talked to one server (the real one): it reads hrefs from the
 * real answers, and the session translates every real id in a request into the emulator's id
 * for the same object before sending it there.
 */

export interface Difference {
  scenario: string;
  /** The step's label, e.g. `POST remotes/rpm/rpm/ (bad url)`. */
  step: string;
  /** Where the answers differ: `status`, `header www-authenticate`, `body.results.0.name`. */
  path: string;
  real: string;
  emulator: string;
}

export interface RequestOptions {
  body?: Json;
  /** Appended as the query string; repeated keys as arrays. */
  query?: Record<string, string | string[]>;
  auth?: 'admin' | 'none' | 'wrong';
  /** Names the step in reports (default: method and path). */
  label?: string;
  /** Body paths (`results.*.digest`) whose values may differ; keys and nullness must still agree. */
  volatile?: string[];
  /** Body paths whose values are the servers' own state, null or not (a worker's current task): only the key must be there. */
  ignore?: string[];
  /** Body paths of lists compared as multisets (`progress_reports` always are: Pulp does not order them). */
  unordered?: string[];
  /** Raw body text instead of JSON (a JSON string body, a malformed one). */
  rawBody?: string;
}

export interface Scenario {
  name: string;
  /** What it covers, for reports. */
  covers: string;
  /** Needs the container test registry (PULP_E2E_REGISTRY). */
  needsRegistry?: boolean;
  /** Needs the OCI layouts of the test images (real-pulp's images/) to push. */
  needsImages?: boolean;
  run: (session: DifferentialSession) => Promise<void>;
}

export interface ScenarioReport {
  scenario: string;
  requests: number;
  differences: Difference[];
  /** An exception that stopped the scenario (a broken assumption, a server that did not answer). */
  error?: string;
}

const FINAL_TASK_STATES = ['completed', 'failed', 'canceled', 'skipped'];

export interface SessionOptions {
  scenario: string;
  real: SideOptions;
  emulator: SideOptions;
  /** Prefix of every object name this run creates (unique per run: the real server is shared). */
  prefix: string;
  /** Upstream URLs the scenarios sync from, reachable by both servers. */
  upstreams: Record<string, string>;
  /** The directory of the test images' OCI layouts (`hello/`, `other/`), for pushes. */
  images?: string;
  pollIntervalMs?: number;
  taskTimeoutMs?: number;
}

/** One scenario on one real server and one emulator. */
export class DifferentialSession {
  readonly differences: Difference[] = [];
  requests = 0;
  /** Real id → emulator id, and back: the bijection of the objects both sides named. */
  readonly #toEmulator = new Map<string, string>();
  readonly #toReal = new Map<string, string>();
  /** Objects to delete at the end, newest first: real hrefs. */
  readonly #created: string[] = [];
  // A connection per request: scenarios idle while the real server's tasks run, and a kept-alive
  // socket the other side closed meanwhile fails the next request with ECONNRESET.
  readonly #agents = { real: new Agent({ keepAlive: false }), emulator: new Agent({ keepAlive: false }) };

  constructor(readonly options: SessionOptions) {}

  get upstreams(): Record<string, string> {
    return this.options.upstreams;
  }

  get images(): string {
    if (!this.options.images) throw new Error('this scenario pushes images: give the directory of their OCI layouts');
    return this.options.images;
  }

  /** One server's registry and credentials (Pulp serves its registry on the API port). */
  side(side: 'real' | 'emulator'): { registry: string; username: string; password: string } {
    const { url, username, password } = this.options[side];
    return { registry: url, username, password };
  }

  /** A name unique to this run: `<prefix>-<suffix>`. */
  name(suffix: string): string {
    return `${this.options.prefix}-${suffix}`;
  }

  /**
   * Sends the request to both servers, compares the answers, and returns the real one. A 201
   * with a `pulp_href` and objects a task created are deleted at the end of the scenario.
   */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
    const label = options.label ?? `${method} ${shortPath(path)}`;
    const query = queryString(options.query ?? {});
    const text = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const [real, emulated] = await Promise.all([
      this.#send('real', method, apiPath(path) + query, options.auth ?? 'admin', text),
      this.#send(
        'emulator',
        method,
        this.#translate(apiPath(path) + query),
        options.auth ?? 'admin',
        text === undefined ? undefined : this.#translate(text),
      ),
    ]);
    this.requests += 1;
    this.#compare(label, real, emulated, options);
    if (real.status === 201 && isObject(real.body) && typeof real.body['pulp_href'] === 'string')
      this.#created.unshift(real.body['pulp_href']);
    return real;
  }

  /** `request`, then, when it dispatched a task, waits for the task on both sides and compares them. */
  async call(
    method: string,
    path: string,
    options: RequestOptions & { taskLabel?: string; taskVolatile?: string[] } = {},
  ): Promise<Answer> {
    const answer = await this.request(method, path, options);
    if (answer.status === 202 && isObject(answer.body) && typeof answer.body['task'] === 'string') {
      return this.waitTask(answer.body['task'], {
        label: options.taskLabel ?? `task of ${options.label ?? `${method} ${shortPath(path)}`}`,
        ...(options.taskVolatile ? { volatile: options.taskVolatile } : {}),
      });
    }
    return answer;
  }

  /** Polls the task on both servers until it ends, compares the final answers, returns the real one. */
  async waitTask(href: string, options: { label?: string; volatile?: string[]; unordered?: string[] } = {}): Promise<Answer> {
    const [real, emulated] = await Promise.all([this.#settle('real', href), this.#settle('emulator', this.#translate(href))]);
    this.requests += 1;
    this.#compare(options.label ?? `task ${shortPath(href)}`, real, emulated, {
      unordered: ['created_resources', 'created_resource_prns', ...(options.unordered ?? [])],
      ...(options.volatile ? { volatile: options.volatile } : {}),
    });
    if (isObject(real.body) && Array.isArray(real.body['created_resources'])) {
      for (const href of real.body['created_resources'])
        if (typeof href === 'string' && !/\/versions\/\d+\/$/.test(href)) this.#created.unshift(href);
    }
    return real;
  }

  /** Sends to one side only, uncompared (for set-up a scenario needs on both, like a registry push). */
  async raw(side: 'real' | 'emulator', method: string, path: string, body?: Json): Promise<Answer> {
    const target = side === 'real' ? apiPath(path) : this.#translate(apiPath(path));
    return this.#send(
      side,
      method,
      target,
      'admin',
      body === undefined ? undefined : JSON.stringify(side === 'real' ? body : JSON.parse(this.#translate(JSON.stringify(body)))),
    );
  }

  /** Records an object created outside `request` (a push) for the clean-up. */
  track(realHref: string): void {
    this.#created.unshift(realHref);
  }

  /** The emulator's href for a real one (after both sides named it). */
  emulatorHref(realHref: string): string {
    return this.#translate(realHref);
  }

  /** Binds a real id to the emulator's id of the same object (when a scenario knows better than the answers). */
  bind(realHref: string, emulatorHref: string): void {
    const r = realHref.match(UUID) ?? [];
    const e = emulatorHref.match(UUID) ?? [];
    r.forEach((id, i) => {
      if (e[i]) this.#bindId(id, e[i] as string);
    });
  }

  /** Deletes what the scenario created, newest first, on both servers; answers are not compared. */
  async cleanUp(): Promise<string[]> {
    const problems: string[] = [];
    for (const href of this.#created) {
      for (const side of ['real', 'emulator'] as const) {
        const target = side === 'real' ? href : this.#translate(href);
        try {
          const answer = await this.#send(side, 'DELETE', target, 'admin');
          if (answer.status === 202 && isObject(answer.body)) await this.#settle(side, String(answer.body['task']));
          else if (answer.status >= 300 && answer.status !== 404)
            problems.push(`${side} DELETE ${target}: ${answer.status} ${answer.text.slice(0, 200)}`);
        } catch (e) {
          problems.push(`${side} DELETE ${target}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
    this.#created.length = 0;
    problems.push(...(await this.#sweep()));
    return problems;
  }

  /**
   * Deletes from the real server whatever still carries this scenario's prefix (an object a
   * request made where the emulator refused, a task's by-product): the server is shared.
   */
  async #sweep(): Promise<string[]> {
    const problems: string[] = [];
    for (const endpoint of ['distributions/', 'repositories/', 'remotes/', 'pulp_container/namespaces/']) {
      const listed = await this.#send(
        'real',
        'GET',
        `${apiPath(endpoint)}?name__startswith=${encodeURIComponent(this.options.prefix)}&fields=pulp_href&limit=1000`,
        'admin',
      );
      const results = isObject(listed.body) && Array.isArray(listed.body['results']) ? listed.body['results'] : [];
      for (const item of results) {
        const href = isObject(item) ? item['pulp_href'] : undefined;
        if (typeof href !== 'string') continue;
        const answer = await this.#send('real', 'DELETE', href, 'admin');
        if (answer.status === 202 && isObject(answer.body)) await this.#settle('real', String(answer.body['task']));
        else if (answer.status >= 300 && answer.status !== 404)
          problems.push(`real DELETE ${href}: ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    }
    return problems;
  }

  close(): void {
    this.#agents.real.destroy();
    this.#agents.emulator.destroy();
  }

  /** Every real id replaced by the emulator's id of the same object (unknown ids stay: a probe of nothing). */
  #translate(text: string): string {
    return text.replace(UUID, (id) => this.#toEmulator.get(id) ?? id);
  }

  #bindId(real: string, emulated: string): boolean {
    const known = this.#toEmulator.get(real);
    const back = this.#toReal.get(emulated);
    if (known === undefined && back === undefined) {
      this.#toEmulator.set(real, emulated);
      this.#toReal.set(emulated, real);
      return true;
    }
    return known === emulated && back === real;
  }

  #canBind(real: string, emulated: string): boolean {
    const known = this.#toEmulator.get(real);
    const back = this.#toReal.get(emulated);
    return (known === undefined && back === undefined) || (known === emulated && back === real);
  }

  async #settle(side: 'real' | 'emulator', href: string): Promise<Answer> {
    const deadline = Date.now() + (this.options.taskTimeoutMs ?? 120_000);
    for (;;) {
      const answer = await this.#send(side, 'GET', href, 'admin');
      const state = isObject(answer.body) ? answer.body['state'] : undefined;
      if (answer.status !== 200 || (typeof state === 'string' && FINAL_TASK_STATES.includes(state))) return answer;
      if (Date.now() > deadline)
        throw new Error(`${side} task ${href} is still ${String(state)} after ${this.options.taskTimeoutMs ?? 120_000} ms`);
      await new Promise((r) => setTimeout(r, this.options.pollIntervalMs ?? 100));
    }
  }

  #send(side: 'real' | 'emulator', method: string, path: string, auth: 'admin' | 'none' | 'wrong', body?: string): Promise<Answer> {
    return send(this.options[side], this.#agents[side], side, method, path, auth, body);
  }

  #compare(step: string, real: Answer, emulated: Answer, options: Pick<RequestOptions, 'volatile' | 'unordered' | 'ignore'>): void {
    compareAnswers(real, emulated, options, {
      hosts: [new URL(this.options.real.url).host, new URL(this.options.emulator.url).host],
      bind: (r, e) => this.#bindId(r, e),
      canBind: (r, e) => this.#canBind(r, e),
      differ: (path, r, e) => this.differences.push({ scenario: this.options.scenario, step, path, real: clip(r), emulator: clip(e) }),
    });
  }
}

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** A readable step name: the API prefix and ids left out. */
function shortPath(path: string): string {
  return apiPath(path)
    .replace(/^\/pulp\/api\/v3\//, '')
    .replace(UUID, '<id>');
}

/** A prefix for one run's object names: short, unique, valid in every name and base path Pulp accepts. */
export function runPrefix(): string {
  return `diff${randomBytes(3).toString('hex')}`;
}

/** Runs scenarios against a real server and an emulator of its version; never throws for a difference. */
export async function runScenarios(
  scenarios: Scenario[],
  options: Omit<SessionOptions, 'scenario' | 'prefix'> & { prefix?: string },
): Promise<ScenarioReport[]> {
  const prefix = options.prefix ?? runPrefix();
  const reports: ScenarioReport[] = [];
  for (const [i, scenario] of scenarios.entries()) {
    const session = new DifferentialSession({ ...options, scenario: scenario.name, prefix: `${prefix}${i}` });
    let error: string | undefined;
    try {
      await scenario.run(session);
    } catch (e) {
      error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    } finally {
      const problems = await session.cleanUp();
      if (problems.length > 0) error = [error, ...problems.map((p) => `clean-up: ${p}`)].filter(Boolean).join('\n');
      session.close();
    }
    reports.push({ scenario: scenario.name, requests: session.requests, differences: session.differences, ...(error ? { error } : {}) });
  }
  return reports;
}
