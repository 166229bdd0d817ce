import {
  containerRepository,
  type ContentUnit,
  debRepository,
  type DebSpec,
  fileRepository,
  rpmRepository,
  type RpmSpec,
  unitId,
} from '../emulator/content/index.js';
import { type Emulator, startEmulator } from '../emulator/index.js';
import type { Pulp } from '../emulator/pulp.js';
import type { PulpObject } from '../emulator/store.js';

/**
 * An emulator laid out like StackHPC's Ark, the upstream Pulp of the Release Train: every
 * package repository path has one repository whose versions are the dated snapshots, each
 * published and served at `/pulp/content/<path>/<stamp>/`; container images are served by its
 * registry with their tags. Content and registry need the subscriber's Basic credentials, so a
 * wrong password or a snapshot that does not exist fails a local sync exactly as against Ark
 * (401 or 404 inside the failed sync task).
 */

/** Packages of one snapshot: given one by one, or a count of generated ones. */
export type SnapshotPackages<T> = T[] | number;

export interface ArkRpmRepository {
  /** Path under /pulp/content/, without the stamp: `centos/8-stream/BaseOS/x86_64/os`. */
  path: string;
  /** Stamp (`20220817T082321`) → packages of that snapshot, served at `<path>/<stamp>/`. */
  snapshots?: Record<string, SnapshotPackages<RpmSpec>>;
  /** Packages of a path Ark does not snapshot, served at `<path>/` (a path has one or the other). */
  current?: SnapshotPackages<RpmSpec>;
}

export interface ArkDebRepository {
  path: string;
  /** Default `['stable']`: each has its own `dists/<distribution>/`. */
  distributions?: string[];
  component?: string;
  architectures?: string[];
  snapshots?: Record<string, SnapshotPackages<DebSpec>>;
  current?: SnapshotPackages<DebSpec>;
}

export interface ArkFileRepository {
  /** Served at `<path>/`, with its `PULP_MANIFEST`. */
  path: string;
  /** Relative path → content, or a number of generated files. */
  files: Record<string, string> | number;
}

export interface ArkImage {
  /** Registry name, e.g. `stackhpc/centos-source-nova-api`. */
  name: string;
  tags: string[];
}

export interface ArkSpec {
  rpm?: ArkRpmRepository[];
  deb?: ArkDebRepository[];
  file?: ArkFileRepository[];
  containers?: ArkImage[];
}

export interface ArkOptions {
  /** The subscriber's credentials; default `ark` / `ark-password`. */
  username?: string;
  password?: string;
  /** Delay before every request (content and registry included): makes syncs from it slow. */
  latencyMs?: number;
  /** Default 0: a random free port on 127.0.0.1. */
  port?: number;
}

export interface Ark {
  /** Origin, e.g. `http://127.0.0.1:41234`; also the registry's. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly emulator: Emulator;
  /** `<url>/pulp/content/<path>/<stamp>/`: what a local remote pinned to this snapshot syncs from. */
  snapshotUrl(path: string, stamp: string): string;
  /** Adds snapshots and images (new stamps of known paths become new versions). */
  publish(spec: ArkSpec): void;
  close(): Promise<void>;
}

