import { setTimeout as sleep } from 'node:timers/promises';
import type { PulpClient, WriteResult } from '../src/live/client.js';
import type { JsonObject } from '../src/model/json.js';
import { ARK_USERNAME, rpmRemoteUrl, type Shape } from './shapes.js';

/**
 * The way the Ansible roles converge a Pulp client, one object at a time with the same HTTP
 * client pulpform uses: find each object by name, create it or PATCH it, and wait for every
 * task by reading it at once and then every 2 s. Remotes are rewritten on every run (a
 * password cannot be read back to compare) and every repository is synced on every run.
 * `check` is Ansible's check mode: the same look-ups, no writes.
 */

export type BaselineMode = 'check' | 'converge';
export type BaselineStep = 'remote' | 'repository' | 'sync' | 'publication' | 'distribution';
export type BaselineOutcome = 'created' | 'updated' | 'unchanged' | 'synced' | 'missing';

export interface BaselineRecord {
  step: BaselineStep;
  plugin: 'rpm' | 'container';
  /** The repository (mirror) the object belongs to. */
  mirror: string;
  outcome: BaselineOutcome;
  ms: number;
  requests: Record<string, number>;
}

export interface BaselineOptions {
  mode: BaselineMode;
  upstreamUrl: string;
  arkPassword: string;
  /** Interval between task polls; the Ansible roles use 2 s. */
  pollMs: number;
}

const FINAL = new Set(['completed', 'failed', 'canceled']);
const ENDPOINTS = {
  rpm: {
    remote: 'remotes/rpm/rpm/',
    repository: 'repositories/rpm/rpm/',
    publication: 'publications/rpm/rpm/',
    distribution: 'distributions/rpm/rpm/',
  },
  container: {
    remote: 'remotes/container/container/',
    repository: 'repositories/container/container/',
    distribution: 'distributions/container/container/',
  },
} as const;

export async function runBaseline(client: PulpClient, shape: Shape, options: BaselineOptions): Promise<BaselineRecord[]> {
  const records: BaselineRecord[] = [];
  const converge = options.mode === 'converge';

  const find = async (endpoint: string, name: string): Promise<JsonObject | undefined> => (await client.list(endpoint, { name }))[0];
  const waitFor = async (result: WriteResult): Promise<JsonObject | undefined> => {
    if (result.kind !== 'task') return result.kind === 'object' ? result.object : undefined;
    let task = await client.get(result.taskHref);
    while (!FINAL.has(String(task['state']))) {
      await sleep(options.pollMs);
      task = await client.get(result.taskHref);
    }
    if (task['state'] !== 'completed')
      throw new Error(`task ${result.taskHref} ${String(task['state'])}: ${JSON.stringify(task['error'])}`);
    return task;
  };
  const step = async (
    kind: BaselineStep,
    plugin: 'rpm' | 'container',
    mirror: string,
    work: () => Promise<BaselineOutcome>,
  ): Promise<void> => {
    const before = client.requestCounts();
    const started = performance.now();
    const outcome = await work();
    const after = client.requestCounts();
    const requests = Object.fromEntries(
      Object.entries(after)
        .map(([method, n]) => [method, n - (before[method] ?? 0)])
        .filter(([, n]) => (n as number) > 0),
    );
    records.push({ step: kind, plugin, mirror, outcome, ms: performance.now() - started, requests });
  };
  /** Create, or PATCH the fields that differ (`always`: every field, as for remotes with a password). */
  const ensure = async (endpoint: string, name: string, wanted: JsonObject, always: string[] = []): Promise<BaselineOutcome> => {
    const existing = await find(endpoint, name);
    if (!converge) return existing ? 'unchanged' : 'missing';
    if (!existing) {
      await waitFor(await client.create(endpoint, { name, ...wanted }));
      return 'created';
    }
    const changed = Object.entries(wanted).filter(
      ([field, value]) => always.includes(field) || JSON.stringify(existing[field]) !== JSON.stringify(value),
    );
    if (changed.length === 0) return 'unchanged';
    await waitFor(await client.patch(String(existing['pulp_href']), Object.fromEntries(changed)));
    return 'updated';
  };
  const href = async (endpoint: string, name: string): Promise<string | null> => {
    const found = await find(endpoint, name);
    return found ? String(found['pulp_href']) : null;
  };
  const latestPublication = async (repositoryName: string): Promise<string | null> => {
    const repository = await find(ENDPOINTS.rpm.repository, repositoryName);
    if (!repository) return null;
    const [publication] = await client.list(ENDPOINTS.rpm.publication, { repository_version: String(repository['latest_version_href']) });
    return publication ? String(publication['pulp_href']) : null;
  };

  const credentials = { username: ARK_USERNAME, password: options.arkPassword };
  for (const m of shape.rpm) {
    await step('remote', 'rpm', m.name, () =>
      ensure(ENDPOINTS.rpm.remote, m.remoteName, { url: rpmRemoteUrl(m, options.upstreamUrl), policy: 'on_demand', ...credentials }, [
        'password',
      ]),
    );
  }
  for (const m of shape.container) {
    await step('remote', 'container', m.name, () =>
      ensure(
        ENDPOINTS.container.remote,
        m.remoteName,
        { url: options.upstreamUrl, upstream_name: m.upstreamName, policy: 'on_demand', ...credentials },
        ['password'],
      ),
    );
  }
  const mirrors = [
    ...shape.rpm.map((m) => ({ m, plugin: 'rpm' as const, sync: { sync_policy: m.syncPolicy } })),
    ...shape.container.map((m) => ({ m, plugin: 'container' as const, sync: {} })),
  ];
  for (const { m, plugin } of mirrors) {
    await step('repository', plugin, m.name, async () =>
      ensure(ENDPOINTS[plugin].repository, m.name, { remote: await href(ENDPOINTS[plugin].remote, m.remoteName) }),
    );
  }
  for (const { m, plugin, sync } of mirrors) {
    await step('sync', plugin, m.name, async () => {
      const repository = await href(ENDPOINTS[plugin].repository, m.name);
      const remote = await href(ENDPOINTS[plugin].remote, m.remoteName);
      if (!converge) return repository && remote ? 'unchanged' : 'missing';
      await waitFor(await client.post(`${repository}sync/`, { remote, ...sync }));
      return 'synced';
    });
  }
  for (const m of shape.rpm) {
    await step('publication', 'rpm', m.name, async () => {
      if (await latestPublication(m.name)) return 'unchanged';
      if (!converge) return 'missing';
      const repository = await find(ENDPOINTS.rpm.repository, m.name);
      await waitFor(await client.create(ENDPOINTS.rpm.publication, { repository_version: String(repository?.['latest_version_href']) }));
      return 'created';
    });
    for (const d of m.distributions) {
      await step('distribution', 'rpm', m.name, async () =>
        ensure(ENDPOINTS.rpm.distribution, d.name, { base_path: d.basePath, publication: await latestPublication(m.name) }),
      );
    }
  }
  for (const m of shape.container) {
    await step('distribution', 'container', m.name, async () =>
      ensure(ENDPOINTS.container.distribution, m.name, {
        base_path: m.basePath,
        repository: await href(ENDPOINTS.container.repository, m.name),
      }),
    );
  }
  return records;
}
