import {
  addressOf,
  capabilitiesOf,
  type ActionGuard,
  type ActionType,
  type Address,
  type BodyValue,
  type Capabilities,
  type DesiredResource,
  type DesiredState,
  type Diagnostic,
  type DiagnosticCodeAt,
  type FieldChange,
  type LiveObject,
  type LiveState,
  type PlanAction,
  type SecretSource,
} from '../model/index.js';
import { byHref, LiveIndex } from './live-index.js';
import { resyncSelection } from './scope.js';

export interface PlanOptions {
  /** Delete managed objects the desired state no longer has (otherwise: a warning each). */
  prune?: boolean | undefined;
  /** Let --prune delete every managed object of a kind the desired state has none of. */
  allowDeleteAll?: boolean | undefined;
  /** `--only` selector: the plan is partial. */
  only?: string | undefined;
  /** `--image-filter`: regexes selecting the container mirrors' images to plan (overrides their `filter`). */
  imageFilter?: string | undefined;
  /** `--resync` selector: repositories to sync even though their sync marker is unchanged. */
  resync?: string | undefined;
  /**
   * false: leave replacements (and what waits for them) out, with a warning each. Watch mode
   * without --prune plans this way, since a replacement deletes first. Default true.
   */
  replace?: boolean;
  /** The plan's timestamp; inject it to keep planning deterministic. */
  now?: Date;
  /**
   * Delete the container push distributions (and with them, in Pulp, their push repositories)
   * that hold a name or base_path the desired state needs, instead of reporting each conflict.
   */
  replacePushConflicts?: boolean | undefined;
}

/** What the planner knows about one desired resource. */
export interface Node {
  desired: DesiredResource;
  /** The server's object of this kind and name, of whatever type. */
  live?: LiveObject | undefined;
  /** The create/update/replace/adopt for it, if any. */
  action?: PlanAction;
  sync?: PlanAction;
  /** Not ours to change (ownership conflict, unresolvable pin): nothing is planned on or through it. */
  blocked: boolean;
  /** Repositories adopted with content: sync records written by the adoption instead of a sync. */
  assumedLabels?: Record<string, string>;
  /** Repositories: syncs of older snapshots planned before the main one, by snapshot. */
  earlierSyncs?: Map<string, PlanAction>;
  /** Publications: the live publication that already satisfies it. */
  satisfiedBy?: LiveObject;
  /** Publications: another desired publication that yields the same Pulp publication. */
  aliasOf?: Address;
}

/** What an action carries besides whom it is for and why: what it changes, and the request that does it. */
export interface ActionContent {
  changes: FieldChange[];
  unchanged: number;
  body: { [key: string]: BodyValue };
  secrets: SecretSource[];
  /** Ids of actions whose result a reference in the body waits for. */
  dependsOn: string[];
  /** Problems found on the way, reported when the action is added. */
  diagnostics: Diagnostic[];
}

/** Action types that make a new Pulp object: references to it are known only after apply. */
export const NEW: readonly ActionType[] = ['create', 'replace'];

export function guardOf(live: LiveObject): ActionGuard {
  return {
    href: live.href,
    fingerprint: live.fingerprint,
    ...(live.lastUpdated !== undefined ? { lastUpdated: live.lastUpdated } : {}),
    seen: { fields: live.fields, labels: live.labels },
  };
}

/** Newest `pulp_created`, then the greatest href: the same choice on every run. */
export function newest(publications: LiveObject[]): LiveObject | undefined {
  const created = (p: LiveObject): string => (typeof p.raw.pulp_created === 'string' ? p.raw.pulp_created : '');
  return [...publications].sort((a, b) => (created(a) !== created(b) ? (created(a) < created(b) ? 1 : -1) : -byHref(a, b)))[0];
}

