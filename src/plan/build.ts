import { diffResource, unsupportedField, type DiffContext, type RefValue, type ResourceDiff } from '../diff/resource.js';
import { differsFromDefault, sameValue } from '../diff/values.js';
import {
  addressOf,
  canonicalJson,
  capabilitiesOf,
  FIELDS,
  fieldUnavailable,
  toServerBody,
  type Capabilities,
  KINDS,
  LABELS,
  labelProblem,
  parseAddress,
  PLAN_FORMAT_VERSION,
  STAMP,
  type ActionGuard,
  type ActionType,
  type Address,
  type DesiredResource,
  type DesiredState,
  type Diagnostic,
  type HrefRef,
  type JsonObject,
  type Kind,
  type LiveObject,
  type LiveState,
  type Plan,
  type PlanAction,
} from '../model/index.js';
import { PUSH_REPOSITORY_ENDPOINT } from '../model/fields.js';
import { planRetention } from './retention.js';
import { serverChecks } from './server-checks.js';
import { resyncSelection, scopeActions, scopeImages } from './scope.js';
import { skipReplacements } from './skip.js';
import { summarize, toWaves } from './waves.js';

export interface PlanOptions {
  /** Delete managed objects the desired state no longer has (otherwise: a warning each). */
  prune?: boolean;
  /** Let --prune delete every managed object of a kind the desired state has none of. */
  allowDeleteAll?: boolean;
  /** `--only` selector: the plan is partial. */
  only?: string;
  /** `--image-filter`: regexes selecting the container mirrors' images to plan (overrides their `filter`). */
  imageFilter?: string;
  /** `--resync` selector: repositories to sync even though their sync marker is unchanged. */
  resync?: string;
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
  replacePushConflicts?: boolean;
}

/**
 * The plan that takes the live server to the desired state. Pure: the same inputs give the
 * same plan. Problems (conflicts, guards, unsynced pins) become diagnostics next to the
 * actions, as Terraform shows a plan and its errors together; a plan with errors is not
 * meant to be applied.
 */
export function buildPlan(desired: DesiredState, live: LiveState, options: PlanOptions = {}): Plan {
  const planner = new Planner(desired, live, options);
  planner.planAll();
  const retention = planRetention(desired, live, planner.actions);
  let actions = [...planner.actions, ...retention.actions];
  let diagnostics = [...planner.diagnostics, ...retention.diagnostics];
  if (options.replace === false) ({ actions, diagnostics } = skipReplacements(actions, diagnostics));
  const pushDeletes = new Set([...planner.pushDeletes.values()].map((action) => action.id));
  ({ actions, diagnostics } = scopeImages(actions, diagnostics, desired.resources, options.imageFilter, pushDeletes));
  if (options.only !== undefined) ({ actions, diagnostics } = scopeActions(actions, diagnostics, options.only, desired.resources, pushDeletes));
  if (options.prune && !options.allowDeleteAll) diagnostics.push(...pruneAllGuard(desired, actions));
  diagnostics.push(...serverChecks(desired, live.server.versions, planner.capabilities));
  if (desired.stackDefaulted) diagnostics.unshift(undeclaredStack(desired, [...planner.otherStacks]));
  const { waves, cyclic } = toWaves(actions);
  if (cyclic.length > 0) {
    diagnostics.push({
      severity: 'error',
      code: 'plan.cycle',
      summary: 'These actions wait for each other, so none of them can go first',
      detail: cyclic.join('\n'),
      hint: 'Apply the change in two steps, e.g. move one of two distributions that swap base paths to a temporary base_path first.',
    });
  }
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    createdAt: (options.now ?? new Date()).toISOString(),
    stack: desired.stack,
    source: desired.sources,
    server: { url: live.server.url, versions: live.server.versions },
    ...(options.only !== undefined ? { scope: options.only } : {}),
    waves,
    diagnostics: [...diagnostics.filter((d) => d.severity === 'error'), ...diagnostics.filter((d) => d.severity !== 'error')],
    summary: summarize(actions),
    options: { prune: options.prune === true },
  };
}

/**
 * A desired state without `stack:` is stack "default". Said first: when its names are another
 * stack's objects on the server, that is the cause of every conflict after it.
 */
function undeclaredStack(desired: DesiredState, owners: readonly string[]): Diagnostic {
  const file = desired.sources.files[0];
  return {
    severity: owners.length > 0 ? 'error' : 'warning',
    code: 'plan.no_stack',
    summary: owners.length > 0
      ? `The desired state declares no stack, so it is stack "${desired.stack}"; the objects it names on the server belong to stack ${owners.map((o) => `"${o}"`).join(', ')}`
      : `The desired state declares no stack, so it is stack "${desired.stack}"`,
    detail: 'The stack is written on every object pulpform manages (pulpform_stack), and prune deletes only its own: two desired states for one server need two stacks.',
    hint: owners.length === 1 ? `Add "stack: ${owners[0]}" to one of its files.` : `Add "stack: NAME" to one of its files${owners.length > 0 ? `, naming the stack these objects belong to` : ''}.`,
    ...(file !== undefined ? { source: { file, line: 1, column: 1 } } : {}),
  };
}

