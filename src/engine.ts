import { readFileSync } from 'node:fs';
import { loadDesiredState } from './config/index.js';
import { PulpClient } from './live/index.js';
import { readLiveState } from './live/index.js';
import type { Diagnostic, Plan } from './model/plan.js';
import type { DesiredState, Kind, LiveState } from './model/resource.js';
import { Secret } from './model/secret.js';
import { buildPlan, type PlanOptions } from './plan/index.js';
import { PulpformError } from './model/errors.js';

/**
 * One pass of the pipeline, shared by `plan`, `apply` and `watch`:
 * config → live → plan. Nothing here prints; callers render what comes back.
 */

/** How to reach the Pulp server, after every source of settings (flags, environment, `server:`, a pulp-cli profile) has been weighed. */
export interface Connection {
  url: string;
  username: string;
  password?: Secret | undefined;
  caCert?: string | undefined;
  insecure: boolean;
  /** Which source gave the URL, for messages: `--server`, `PULP_BASE_URL`, `server.url in desired-state/x.yaml`, `base_url of [cli] in ~/.config/pulp/cli.toml`. */
  urlSource: string;
}

/** The desired state failed validation; the diagnostics say where and how to fix it. */
export class DesiredStateError extends PulpformError {
  override readonly hint = 'fix the diagnostics above';

  constructor(
    readonly diagnostics: Diagnostic[],
    readonly sources: ReadonlyMap<string, readonly string[]>,
  ) {
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    super(`the desired state has ${errors} error${errors === 1 ? '' : 's'}`);
    this.name = 'DesiredStateError';
  }

  /** The code of the first error, which the result line names. */
  get code(): string {
    return this.diagnostics.find((d) => d.severity === 'error')?.code ?? 'config.invalid';
  }
}

export interface LoadedDesiredState {
  state: DesiredState;
  /** Warnings found while loading (errors throw DesiredStateError). */
  warnings: Diagnostic[];
  sources: ReadonlyMap<string, readonly string[]>;
}

export async function loadDesired(path: string, env: NodeJS.ProcessEnv = process.env, cwd?: string): Promise<LoadedDesiredState> {
  const { state, diagnostics, sources } = await loadDesiredState(path, { env, ...(cwd !== undefined ? { cwd } : {}) });
  if (state === undefined) throw new DesiredStateError(diagnostics, sources);
  return { state, warnings: diagnostics, sources };
}

export interface ClientSettings {
  timeoutMs?: number;
  retries?: number;
}

export function openClient(connection: Connection, settings: ClientSettings = {}): PulpClient {
  return new PulpClient({
    baseUrl: connection.url,
    username: connection.username,
    password: connection.password,
    caCert: connection.caCert,
    insecure: connection.insecure,
    ...settings,
  });
}

export async function planAgainstServer(
  state: DesiredState,
  client: PulpClient,
  options: PlanOptions = {},
): Promise<{ plan: Plan; live: LiveState }> {
  const live = await readLiveStateFor(state, client);
  return { plan: buildPlan(state, live, options), live };
}

/** What a plan of `state` reads from the server. */
export function readLiveStateFor(state: DesiredState, client: PulpClient): Promise<LiveState> {
  return readLiveState(client, {
    versions: state.resources.some((resource) => resource.retain !== undefined),
    scope: { stack: state.stack, plugins: new Set(state.resources.map((resource) => resource.plugin)), declared: declaredKinds(state) },
  });
}

function declaredKinds(state: DesiredState): Partial<Record<Kind, number>> {
  const declared: Partial<Record<Kind, number>> = {};
  for (const resource of state.resources) declared[resource.kind] = (declared[resource.kind] ?? 0) + 1;
  return declared;
}

/**
 * Where the executor gets write-only values: the Secrets of the desired state (inline ones
 * exist nowhere else), else `env:NAME` and `file:PATH` sources read afresh — which is how
 * `apply PLANFILE` finds secrets the plan file only names.
 */
export function secretResolver(state: DesiredState | undefined, env: NodeJS.ProcessEnv = process.env): (source: string) => Secret | null {
  const known = new Map<string, Secret>();
  for (const resource of state?.resources ?? []) {
    for (const secret of Object.values(resource.secrets)) if (secret) known.set(secret.source, secret);
  }
  return (source) => {
    const secret = known.get(source);
    if (secret) return secret;
    if (source.startsWith('env:')) {
      const value = env[source.slice(4)];
      return value === undefined ? null : new Secret(value, source);
    }
    if (source.startsWith('file:')) {
      try {
        return new Secret(readFileSync(source.slice(5), 'utf8').replace(/\r?\n$/, ''), source);
      } catch {
        return null;
      }
    }
    return null;
  };
}

/** Every secret value the run knows, for the logger's last-resort masking. */
export function secretValues(state: DesiredState | undefined, connection?: Connection): string[] {
  const values = (state?.resources ?? []).flatMap((r) => Object.values(r.secrets)).flatMap((s) => (s ? [s.reveal()] : []));
  if (connection?.password) values.push(connection.password.reveal());
  return values;
}
