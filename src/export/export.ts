import { Document, isMap, isScalar, type Pair, type YAMLMap } from 'yaml';
import { differsFromDefault } from '../diff/values.js';
import { FIELDS, LABELS, type Diagnostic, type Kind, type LiveObject, type LiveState } from '../model/index.js';
import { PUSH_REPOSITORY_ENDPOINT } from '../model/fields.js';
import { parseSelectors, selectorMatches } from '../model/selectors.js';
import { leftOutDiagnostic } from './live-objects.js';
import { exportMirrors } from './mirrors.js';
import { DEFAULT_STACK } from '../config/load.js';
import { isWrittenField } from '../config/schema.js';

export interface ExportOptions {
  /** The stack the export is for; default: the one stack found on the server's labels, else "default". */
  stack?: string;
  /** `--select`: only matching objects (selectors as for --only), plus what they refer to. */
  select?: string;
}

export interface ExportResult {
  /** Low-level desired-state YAML that adopts the exported objects without changing them. */
  yaml: string;
  stack: string;
  /** How many objects the YAML declares. */
  count: number;
  /** Environment variables the YAML reads: the write-only values Pulp holds but never returns. */
  env: string[];
  /** What was left out, and why. */
  diagnostics: Diagnostic[];
}

type Item = Record<string, unknown>;

const SECTION: Record<Kind, string> = {
  remote: 'remotes',
  repository: 'repositories',
  publication: 'publications',
  distribution: 'distributions',
};

/**
 * The live objects as low-level desired state that pulpform can adopt without changing
 * anything but labels: every field that differs from Pulp's default, references by name,
 * `adopt: true` on objects without pulpform labels, write-only values as `${env:...}`
 * placeholders. Pure: the caller reads the server and writes the text.
 */
export function exportDesiredState(live: LiveState, options: ExportOptions = {}): ExportResult {
  return new Exporter(live, options).run();
}

class Exporter {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly byHref = new Map<string, LiveObject>();
  private readonly env = new Set<string>();
  /** Line comments for values of the YAML: item → field → comment. */
  private readonly comments = new Map<Item, Map<string, string>>();
  private readonly stack: string;

  constructor(
    private readonly live: LiveState,
    private readonly options: ExportOptions,
  ) {
    for (const object of live.objects) this.byHref.set(object.href, object);
    this.stack = options.stack ?? this.stackOnServer();
  }

  run(): ExportResult {
    const selection = this.options.select === undefined ? undefined : this.selectors();
    const candidates = this.live.objects.filter((object) => this.exportable(object, selection));
    const chosen = selection === undefined ? candidates : this.withReferences(candidates.filter(selection), candidates);
    // Release Train shapes first (they carry the pins the server records); the rest low-level.
    const mirrors = exportMirrors({ objects: candidates, byHref: this.byHref, wanted: new Set(chosen), secretVariable });
    this.diagnostics.push(...mirrors.diagnostics);
    for (const variable of mirrors.env) this.env.add(variable);
    const rest = chosen.filter((object) => !mirrors.covered.has(object) && !mirrors.declined.has(object));
    const items: Record<Kind, Item[]> = { remote: [], repository: [], publication: [], distribution: [] };
    const distributions = rest.filter((object) => object.kind === 'distribution').sort(byName);
    const published = new Map<string, LiveObject>();
    const exported = new Set([...rest, ...mirrors.covered]);
    for (const object of distributions) {
      const item = this.distribution(object, published, exported);
      if (item !== undefined) items.distribution.push(item);
    }
    for (const object of rest.filter((o) => o.kind === 'remote').sort(byName)) items.remote.push(this.remote(object));
    for (const object of rest.filter((o) => o.kind === 'repository').sort(byName)) items.repository.push(this.repository(object));
    for (const [repository, publication] of [...published].sort(([a], [b]) => compare(a, b)))
      items.publication.push(this.publication(repository, publication));

    const high = { upstreams: mirrors.upstreams, package_mirrors: mirrors.packageMirrors, container_mirrors: mirrors.containerMirrors };
    const mirrorObjects = mirrors.covered.size + mirrors.publications;
    const count = Object.values(items).reduce((sum, list) => sum + list.length, 0) + mirrorObjects;
    return { yaml: this.render(items, high), stack: this.stack, count, env: [...this.env].sort(), diagnostics: this.diagnostics };
  }

  // ── what is exported ────────────────────────────────────────────────────────────────────

  private stackOnServer(): string {
    const stacks = [
      ...new Set(this.live.objects.map((object) => object.labels[LABELS.stack]).filter((stack): stack is string => stack !== undefined)),
    ].sort();
    if (stacks.length > 1) {
      this.diagnostics.push({
        severity: 'warning',
        code: 'export.several_stacks',
        summary: `The server holds objects of ${stacks.length} stacks (${stacks.join(', ')}); exporting for "${stacks[0]}"`,
        detail: 'Objects labelled for another stack are left out: they belong to another desired state.',
        hint: 'Choose the stack with --stack NAME.',
      });
    }
    return stacks[0] ?? DEFAULT_STACK;
  }

