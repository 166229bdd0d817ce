import { addressOf, type DesiredResource, type DesiredState } from '../model/index.js';
import {
  type ArkDebRepository,
  type ArkFileRepository,
  type ArkImage,
  type ArkRpmRepository,
  type ArkSpec,
  STAMP,
  stampDate,
} from './index.js';
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ArkForDesired {
  spec: ArkSpec;
  /** Path → the snapshot added after its newest pin (with `newer`), for a pin bump to find. */
  newer: Map<string, string>;
}

/**
 * The Ark a desired state needs: for every remote under `<arkUrl>/pulp/content/`, the snapshots
 * its repository and the publications of that repository pin (rpm, deb with each of the remote's
 * distributions, file manifests, unsnapshotted paths), and every image its registry serves to a
 * container remote (tags from include_tags, globs filled in, else `latest`). With `newer`, each
 * snapshotted path also gets one snapshot 30 days after its newest pin.
 */
export function arkFor(state: DesiredState, arkUrl: string, options: { newer?: boolean; packages?: number } = {}): ArkForDesired {
  const prefix = `${arkUrl.replace(/\/+$/, '')}/pulp/content/`;
  const packages = options.packages ?? 4;
  const rpm = new Map<string, ArkRpmRepository>();
  const deb = new Map<string, ArkDebRepository>();
  const file = new Map<string, ArkFileRepository>();
  const images = new Map<string, ArkImage>();
  for (const remote of state.resources.filter((resource) => resource.kind === 'remote')) {
    const url = typeof remote.fields.url === 'string' ? remote.fields.url : '';
    if (remote.plugin === 'container') {
      if (originOf(url) === originOf(arkUrl) && typeof remote.fields.upstream_name === 'string') {
        images.set(remote.fields.upstream_name, { name: remote.fields.upstream_name, tags: tagsFor(remote) });
      }
      continue;
    }
    if (!url.startsWith(prefix)) continue;
    const rest = url.slice(prefix.length).replace(/\/+$/, '');
    if (remote.plugin === 'file') {
      const path = rest.slice(0, rest.lastIndexOf('/'));
      file.set(path, { path, files: packages });
      continue;
    }
    const last = rest.slice(rest.lastIndexOf('/') + 1);
    const path = STAMP.test(last) ? rest.slice(0, rest.lastIndexOf('/')) : rest;
    const stamps = STAMP.test(last) ? [last, ...pinsOf(state, remote)] : [];
    const fill = <T extends ArkRpmRepository | ArkDebRepository>(entry: T): T => {
      if (stamps.length === 0) entry.current = packages;
      else entry.snapshots = { ...entry.snapshots, ...Object.fromEntries(stamps.map((stamp) => [stamp, packages])) };
      return entry;
    };
    if (remote.plugin === 'rpm') rpm.set(path, fill(rpm.get(path) ?? { path }));
    else deb.set(path, fill(deb.get(path) ?? { path, ...debLayout(remote) }));
  }
  const newer = new Map<string, string>();
  if (options.newer) {
    for (const entry of [...rpm.values(), ...deb.values()]) {
      const newest = Object.keys(entry.snapshots ?? {})
        .sort()
        .at(-1);
      if (newest === undefined) continue;
      const stamp = laterStamp(newest, 30);
      entry.snapshots = { ...entry.snapshots, [stamp]: packages };
      newer.set(entry.path, stamp);
    }
  }
  return { spec: { rpm: [...rpm.values()], deb: [...deb.values()], file: [...file.values()], containers: [...images.values()] }, newer };
}

/** Snapshots the publications of the repositories syncing from this remote pin. */
function pinsOf(state: DesiredState, remote: DesiredResource): string[] {
  const repositories = new Set(
    state.resources.filter((r) => r.kind === 'repository' && r.refs.remote === remote.address).map((r) => r.address),
  );
  return state.resources
    .filter(
      (r) =>
        r.kind === 'publication' &&
        r.snapshot !== undefined &&
        repositories.has(r.refs.repository ?? addressOf('repository', r.plugin, r.name)),
    )
    .map((r) => r.snapshot!);
}

function debLayout(remote: DesiredResource): Omit<ArkDebRepository, 'path'> {
  const tokens = (field: string): string[] =>
    typeof remote.fields[field] === 'string' ? (remote.fields[field] as string).split(/\s+/).filter((t) => t !== '') : [];
  const [component] = tokens('components');
  const architectures = tokens('architectures');
  return {
    distributions: tokens('distributions'),
    ...(component !== undefined ? { component } : {}),
    ...(architectures.length > 0 ? { architectures } : {}),
  };
}

/** include_tags with their globs filled in (`2024.1-rocky-9-*` → `2024.1-rocky-9-demo`), else `latest`. */
function tagsFor(remote: DesiredResource): string[] {
  const include = remote.fields.include_tags;
  if (!Array.isArray(include) || include.length === 0) return ['latest'];
  return include.filter((tag): tag is string => typeof tag === 'string').map((tag) => tag.replace(/\*/g, 'demo').replace(/\?/g, 'x'));
}

/** `20220817T082321` plus `days` days. */
function laterStamp(stamp: string, days: number): string {
  return new Date(stampDate(stamp).getTime() + days * DAY_MS)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '');
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
