import { containerRepository, type ContentUnit, debRepository, type DebSpec, rpmRepository, type RpmSpec } from '../emulator/content/index.js';
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
  /** Stamp (`20220817T082321`) → packages of that snapshot. */
  snapshots: Record<string, SnapshotPackages<RpmSpec>>;
}

export interface ArkDebRepository {
  path: string;
  /** Default `stable`. */
  distribution?: string;
  component?: string;
  architectures?: string[];
  snapshots: Record<string, SnapshotPackages<DebSpec>>;
}

export interface ArkImage {
  /** Registry name, e.g. `stackhpc/centos-source-nova-api`. */
  name: string;
  tags: string[];
}

export interface ArkSpec {
  rpm?: ArkRpmRepository[];
  deb?: ArkDebRepository[];
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
const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/;

/** Fills an emulator with the snapshots and images of `spec`, through the same validation as its API. */
export function seedArk(pulp: Pulp, spec: ArkSpec): void {
  for (const repository of spec.rpm ?? []) {
    seedSnapshots(pulp, 'rpm/rpm', repository.path, repository.snapshots, (stamp, packages) => rpmSnapshot(repository.path, stamp, packages));
  }
  for (const repository of spec.deb ?? []) {
    const layout = {
      ...(repository.distribution !== undefined ? { distribution: repository.distribution } : {}),
      ...(repository.component !== undefined ? { component: repository.component } : {}),
      ...(repository.architectures !== undefined ? { architectures: repository.architectures } : {}),
    };
    seedSnapshots(pulp, 'deb/apt', repository.path, repository.snapshots, (stamp, packages) =>
      debRepository({ ...layout, packages: debPackages(repository.path, stamp, packages) }), { structured: true });
  }
  for (const image of spec.containers ?? []) seedImage(pulp, image);
}

function seedSnapshots<T>(
  pulp: Pulp,
  type: string,
  path: string,
  snapshots: Record<string, SnapshotPackages<T>>,
  unitsOf: (stamp: string, packages: SnapshotPackages<T>) => ContentUnit[],
  publicationOptions: Record<string, boolean> = {},
): void {
  const base = trimSlashes(path);
  const repository = pulp.store.byName('repositories', base) ?? pulp.seed(`${V3}repositories/${type}/`, { name: base });
  for (const stamp of Object.keys(snapshots).sort()) {
    if (!STAMP.test(stamp)) throw new Error(`Ark snapshot "${stamp}" of ${base} is not a stamp like 20220817T082321`);
    const basePath = `${base}/${stamp}`;
    if (pulp.store.byBasePath(basePath)) continue;
    const units = unitsOf(stamp, snapshots[stamp]!).map((unit) => pulp.store.unit(unit));
    const version = pulp.store.addVersion(repository, units);
    const publication = pulp.seed(`${V3}publications/${type}/`, { repository_version: version.href, ...publicationOptions });
    pulp.seed(`${V3}distributions/${type}/`, { name: basePath, base_path: basePath, publication: publication.href });
  }
}

function seedImage(pulp: Pulp, image: ArkImage): void {
  const name = trimSlashes(image.name);
  const units = containerRepository(Object.fromEntries(image.tags.map((tag) => [tag, `${name}:${tag}`])));
  const existing: PulpObject | undefined = pulp.store.byName('repositories', name);
  const repository = existing ?? pulp.seed(`${V3}repositories/container/container/`, { name });
  const present = existing ? [...(pulp.store.latestVersion(existing)?.units.values() ?? [])] : [];
  pulp.store.addVersion(repository, [...present, ...units.map((unit) => pulp.store.unit(unit))]);
  if (!pulp.store.byBasePath(name)) pulp.seed(`${V3}distributions/container/container/`, { name, base_path: name, repository: repository.href });
}

/**
 * Generated packages of a snapshot: the same N-1 packages in every snapshot of a path, plus one
 * whose version is the snapshot's date, so each snapshot differs from the one before.
 */
function rpmSnapshot(path: string, stamp: string, packages: SnapshotPackages<RpmSpec>): ContentUnit[] {
  if (typeof packages !== 'number') return rpmRepository(packages, { buildTime: stampSeconds(stamp) });
  const prefix = packagePrefix(path);
  const common = Array.from({ length: Math.max(0, packages - 1) }, (_, i): RpmSpec => ({ name: `${prefix}-${String(i + 1).padStart(4, '0')}` }));
  const dated: RpmSpec[] = packages > 0 ? [{ name: `${prefix}-release`, version: stampVersion(stamp) }] : [];
  return [...rpmRepository(common), ...rpmRepository(dated, { buildTime: stampSeconds(stamp) })];
}

function debPackages(path: string, stamp: string, packages: SnapshotPackages<DebSpec>): DebSpec[] {
  if (typeof packages !== 'number') return packages;
  const prefix = packagePrefix(path);
  const common = Array.from({ length: Math.max(0, packages - 1) }, (_, i): DebSpec => ({ name: `${prefix}-${String(i + 1).padStart(4, '0')}` }));
  return packages > 0 ? [...common, { name: `${prefix}-release`, version: `${stampVersion(stamp)}-1` }] : common;
}

/** `centos/8-stream/BaseOS/x86_64/os` → `baseos`: the last segment that is not an architecture or `os`. */
function packagePrefix(path: string): string {
  const segments = trimSlashes(path).toLowerCase().split('/').filter((segment) => !/^(os|x86_64|aarch64|amd64|arm64|noarch|stable)$/.test(segment));
  return (segments.at(-1) ?? 'pkg').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'pkg';
}

/** `20220817T082321` → `2022.08.17.082321`. */
function stampVersion(stamp: string): string {
  const [, y, mo, d, h, mi, s] = STAMP.exec(stamp) ?? [];
  return `${y}.${mo}.${d}.${h}${mi}${s}`;
}

function stampSeconds(stamp: string): number {
  const [, y, mo, d, h, mi, s] = (STAMP.exec(stamp) ?? []).map(Number);
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!) / 1000;
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}