  /** Named objects a desired state can declare, unless another stack manages them (said only of selected ones). */
  private exportable(object: LiveObject, selection: ((object: LiveObject) => boolean) | undefined): boolean {
    if (object.kind === 'publication' || object.endpoint === PUSH_REPOSITORY_ENDPOINT) return false;
    const owner = object.labels[LABELS.stack];
    if (owner === undefined || owner === this.stack) return true;
    if (selection === undefined || selection(object))
      this.leftOut(object, `it is managed by stack "${owner}"`, `Export with --stack ${owner} for that desired state.`);
    return false;
  }

  private selectors(): (object: LiveObject) => boolean {
    const { selectors, diagnostics } = parseSelectors(this.options.select as string, '--select');
    this.diagnostics.push(...diagnostics);
    return (object) => selectors.some((selector) => selectorMatches(selector, object.address));
  }

  /** The selected objects and, transitively, what they refer to, so that the export loads on its own. */
  private withReferences(selected: LiveObject[], candidates: LiveObject[]): LiveObject[] {
    const allowed = new Set(candidates);
    const result = new Set<LiveObject>();
    const visit = (object: LiveObject | undefined): void => {
      if (object === undefined || !allowed.has(object) || result.has(object)) return;
      result.add(object);
      for (const value of Object.values(object.fields)) {
        if (typeof value !== 'string') continue;
        const target = this.byHref.get(value);
        visit(target?.kind === 'publication' ? this.repositoryOfVersion(target.versionHref) : target);
      }
    };
    selected.forEach(visit);
    return candidates.filter((object) => result.has(object));
  }

  private remote(object: LiveObject): Item {
    const item = this.named(object);
    for (const [field, spec] of Object.entries(FIELDS[object.endpoint] ?? {})) {
      if (!spec.secret || object.secretsSet[field] !== true) continue;
      const variable = secretVariable(object, field);
      this.env.add(variable);
      item[field] = `\${env:${variable}}`;
      this.comment(item, field, 'write-only: Pulp holds it but never returns it; sent again only when secret_version changes');
    }
    return this.owned(object, item);
  }

  private repository(object: LiveObject): Item {
    const item = this.named(object);
    const remote = this.nameAt(object.fields.remote);
    if (remote !== undefined) {
      item.remote = remote;
      // Adopted with content, it counts as synced from its remote's URL; an empty one would be synced at once.
      if (versionNumber(object.versionHref) > 0) item.sync = true;
      else this.comment(item, 'remote', 'never synced: add "sync: true" to sync it from this remote');
    }
    return this.owned(object, item);
  }

  private publication(repository: string, object: LiveObject): Item {
    const item: Item = { repository };
    if (object.endpoint === 'publications/deb/verbatim') item.verbatim = true;
    Object.assign(item, this.fields(object));
    return item;
  }

  /** The distribution, or undefined when it serves what a low-level desired state cannot pin. */
  private distribution(object: LiveObject, published: Map<string, LiveObject>, exported: ReadonlySet<LiveObject>): Item | undefined {
    const item = this.named(object);
    const publication = typeof object.fields.publication === 'string' ? this.byHref.get(object.fields.publication) : undefined;
    if (typeof object.fields.repository_version === 'string') {
      this.leftOut(
        object,
        `it serves the repository version ${object.fields.repository_version}, which the desired state cannot pin`,
        'Serve the repository instead (repository: NAME), then export again.',
      );
      return undefined;
    }
    if (publication !== undefined) {
      const owner = this.repositoryOfVersion(publication.versionHref);
      if (owner === undefined || !exported.has(owner)) {
        this.leftOut(
          object,
          `it serves a publication of a repository that is not exported (${publication.href})`,
          'Export that repository too, or serve another publication.',
        );
        return undefined;
      }
      if (owner.versionHref !== publication.versionHref) {
        this.leftOut(
          object,
          `it serves a publication of version ${versionNumber(publication.versionHref)} of "${owner.name}", not of its latest version (${versionNumber(owner.versionHref)})`,
          "A low-level distribution would be repointed to the latest version's publication. Declare the repository as a package mirror instead, this distribution pinned to the snapshot it serves, with adopt: true: the version it serves is taken as that snapshot and nothing is repointed.",
        );
        return undefined;
      }
      const other = published.get(owner.name);
      if (
        other !== undefined &&
        other.href !== publication.href &&
        (other.endpoint !== publication.endpoint || JSON.stringify(this.fields(other)) !== JSON.stringify(this.fields(publication)))
      ) {
        this.leftOut(
          object,
          `it serves another publication of "${owner.name}" than one already exported (${other.href})`,
          'pulpform declares one publication per repository: point both distributions at the same one first.',
        );
        return undefined;
      }
      if (other === undefined) published.set(owner.name, publication);
      item.publication = owner.name;
    } else if (typeof object.fields.repository === 'string') {
      const served = this.byHref.get(object.fields.repository);
      if (served === undefined || !exported.has(served)) {
        this.leftOut(object, `it serves a repository that is not exported (${object.fields.repository})`, 'Export that repository too.');
        return undefined;
      }
      item.repository = served.name;
    }
    return this.owned(object, item);
  }

