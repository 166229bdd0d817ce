import type { ApplyEvent, ApplyResult } from '../../src/apply/events.js';
import { applyPlan } from '../../src/apply/executor.js';
import type { Ark } from '../../src/ark/index.js';
import { planAgainstServer, secretResolver } from '../../src/engine.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { PulpClient } from '../../src/live/client.js';
import { type DesiredResource, type DesiredState, type LiveState, type Plan, Secret } from '../../src/model/index.js';
import type { PlanOptions } from '../../src/plan/index.js';
import { desired, desiredState } from '../builders.js';

/**
 * The Release Train in low-level desired resources (the shape package and container mirrors
 * expand to), against an Ark emulator; and a local emulator to plan and apply it on over HTTP.
 */

export interface PackageMirror {
  plugin: 'rpm' | 'deb';
  name: string;
  path: string;
  /** What development serves (and the repository is synced from). */
  development: string;
  production?: string;
  retain?: number;
  /** deb: the upstream distribution. */
  distribution?: string;
}

export interface ImageMirror {
  /** Upstream and local name: `stackhpc/centos-source-nova-api`. */
  name: string;
}

export interface Train {
  packages?: PackageMirror[];
  images?: ImageMirror[];
}

export const ARK_ENV = { ARK_USERNAME: 'ark', ARK_PASSWORD: 'ark-password' };

function arkSecrets(env: Record<string, string>): Record<string, Secret> {
  return {
    username: new Secret(env.ARK_USERNAME ?? '', 'env:ARK_USERNAME'),
    password: new Secret(env.ARK_PASSWORD ?? '', 'env:ARK_PASSWORD'),
  };
}

export function packageMirror(arkUrl: string, mirror: PackageMirror, env: Record<string, string> = ARK_ENV): DesiredResource[] {
  const { plugin, name } = mirror;
  const remote = desired(`remote/${plugin}/${name}-remote`, {
    fields: {
      url: `${arkUrl}/pulp/content/${mirror.path}/${mirror.development}/`,
      policy: 'on_demand',
      ...(plugin === 'deb' ? { distributions: mirror.distribution ?? 'stable' } : {}),
    },
    secrets: arkSecrets(env),
  });
  const repository = desired(`repository/${plugin}/${name}`, {
    refs: { remote: remote.address },
    sync: { marker: mirror.development, options: plugin === 'rpm' ? { sync_policy: 'mirror_complete' } : {} },
    ...(mirror.retain !== undefined ? { retain: mirror.retain } : {}),
  });
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const serving = (stage: string, pin: string): DesiredResource[] => [
    desired(`publication/${plugin}/${name}@${pin}`, plugin === 'deb' ? { fields: { simple: true } } : {}),
    desired(`distribution/${plugin}/${slug}-${stage}`, {
      refs: { publication: `publication/${plugin}/${name}@${pin}` },
      snapshot: pin,
      // As package mirrors generate them: development follows the repository's sync, production is pinned on its own.
      ...(stage === 'development' ? { followsSync: true } : {}),
      fields: { base_path: `${mirror.path}/${stage}` },
    }),
  ];
  const resources = [
    remote,
    repository,
    ...serving('development', mirror.development),
    ...(mirror.production !== undefined ? serving('production', mirror.production) : []),
  ];
  return resources.filter((resource, index) => resources.findIndex((other) => other.address === resource.address) === index);
}

export function imageMirror(arkUrl: string, image: ImageMirror, env: Record<string, string> = ARK_ENV): DesiredResource[] {
  const remote = desired(`remote/container/${image.name}-remote`, {
    fields: { url: arkUrl, upstream_name: image.name, policy: 'on_demand' },
    secrets: arkSecrets(env),
  });
  const repository = desired(`repository/container/${image.name}`, {
    refs: { remote: remote.address },
    sync: { marker: 'all', options: {} },
  });
  const distribution = desired(`distribution/container/${image.name}`, {
    refs: { repository: repository.address },
    fields: { base_path: image.name },
  });
  return [remote, repository, distribution];
}

export function trainState(arkUrl: string, train: Train, env: Record<string, string> = ARK_ENV): DesiredState {
  return desiredState(
    [
      ...(train.packages ?? []).flatMap((mirror) => packageMirror(arkUrl, mirror, env)),
      ...(train.images ?? []).flatMap((image) => imageMirror(arkUrl, image, env)),
    ],
    'rt',
  );
}

/** A local emulator and a client for it. */
export class LocalPulp {
  private constructor(
    readonly emulator: Emulator,
    readonly client: PulpClient,
  ) {}

  static async start(options: Parameters<typeof startEmulator>[0] = {}): Promise<LocalPulp> {
    const emulator = await startEmulator({ taskMs: 1, ...options });
    return new LocalPulp(
      emulator,
      new PulpClient({ baseUrl: emulator.url, username: 'admin', password: new Secret('password', 'test'), retryDelayMs: 1 }),
    );
  }

  /** As `pulpform plan` does (versions read when a repository retains). */
  plan(state: DesiredState, options: PlanOptions = {}): Promise<{ plan: Plan; live: LiveState }> {
    return planAgainstServer(state, this.client, { now: new Date(0), ...options });
  }

  async apply(
    state: DesiredState,
    plan: Plan,
    live: LiveState,
    env: Record<string, string> = ARK_ENV,
  ): Promise<{ result: ApplyResult; events: ApplyEvent[] }> {
    const events: ApplyEvent[] = [];
    const result = await applyPlan(plan, {
      client: this.client,
      live,
      secrets: secretResolver(state, env),
      onEvent: (event) => events.push(event),
    });
    return { result, events };
  }

  /** Plans, checks the plan has no errors, applies. */
  async converge(state: DesiredState, options: PlanOptions = {}): Promise<{ plan: Plan; result: ApplyResult; events: ApplyEvent[] }> {
    const { plan, live } = await this.plan(state, options);
    const errors = plan.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) throw new Error(`the plan has errors: ${errors.map((d) => `${d.code}: ${d.summary}`).join('; ')}`);
    return { plan, ...(await this.apply(state, plan, live)) };
  }

  /** Requests that change something (the request log, minus reads). */
  writes(): string[] {
    return this.emulator
      .requests()
      .filter((r) => r.method !== 'GET' && r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.path}`);
  }

  async close(): Promise<void> {
    this.client.close();
    await this.emulator.close();
  }
}

export function actionIds(plan: Plan): string[] {
  return plan.waves
    .flat()
    .map((action) => action.id)
    .sort();
}

/** The spec of an Ark holding what `train` pins, plus `extra` snapshots per path. */
export function arkFor(
  train: Train,
  extra: Record<string, string[]> = {},
): Parameters<typeof import('../../src/ark/index.js').startArk>[0] {
  const stamps = (mirror: PackageMirror): Record<string, number> =>
    Object.fromEntries(
      [mirror.development, mirror.production, ...(extra[mirror.path] ?? [])].filter((s): s is string => s !== undefined).map((s) => [s, 4]),
    );
  return {
    rpm: (train.packages ?? []).filter((m) => m.plugin === 'rpm').map((m) => ({ path: m.path, snapshots: stamps(m) })),
    deb: (train.packages ?? [])
      .filter((m) => m.plugin === 'deb')
      .map((m) => ({ path: m.path, distributions: [m.distribution ?? 'stable'], snapshots: stamps(m) })),
    containers: (train.images ?? []).map((image) => ({ name: image.name, tags: ['yoga-20220830T000000'] })),
  };
}

export type { Ark };
