import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Ark, startArk } from '../../src/ark/index.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { sweep } from '../helpers/secrets.js';
import { type CountingProxy, startProxy } from './proxy.js';
import { E2E_REGISTRY, type RealServer } from './servers.js';

/**
 * A small Release Train on a real Pulp, driven through the `pulpform` binary as users drive it:
 * two pinned rpm mirrors and a deb mirror with development and production, a file repository,
 * two Kolla-style images from an emulated Ark (Basic auth, token registry) and one image from the
 * plain test registry. Every name, base path and the stack carry a run id, so runs on a shared
 * server never meet; `destroy()` prunes the stack away through pulpform itself.
 */

export const OLD = '20240101T000000';
export const NEW = '20240301T000000';
export const BASEOS = 'rocky/9/BaseOS/x86_64/os';
export const APPSTREAM = 'rocky/9/AppStream/x86_64/os';
export const JAMMY = 'ubuntu/jammy';

export interface Pins {
  development: string;
  production: string;
}

export interface TrainShape {
  baseos: Pins;
  /** Left out: the AppStream mirror leaves the YAML. */
  appstream?: Pins | undefined;
  jammy: Pins;
  /** Ark images (under the run's namespace). */
  images: string[];
  /** The file repository. */
  files: boolean;
  /** The test registry's image, when PULP_E2E_REGISTRY is set. */
  registryImage: boolean;
  /** A local rpm repository with gpgcheck and repo_gpgcheck set, carrying this `team` label. */
  localRpmTeam?: string | undefined;
}

export const FULL_TRAIN: TrainShape = {
  baseos: { development: OLD, production: OLD },
  appstream: { development: OLD, production: OLD },
  jammy: { development: OLD, production: OLD },
  images: ['nova-api', 'keystone'],
  files: true,
  registryImage: true,
  localRpmTeam: 'infra',
};

/** A unique id for one run: a stack name, a namespace and a path segment. */
export function runId(prefix = 'e2e'): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

/** The Ark trains sync from: both snapshots of each package path and a file manifest; images come per stack (`publishImages`). */
export async function startTrainArk(password: string): Promise<Ark> {
  const snapshots = { [OLD]: 3, [NEW]: 3 };
  return startArk(
    {
      rpm: [
        { path: BASEOS, snapshots },
        { path: APPSTREAM, snapshots },
      ],
      deb: [{ path: JAMMY, distributions: ['jammy'], snapshots }],
      file: [{ path: 'files/images', files: 2 }],
    },
    { password },
  );
}

/** The images of a stack's container mirror, under its own namespace. */
export function publishImages(ark: Ark, namespace: string, images: readonly string[] = FULL_TRAIN.images): void {
  ark.publish({ containers: images.map((image) => ({ name: `${namespace}/rocky-source-${image}`, tags: [`2024.1-rocky-9-${OLD}`] })) });
}

function packageMirror(id: string, name: string, type: 'rpm' | 'deb', path: string, slug: string, pins: Pins, extra: string[]): string {
  return [
    `  - name: ${id} ${name}`,
    `    type: ${type}`,
    `    upstream: ark`,
    `    path: ${path}`,
    `    snapshot: ${pins.development}`,
    `    policy: on_demand`,
    ...extra.map((line) => `    ${line}`),
    `    distributions:`,
    `      development: { name: ${id}-${slug}-development, base_path: ${id}/${slug}/development }`,
    `      production: { name: ${id}-${slug}-production, base_path: ${id}/${slug}/production, snapshot: ${pins.production} }`,
  ].join('\n');
}