/** What the steps of one plan share: the inputs, their indexes, and the actions and diagnostics so far. */
export class PlanContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly actions: PlanAction[] = [];
  readonly nodes = new Map<Address, Node>();
  readonly live: LiveIndex;
  /** The server's component versions (`{core: '3.43.1', rpm: '3.24.1', …}`). */
  readonly versions: Record<string, string>;
  readonly stack: string;
  readonly capabilities: Capabilities;
  /** Stacks that own objects the desired state names. */
  readonly otherStacks = new Set<string>();
  /** Publications a distribution that follows its repository's sync serves (a mirror's development). */
  readonly followedPublications: ReadonlySet<Address>;
  /** Snapshots publications pin, by the repository they publish. */
  readonly pinsByRepository = new Map<Address, Set<string>>();
  /** Publications to create, by endpoint, version and options: the first desired publication of each. */
  readonly publicationKeys = new Map<string, Address>();
  /** Deletes of push distributions planned by --replace-push-conflicts, by href: a narrowed run keeps them. */
  readonly pushDeletes = new Map<string, PlanAction>();
  readonly resync: (address: Address) => boolean = () => false;
  private adoptedPinned?: Map<Address, DesiredResource[]>;

  constructor(
    readonly desired: DesiredState,
    live: LiveState,
    readonly options: PlanOptions,
  ) {
    this.stack = desired.stack;
    this.versions = live.server.versions;
    this.capabilities = capabilitiesOf(live.server.versions);
    this.followedPublications = new Set(
      desired.resources.flatMap((r) => (r.followsSync && r.refs.publication !== undefined ? [r.refs.publication] : [])),
    );
    for (const resource of desired.resources) {
      if (resource.kind !== 'publication' || resource.snapshot === undefined) continue;
      const repository = resource.refs.repository ?? addressOf('repository', resource.plugin, resource.name);
      this.pinsByRepository.set(repository, (this.pinsByRepository.get(repository) ?? new Set()).add(resource.snapshot));
    }
    if (options.resync !== undefined) {
      const selection = resyncSelection(options.resync, desired.resources);
      this.resync = selection.matches;
      this.diagnostics.push(...selection.diagnostics);
    }
    this.live = new LiveIndex(live);
  }

  /** Desired distributions with adopt: true pinned to a snapshot, by the repository they serve (built once, when an adoption asks). */
  adoptedPinnedDistributions(): Map<Address, DesiredResource[]> {
    if (this.adoptedPinned === undefined) {
      const resources = new Map(this.desired.resources.map((resource) => [resource.address, resource]));
      this.adoptedPinned = new Map();
      for (const distribution of this.desired.resources) {
        if (
          distribution.kind !== 'distribution' ||
          !distribution.adopt ||
          distribution.snapshot === undefined ||
          distribution.refs.publication === undefined
        )
          continue;
        const repository = resources.get(distribution.refs.publication)?.refs.repository;
        if (repository !== undefined) this.adoptedPinned.set(repository, [...(this.adoptedPinned.get(repository) ?? []), distribution]);
      }
    }
    return this.adoptedPinned;
  }

  /** The first action on each live object, by href. */
  actionsByLiveHref(): Map<string, PlanAction> {
    const map = new Map<string, PlanAction>();
    for (const action of this.actions) if (action.guard !== undefined && !map.has(action.guard.href)) map.set(action.guard.href, action);
    return map;
  }

  identity(
    type: ActionType,
    desired: DesiredResource,
  ): Pick<PlanAction, 'id' | 'type' | 'address' | 'kind' | 'plugin' | 'name' | 'endpoint' | 'source'> {
    // Callers add to this object (Object.assign) rather than spread it into a new one: V8 gives
    // every object made by a spread followed by more properties a hidden class of its own, some
    // 400 bytes for each of 13,000 actions at 10,000 objects.
    const identity: Pick<PlanAction, 'id' | 'type' | 'address' | 'kind' | 'plugin' | 'name' | 'endpoint' | 'source'> = {
      id: `${type} ${desired.address}`,
      type,
      address: desired.address,
      kind: desired.kind,
      plugin: desired.plugin,
      name: desired.name,
      endpoint: desired.endpoint,
    };
    if (desired.source) identity.source = desired.source;
    return identity;
  }

  add(type: ActionType, desired: DesiredResource, content: ActionContent, reason: string, live?: LiveObject): PlanAction {
    this.diagnostics.push(...content.diagnostics);
    const named = desired.kind !== 'publication' && NEW.includes(type);
    const action: PlanAction = Object.assign(this.identity(type, desired), {
      reason,
      changes: content.changes,
      unchanged: content.unchanged,
      body: named ? Object.assign({ name: desired.name }, content.body) : content.body,
      ...(content.secrets.length > 0 ? { secrets: content.secrets } : {}),
      ...(live !== undefined ? { guard: guardOf(live) } : {}),
      dependsOn: [...new Set(content.dependsOn)].sort(),
    });
    this.actions.push(action);
    return action;
  }

  error(code: DiagnosticCodeAt<'error'>, desired: DesiredResource, summary: string, detail: string | undefined, hint: string): void {
    this.diagnostics.push({
      severity: 'error',
      code,
      summary,
      ...(detail !== undefined ? { detail } : {}),
      hint,
      address: desired.address,
      ...(desired.source ? { source: desired.source } : {}),
    });
  }
}
