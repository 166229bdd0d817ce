import { readFileSync } from 'node:fs';
import YAML from 'yaml';

/**
 * The desired states the benchmark converges: the 2024.1 Rocky 9 client of the Release Train
 * (its RPM mirrors, each with a development and a production distribution, and its Kolla
 * container images), and larger copies of the same mix, written as pulpform's low-level kinds.
 */

export interface RpmMirror {
  name: string;
  remoteName: string;
  /** Path of the snapshot series on the upstream, without the stamp: `rocky/9.4/BaseOS/x86_64/os`. */
  path: string;
  snapshot: string;
  syncPolicy: string;
  distributions: Array<{ name: string; basePath: string }>;
}

export interface ContainerMirror {
  name: string;
  remoteName: string;
  upstreamName: string;
  basePath: string;
}

export interface Shape {
  rpm: RpmMirror[];
  container: ContainerMirror[];
}

export interface SizeSpec {
  name: string;
  label: string;
  rpm: number;
  container: number;
}

/** The three sizes of the benchmark (rocky9 is the scenario itself) and the smoke size of the test suite. */
export const SIZES: Record<string, SizeSpec> = {
  smoke: { name: 'smoke', label: 'smoke (1 rpm + 2 images)', rpm: 1, container: 2 },
  rocky9: { name: 'rocky9', label: 'Rocky 9 client', rpm: 9, container: 99 },
  x10: { name: 'x10', label: '10x Rocky 9', rpm: 90, container: 990 },
  '10k': { name: '10k', label: '10,000 objects', rpm: 290, container: 2850 },
};

const STAMP = /\/(\d{8}T\d{6})\/?$/;