export async function startArk(spec: ArkSpec, options: ArkOptions = {}): Promise<Ark> {
  const username = options.username ?? 'ark';
  const password = options.password ?? 'ark-password';
  const emulator = await startEmulator({
    username,
    password,
    protectContent: true,
    taskMs: 1,
    ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  const ark: Ark = {
    url: emulator.url,
    username,
    password,
    emulator,
    snapshotUrl: (path, stamp) => `${emulator.url}/pulp/content/${trimSlashes(path)}/${stamp}/`,
    publish: (more) => seedArk(emulator.pulp, more),
    close: () => emulator.close(),
  };
  try {
    ark.publish(spec);
  } catch (error) {
    await emulator.close();
    throw error;
  }
  return ark;
}

const V3 = '/pulp/api/v3/';
/** A snapshot stamp, `20220817T082321`. */
export const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/;

/** The moment a stamp names (UTC). */
export function stampDate(stamp: string): Date {
  const [, y, mo, d, h, mi, s] = (STAMP.exec(stamp) ?? []).map(Number);
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

/** Fills an emulator with the snapshots and images of `spec`, through the same validation as its API. */
export function seedArk(pulp: Pulp, spec: ArkSpec): void {
  for (const repository of spec.rpm ?? []) {
    seedSnapshots(pulp, 'rpm/rpm', repository, (stamp, packages) => rpmSnapshot(repository.path, stamp, packages));
  }
  for (const repository of spec.deb ?? []) {
    const layout = {
      ...(repository.component !== undefined ? { component: repository.component } : {}),
      ...(repository.architectures !== undefined ? { architectures: repository.architectures } : {}),
    };
    // One release per distribution, all in the one version a snapshot is.
    seedSnapshots(
      pulp,
      'deb/apt',
      repository,
      (stamp, packages) =>
        (repository.distributions ?? ['stable']).flatMap((distribution) =>
          debRepository({ ...layout, distribution, packages: debPackages(repository.path, stamp, packages) }),
        ),
      { structured: true },
    );
  }
  for (const repository of spec.file ?? []) {
    seedSnapshots(pulp, 'file/file', { path: repository.path, current: 0 }, () => fileRepository(repository.files));
  }
  for (const image of spec.containers ?? []) seedImage(pulp, image);
}

/** Each snapshot one version of the path's repository, published and distributed at `<path>/<stamp>`; `current` at `<path>`. */
function seedSnapshots<T>(
  pulp: Pulp,
  type: string,
  repository: { path: string; snapshots?: Record<string, SnapshotPackages<T>>; current?: SnapshotPackages<T> },
  unitsOf: (stamp: string | undefined, packages: SnapshotPackages<T>) => ContentUnit[],
  publicationOptions: Record<string, boolean> = {},
): void {
  const base = trimSlashes(repository.path);
  const stored = pulp.store.byName('repositories', base) ?? pulp.seed(`${V3}repositories/${type}/`, { name: base });
  const snapshots: Array<[string | undefined, SnapshotPackages<T>]> = Object.keys(repository.snapshots ?? {})
    .sort()
    .map((stamp) => [stamp, repository.snapshots![stamp]!]);
  if (repository.current !== undefined) snapshots.push([undefined, repository.current]);
  for (const [stamp, packages] of snapshots) {
    if (stamp !== undefined && !STAMP.test(stamp))
      throw new Error(`Ark snapshot "${stamp}" of ${base} is not a stamp like 20220817T082321`);
    const basePath = stamp === undefined ? base : `${base}/${stamp}`;
    if (pulp.store.byBasePath(basePath)) continue;
    const version = pulp.store.addVersion(
      stored,
      uniqueUnits(unitsOf(stamp, packages)).map((unit) => pulp.store.unit(unit)),
    );
    const publication = pulp.seed(`${V3}publications/${type}/`, { repository_version: version.href, ...publicationOptions });
    pulp.seed(`${V3}distributions/${type}/`, { name: basePath, base_path: basePath, publication: publication.href });
  }
}

function uniqueUnits(units: ContentUnit[]): ContentUnit[] {
  return [...new Map(units.map((unit) => [unitId(unit), unit])).values()];
}

function seedImage(pulp: Pulp, image: ArkImage): void {
  const name = trimSlashes(image.name);
  const units = containerRepository(Object.fromEntries(image.tags.map((tag) => [tag, `${name}:${tag}`])));
  const existing: PulpObject | undefined = pulp.store.byName('repositories', name);
  const repository = existing ?? pulp.seed(`${V3}repositories/container/container/`, { name });
  const present = existing ? [...(pulp.store.latestVersion(existing)?.units.values() ?? [])] : [];
  pulp.store.addVersion(repository, [...present, ...units.map((unit) => pulp.store.unit(unit))]);
  if (!pulp.store.byBasePath(name))
    pulp.seed(`${V3}distributions/container/container/`, { name, base_path: name, repository: repository.href });
}

/**
 * Generated packages of a snapshot: the same N-1 packages in every snapshot of a path, plus one
 * whose version is the snapshot's date, so each snapshot differs from the one before.
 */
function rpmSnapshot(path: string, stamp: string | undefined, packages: SnapshotPackages<RpmSpec>): ContentUnit[] {
  const buildTime = stampSeconds(stamp);
  const options = buildTime !== undefined ? { buildTime } : {};
  if (typeof packages !== 'number') return rpmRepository(packages, options);
  const prefix = packagePrefix(path);
  const common = Array.from(
    { length: Math.max(0, packages - 1) },
    (_, i): RpmSpec => ({ name: `${prefix}-${String(i + 1).padStart(4, '0')}` }),
  );
  const dated: RpmSpec[] = packages > 0 ? [{ name: `${prefix}-release`, version: stampVersion(stamp) }] : [];
  return [...rpmRepository(common), ...rpmRepository(dated, options)];
}

function debPackages(path: string, stamp: string | undefined, packages: SnapshotPackages<DebSpec>): DebSpec[] {
  if (typeof packages !== 'number') return packages;
  const prefix = packagePrefix(path);
  const common = Array.from(
    { length: Math.max(0, packages - 1) },
    (_, i): DebSpec => ({ name: `${prefix}-${String(i + 1).padStart(4, '0')}` }),
  );
  return packages > 0 ? [...common, { name: `${prefix}-release`, version: `${stampVersion(stamp)}-1` }] : common;
}

/** `centos/8-stream/BaseOS/x86_64/os` → `baseos`: the last segment that is not an architecture or `os`. */
function packagePrefix(path: string): string {
  const segments = trimSlashes(path)
    .toLowerCase()
    .split('/')
    .filter((segment) => !/^(os|x86_64|aarch64|amd64|arm64|noarch|stable)$/.test(segment));
  return (segments.at(-1) ?? 'pkg').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'pkg';
}

/** `20220817T082321` → `2022.08.17.082321`; a path without snapshots has version 1.0. */
function stampVersion(stamp: string | undefined): string {
  const [, y, mo, d, h, mi, s] = STAMP.exec(stamp ?? '') ?? [];
  return stamp === undefined ? '1.0' : `${y}.${mo}.${d}.${h}${mi}${s}`;
}

function stampSeconds(stamp: string | undefined): number | undefined {
  return stamp === undefined ? undefined : stampDate(stamp).getTime() / 1000;
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}