/** What the planner knows about one desired resource. */
interface Node {
  desired: DesiredResource;
  /** The server's object of this kind and name, of whatever type. */
  live?: LiveObject;
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

const NEW: readonly ActionType[] = ['create', 'replace'];

function namedKey(kind: Kind, name: string): string {
  return `${kind}\u0000${name}`;
}

function guardOf(live: LiveObject): ActionGuard {
  return {
    href: live.href,
    fingerprint: live.fingerprint,
    ...(live.lastUpdated !== undefined ? { lastUpdated: live.lastUpdated } : {}),
    seen: { fields: live.fields, labels: live.labels },
  };
}

/** `{repo}versions/{n}/` → n. */
function versionNumber(href: string | undefined): number | undefined {
  const match = href === undefined ? null : /\/versions\/(\d+)\/$/.exec(href);
  return match ? Number(match[1]) : undefined;
}

function repositoryHrefOf(versionHref: string): string {
  return versionHref.replace(/versions\/\d+\/$/, '');
}

function byHref(a: LiveObject, b: LiveObject): number {
  return a.href < b.href ? -1 : a.href > b.href ? 1 : 0;
}

const ENDPOINT_WORDS: Record<string, string> = { remotes: 'remote', repositories: 'repository', publications: 'publication', distributions: 'distribution' };

/** `repositories/file/file` → `a file repository`. */
function describeEndpoint(endpoint: string): string {
  const [kind = '', plugin = '', type = ''] = endpoint.split('/');
  const what = `${plugin}${type !== plugin && type !== 'apt' ? ` ${type}` : ''} ${ENDPOINT_WORDS[kind] ?? kind}`;
  return `${/^(rpm|[aeiou])/.test(what) ? 'an' : 'a'} ${what}`;
}

class Planner {
  readonly diagnostics: Diagnostic[] = [];
  readonly actions: PlanAction[] = [];
  private readonly nodes = new Map<Address, Node>();
  private readonly liveNamed = new Map<string, LiveObject>();
  private readonly liveByHref = new Map<string, LiveObject>();
  private readonly publicationsByVersion = new Map<string, LiveObject[]>();
  private readonly publicationKeys = new Map<string, Address>();
  /** Publications live distributions serve, by href. */
  private readonly servedPublications = new Set<string>();
  /** Repository versions known to exist: latest ones, published ones, and all when they were listed. */
  private readonly knownVersions = new Set<string>();
  /** Publications a distribution that follows its repository's sync serves (a mirror's development). */
  private readonly followedPublications: ReadonlySet<Address>;
  /** Snapshots publications pin, by the repository they publish. */
  private readonly pinsByRepository = new Map<Address, Set<string>>();
  /** Push repository href → the container distribution serving it (what `docker push` made). */
  private readonly pushDistributions = new Map<string, LiveObject>();
  /** Deletes of push distributions planned by --replace-push-conflicts, by href: a narrowed run keeps them. */
  readonly pushDeletes = new Map<string, PlanAction>();
  /** Desired distributions with adopt: true pinned to a snapshot, by repository: see adoptedPinnedDistributions. */
  private adoptedPinned?: Map<Address, DesiredResource[]>;
  private readonly stack: string;
  readonly capabilities: Capabilities;
  /** Stacks that own objects the desired state names. */
  readonly otherStacks = new Set<string>();
  private readonly resync: (address: Address) => boolean = () => false;

  constructor(private readonly desired: DesiredState, private readonly live: LiveState, private readonly options: PlanOptions) {
    this.stack = desired.stack;
    this.capabilities = capabilitiesOf(live.server.versions);
    this.followedPublications = new Set(desired.resources.flatMap((r) => (r.followsSync && r.refs.publication !== undefined ? [r.refs.publication] : [])));
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
    for (const object of [...live.objects].sort(byHref)) {
      this.liveByHref.set(object.href, object);
      if (object.kind === 'publication') {
        if (object.versionHref === undefined) continue;
        const list = this.publicationsByVersion.get(object.versionHref) ?? [];
        list.push(object);
        this.publicationsByVersion.set(object.versionHref, list);
      } else if (!this.liveNamed.has(namedKey(object.kind, object.name))) {
        this.liveNamed.set(namedKey(object.kind, object.name), object);
      }
    }
    for (const version of live.versions ?? []) this.knownVersions.add(version.href);
    for (const object of this.liveByHref.values()) {
      if (object.versionHref !== undefined) this.knownVersions.add(object.versionHref);
      if (object.kind === 'distribution' && typeof object.fields.publication === 'string') this.servedPublications.add(object.fields.publication);
      const repository = object.kind === 'distribution' ? this.liveByHref.get(String(object.fields.repository)) : undefined;
      if (repository?.endpoint === PUSH_REPOSITORY_ENDPOINT) this.pushDistributions.set(repository.href, object);
    }
  }

