import { differsFromDefault } from '../diff/values.js';
import { FIELDS, LABELS, STAMP, type Diagnostic, type LiveObject } from '../model/index.js';

// What single live objects say about the mirror they may belong to: pure readings the exporter combines.

export type Item = Record<string, unknown>;

const CONTENT_PATH = '/pulp/content/';

/** The warning for a live object export leaves out, and why. */
export function leftOutDiagnostic(object: LiveObject, why: string, hint: string): Diagnostic {
  return {
    severity: 'warning',
    code: 'export.left_out',
    summary: `${object.address} is not exported: ${why}`,
    detail: 'It stays on the server as it is, unmanaged: pulpform neither changes nor deletes it.',
    hint,
    address: object.address,
  };
}

export interface ImageExport {
  group: Item;
  image: string | Item;
}

/** Images with the same upstream, namespace, policy, tag filters and ownership share one container mirror. */
export function groupImages(images: ImageExport[]): Item[] {
  const groups = new Map<string, Item & { images: Array<string | Item> }>();
  for (const { group, image } of images) {
    const key = JSON.stringify(group);
    const existing = groups.get(key) ?? { ...group, images: [] };
    existing.images.push(image);
    groups.set(key, existing);
  }
  return [...groups.values()].map((group) => {
    const { images, labels, adopt, ...rest } = group;
    return { ...rest, images, ...(labels !== undefined ? { labels } : {}), ...(adopt !== undefined ? { adopt } : {}) };
  });
}

/** `<origin>/pulp/content/<path>[/<snapshot>]`, or undefined for another shape. */
export function splitContentUrl(url: string): { origin: string; path: string; snapshot?: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.search !== '' || parsed.hash !== '' || !parsed.pathname.startsWith(CONTENT_PATH)) return undefined;
  const segments = parsed.pathname
    .slice(CONTENT_PATH.length)
    .split('/')
    .filter((segment) => segment !== '');
  const last = segments.at(-1);
  const snapshot = last !== undefined && STAMP.test(last) ? last : undefined;
  const path = (snapshot === undefined ? segments : segments.slice(0, -1)).join('/');
  // A snapshot URL has no trailing slash as package mirrors write it; another form would read back as a change.
  const written = `${parsed.origin}${CONTENT_PATH}${path}${snapshot === undefined ? '/' : `/${snapshot}`}`;
  return path === '' || written !== url ? undefined : { origin: parsed.origin, path, ...(snapshot !== undefined ? { snapshot } : {}) };
}

/**
 * Whether a repository pulpform manages was built by a mirror (its sync marker has the mirror's
 * form), not low-level objects that happen to fit the shape: exported as a mirror, those would
 * read back with another marker, and sync. Objects pulpform does not manage yet fit as they are.
 */
export function builtAsMirror(repository: LiveObject, mirrorMarker: (marker: string) => boolean): boolean {
  const marker = repository.labels[LABELS.synced];
  return repository.labels[LABELS.stack] === undefined || marker === undefined || mirrorMarker(marker);
}

/** Whether every managed field with a known default, other than `except`, has it. */
export function defaultsExcept(object: LiveObject, except: ReadonlySet<string>): boolean {
  return Object.entries(FIELDS[object.endpoint] ?? {}).every(([field, spec]) => {
    if (except.has(field) || spec.secret || spec.default === undefined || !Object.hasOwn(object.fields, field)) return true;
    return !differsFromDefault(object.endpoint, field, object.fields[field]);
  });
}

/** The `labels` and `adopt` a mirror writes for all its objects, or undefined when their user labels differ. */
export function commonOwnership(objects: readonly LiveObject[]): Item | undefined {
  const userLabels = objects.map((object) =>
    Object.fromEntries(
      Object.entries(object.labels)
        .filter(([key]) => !key.startsWith('pulpform_'))
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    ),
  );
  if (new Set(userLabels.map((labels) => JSON.stringify(labels))).size > 1) return undefined;
  const labels = userLabels[0] ?? {};
  return {
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...(objects.some((object) => object.labels[LABELS.stack] === undefined) ? { adopt: true } : {}),
  };
}

/** The environment each distribution serves, from its name (`rocky-9-baseos-production` → production); the whole name when that is ambiguous. */
export function environmentKeys(distributions: readonly LiveObject[]): Map<LiveObject, string> {
  const suffix = (name: string): string => /[-_/]([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? name;
  const counts = new Map<string, number>();
  for (const distribution of distributions) counts.set(suffix(distribution.name), (counts.get(suffix(distribution.name)) ?? 0) + 1);
  return new Map(
    distributions.map((distribution) => [
      distribution,
      counts.get(suffix(distribution.name)) === 1 ? suffix(distribution.name) : distribution.name,
    ]),
  );
}

export function publicationMode(publication: LiveObject): string {
  if (publication.endpoint === 'publications/deb/verbatim' || publication.plugin !== 'deb') return 'verbatim';
  if (publication.fields.simple === true && publication.fields.structured !== true) return 'simple';
  if (publication.fields.structured === true && publication.fields.simple !== true) return 'structured';
  return 'mixed';
}

export function present<T>(value: T | undefined): T[] {
  return value === undefined ? [] : [value];
}

export function versionNumber(href: string | undefined): number {
  const match = href === undefined ? null : /\/versions\/(\d+)\/$/.exec(href);
  return match ? Number(match[1]) : 0;
}

export function byName(a: LiveObject, b: LiveObject): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
