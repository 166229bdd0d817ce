import type { JsonObject } from '../model/json.js';
import { activeTasksQuery, type ActiveTaskFilter, isActiveTaskOf } from './active-tasks.js';
import { TaskPoller, type TaskPollerStats, type WaitForTaskOptions } from './task-poller.js';
import { type PulpClientOptions, PulpTransport, type Query } from './transport.js';

export type { ActiveTaskFilter } from './active-tasks.js';
export { locksObject } from './active-tasks.js';
export type { ProgressReport, TaskProgress } from './task-progress.js';
export { describeProgress, progressReportsOf } from './task-progress.js';
export type { WaitForTaskOptions } from './task-poller.js';
export type { PulpClientOptions } from './transport.js';
export { loadCaCert } from './transport.js';

/** What a write answered: the object itself (201, or 200 on a no-op update), a task to wait for (202), or nothing (204). */
export type WriteResult = { kind: 'object'; object: JsonObject } | { kind: 'task'; taskHref: string } | { kind: 'empty' };

/**
 * A small Pulp 3 REST client: JSON in and out, Basic auth, pagination, task waits, and
 * retries only where they cannot duplicate work (idempotent methods, or a request the server
 * never received). Credentials live only in a private header value; no error, event or
 * inspection of this object shows them.
 */
export class PulpClient {
  /** The server origin and path prefix, e.g. `http://127.0.0.1:24817` or `https://example.com/pulp-proxy`. */
  readonly baseUrl: string;
  /** Absolute path of the REST root, e.g. `/pulp/api/v3/`. */
  readonly apiRoot: string;
  readonly username: string | undefined;
  readonly #transport: PulpTransport;
  #serverVersions: Record<string, string> | undefined;
  readonly #tasks: TaskPoller;

  constructor(options: PulpClientOptions) {
    this.#transport = new PulpTransport(options);
    this.baseUrl = this.#transport.baseUrl;
    this.apiRoot = this.#transport.apiRoot;
    this.username = this.#transport.username;
    this.#tasks = new TaskPoller({
      get: (path, query, signal) => this.get(path, query, signal),
      serverVersions: () => this.#serverVersions,
      recordedCorrelationId: () => this.#transport.recordedCorrelationId(),
    });
  }

  /** Objects per page of a list (`limit`). */
  get pageSize(): number {
    return this.#transport.pageSize;
  }

  /** HTTP requests sent so far (retries included), by method. */
  requestCounts(): Record<string, number> {
    return this.#transport.requestCounts();
  }

  resetRequestCounts(): void {
    this.#transport.resetRequestCounts();
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.#transport.close();
  }

  /** `GET status/` (no authentication needed). Its component versions decide how tasks are polled. */
  async status(): Promise<JsonObject> {
    const status = await this.get('status/');
    const versions = componentVersions(status);
    if (versions !== undefined) this.#serverVersions = versions;
    return status;
  }

  /** Task polls sent so far: list requests covering many tasks, and GETs of single tasks. */
  taskPollStats(): TaskPollerStats {
    return this.#tasks.stats();
  }

  /** GET one object: an href (`/pulp/api/v3/...`), a path relative to the API root, or an absolute URL on this server. */
  get(path: string, query?: Query, signal?: AbortSignal): Promise<JsonObject> {
    return this.#transport.get(path, query, signal);
  }

  /** Every object of a list endpoint, following `next` links, `pageSize` per request. */
  list(endpoint: string, query: Query = {}): Promise<JsonObject[]> {
    return this.#transport.list(endpoint, query);
  }

  /** POST to a list endpoint. Never retried once the server may have received it. */
  async create(endpoint: string, body: JsonObject): Promise<WriteResult> {
    return this.#write('POST', endpoint, body);
  }

  /** POST to an action (`<repo href>sync/`). Never retried once the server may have received it. */
  async post(path: string, body: JsonObject): Promise<WriteResult> {
    return this.#write('POST', path, body);
  }

  async patch(href: string, body: JsonObject): Promise<WriteResult> {
    return this.#write('PATCH', href, body);
  }

  async put(href: string, body: JsonObject): Promise<WriteResult> {
    return this.#write('PUT', href, body);
  }

  /** DELETE; a 404 after a retry counts as done (the first attempt got through). */
  async delete(href: string): Promise<WriteResult> {
    return this.#write('DELETE', href, undefined);
  }

  /**
   * Waits until a task is final, polled together with every other task this client waits for
   * (one list request per tick: see TaskPoller). Resolves with the completed task; throws
   * TaskFailedError (failed/canceled), TaskTimeoutError or TaskWaitAbandonedError (signal aborted).
   */
  waitForTask(taskHref: string, options: WaitForTaskOptions = {}): Promise<JsonObject> {
    return this.#tasks.wait(taskHref, options);
  }

  /** Tasks still waiting or running whose name contains `nameContains` (and that hold a lock on `resource`, if given). */
  async activeTasks(filter: ActiveTaskFilter): Promise<JsonObject[]> {
    const tasks = await this.list('tasks/', activeTasksQuery(filter));
    return tasks.filter((task) => isActiveTaskOf(task, filter));
  }

  async #write(method: string, path: string, body: JsonObject | undefined): Promise<WriteResult> {
    const response = await this.#transport.json(method, path, body);
    if (response === null) return { kind: 'empty' };
    if (typeof response !== 'object' || Array.isArray(response)) return { kind: 'object', object: { value: response } };
    const task = response['task'];
    if (typeof task === 'string' && Object.keys(response).length === 1) return { kind: 'task', taskHref: task };
    return { kind: 'object', object: response };
  }
}

/** The status answer's component → version, or undefined when it has no list of versions (not a Pulp API root). */
export function componentVersions(status: JsonObject): Record<string, string> | undefined {
  const versions = status['versions'];
  if (!Array.isArray(versions)) return undefined;
  const byComponent: Record<string, string> = {};
  for (const entry of versions) {
    if (
      entry &&
      typeof entry === 'object' &&
      !Array.isArray(entry) &&
      typeof entry['component'] === 'string' &&
      typeof entry['version'] === 'string'
    ) {
      byComponent[entry['component']] = entry['version'];
    }
  }
  return byComponent;
}