  planAll(): void {
    const order = (resource: DesiredResource): number => KINDS.indexOf(resource.kind);
    const resources = [...this.desired.resources].sort((a, b) => order(a) - order(b) || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    for (const resource of resources) this.plan(resource);
    this.planDeletes();
    this.orderBasePaths();
  }

  private plan(desired: DesiredResource): void {
    if (this.nodes.has(desired.address)) {
      this.error('plan.duplicate_address', desired, `${desired.address} is declared twice`, 'Only the first declaration is planned.', 'Remove or rename one of them.');
      return;
    }
    const node: Node = { desired, blocked: false };
    if (desired.kind !== 'publication') {
      const live = this.liveNamed.get(namedKey(desired.kind, desired.name));
      if (live !== undefined) node.live = live;
    }
    this.nodes.set(desired.address, node);
    if (desired.kind === 'publication') this.planPublication(node);
    else this.planNamed(node);
    if (desired.kind === 'repository') this.planSync(node);
  }

  // ── remotes, repositories, distributions ────────────────────────────────────────────────

  private planNamed(node: Node): void {
    const { desired, live } = node;
    if (live !== undefined && this.pushHolder(live) !== undefined) {
      this.planPushConflict(node, live);
      return;
    }
    if (live === undefined) {
      node.action = this.add('create', desired, diffResource(desired, undefined, 'create', this.diffContext(desired)), 'not on the server');
      return;
    }
    const owner = live.labels[LABELS.stack];
    if (owner !== undefined && owner !== this.stack) {
      node.blocked = true;
      this.otherStacks.add(owner);
      this.error('plan.conflict_other_stack', desired, `${desired.address} is managed by another stack ("${owner}")`,
        `The ${desired.kind} "${desired.name}" on the server (${live.href}) is labelled pulpform_stack=${owner}; this desired state is stack "${this.stack}".`,
        `Remove it from stack "${owner}" first, or give it another name here.`);
      return;
    }
    const adopting = owner === undefined;
    if (adopting && !desired.adopt) {
      node.blocked = true;
      this.error('plan.conflict_unmanaged', desired, `${desired.address} exists but is not managed by pulpform`,
        `The ${desired.kind} "${desired.name}" on the server (${live.href}) has no pulpform_stack label, so pulpform will not change it.`,
        'Set "adopt: true" on it to take it over, or give it another name.');
      return;
    }
    if (live.endpoint !== desired.endpoint) {
      const reason = `exists as ${describeEndpoint(live.endpoint)}; a Pulp object cannot change its type`;
      if (adopting) {
        node.blocked = true;
        this.error('plan.adopt_type_mismatch', desired, `${desired.address} cannot be adopted: it ${reason}`,
          `The desired state declares ${describeEndpoint(desired.endpoint)} "${desired.name}".`,
          'Delete the existing object yourself, or give the desired one another name.');
        return;
      }
      node.action = this.add('replace', desired, diffResource(desired, live, 'create', this.diffContext(desired)), reason, live);
      this.checkProtected(node);
      return;
    }
    if (adopting) {
      const assumed = this.assumedSync(node);
      if (assumed !== undefined) node.assumedLabels = assumed;
    }
    const diff = diffResource(desired, live, 'patch', this.diffContext(desired, node.assumedLabels));
    if (diff.createOnlyChanged.length > 0) {
      const replacement = diffResource(desired, live, 'create', this.diffContext(desired));
      node.action = this.add('replace', desired, replacement, `${diff.createOnlyChanged.join(', ')} cannot be changed in place`, live);
      this.checkProtected(node);
      return;
    }
    const notes = [...this.servesNote(desired, diff), ...diff.notes];
    if (adopting) {
      const assumed = node.assumedLabels?.[LABELS.synced];
      node.action = this.add('adopt', desired, diff, [
        'exists without pulpform labels; adopt: true takes it over',
        ...(assumed !== undefined ? [`its content is taken as synced from ${assumed} (its remote's url is unchanged)`] : []),
        ...Object.entries(node.assumedLabels ?? {}).filter(([key]) => key.startsWith(LABELS.snapshotPrefix) && key !== `${LABELS.snapshotPrefix}${assumed}`)
          .map(([key, number]) => `version ${number} is taken as snapshot ${key.slice(LABELS.snapshotPrefix.length)} (an adopted distribution pinned to it serves that version)`),
        ...notes,
      ].join('; '), live);
    } else if (diff.changes.length > 0) {
      node.action = this.add('update', desired, diff, notes.join('; '), live);
    } else {
      this.diagnostics.push(...diff.diagnostics);
    }
  }

  // ── container push repositories ──────────────────────────────────────────────────────────

  /**
   * What a `docker push` left in the way of this live object: the push repository itself, or
   * the distribution serving one. `distribution` is what can be deleted (Pulp then deletes
   * the push repository with it); a push repository nothing serves has none.
   */
  private pushHolder(live: LiveObject): { repository: LiveObject; distribution?: LiveObject } | undefined {
    if (live.endpoint === PUSH_REPOSITORY_ENDPOINT) {
      const distribution = this.pushDistributions.get(live.href);
      return { repository: live, ...(distribution !== undefined ? { distribution } : {}) };
    }
    const repository = live.kind === 'distribution' ? this.liveByHref.get(String(live.fields.repository)) : undefined;
    return repository?.endpoint === PUSH_REPOSITORY_ENDPOINT ? { repository, distribution: live } : undefined;
  }

  /** A desired name held by a push repository or distribution: an error with the remedy, or with --replace-push-conflicts a create after deleting it. */
  private planPushConflict(node: Node, live: LiveObject): void {
    const { desired } = node;
    const { repository, distribution } = this.pushHolder(live)!;
    const removal = distribution !== undefined ? this.replacePush(distribution) : undefined;
    if (removal === undefined) {
      node.blocked = true;
      this.pushConflict(desired, `the ${desired.kind} name "${desired.name}"`, repository, distribution);
      return;
    }
    node.live = undefined;
    node.action = this.add('create', desired, diffResource(desired, undefined, 'create', this.diffContext(desired)), `replaces the push ${live.kind} of the same name`);
    node.action.dependsOn = [...new Set([...node.action.dependsOn, removal.id])].sort();
  }

  /** With --replace-push-conflicts, the delete of a push distribution (planned once), else undefined. */
  private replacePush(distribution: LiveObject): PlanAction | undefined {
    if (!this.options.replacePushConflicts) return undefined;
    let removal = this.pushDeletes.get(distribution.href);
    if (removal === undefined) {
      const repository = this.liveByHref.get(String(distribution.fields.repository));
      removal = {
        ...this.deleteAction(distribution),
        reason: `a container push distribution in the way of the desired state (--replace-push-conflicts); Pulp deletes its push repository ${repository?.name ?? ''} and the pushed images with it`,
      };
      this.pushDeletes.set(distribution.href, removal);
      this.actions.push(removal);
    }
    return removal;
  }

  private pushConflict(desired: DesiredResource, what: string, repository: LiveObject, distribution: LiveObject | undefined): void {
    const held = `${what} is held by the container push repository "${repository.name}" (${repository.href})`;
    if (distribution === undefined) {
      this.error('plan.push_conflict', desired, `${desired.address}: ${held}`,
        'An image push made it; no distribution serves it, and Pulp cannot delete a push repository directly.',
        `Give the ${desired.kind} another name.`);
      return;
    }
    const basePath = String(distribution.fields.base_path ?? '');
    this.error('plan.push_conflict', desired, `${desired.address}: ${held}`,
      `"docker push" (or podman push) to ${basePath} made that repository and the distribution "${distribution.name}" serving it (${distribution.href}). Pulp refuses a second object with this name or base path ({"name":["This field must be unique."]}) and deletes a push repository only with its distribution.`,
      `Delete the distribution "${distribution.name}" (Pulp deletes its push repository, and the pushed images, with it): run with --replace-push-conflicts to plan that first, or delete it yourself (DELETE ${distribution.href}).`);
  }

  /**
   * `development: 20240115T000000 -> 20240301T000000` when a distribution's pinned snapshot
   * moves, saying so when the repository was synced from it before and it is a repoint only.
   */
  private servesNote(desired: DesiredResource, diff: ResourceDiff): string[] {
    const change = diff.changes.find((c) => c.path === `/pulp_labels/${LABELS.serves}`);
    if (!change) return [];
    const publication = desired.refs.publication === undefined ? undefined : this.nodes.get(desired.refs.publication);
    const repository = publication === undefined ? undefined : this.nodes.get(publication.desired.refs.repository ?? addressOf('repository', publication.desired.plugin, publication.desired.name));
    const syncing = repository?.sync?.labelsAfter?.[LABELS.synced] === desired.snapshot;
    const repoint = desired.snapshot !== undefined && repository !== undefined && !syncing && this.recordedVersion(repository, desired.snapshot)?.exists === true;
    return [`${desired.name}: ${String(change.before ?? '(none)')} -> ${String(change.after ?? '(none)')}${repoint ? ' (synced before: repoint, no sync)' : ''}`];
  }

  /**
   * A distribution pinned on its own (production) to the snapshot its repository follows keeps
   * the version that snapshot first gave when the shared publication moves on (a --resync made
   * a newer version): an existing publication of that version, preferably the one it serves.
   */
  private pinnedPublication(referrer: DesiredResource, publication: Node): string | undefined {
    if (referrer.kind !== 'distribution' || referrer.followsSync || referrer.snapshot === undefined) return undefined;
    const repository = this.nodes.get(publication.desired.refs.repository ?? addressOf('repository', publication.desired.plugin, publication.desired.name));
    const recorded = repository === undefined ? undefined : this.recordedVersion(repository, referrer.snapshot);
    if (recorded?.exists !== true) return undefined;
    const pinned = `${repository!.live!.href}versions/${recorded.number}/`;
    if (publication.satisfiedBy?.versionHref === pinned) return undefined;
    const candidates = (this.publicationsByVersion.get(pinned) ?? []).filter((p) => p.endpoint === publication.desired.endpoint);
    const served = this.nodes.get(referrer.address)?.live?.fields.publication;
    return (candidates.find((p) => p.href === served) ?? newest(candidates))?.href;
  }

  /** The version the repository's labels record for `snapshot`, and whether it is known to exist still. */
  private recordedVersion(node: Node, snapshot: string): { number: string; exists: boolean } | undefined {
    if (node.live === undefined || (node.action !== undefined && NEW.includes(node.action.type))) return undefined;
    const number = ({ ...node.live.labels, ...node.assumedLabels })[`${LABELS.snapshotPrefix}${snapshot}`];
    if (number === undefined) return undefined;
    return { number, exists: this.knownVersions.has(`${node.live.href}versions/${number}/`) };
  }

  private checkProtected(node: Node): void {
    if (!node.desired.protect || node.action === undefined) return;
    this.error('plan.protected', node.desired, `${node.desired.address} is protected and cannot be replaced`,
      `The plan would replace it (${node.action.reason}); replacing deletes the object on the server first.`,
      'Change the desired state so that it can be updated in place, or remove "protect: true" if the replacement is intended.');
  }

  /**
   * A repository taken over from another tool has content but no record of what it was
   * synced from. If its remote keeps its url, that content is what the remote serves:
   * record the marker instead of re-syncing everything on the first apply.
   */
  private assumedSync(node: Node): Record<string, string> | undefined {
    const { desired, live } = node;
    if (desired.sync === undefined || live === undefined || live.labels[LABELS.synced] !== undefined) return undefined;
    const versions = this.adoptedPins(node);
    const labels: Record<string, string> = {};
    const number = versionNumber(live.versionHref);
    const remote = desired.refs.remote === undefined ? undefined : this.nodes.get(desired.refs.remote);
    const remoteUnchanged = remote !== undefined && !remote.blocked
      && (remote.action === undefined || (!NEW.includes(remote.action.type) && !remote.action.changes.some((c) => c.path === '/url')));
    if (number !== undefined && number > 0 && remoteUnchanged) {
      labels[LABELS.synced] = desired.sync.marker;
      versions.set(desired.sync.marker, number);
    }
    for (const [snapshot, version] of versions) {
      const key = `${LABELS.snapshotPrefix}${snapshot}`;
      if (labelProblem(key, String(version)) === undefined) labels[key] = String(version);
    }
    return Object.keys(labels).length > 0 ? labels : undefined;
  }

  /**
   * Snapshot → version for the pins of distributions adopted with this repository: an Ansible
   * server's production often serves an older version than development. Adopting it pinned to
   * a snapshot takes the version it serves now as that snapshot, so nothing is repointed.
   * A pin that adopted distributions serve from different versions is left out (the plan then
   * reports it as never synced).
   */
  private adoptedPins(node: Node): Map<string, number> {
    const served = new Map<string, Set<number>>();
    for (const distribution of this.adoptedPinnedDistributions().get(node.desired.address) ?? []) {
      const live = this.liveNamed.get(namedKey('distribution', distribution.name));
      if (live === undefined || live.labels[LABELS.stack] !== undefined || distribution.snapshot === node.desired.sync?.marker) continue;
      const versionHref = typeof live.fields.publication === 'string' ? this.liveByHref.get(live.fields.publication)?.versionHref : undefined;
      if (versionHref === undefined || repositoryHrefOf(versionHref) !== node.live!.href) continue;
      served.set(distribution.snapshot!, (served.get(distribution.snapshot!) ?? new Set()).add(versionNumber(versionHref)!));
    }
    return new Map([...served].flatMap(([snapshot, versions]) => (versions.size === 1 ? [[snapshot, [...versions][0]!] as const] : [])));
  }

  /** Desired distributions with adopt: true pinned to a snapshot, by the repository they serve (built once). */
  private adoptedPinnedDistributions(): Map<Address, DesiredResource[]> {
    if (this.adoptedPinned === undefined) {
      const resources = new Map(this.desired.resources.map((resource) => [resource.address, resource]));
      this.adoptedPinned = new Map();
      for (const distribution of this.desired.resources) {
        if (distribution.kind !== 'distribution' || !distribution.adopt || distribution.snapshot === undefined || distribution.refs.publication === undefined) continue;
        const repository = resources.get(distribution.refs.publication)?.refs.repository;
        if (repository !== undefined) this.adoptedPinned.set(repository, [...(this.adoptedPinned.get(repository) ?? []), distribution]);
      }
    }
    return this.adoptedPinned;
  }

  private planSync(node: Node): void {
    const { desired } = node;
    if (desired.sync === undefined || node.blocked) return;
    const recreated = node.action !== undefined && NEW.includes(node.action.type);
    const before = recreated ? undefined : (node.live?.labels[LABELS.synced] ?? node.assumedLabels?.[LABELS.synced]);
    const marker = desired.sync.marker;
    const requested = this.resync(desired.address);
    const resync = before === marker;
    if (resync && !requested) return;
    // Back to a snapshot synced before (a rollback, or forward again): its version is still there to serve.
    const recorded = before === undefined || resync ? undefined : this.recordedVersion(node, marker);
    if (recorded?.exists && !requested) return;
    const remoteAddress = desired.refs.remote;
    if (remoteAddress === undefined) {
      this.error('plan.sync_without_remote', desired, `${desired.address} asks for a sync but names no remote`, undefined, 'Name the remote to sync from.');
      return;
    }
    const remote = this.resolveRef(desired, 'remote', remoteAddress);
    if (remote === undefined) return;
    const dependsOn = [node.action?.id, this.nodes.get(remoteAddress)?.action?.id, 'after' in remote ? remote.after : undefined];
    const action: PlanAction = Object.assign(this.identity('sync', desired), {
      reason: resync || recorded?.exists
        ? `synced again from ${marker} (--resync)`
        : `synced: ${before ?? '(never)'} -> ${marker}${recorded ? ` (version ${recorded.number}, which ${marker} gave before, is gone: retention or a manual delete removed it)` : ''}`,
      changes: resync ? [] : [{ path: `/pulp_labels/${LABELS.synced}`, ...(before !== undefined ? { before } : {}), after: marker }],
      unchanged: 0,
      body: { remote: 'href' in remote ? remote.href : remote.unknown, ...desired.sync.options },
      labelsAfter: { [LABELS.synced]: marker },
      // The first action on an object carries the guard; later ones see the object it left.
      ...(node.action === undefined && node.live !== undefined ? { guard: guardOf(node.live) } : {}),
      dependsOn: [...new Set(dependsOn.filter((id): id is string => id !== undefined))].sort(),
    });
    node.sync = action;
    this.actions.push(action);
    if (before === undefined) this.planEarlierSnapshots(node, action);
  }

  /**
   * A mirror set up with production pinned to an older snapshot than development's: sync that
   * one first (the remote set to its url for that sync only), then development's, so one apply
   * converges. Only for a repository never synced: on a running mirror a pin to a snapshot never
   * synced stays an error, as it is more likely a typo than a wish.
   */
  private planEarlierSnapshots(node: Node, sync: PlanAction): void {
    const marker = node.desired.sync!.marker;
    const remote = node.desired.refs.remote === undefined ? undefined : this.nodes.get(node.desired.refs.remote);
    const url = remote?.desired.fields.url;
    if (typeof url !== 'string' || !STAMP.test(marker)) return;
    const pins = [...(this.pinsByRepository.get(node.desired.address) ?? [])]
      .filter((pin) => pin !== marker && STAMP.test(pin) && this.recordedVersion(node, pin)?.exists !== true)
      .sort();
    const trailing = new RegExp(`/${marker}/?$`);
    if (!trailing.test(url)) return;
    let previous = sync.dependsOn;
    const earlier = new Map<string, PlanAction>();
    for (const pin of pins) {
      const action: PlanAction = {
        ...sync,
        id: `sync ${node.desired.address}@${pin}`,
        reason: `synced: (never) -> ${pin} first, a snapshot a distribution is pinned to, then ${marker}`,
        changes: [{ path: `/pulp_labels/${LABELS.synced}`, after: pin }],
        labelsAfter: { [LABELS.synced]: pin },
        syncFrom: url.replace(trailing, (end) => end.replace(marker, pin)),
        dependsOn: previous,
      };
      delete action.guard;
      earlier.set(pin, action);
      this.actions.push(action);
      previous = [action.id];
    }
    if (earlier.size === 0) return;
    sync.dependsOn = [...new Set([...sync.dependsOn, ...previous])].sort();
    // The guard belongs to the first action on the repository, now the earliest sync.
    const first = earlier.get(pins[0]!)!;
    if (sync.guard !== undefined) first.guard = sync.guard;
    delete sync.guard;
    node.earlierSyncs = earlier;
  }

  // ── publications ─────────────────────────────────────────────────────────────────────────

  private planPublication(node: Node): void {
    const { desired } = node;
    const repositoryAddress = desired.refs.repository ?? desired.refs.repository_version ?? addressOf('repository', desired.plugin, desired.name);
    if (this.nodes.get(repositoryAddress)?.blocked) {
      node.blocked = true;
      return;
    }
    const version = this.resolveVersion(desired, repositoryAddress, desired.snapshot);
    if (version === undefined) {
      node.blocked = true;
      return;
    }
    const specs = FIELDS[desired.endpoint] ?? {};
    const options: JsonObject = {};
    for (const [field, value] of Object.entries(desired.fields)) {
      if (fieldUnavailable(specs[field], this.live.server.versions) === undefined) options[field] = value;
      else if (differsFromDefault(desired.endpoint, field, value)) this.diagnostics.push(unsupportedField(desired, field, value, this.live.server.versions));
    }

    let reason: string;
    if ('href' in version) {
      const candidates = (this.publicationsByVersion.get(version.href) ?? []).filter((p) => p.endpoint === desired.endpoint);
      const matching = candidates.filter((p) => Object.entries(options).every(([field, value]) => !Object.hasOwn(p.fields, field) || sameValue(desired.endpoint, field, value, p.fields[field])));
      // A duplicate appearing must not repoint distributions: the one they serve wins, else the newest.
      const chosen = newest(matching.filter((p) => this.servedPublications.has(p.href))) ?? newest(matching);
      if (chosen !== undefined) {
        node.satisfiedBy = chosen;
        if (matching.length > 1) this.duplicatePublications(desired, version.href, matching, chosen);
        return;
      }
      reason = candidates.length > 0 ? 'options changed; publications are immutable' : `no publication of version ${versionNumber(version.href) ?? version.href}`;
    } else {
      reason = version.after.startsWith('sync ')
        ? `publishes the version the sync of ${repositoryAddress} leaves`
        : `publishes the first version of the new ${repositoryAddress}`;
    }

    // Two desired publications (say development following the latest version, production
    // pinned to the snapshot that version came from) may need the same Pulp publication.
    const key = `${desired.endpoint} ${'href' in version ? version.href : version.after} ${canonicalJson(options)}`;
    const twin = this.publicationKeys.get(key);
    if (twin !== undefined) {
      node.aliasOf = twin;
      return;
    }
    this.publicationKeys.set(key, desired.address);
    node.action = this.add('create', desired, {
      changes: [
        'href' in version ? { path: '/repository_version', after: version.href } : { path: '/repository_version', unknown: true },
        ...Object.keys(options).sort().map((field) => ({ path: `/${field}`, after: options[field] ?? null })),
      ],
      unchanged: 0,
      // Omitted is null to Pulp, and 3.23 refuses an explicit null signing_service.
      body: toServerBody(desired.endpoint, {
        repository_version: 'href' in version ? version.href : version.unknown,
        ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== null)),
      }, this.capabilities),
      secrets: [],
      dependsOn: 'after' in version ? [version.after] : [],
      diagnostics: [],
    }, reason);
  }

