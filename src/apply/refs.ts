import { LABELS } from '../model/labels.js';
import type { JsonObject } from '../model/json.js';
import { type BodyValue, type HrefRef, isHrefRef } from '../model/plan.js';
import { type Address, addressOf, type LiveObject, type LiveState, parseAddress } from '../model/resource.js';
import { PulpformError } from '../model/errors.js';

/** An action cannot go ahead; `code` is stable for machines, the message says what and how to fix it. */
export class ApplyStepError extends PulpformError {
  readonly code: string;
  override readonly hint: string | undefined;

  constructor(code: string, message: string, hint?: string) {
    super(message);
    this.name = 'ApplyStepError';
    this.code = code;
    this.hint = hint;
  }
}

interface SyncOutcome {
  versionHref: string;
  /** Labels written after the sync (`pulpform_synced`, snapshot records). */
  labels: Record<string, string>;
  /** Whether the sync made `versionHref` (rather than finding nothing new). */
  newVersion: boolean;
}

/**
 * What this apply has done so far, plus the live state it started from: the source of the hrefs
 * that HrefRefs stand for. Created objects win over live ones (a replaced object's old href is
 * gone), and a sync's resulting version wins over the version the plan saw.
 */
export class RunState {
  readonly #created = new Map<Address, JsonObject>();
  readonly #synced = new Map<Address, SyncOutcome>();
  /** Repository → snapshot → the version its sync in this run left (a new mirror may sync two). */
  readonly #snapshots = new Map<Address, Map<string, string>>();
  readonly #live = new Map<Address, LiveObject[]>();

  constructor(live: LiveState | undefined) {
    for (const object of live?.objects ?? []) {
      const list = this.#live.get(object.address) ?? [];
      list.push(object);
      this.#live.set(object.address, list);
    }
  }

  recordCreated(address: Address, object: JsonObject): void {
    this.#created.set(address, object);
  }

  recordSync(address: Address, outcome: SyncOutcome): void {
    this.#synced.set(address, outcome);
    const marker = outcome.labels[LABELS.synced];
    if (marker !== undefined) this.#snapshots.set(address, (this.#snapshots.get(address) ?? new Map()).set(marker, outcome.versionHref));
  }

  /** Whether a sync in this run made `versionHref`. */
  syncMadeVersion(versionHref: string): boolean {
    return [...this.#synced.values()].some((outcome) => outcome.newVersion && outcome.versionHref === versionHref);
  }

  /** The href an action on `address` acts on: created in this run, else the one the plan saw, else the live one. */
  targetHref(address: Address, planned: string | undefined): string {
    const created = this.#created.get(address)?.['pulp_href'];
    if (typeof created === 'string') return created;
    if (planned) return planned;
    const live = this.#live.get(address)?.[0];
    if (live) return live.href;
    throw new ApplyStepError('apply.unresolved_ref', `${address} is not on the server and was not created by this apply`, 'run plan again');
  }

  /** The href of the object the plan saw at `address` (for deletes: never one this run created). */
  liveHref(address: Address, planned: string | undefined): string {
    const href = planned ?? this.#live.get(address)?.[0]?.href;
    if (href) return href;
    throw new ApplyStepError('apply.unresolved_ref', `${address} is not on the server`, 'run plan again');
  }

  /** The body with every HrefRef replaced by the href it stands for. */
  resolveBody(body: { [key: string]: BodyValue }): JsonObject {
    return this.#resolve(body) as JsonObject;
  }

  #resolve(value: BodyValue): BodyValue {
    if (isHrefRef(value)) return this.resolveRef(value);
    if (Array.isArray(value)) return value.map((item) => this.#resolve(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.#resolve(item)]));
    }
    return value;
  }

  resolveRef(ref: HrefRef): string {
    if ((ref.output ?? 'href') === 'version') return this.#versionOf(ref.$ref, ref.snapshot);
    const created = this.#created.get(ref.$ref)?.['pulp_href'];
    if (typeof created === 'string') return created;
    if (parseAddress(ref.$ref).kind === 'publication') return this.#livePublication(ref.$ref);
    const live = this.#live.get(ref.$ref)?.[0];
    if (live) return live.href;
    throw new ApplyStepError(
      'apply.unresolved_ref',
      `${ref.$ref} is referenced but is not on the server and was not created by this apply`,
      'run plan again',
    );
  }

  /** The repository version a sync in this run left, else the one synced from `snapshot`, else the latest. */
  #versionOf(repository: Address, snapshot: string | undefined): string {
    const synced = snapshot === undefined ? this.#synced.get(repository)?.versionHref : this.#snapshots.get(repository)?.get(snapshot);
    if (synced !== undefined) return synced;
    const created = this.#created.get(repository);
    // A repository re-created in this run has none of the old one's versions.
    const live = created ? undefined : this.#live.get(repository)?.[0];
    if (snapshot !== undefined) {
      const number = live?.labels[`${LABELS.snapshotPrefix}${snapshot}`];
      if (live && number !== undefined && /^\d+$/.test(number)) return `${live.href}versions/${number}/`;
      throw new ApplyStepError(
        'apply.unresolved_ref',
        `${repository} has no version synced from snapshot ${snapshot}`,
        'sync that snapshot first (pin the repository to it), or serve a snapshot it already has',
      );
    }
    const createdVersion = created?.['latest_version_href'];
    if (typeof createdVersion === 'string') return createdVersion;
    if (live?.versionHref) return live.versionHref;
    throw new ApplyStepError('apply.unresolved_ref', `${repository} has no known latest version`, 'run plan again');
  }

  /** A live publication for `publication/<plugin>/<repository>[@<snapshot>]`: the newest of the version it should serve. */
  #livePublication(address: Address): string {
    const { plugin, name } = parseAddress(address);
    const at = name.lastIndexOf('@');
    const exact = this.#live.has(address) || at < 0;
    const repositoryName = exact ? name : name.slice(0, at);
    const snapshot = exact ? undefined : name.slice(at + 1);
    const version = this.#versionOf(addressOf('repository', plugin, repositoryName), snapshot);
    const candidates = (this.#live.get(addressOf('publication', plugin, repositoryName)) ?? []).filter((p) => p.versionHref === version);
    const newest = candidates.sort(
      (a, b) => String(b.raw['pulp_created']).localeCompare(String(a.raw['pulp_created'])) || a.href.localeCompare(b.href),
    )[0];
    if (newest) return newest.href;
    throw new ApplyStepError(
      'apply.unresolved_ref',
      `there is no publication of ${version} for ${address}`,
      'run plan again: it will publish that version',
    );
  }
}
