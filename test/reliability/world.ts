import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApplyResult } from '../../src/apply/events.js';
import { applyPlan } from '../../src/apply/executor.js';
import { loadDesiredState } from '../../src/config/index.js';
import { type StaticServer, serveDirectory } from '../../src/conformance/static-server.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { PulpClient, type PulpClientOptions } from '../../src/live/client.js';
import { readLiveState } from '../../src/live/read.js';
import type { Json, JsonObject } from '../../src/model/json.js';
import type { Plan } from '../../src/model/plan.js';
import type { DesiredState, LiveObject, LiveState } from '../../src/model/resource.js';
import { Secret } from '../../src/model/secret.js';
import { buildPlan } from '../../src/plan/index.js';

// A realistic desired state for the reliability suites: every kind and plugin, syncs from real
// upstreams (the conformance fixtures on static servers, and a second emulator as a container
// registry), and the ways to compare what two servers hold regardless of hrefs and timestamps.

const FIXTURES = fileURLToPath(new URL('../../../shared/pulp/conformance/upstreams', import.meta.url));
export const UPSTREAM_PASSWORD = 'upstream-Secr3t-for-faults';
const IMAGES = ['stackhpc/nova', 'stackhpc/glance', 'stackhpc/keystone', 'stackhpc/horizon'];

/** The upstreams a desired state syncs from; start once per test file. */
export class Upstreams {
  private constructor(
    readonly rpm: StaticServer,
    readonly deb: StaticServer,
    readonly file: StaticServer,
    /** An emulator that plays the registry images are mirrored from. */
    readonly ark: Emulator,
  ) {}

  static async start(): Promise<Upstreams> {
    const [rpm, deb, file, ark] = await Promise.all([
      serveDirectory(join(FIXTURES, 'rpm')),
      serveDirectory(join(FIXTURES, 'deb')),
      serveDirectory(join(FIXTURES, 'file')),
      startEmulator({ taskMs: 1 }),
    ]);
    for (const name of IMAGES) {
      const pushed = await fetch(`${ark.url}/_emulator/registry_push`, { method: 'POST', body: JSON.stringify({ name, tag: 'latest' }) });
      if (pushed.status !== 200) throw new Error(`registry push of ${name} failed: ${pushed.status}`);
    }
    return new Upstreams(rpm, deb, file, ark);
  }

  async close(): Promise<void> {
    await Promise.all([this.rpm.close(), this.deb.close(), this.file.close(), this.ark.close()]);
  }
}

/**
 * `scale` mirrors of each plugin (containers: at most four images), each with a remote, a
 * repository that syncs, a publication and distributions; plus local repositories and a
 * remote nothing uses (scale 4: 69 objects, 16 syncs). Deb publications are verbatim: the plan sends `signing_service: null`
 * for generated ones, which 3.23 refuses.
 */
export function desiredYaml(upstreams: Upstreams, scale: number, stack = 'reliability'): string {
  const lines: string[] = [`stack: ${stack}`, 'remotes:'];
  const repositories: string[] = ['repositories:'];
  const publications: string[] = ['publications:'];
  const distributions: string[] = ['distributions:'];
  for (let i = 1; i <= scale; i++) {
    lines.push(
      `  - { name: files-${i}, type: file, url: "${upstreams.file.url}/PULP_MANIFEST", policy: immediate, username: mirror, password: "\${env:UPSTREAM_PASSWORD}" }`,
      `  - { name: rocky-${i}, type: rpm, url: "${upstreams.rpm.url}/", policy: ${i % 2 ? 'on_demand' : 'immediate'} }`,
      `  - { name: jammy-${i}, type: deb, url: "${upstreams.deb.url}/", distributions: stable, components: main, architectures: amd64 }`,
    );
    repositories.push(
      `  - { name: files-${i}, type: file, remote: files-${i}, sync: true }`,
      `  - { name: rocky-${i}, type: rpm, remote: rocky-${i}, sync: ${i % 2 ? '{ sync_policy: mirror_complete }' : 'true'}, retain_repo_versions: 3 }`,
      `  - { name: jammy-${i}, type: deb, remote: jammy-${i}, sync: true }`,
    );
    publications.push(`  - repository: files-${i}`, `  - repository: rocky-${i}`, `  - { repository: jammy-${i}, verbatim: true }`);
    distributions.push(
      `  - { name: files-${i}, base_path: files/${i}, publication: files-${i} }`,
      `  - { name: rocky-${i}-development, base_path: rocky/${i}/development, publication: rocky-${i} }`,
      `  - { name: rocky-${i}-production, base_path: rocky/${i}/production, repository: rocky-${i} }`,
      `  - { name: jammy-${i}, base_path: ubuntu/${i}/jammy, publication: jammy-${i} }`,
    );
  }
  for (const image of IMAGES.slice(0, scale)) {
    const name = `kolla/${image.split('/')[1]}`;
    lines.push(`  - { name: ${name}, type: container, url: "${upstreams.ark.url}", upstream_name: ${image}, include_tags: [latest] }`);
    repositories.push(`  - { name: ${name}, type: container, remote: ${name}, sync: true }`);
    distributions.push(`  - { name: ${name}, base_path: ${name}, repository: ${name} }`);
  }
  lines.push(`  - { name: spare, type: rpm, url: "${upstreams.rpm.url}/spare/" }`);
  repositories.push('  - { name: local-rpm, type: rpm, description: built here }', '  - { name: local-files, type: file }');
  publications.push('  - repository: local-rpm');
  distributions.push('  - { name: local-rpm, base_path: local/rpm, publication: local-rpm }');
  return [...lines, ...repositories, ...publications, ...distributions, ''].join('\n');
}