  private duplicatePublications(desired: DesiredResource, versionHref: string, matching: LiveObject[], chosen: LiveObject): void {
    this.diagnostics.push({
      severity: 'warning',
      code: 'plan.duplicate_publications',
      summary: `${matching.length} identical publications of ${versionHref}; using ${this.servedPublications.has(chosen.href) ? 'the one a distribution serves' : 'the newest'}`,
      detail: `pulpform uses ${chosen.href} for ${desired.address}. The others: ${matching.filter((p) => p !== chosen).map((p) => p.href).join(', ')}.`,
      hint: 'Nothing to do for this plan; the extra publications can be deleted.',
      address: desired.address,
      ...(desired.source ? { source: desired.source } : {}),
    });
  }

  // ── references ───────────────────────────────────────────────────────────────────────────

  private diffContext(desired: DesiredResource, extraLabels?: Record<string, string>): DiffContext {
    return {
      stack: this.stack,
      versions: this.live.server.versions,
      capabilities: this.capabilities,
      resolveRef: (field, target) => this.resolveRef(desired, field, target),
      ...(extraLabels !== undefined ? { extraLabels } : {}),
    };
  }

  private resolveRef(referrer: DesiredResource, field: string, target: Address): RefValue | undefined {
    if (field === 'repository_version') return this.resolveVersion(referrer, target, referrer.snapshot);
    let node = this.nodes.get(target);
    if (node?.aliasOf !== undefined) node = this.nodes.get(node.aliasOf);
    const kept = field === 'publication' && node !== undefined ? this.pinnedPublication(referrer, node) : undefined;
    if (kept !== undefined) return { href: kept };
    if (node !== undefined) {
      if (node.action !== undefined && NEW.includes(node.action.type)) return { unknown: { $ref: node.desired.address }, after: node.action.id };
      if (node.desired.kind === 'publication') return node.satisfiedBy ? { href: node.satisfiedBy.href } : undefined;
      return node.live ? { href: node.live.href } : undefined;
    }
    const object = this.liveAt(target);
    if (object !== undefined) return { href: object.href };
    this.error('plan.dangling_ref', referrer, `${referrer.address}: ${field} refers to ${target}, which is neither in the desired state nor on the server`,
      undefined, `Declare ${target}, or correct the reference.`);
    return undefined;
  }