  // ── fields ──────────────────────────────────────────────────────────────────────────────

  private named(object: LiveObject): Item {
    return { name: object.name, type: object.plugin, ...this.fields(object) };
  }

  /** Every field written under its Pulp name whose value is not Pulp's default (fields without a known default stay unmanaged). */
  private fields(object: LiveObject): Item {
    const fields: Item = {};
    for (const [field, spec] of Object.entries(FIELDS[object.endpoint] ?? {})) {
      if (spec.secret || !isWrittenField(spec) || !Object.hasOwn(object.fields, field)) continue;
      const value = object.fields[field];
      const unmanaged = spec.default === undefined && !spec.required;
      if (value !== undefined && !unmanaged && (spec.required || differsFromDefault(object.endpoint, field, value))) fields[field] = value;
    }
    return fields;
  }

  private owned(object: LiveObject, item: Item): Item {
    const labels = Object.fromEntries(
      Object.entries(object.labels)
        .filter(([key]) => !key.startsWith('pulpform_'))
        .sort(([a], [b]) => compare(a, b)),
    );
    if (Object.keys(labels).length > 0) item.labels = labels;
    if (object.labels[LABELS.stack] === undefined) item.adopt = true;
    return item;
  }

  private nameAt(href: unknown): string | undefined {
    return typeof href === 'string' ? this.byHref.get(href)?.name : undefined;
  }

  private repositoryOfVersion(versionHref: string | undefined): LiveObject | undefined {
    return versionHref === undefined ? undefined : this.byHref.get(versionHref.replace(/versions\/\d+\/$/, ''));
  }

  private comment(item: Item, field: string, text: string): void {
    const comments = this.comments.get(item) ?? new Map<string, string>();
    comments.set(field, text);
    this.comments.set(item, comments);
  }

  private leftOut(object: LiveObject, why: string, hint: string): void {
    this.diagnostics.push(leftOutDiagnostic(object, why, hint));
  }

  // ── text ────────────────────────────────────────────────────────────────────────────────

  private render(items: Record<Kind, Item[]>, high: Record<string, Item[]>): string {
    const data: Item = { stack: this.stack };
    for (const [section, list] of Object.entries(high)) if (list.length > 0) data[section] = list;
    for (const kind of ['remote', 'repository', 'publication', 'distribution'] as const)
      if (items[kind].length > 0) data[SECTION[kind]] = items[kind];
    const doc = new Document(data);
    for (const kind of ['remote', 'repository', 'distribution'] as const) {
      const list = doc.get(SECTION[kind]);
      if (!isCollection(list)) continue;
      items[kind].forEach((item, index) => {
        const comments = this.comments.get(item);
        const node = list.items[index];
        if (comments === undefined || !isMap(node)) return;
        for (const pair of (node as YAMLMap).items as Pair[]) {
          const text = isScalar(pair.key) ? comments.get(String(pair.key.value)) : undefined;
          if (text !== undefined && isScalar(pair.value)) pair.value.comment = ` ${text}`;
        }
      });
    }
    doc.commentBefore = [
      ` Exported by pulpform from ${this.live.server.url} (${Object.entries(this.live.server.versions)
        .sort(([a], [b]) => compare(a, b))
        .map(([c, v]) => `${c} ${v}`)
        .join(', ')}).`,
      ' Applying it adopts these objects (adopt: true) and changes nothing but their labels; a stack pulpform built plans no change.',
      ...(this.env.size > 0 ? [` Write-only values Pulp holds are read from the environment: ${[...this.env].sort().join(', ')}.`] : []),
      ...this.diagnostics
        .filter((d) => d.code === 'export.left_out')
        .map((d) => ` Left out: ${d.summary.replace(/ is not exported: /, ': ')}`),
    ].join('\n');
    return doc.toString({ lineWidth: 0 });
  }
}

function isCollection(node: unknown): node is { items: unknown[] } {
  return typeof node === 'object' && node !== null && Array.isArray((node as { items?: unknown }).items);
}

function byName(a: LiveObject, b: LiveObject): number {
  return compare(a.name, b.name);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function versionNumber(href: string | undefined): number {
  const match = href === undefined ? null : /\/versions\/(\d+)\/$/.exec(href);
  return match ? Number(match[1]) : 0;
}

/**
 * `ARK_STACKHPC_COM_PASSWORD` for a password of a remote of https://ark.stackhpc.com/...:
 * named after the URL's host, on the assumption that remotes of one upstream share credentials.
 */
function secretVariable(remote: LiveObject, field: string): string {
  let host = 'REMOTE';
  try {
    host = new URL(String(remote.fields.url)).host;
  } catch {
    // Keep the generic name.
  }
  const name = `${host}_${field}`
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return /^[0-9]/.test(name) ? `HOST_${name}` : name;
}
