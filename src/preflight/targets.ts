import { isHrefRef } from '../model/plan.js';
import {
  type Address,
  type DesiredState,
  type Diagnostic,
  type JsonObject,
  type LiveObject,
  type LiveState,
  type Plan,
  type PlanAction,
  type Plugin,
  secretFields,
  type Secret,
  type SourceLocation,
} from '../model/index.js';

/** One remote a planned sync will download from, with what a probe of it needs. */
export interface ProbeTarget {
  remote: Address;
  plugin: Plugin;
  /** The repositories whose syncs use this remote. */
  repositories: Address[];
  /** The remote's fields as they will be when the sync runs (desired, else live). */
  fields: JsonObject;
  /** Write-only fields the sync will send, resolved: username, password, client_key, proxy_*. */
  secrets: Record<string, Secret>;
  /** Where each secret comes from (`env:ARK_PASSWORD`), for the hint of a rejection. */
  secretSources: Record<string, string>;
  source?: SourceLocation;
}

export interface TargetOptions {
  desired?: DesiredState | undefined;
  live: LiveState;
  /** The resolver apply uses: `env:NAME`, `file:PATH`, inline sources → Secret, or null. */
  secrets: (source: string) => Secret | null;
}

/**
 * The remotes the plan's syncs download from, one target per remote. A remote whose secrets
 * cannot be known (a saved plan applied without its desired state, the server holding a
 * password) is not probed, with a warning; a secret whose source gives nothing is an error,
 * as it would fail the apply.
 */
export function probeTargets(plan: Plan, options: TargetOptions): { targets: ProbeTarget[]; diagnostics: Diagnostic[] } {
  const actions = plan.waves.flat();
  const liveByHref = new Map(options.live.objects.map((object) => [object.href, object]));
  const liveByAddress = new Map(
    options.live.objects.filter((object) => object.kind === 'remote').map((object) => [object.address, object]),
  );
  const desired = new Map((options.desired?.resources ?? []).map((resource) => [resource.address, resource]));
  // One target per remote and url: a new mirror's earlier snapshot is synced through its remote at another url.
  const targets = new Map<string, ProbeTarget>();
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];

  for (const sync of actions.filter((action) => action.type === 'sync')) {
    const remote = remoteOfSync(sync, liveByHref);
    if (remote === undefined) continue;
    const key = `${remote} ${sync.syncFrom ?? ''}`;
    if (seen.has(key)) {
      targets.get(key)?.repositories.push(sync.address);
      continue;
    }
    seen.add(key);
    const declared = desired.get(remote);
    const live = liveByAddress.get(remote);
    const planned = declared?.fields ?? plannedFields(remote, live, actions);
    if (planned === undefined) continue;
    const fields = sync.syncFrom === undefined ? planned : { ...planned, url: sync.syncFrom };
    const sources = secretSourcesOf(remote, declared?.secrets, actions);
    const unknown = unknownSecrets(live, sources, declared !== undefined);
    if (unknown.length > 0) {
      diagnostics.push({
        severity: 'warning',
        code: 'preflight.skipped',
        summary: `${remote} was not probed: its ${unknown.join(' and ')} cannot be known here`,
        detail: 'Pulp never returns write-only values, and without the desired state pulpform does not know where they come from.',
        hint: 'Run apply with -f pointing at the desired state the plan was made from to probe it.',
        address: remote,
      });
      continue;
    }
    const secrets: Record<string, Secret> = {};
    const missing: Diagnostic[] = [];
    for (const [field, source] of Object.entries(sources)) {
      const secret = options.secrets(source);
      if (secret !== null) {
        secrets[field] = secret;
        continue;
      }
      missing.push({
        severity: 'error',
        code: 'preflight.secret_missing',
        summary: `The ${field} of ${remote} is not available from ${source}`,
        detail: `The sync of ${sync.address} needs it${source.startsWith('env:') ? `, but the environment variable ${source.slice(4)} is not set` : ''}.`,
        hint: source.startsWith('env:')
          ? `Set ${source.slice(4)} and run again.`
          : `Make ${source.replace(/^file:/, '')} readable, or correct the source.`,
        address: remote,
        ...(declared?.source ? { source: declared.source } : {}),
      });
    }
    // Probing without it would only report its absence again, as a rejection.
    diagnostics.push(...missing);
    if (missing.length > 0) continue;
    targets.set(key, {
      remote,
      plugin: sync.plugin,
      repositories: [sync.address],
      fields,
      secrets,
      secretSources: sources,
      ...(declared?.source ? { source: declared.source } : {}),
    });
  }
  return { targets: [...targets.values()], diagnostics };
}

/** The remote a sync action downloads through: created in the plan, or live. */
export function remoteOfSync(sync: PlanAction, liveByHref: ReadonlyMap<string, LiveObject>): Address | undefined {
  const reference = sync.body?.remote;
  return isHrefRef(reference) ? reference.$ref : typeof reference === 'string' ? liveByHref.get(reference)?.address : undefined;
}

/** Without the desired state: the remote as the plan leaves it (its create, or the live one with its update). */
function plannedFields(remote: Address, live: LiveObject | undefined, actions: PlanAction[]): JsonObject | undefined {
  const writes = actions.filter((action) => action.address === remote && action.body !== undefined);
  if (live === undefined && writes.length === 0) return undefined;
  return Object.assign({}, live?.fields, ...writes.map((action) => action.body as JsonObject)) as JsonObject;
}

/** field → source of each write-only value the remote will have: declared, else sent by this plan. */
function secretSourcesOf(
  remote: Address,
  declared: Record<string, Secret | null> | undefined,
  actions: PlanAction[],
): Record<string, string> {
  const sources: Record<string, string> = {};
  if (declared !== undefined) {
    for (const [field, secret] of Object.entries(declared)) if (secret !== null) sources[field] = secret.source;
    return sources;
  }
  for (const action of actions) {
    if (action.address !== remote) continue;
    for (const { field, source } of action.secrets ?? []) if (source !== 'unset') sources[field] = source;
  }
  return sources;
}

/** Secrets the server holds for the remote whose value this run cannot resolve. */
function unknownSecrets(live: LiveObject | undefined, sources: Record<string, string>, declared: boolean): string[] {
  if (declared || live === undefined) return [];
  return secretFields(live.endpoint).filter((field) => live.secretsSet[field] === true && sources[field] === undefined);
}