  /**
   * The repository version a publication or distribution serves: the one synced from
   * `snapshot` (recorded in the repository's `pulpform_snapshot_<stamp>` labels), else the
   * latest. Unknown until apply when a sync or create in this plan produces it.
   */
  private resolveVersion(referrer: DesiredResource, repositoryAddress: Address, snapshot: string | undefined): RefValue | undefined {
    const node = this.nodes.get(repositoryAddress);
    const action = node?.action;
    const recreated = action !== undefined && NEW.includes(action.type);
    const live = node === undefined ? this.liveAt(repositoryAddress) : recreated ? undefined : node.live;
    const unknown: HrefRef = { $ref: repositoryAddress, output: 'version', ...(snapshot !== undefined ? { snapshot } : {}) };
    const sync = node?.sync;
    if (snapshot !== undefined) {
      if (sync !== undefined && node?.desired.sync?.marker === snapshot) return { unknown, after: sync.id };
      const earlier = node?.earlierSyncs?.get(snapshot);
      if (earlier !== undefined) return { unknown, after: earlier.id };
      const labels = { ...live?.labels, ...node?.assumedLabels };
      // Following the repository: what its last sync of this snapshot left (a --resync may have made a newer version).
      const follows = referrer.followsSync === true || this.followedPublications.has(referrer.address);
      const last = labels[LABELS.syncedVersion];
      if (follows && live !== undefined && labels[LABELS.synced] === snapshot && last !== undefined && this.knownVersions.has(`${live.href}versions/${last}/`)) {
        return { href: `${live.href}versions/${last}/` };
      }
      const number = labels[`${LABELS.snapshotPrefix}${snapshot}`];
      if (live !== undefined && number !== undefined) return { href: `${live.href}versions/${number}/` };
      const recorded = Object.keys(labels).filter((key) => key.startsWith(LABELS.snapshotPrefix)).map((key) => key.slice(LABELS.snapshotPrefix.length)).sort();
      this.error('plan.snapshot_not_synced', referrer, `${referrer.address} serves snapshot ${snapshot}, which ${repositoryAddress} has not been synced from`,
        `Snapshots synced into ${repositoryAddress}: ${recorded.length > 0 ? recorded.join(', ') : '(none recorded)'}.${node?.desired.sync ? ` It is being synced from ${node.desired.sync.marker}.` : ''}`,
        `Pin a snapshot that has been synced, or sync ${snapshot} first (set the repository's snapshot to it and apply).`);
      return undefined;
    }
    if (sync !== undefined) return { unknown, after: sync.id };
    if (recreated) return { unknown, after: action.id };
    if (live?.versionHref !== undefined) return { href: live.versionHref };
    this.error('plan.dangling_ref', referrer, `${referrer.address} refers to ${repositoryAddress}, which has no repository version on the server`,
      undefined, `Declare ${repositoryAddress}, or correct the reference.`);
    return undefined;
  }