/** The desired-state YAML of a train shape. */
export function trainYaml(id: string, shape: TrainShape): string {
  const mirrors = [
    packageMirror(id, 'Rocky 9 BaseOS', 'rpm', BASEOS, 'baseos', shape.baseos, ['sync_policy: mirror_complete']),
    ...(shape.appstream ? [packageMirror(id, 'Rocky 9 AppStream', 'rpm', APPSTREAM, 'appstream', shape.appstream, [])] : []),
    packageMirror(id, 'Ubuntu jammy', 'deb', JAMMY, 'jammy', shape.jammy, [
      'dists: jammy',
      'components: main',
      'architectures: amd64',
      'mirror: true',
    ]),
  ];
  const lines = [
    `# pulpform end-to-end run ${id}`,
    `stack: ${id}`,
    `upstreams:`,
    `  - name: ark`,
    `    url: \${env:ARK_URL}`,
    `    username: \${env:ARK_USERNAME}`,
    `    password: \${env:ARK_PASSWORD}`,
    `package_mirrors:`,
    ...mirrors,
  ];
  if (shape.images.length > 0) {
    lines.push(
      `container_mirrors:`,
      `  - upstream: ark`,
      `    namespace: ${id}`,
      `    prefix: rocky-source-`,
      `    policy: on_demand`,
      `    include_tags: ["2024.1-rocky-9-*"]`,
      `    images: [${shape.images.join(', ')}]`,
    );
  }
  const low = { remotes: [] as string[], repositories: [] as string[], publications: [] as string[], distributions: [] as string[] };
  if (shape.files) {
    low.remotes.push(
      `  - { name: ${id}-files, type: file, url: "\${env:ARK_URL}/pulp/content/files/images/PULP_MANIFEST", username: "\${env:ARK_USERNAME}", password: "\${env:ARK_PASSWORD}" }`,
    );
    low.repositories.push(`  - { name: ${id}-files, type: file, remote: ${id}-files, sync: { mirror: true } }`);
    low.publications.push(`  - { repository: ${id}-files }`);
    low.distributions.push(`  - { name: ${id}-files, base_path: ${id}/files, publication: ${id}-files }`);
  }
  if (shape.registryImage && E2E_REGISTRY !== undefined) {
    low.remotes.push(
      `  - { name: ${id}-tiny-hello, type: container, url: "http://${E2E_REGISTRY}", upstream_name: tiny/hello, policy: on_demand }`,
    );
    low.repositories.push(`  - { name: ${id}/tiny-hello, type: container, remote: ${id}-tiny-hello, sync: true }`);
    low.distributions.push(`  - { name: ${id}/tiny-hello, type: container, base_path: ${id}/tiny-hello, repository: ${id}/tiny-hello }`);
  }
  if (shape.localRpmTeam !== undefined) {
    low.repositories.push(
      `  - { name: ${id}-local-rpm, type: rpm, gpgcheck: 1, repo_gpgcheck: 1, labels: { team: ${shape.localRpmTeam} } }`,
    );
  }
  for (const [section, entries] of Object.entries(low)) if (entries.length > 0) lines.push(`${section}:`, ...entries);
  return `${lines.join('\n')}\n`;
}

export interface StackOptions {
  server: RealServer;
  ark: Ark;
}

/**
 * One stack on one real server, reached through a counting proxy, with its desired state in a
 * temp dir. `run` is `pulpform ARGS` with the connection and Ark credentials in the environment.
 */
export class TrainStack {
  private constructor(
    readonly id: string,
    readonly server: RealServer,
    readonly ark: Ark,
    readonly proxy: CountingProxy,
    readonly dir: string,
  ) {}

  static async create(options: StackOptions, id = runId()): Promise<TrainStack> {
    const dir = await mkdtemp(join(tmpdir(), `pulpform-e2e-${id}-`));
    const proxy = await startProxy(options.server.url);
    publishImages(options.ark, id);
    return new TrainStack(id, options.server, options.ark, proxy, dir);
  }

  get desiredPath(): string {
    return join(this.dir, 'desired-state');
  }

  get env(): Record<string, string> {
    return {
      PULP_BASE_URL: this.proxy.url,
      PULP_USERNAME: this.server.username,
      PULP_PASSWORD: this.server.password,
      ARK_URL: this.ark.url,
      ARK_USERNAME: this.ark.username,
      ARK_PASSWORD: this.ark.password,
      NO_COLOR: '1',
    };
  }

  async write(shape: TrainShape): Promise<void> {
    await rm(this.desiredPath, { recursive: true, force: true });
    await mkdir(this.desiredPath);
    await writeFile(join(this.desiredPath, 'train.yaml'), trainYaml(this.id, shape));
  }

  /** `pulpform ARGS` in the stack's dir; `-f desired-state` is the default there. */
  async run(args: string[], options: { env?: Record<string, string> } = {}): Promise<CliResult> {
    return runCli(args, { cwd: this.dir, env: { ...this.env, ...options.env } });
  }

  /** Anywhere the Ark password shows up in what pulpform printed or wrote here. */
  async leaks(result: CliResult): Promise<string[]> {
    return sweep({ stdout: result.stdout, stderr: result.stderr }, { secrets: [this.ark.password], directories: [this.dir] });
  }

  /** Prunes everything of the stack from the server (an empty desired state), then removes the temp dir. */
  async destroy(): Promise<void> {
    try {
      await rm(this.desiredPath, { recursive: true, force: true });
      await mkdir(this.desiredPath);
      await writeFile(join(this.desiredPath, 'empty.yaml'), `stack: ${this.id}\n`);
      this.proxy.faults = () => undefined;
      const result = await this.run(['apply', '--auto-approve', '--prune', '--allow-delete-all', '--skip-preflight']);
      if (result.status !== 0)
        throw new Error(`cleaning up stack ${this.id} on ${this.server.label} failed:\n${result.stdout}\n${result.stderr}`);
    } finally {
      await this.proxy.close();
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}

/** A CLI run's output, for failure messages. */
export function output(result: CliResult): string {
  return `exit ${result.status}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/** Fails with everything the run printed when it did not exit with `status`. */
export function expectExit(result: CliResult, status: number): void {
  if (result.status !== status) throw new Error(`pulpform exited ${result.status}, not ${status}:\n${output(result)}`);
}
