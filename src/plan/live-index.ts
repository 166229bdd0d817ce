import { parseAddress, type Address, type Kind, type LiveObject, type LiveState } from '../model/index.js';
import { PUSH_REPOSITORY_ENDPOINT } from '../model/fields.js';

/** `{repo}versions/{n}/` → n. */
export function versionNumber(href: string | undefined): number | undefined {
  const match = href === undefined ? null : /\/versions\/(\d+)\/$/.exec(href);
  return match ? Number(match[1]) : undefined;
}

export function repositoryHrefOf(versionHref: string): string {
  return versionHref.replace(/versions\/\d+\/$/, '');
}

export function byHref(a: LiveObject, b: LiveObject): number {
  return a.href < b.href ? -1 : a.href > b.href ? 1 : 0;
}

export function namedKey(kind: Kind, name: string): string {
  return `${kind}\u0000${name}`;
}

/** The server's objects as the planner looks them up, built once per plan. Every map iterates in href order. */
export class LiveIndex {
  /** Remotes, repositories and distributions by kind and name (`namedKey`): the first by href when a name repeats across types. */
  readonly named = new Map<string, LiveObject>();
  readonly byHref = new Map<string, LiveObject>();
  readonly publicationsByVersion = new Map<string, LiveObject[]>();
  /** Publications live distributions serve, by href. */
  readonly servedPublications = new Set<string>();
  /** Repository versions known to exist: latest ones, published ones, and all when they were listed. */
  readonly knownVersions = new Set<string>();
  /** Push repository href → the container distribution serving it (what `docker push` made). */
  readonly pushDistributions = new Map<string, LiveObject>();

  constructor(live: LiveState) {
    for (const object of [...live.objects].sort(byHref)) {
      this.byHref.set(object.href, object);
      if (object.kind === 'publication') {
        if (object.versionHref === undefined) continue;
        const list = this.publicationsByVersion.get(object.versionHref) ?? [];
        list.push(object);
        this.publicationsByVersion.set(object.versionHref, list);
      } else if (!this.named.has(namedKey(object.kind, object.name))) {
        this.named.set(namedKey(object.kind, object.name), object);
      }
    }
    for (const version of live.versions ?? []) this.knownVersions.add(version.href);
    for (const object of this.byHref.values()) {
      if (object.versionHref !== undefined) this.knownVersions.add(object.versionHref);
      if (object.kind === 'distribution' && typeof object.fields.publication === 'string')
        this.servedPublications.add(object.fields.publication);
      const repository = object.kind === 'distribution' ? this.byHref.get(String(object.fields.repository)) : undefined;
      if (repository?.endpoint === PUSH_REPOSITORY_ENDPOINT) this.pushDistributions.set(repository.href, object);
    }
  }

  get(kind: Kind, name: string): LiveObject | undefined {
    return this.named.get(namedKey(kind, name));
  }

  /** The live object a desired address names; publications have no name to find them by. */
  at(address: Address): LiveObject | undefined {
    let parsed: ReturnType<typeof parseAddress>;
    try {
      parsed = parseAddress(address);
    } catch {
      return undefined;
    }
    return parsed.kind === 'publication' ? undefined : this.get(parsed.kind, parsed.name);
  }
}