  private liveAt(address: Address): LiveObject | undefined {
    let parsed: ReturnType<typeof parseAddress>;
    try {
      parsed = parseAddress(address);
    } catch {
      return undefined;
    }
    return parsed.kind === 'publication' ? undefined : this.liveNamed.get(namedKey(parsed.kind, parsed.name));
  }

  // ── deletes ──────────────────────────────────────────────────────────────────────────────

  private planDeletes(): void {
    const desiredNames = new Set(this.desired.resources.map((resource) => namedKey(resource.kind, resource.name)));
    // An object a desired resource still points at stays, declared or not.
    const referenced = new Set(this.desired.resources.flatMap((resource) => Object.values(resource.refs)));
    const orphans = [...this.liveNamed.values()]
      .filter((object) => !desiredNames.has(namedKey(object.kind, object.name)) && !referenced.has(object.address) && object.labels[LABELS.stack] === this.stack)
      .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : byHref(a, b)));
    if (!this.options.prune) {
      for (const object of orphans) {
        this.diagnostics.push({
          severity: 'warning',
          code: 'plan.not_desired',
          summary: `${object.address} is not in the desired state`,
          detail: `It carries this stack's label (pulpform_stack=${this.stack}) but no file declares it, so it is left as it is.`,
          hint: 'Run with --prune to delete it, or declare it again.',
          address: object.address,
        });
      }
      return;
    }
    const deletes = orphans.map((object) => this.deleteAction(object));
    this.actions.push(...deletes);
    // Whatever points at an object goes (or is repointed) first: distributions before the
    // repositories they serve, repositories before their remotes.
    const actionOn = this.actionsByLiveHref();
    const deleteOf = new Map(deletes.map((action) => [action.guard?.href, action]));
    for (const object of this.liveByHref.values()) {
      const id = actionOn.get(object.href)?.id;
      if (id === undefined) continue;
      for (const href of this.referencesOf(object)) {
        const target = deleteOf.get(href);
        if (target !== undefined && target.id !== id) target.dependsOn.push(id);
      }
    }
    for (const action of deletes) action.dependsOn.sort();
  }

  private deleteAction(object: LiveObject): PlanAction {
    const notes = ['not in the desired state (--prune)'];
    if (object.kind === 'repository') {
      const publications = [...this.publicationsByVersion.entries()].filter(([version]) => version.startsWith(object.href)).reduce((n, [, list]) => n + list.length, 0);
      notes.push(publications === 0 ? 'its repository versions are deleted with it'
        : `its repository versions and ${publications} publication${publications === 1 ? '' : 's'} are deleted with it`);
    }
    const basePath = object.fields.base_path;
    if (object.kind === 'distribution' && typeof basePath === 'string') notes.push(`${basePath} stops being served`);
    const specs = FIELDS[object.endpoint] ?? {};
    return {
      id: `delete ${object.address}`,
      type: 'delete',
      address: object.address,
      kind: object.kind,
      plugin: object.plugin,
      name: object.name,
      endpoint: object.endpoint,
      reason: notes.join('; '),
      changes: Object.keys(object.fields).sort()
        .filter((field) => !sameValue(object.endpoint, field, object.fields[field], specs[field]?.default ?? null))
        .map((field) => ({ path: `/${field}`, before: object.fields[field] ?? null })),
      unchanged: 0,
      guard: guardOf(object),
      dependsOn: [],
    };
  }

  /** The first action on each live object, by href. */
  private actionsByLiveHref(): Map<string, PlanAction> {
    const map = new Map<string, PlanAction>();
    for (const action of this.actions) if (action.guard !== undefined && !map.has(action.guard.href)) map.set(action.guard.href, action);
    return map;
  }

  /**
   * Pulp refuses a base_path that equals or nests with another distribution's. A distribution
   * taking a path another one leaves waits for that one to be deleted or moved; a path held
   * by a distribution that stays is an error now rather than a failed apply.
   */
  private orderBasePaths(): void {
    const actionOn = this.actionsByLiveHref();
    const distributions = [...this.liveByHref.values()].filter((object) => object.kind === 'distribution' && typeof object.fields.base_path === 'string');
    for (const action of this.actions) {
      const basePath = action.body?.base_path;
      if (action.kind !== 'distribution' || action.type === 'delete' || typeof basePath !== 'string') continue;
      for (const holder of distributions) {
        const held = holder.fields.base_path as string;
        if (holder.href === action.guard?.href || !basePathsOverlap(held, basePath)) continue;
        const push = this.pushHolder(holder);
        if (push !== undefined) {
          const removal = this.replacePush(holder);
          if (removal !== undefined && !action.dependsOn.includes(removal.id)) action.dependsOn.push(removal.id);
          const desired = this.nodes.get(action.address)?.desired;
          if (removal === undefined && desired !== undefined) this.pushConflict(desired, `base_path ${basePath}`, push.repository, holder);
          continue;
        }
        const leaving = actionOn.get(holder.href);
        const moves = leaving !== undefined && (leaving.type === 'delete' || leaving.type === 'replace'
          || (typeof leaving.body?.base_path === 'string' && !basePathsOverlap(leaving.body.base_path, basePath)));
        if (leaving !== undefined && moves) {
          if (!action.dependsOn.includes(leaving.id)) action.dependsOn.push(leaving.id);
          continue;
        }
        const orphan = holder.labels[LABELS.stack] === this.stack && !this.desired.resources.some((r) => r.kind === 'distribution' && r.name === holder.name);
        const desired = this.nodes.get(action.address)?.desired;
        this.diagnostics.push({
          severity: 'error',
          code: 'plan.base_path_taken',
          summary: `${action.address}: base_path ${basePath} overlaps ${holder.address} (${held})`,
          detail: `Pulp refuses two distributions whose base paths are equal or nested.${orphan ? ` ${holder.address} is not in the desired state but is only deleted with --prune.` : ''}`,
          hint: orphan ? 'Run with --prune to delete it first, or choose another base_path.' : `Choose another base_path, or move or delete ${holder.address} first.`,
          address: action.address,
          ...(desired?.source ? { source: desired.source } : {}),
        });
      }
    }
  }

  /** Hrefs an object points at, with publications and versions counted as their repository. */
  private referencesOf(object: LiveObject): Set<string> {
    const hrefs = new Set<string>();
    for (const value of Object.values(object.fields)) {
      if (typeof value !== 'string') continue;
      hrefs.add(value);
      const versionHref = this.liveByHref.get(value)?.versionHref ?? (versionNumber(value) !== undefined ? value : undefined);
      if (versionHref !== undefined) hrefs.add(repositoryHrefOf(versionHref));
    }
    return hrefs;
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────

  private identity(type: ActionType, desired: DesiredResource): Pick<PlanAction, 'id' | 'type' | 'address' | 'kind' | 'plugin' | 'name' | 'endpoint' | 'source'> {
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

  private add(type: ActionType, desired: DesiredResource, diff: Omit<ResourceDiff, 'createOnlyChanged' | 'notes'>, reason: string, live?: LiveObject): PlanAction {
    this.diagnostics.push(...diff.diagnostics);
    const named = desired.kind !== 'publication' && NEW.includes(type);
    const action: PlanAction = Object.assign(this.identity(type, desired), {
      reason,
      changes: diff.changes,
      unchanged: diff.unchanged,
      body: named ? Object.assign({ name: desired.name }, diff.body) : diff.body,
      ...(diff.secrets.length > 0 ? { secrets: diff.secrets } : {}),
      ...(live !== undefined ? { guard: guardOf(live) } : {}),
      dependsOn: [...new Set(diff.dependsOn)].sort(),
    });
    this.actions.push(action);
    return action;
  }

  private error(code: string, desired: DesiredResource, summary: string, detail: string | undefined, hint: string): void {
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

function basePathsOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/** Newest `pulp_created`, then the greatest href: the same choice on every run. */
function newest(publications: LiveObject[]): LiveObject | undefined {
  const created = (p: LiveObject): string => (typeof p.raw.pulp_created === 'string' ? p.raw.pulp_created : '');
  return [...publications].sort((a, b) => (created(a) !== created(b) ? (created(a) < created(b) ? 1 : -1) : -byHref(a, b)))[0];
}

const PLURAL: Record<Kind, string> = { remote: 'remotes', repository: 'repositories', publication: 'publications', distribution: 'distributions' };

/** --prune must not empty a kind just because the desired state lost all of it (a wrong -f, an empty file). */
function pruneAllGuard(desired: DesiredState, actions: PlanAction[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const kind of KINDS) {
    const deletes = actions.filter((action) => action.type === 'delete' && action.kind === kind);
    if (deletes.length === 0 || desired.resources.some((resource) => resource.kind === kind)) continue;
    diagnostics.push({
      severity: 'error',
      code: 'plan.prune_all',
      summary: `Refusing to delete ${deletes.length === 1 ? 'the only' : `all ${deletes.length}`} ${deletes.length === 1 ? kind : PLURAL[kind]} of stack "${desired.stack}"`,
      detail: `The desired state declares no ${kind}, so --prune would delete every one this stack manages:\n${deletes.map((action) => action.address).join('\n')}`,
      hint: 'Check that -f points at the right files; if deleting them all is intended, add --allow-delete-all.',
    });
  }
  return diagnostics;
}