/** The Rocky 9 client from a Release Train scenario file (`scenarios/2024.1_rocky-9.yaml`). */
export function readScenario(file: string): Shape {
  const doc = YAML.parse(readFileSync(file, 'utf8')) as {
    rpm?: Array<{
      repository: { name: string };
      remote: { name: string; url: string };
      pinned_snapshot: string;
      sync?: { sync_policy?: string };
      distributions: Array<{ name: string; base_path: string }>;
    }>;
    container?: Array<{
      repository: { name: string };
      remote: { name: string; upstream_name: string };
      distribution: { base_path: string };
    }>;
  };
  const rpm = (doc.rpm ?? []).map((item): RpmMirror => {
    const url = new URL(item.remote.url);
    const path = url.pathname
      .replace(STAMP, '')
      .replace(/^\/pulp\/content\//, '')
      .replace(/\/+$/, '');
    return {
      name: item.repository.name,
      remoteName: item.remote.name,
      path,
      snapshot: item.pinned_snapshot,
      syncPolicy: item.sync?.sync_policy ?? 'additive',
      distributions: item.distributions.map((d) => ({ name: d.name, basePath: d.base_path })),
    };
  });
  const container = (doc.container ?? []).map(
    (item): ContainerMirror => ({
      name: item.repository.name,
      remoteName: item.remote.name,
      upstreamName: item.remote.upstream_name,
      basePath: item.distribution.base_path,
    }),
  );
  if (rpm.length === 0 || container.length === 0)
    throw new Error(`${file} has no rpm or no container items: is it a Release Train scenario file?`);
  return { rpm, container };
}

/**
 * `size.rpm` RPM mirrors and `size.container` images taken in turn from the base shape; copy
 * N > 0 of an item gets `-rN` names and `rN/` base paths, so every object stays unique.
 */
export function scaleShape(base: Shape, size: SizeSpec): Shape {
  const copyOf = <T>(items: T[], i: number): [T, number] => [items[i % items.length]!, Math.floor(i / items.length)];
  const rpm = Array.from({ length: size.rpm }, (_, i): RpmMirror => {
    const [item, copy] = copyOf(base.rpm, i);
    if (copy === 0) return item;
    return {
      ...item,
      name: `${item.name}-r${copy}`,
      remoteName: `${item.remoteName}-r${copy}`,
      distributions: item.distributions.map((d) => ({ name: `${d.name}-r${copy}`, basePath: `r${copy}/${d.basePath}` })),
    };
  });
  const container = Array.from({ length: size.container }, (_, i): ContainerMirror => {
    const [item, copy] = copyOf(base.container, i);
    if (copy === 0) return item;
    return { ...item, name: `${item.name}-r${copy}`, remoteName: `${item.remoteName}-r${copy}`, basePath: `r${copy}/${item.basePath}` };
  });
  return { rpm, container };
}

/** Remotes, repositories, publications and distributions the shape declares. */
export function objectCounts(shape: Shape): {
  remote: number;
  repository: number;
  publication: number;
  distribution: number;
  total: number;
} {
  const rpmDistributions = shape.rpm.reduce((n, m) => n + m.distributions.length, 0);
  const remote = shape.rpm.length + shape.container.length;
  const counts = { remote, repository: remote, publication: shape.rpm.length, distribution: rpmDistributions + shape.container.length };
  return { ...counts, total: counts.remote + counts.repository + counts.publication + counts.distribution };
}

/**
 * The same shape with every name and base path starting with `prefix`, so that runs on a real
 * Pulp that others use stay apart from everything else there (and from each other).
 */
export function prefixShape(shape: Shape, prefix: string): Shape {
  if (prefix === '') return shape;
  return {
    rpm: shape.rpm.map((m) => ({
      ...m,
      name: `${prefix}${m.name}`,
      remoteName: `${prefix}${m.remoteName}`,
      distributions: m.distributions.map((d) => ({ name: `${prefix}${d.name}`, basePath: `${prefix}${d.basePath}` })),
    })),
    container: shape.container.map((m) => ({
      ...m,
      name: `${prefix}${m.name}`,
      remoteName: `${prefix}${m.remoteName}`,
      basePath: `${prefix}${m.basePath}`,
    })),
  };
}

/** The first `rpm` RPM mirrors and `container` images of a shape. */
export function sampleShape(shape: Shape, rpm: number, container: number): Shape {
  return { rpm: shape.rpm.slice(0, rpm), container: shape.container.slice(0, container) };
}

/** The same shape with the first `count` RPM mirrors pinned to `snapshot`. */
export function bumpPins(shape: Shape, count: number, snapshot: string): Shape {
  return { ...shape, rpm: shape.rpm.map((m, i) => (i < count ? { ...m, snapshot } : m)) };
}

export const ARK_USERNAME = 'ark-user';

export function rpmRemoteUrl(mirror: RpmMirror, upstreamUrl: string): string {
  return `${upstreamUrl}/pulp/content/${mirror.path}/${mirror.snapshot}`;
}

/**
 * The shape as pulpform YAML. Each remote carries the Ark credentials (the password from
 * `${env:ARK_PASSWORD}`); RPM remotes point at `<upstream>/pulp/content/<path>/<snapshot>`,
 * container remotes at the upstream registry.
 */
export function desiredStateYaml(shape: Shape, upstreamUrl: string, stack = 'bench'): string {
  const credentials = { username: ARK_USERNAME, password: '${env:ARK_PASSWORD}' };
  const document = {
    stack,
    remotes: [
      ...shape.rpm.map((m) => ({
        name: m.remoteName,
        type: 'rpm',
        url: rpmRemoteUrl(m, upstreamUrl),
        policy: 'on_demand',
        ...credentials,
      })),
      ...shape.container.map((m) => ({
        name: m.remoteName,
        type: 'container',
        url: upstreamUrl,
        upstream_name: m.upstreamName,
        policy: 'on_demand',
        ...credentials,
      })),
    ],
    repositories: [
      ...shape.rpm.map((m) => ({ name: m.name, type: 'rpm', remote: m.remoteName, sync: { sync_policy: m.syncPolicy } })),
      ...shape.container.map((m) => ({ name: m.name, type: 'container', remote: m.remoteName, sync: true })),
    ],
    publications: shape.rpm.map((m) => ({ repository: m.name })),
    distributions: [
      ...shape.rpm.flatMap((m) => m.distributions.map((d) => ({ name: d.name, base_path: d.basePath, publication: m.name }))),
      ...shape.container.map((m) => ({ name: m.name, type: 'container', base_path: m.basePath, repository: m.name })),
    ],
  };
  return YAML.stringify(document, { lineWidth: 0 });
}