export const DESIRED_ENV = { UPSTREAM_PASSWORD };

/** A temporary directory holding the desired state as `state.yaml`. */
export async function desiredDirectory(yaml: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pulpform-reliability-'));
  await writeFile(join(dir, 'state.yaml'), yaml);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function loadState(dir: string): Promise<DesiredState> {
  const loaded = await loadDesiredState(dir, { cwd: dir, env: DESIRED_ENV });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.state || errors.length > 0) throw new Error(`the test desired state is invalid: ${JSON.stringify(errors)}`);
  return loaded.state;
}

export function clientFor(emulator: Pick<Emulator, 'url'>, options: Partial<PulpClientOptions> = {}): PulpClient {
  return new PulpClient({
    baseUrl: emulator.url,
    username: 'admin',
    password: new Secret('password', 'test'),
    retryDelayMs: 1,
    ...options,
  });
}

/** One `pulpform apply`, in process: read the server, plan, apply. Never throws: a failed read is `{ error }`. */
export async function applyOnce(
  state: DesiredState,
  client: PulpClient,
): Promise<{ plan: Plan; result: ApplyResult } | { error: unknown }> {
  let live: LiveState;
  try {
    live = await readLiveState(client);
  } catch (error) {
    return { error };
  }
  const plan = buildPlan(state, live, {});
  const secrets = new Map(state.resources.flatMap((r) => Object.values(r.secrets)).flatMap((s) => (s ? [[s.source, s] as const] : [])));
  const result = await applyPlan(plan, { client, live, secrets: (source) => secrets.get(source) ?? null });
  return { plan, result };
}

/** The plan against the server as it is now: what a user's next `pulpform plan` would show. */
export async function remainingActions(state: DesiredState, client: PulpClient): Promise<string[]> {
  const plan = buildPlan(state, await readLiveState(client), {});
  return plan.waves.flat().map((action) => `${action.id}: ${action.reason}`);
}

/**
 * The server's objects with every href replaced by what it stands for (`repository/rpm/x@v1`),
 * sorted: two servers that converged to the same state give equal lists, and a duplicate, an
 * orphan or an extra sync shows up as a difference.
 */
export function canonicalObjects(live: LiveState): string[] {
  const names = new Map<string, string>();
  for (const object of live.objects) names.set(object.href, object.address);
  const versionName = (href: string): string => {
    const m = /^(.*\/)versions\/(\d+)\/$/.exec(href);
    if (m) return `${names.get(m[1] as string) ?? 'unknown repository'}@v${m[2]}`;
    // Objects pulpform does not manage (the content guard Pulp assigns to container distributions): their type.
    return href.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '*');
  };
  const rewrite = (value: Json): Json => {
    if (typeof value === 'string' && value.startsWith('/pulp/api/v3/')) return names.get(value) ?? versionName(value);
    if (Array.isArray(value)) return value.map(rewrite);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v)]));
    return value;
  };
  const describe = (object: LiveObject): string => {
    const fields = rewrite(object.fields) as JsonObject;
    // Publications have no name of their own: the version they publish tells two apart.
    const what = object.kind === 'publication' ? `${object.address}@${versionName(object.versionHref ?? '')}` : object.address;
    const version = object.kind === 'repository' ? ` latest=${versionName(object.versionHref ?? '')}` : '';
    return `${what}${version} ${JSON.stringify(fields)} labels=${JSON.stringify(Object.entries(object.labels).sort())} secrets=${JSON.stringify(object.secretsSet)}`;
  };
  return live.objects.map(describe).sort();
}

export interface TaskRecord {
  href: string;
  name: string;
  state: string;
  created: string;
  finished: string | null;
  resources: string[];
  error: string;
}

export async function tasksOf(client: PulpClient): Promise<TaskRecord[]> {
  return (await client.list('tasks/')).map((task) => ({
    href: String(task['pulp_href']),
    name: String(task['name']),
    state: String(task['state']),
    created: String(task['pulp_created']),
    finished: typeof task['finished_at'] === 'string' ? task['finished_at'] : null,
    resources: Array.isArray(task['reserved_resources_record']) ? task['reserved_resources_record'].map(String) : [],
    error: JSON.stringify(task['error'] ?? null),
  }));
}

/** The repository a task locked exclusively: an href, or from pulpcore 3.50 on a PRN (`prn:rpm.rpmrepository:<id>`). */
function repositoryOf(task: TaskRecord): string {
  return task.resources.find((r) => r.includes('/repositories/') || /^prn:\w+\.\w*repository:/.test(r)) ?? '?';
}

/** Sync tasks per repository href. */
export function syncsPerRepository(tasks: TaskRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const task of tasks.filter((t) => t.name.includes('synchroniz')))
    counts.set(repositoryOf(task), (counts.get(repositoryOf(task)) ?? 0) + 1);
  return counts;
}

/** Syncs of one repository dispatched while an earlier sync of it was still waiting or running. */
export function overlappingSyncs(tasks: TaskRecord[]): string[] {
  const byRepository = new Map<string, TaskRecord[]>();
  for (const task of tasks.filter((t) => t.name.includes('synchroniz'))) {
    const repository = repositoryOf(task);
    byRepository.set(repository, [...(byRepository.get(repository) ?? []), task]);
  }
  const overlaps: string[] = [];
  for (const [repository, syncs] of byRepository) {
    syncs.sort((a, b) => a.created.localeCompare(b.created));
    for (let i = 1; i < syncs.length; i++) {
      const before = syncs[i - 1]!;
      if (before.finished === null || syncs[i]!.created < before.finished)
        overlaps.push(`${repository}: sync dispatched at ${syncs[i]!.created} while the one of ${before.created} ran`);
    }
  }
  return overlaps;
}
