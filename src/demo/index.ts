import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { ApplyEvent } from '../apply/events.js';
import { applyPlan } from '../apply/executor.js';
import { arkFor } from '../ark/from-desired.js';
import { type Ark, STAMP, startArk } from '../ark/index.js';
import { loadDesiredState } from '../config/index.js';
import { DesiredStateError, planAgainstServer, secretResolver } from '../engine.js';
import { type Emulator, NEWEST_PULP_VERSION, type PulpVersion, startEmulator } from '../emulator/index.js';
import { PulpClient } from '../live/index.js';
import { readLiveState } from '../live/index.js';
import { type DesiredResource, type DesiredState, type Plan, Secret, type SourceLocation } from '../model/index.js';
import { preflightPlan } from '../preflight/index.js';
import { renderApplyEvent, renderApplySummary } from '../render/apply-text.js';
import { renderPlanText } from '../render/plan-text.js';
import { palette } from '../render/style.js';
import { editPin, type PinEdit } from '../config/pins.js';

/**
 * `pulpform demo`: the Release Train end to end on two in-process emulators on 127.0.0.1, an
 * Ark holding the snapshots the desired state pins (and one newer per path) and a local Pulp:
 * first apply, an empty second plan, a development pin bump, the promotion of production, and
 * where everything is served. Text goes to `write`; the CLI decides where that is.
 */
export interface DemoOptions {
  /** The desired state to run, e.g. `desired-state`. It is copied; the copy is edited. */
  file: string;
  write: (text: string) => void;
  color: boolean;
  /** Keep both emulators running after the walk-through until this resolves. */
  keepRunning?: () => Promise<void>;
  /** The Pulp version the local emulator speaks; default the newest it speaks. */
  pulpVersion?: PulpVersion;
}

export class DemoError extends Error {
  override readonly name = 'DemoError';
}

const ARK_USER = 'ark';
const ARK_PASSWORD = 'ark-password';
const PULP_USER = 'admin';
const PULP_PASSWORD = 'password';

export async function runDemo(options: DemoOptions): Promise<void> {
  const started = Date.now();
  const p = palette(options.color);
  const say = (text = ''): void => options.write(`${text}\n`);
  const heading = (text: string): void => say(`\n${p.bold(`── ${text} `.padEnd(78, '─'))}\n`);
  const work = await mkdtemp(join(tmpdir(), 'pulpform-demo-'));
  const copy = basename(resolve(options.file));
  await cp(resolve(options.file), join(work, copy), { recursive: true });
  let ark: Ark | undefined;
  let local: Emulator | undefined;
  let client: PulpClient | undefined;
  try {
    ark = await startArk({}, { username: ARK_USER, password: ARK_PASSWORD });
    local = await startEmulator({
      username: PULP_USER,
      password: PULP_PASSWORD,
      taskMs: 1,
      pulpVersion: options.pulpVersion ?? NEWEST_PULP_VERSION,
    });
    client = new PulpClient({ baseUrl: local.url, username: PULP_USER, password: new Secret(PULP_PASSWORD, 'demo') });
    const env = { ...process.env, ARK_URL: ark.url, ARK_USERNAME: ARK_USER, ARK_PASSWORD };
    const load = async (): Promise<DesiredState> => {
      const loaded = await loadDesiredState(copy, { env, cwd: work });
      if (loaded.state === undefined) throw new DesiredStateError(loaded.diagnostics, loaded.sources);
      return loaded.state;
    };
    let state = await load();
    const { spec, newer } = arkFor(state, ark.url, { newer: true });
    ark.publish(spec);

    const snapshots = [...(spec.rpm ?? []), ...(spec.deb ?? [])].reduce((n, r) => n + Object.keys(r.snapshots ?? {}).length, 0);
    say(p.bold('pulpform demo: the Release Train on two emulators, all on 127.0.0.1'));
    say();
    say(`  Ark (upstream)   ${ark.url}   user ${ARK_USER}, password ${ARK_PASSWORD}: content and registry need them`);
    say(`  local Pulp       ${local.url}   user ${PULP_USER}, password ${PULP_PASSWORD} (Pulp ${local.pulpVersion})`);
    say(`  desired state    ${options.file} (a copy in ${join(work, copy)}), with ARK_URL=${ark.url}`);
    say();
    say(
      `Ark holds ${snapshots} package snapshots (those ${options.file} pins, and one newer per path) and ${spec.containers?.length ?? 0} container images.`,
    );

    const converge = async (show: 'summary' | 'full'): Promise<Plan> => {
      const planned = await planAgainstServer(state, client!);
      const { plan, probed } = await preflightPlan(planned.plan, {
        desired: state,
        live: planned.live,
        secrets: secretResolver(state, env),
      });
      if (plan.diagnostics.some((d) => d.severity === 'error'))
        throw new DemoError(`the plan has errors:\n${renderPlanText(plan, { color: options.color })}`);
      const actions = plan.waves.flat();
      if (show === 'full' || actions.length === 0) say(renderPlanText(plan, { color: options.color }).trimEnd());
      else
        say(
          `${p.bold('Plan:')} ${plan.summary.add} to add, ${plan.summary.change} to change, ${plan.summary.destroy} to destroy, ${plan.summary.sync} to sync (\`pulpform plan\` lists every action).`,
        );
      if (actions.length === 0) return plan;
      if (probed > 0)
        say(
          `Preflight: ${probed === 1 ? 'the upstream of the sync' : `the upstreams of all ${probed} syncs`} answered, credentials accepted.`,
        );
      say();
      const onEvent = (event: ApplyEvent): void => {
        if (show === 'summary' && event.code !== 'action.failed') return;
        const line = renderApplyEvent(event, { color: options.color });
        if (line !== undefined) say(line);
      };
      const result = await applyPlan(plan, { client: client!, live: planned.live, secrets: secretResolver(state, env), onEvent });
      say(renderApplySummary(result, { color: options.color }).trim());
      if (!result.ok) throw new DemoError('the apply did not complete (above)');
      return plan;
    };

    heading(`1. First apply of ${options.file}`);
    await converge('summary');

    heading('2. Plan again: the server matches, nothing to do');
    await converge('full');

    const mirror = bumpable(state, ark.url, newer);
    if (mirror === undefined)
      throw new DemoError(`${options.file} has no package mirror pinned to an Ark snapshot, so there is no pin to bump`);
    const { repository, from, to } = mirror;
    heading(`3. Bump the development pin of "${repository.name}"`);
    const bump = await repin(work, repository.source!, ['snapshot'], to);
    say(`${repository.source!.file} line ${bump.line}:`);
    say(p.red(`- ${bump.before.trim()}`));
    say(p.green(`+ ${bump.after.trim()}`));
    say();
    state = await load();
    await converge('full');

    heading(`4. Promote production of "${repository.name}" to ${to}: a repoint, no sync`);
    const promotion = await repin(work, repository.source!, ['distributions', 'production', 'snapshot'], to);
    say(`${repository.source!.file} line ${promotion.line}: production ${p.red(from)} -> ${p.green(to)}`);
    say();
    state = await load();
    await converge('full');

    heading('5. Where it is served');
    await describeServed(client, local.url, say);

    say();
    say(`Done in ${((Date.now() - started) / 1000).toFixed(1)}s.`);
    if (options.keepRunning === undefined) {
      say('To keep both emulators running and poke at them, run: pulpform demo --keep-running');
      return;
    }
    say();
    say(p.bold('Both emulators keep running until Ctrl-C. In another shell:'));
    say(`  export PULP_BASE_URL=${local.url} PULP_USERNAME=${PULP_USER} PULP_PASSWORD=${PULP_PASSWORD}`);
    say(`  export ARK_URL=${ark.url} ARK_USERNAME=${ARK_USER} ARK_PASSWORD=${ARK_PASSWORD}`);
    say(`  pulpform plan -f ${join(work, copy)}      # edit a snapshot there, plan, apply`);
    say(`  curl ${local.url}/pulp/api/v3/distributions/rpm/rpm/ -u ${PULP_USER}:${PULP_PASSWORD}`);
    await options.keepRunning();
  } finally {
    client?.close();
    await Promise.all([ark?.close(), local?.close()]);
    await rm(work, { recursive: true, force: true });
  }
}

/** Sets one pin in the demo's copy of the desired state, as `pulpform pin` does. */
async function repin(
  cwd: string,
  entry: SourceLocation,
  path: readonly [string] | readonly [string, string, string],
  snapshot: string,
): Promise<PinEdit> {
  const file = join(cwd, entry.file);
  const { text, edit } = editPin(await readFile(file, 'utf8'), entry, path, snapshot);
  await writeFile(file, text);
  return edit;
}

/** The first package mirror pinned to an Ark snapshot that has a newer one there (see arkFor). */
export function bumpable(
  state: DesiredState,
  arkUrl: string,
  newer: Map<string, string>,
): { repository: DesiredResource; from: string; to: string } | undefined {
  const prefix = `${arkUrl}/pulp/content/`;
  for (const repository of state.resources.filter(
    (r) => r.kind === 'repository' && r.sync !== undefined && STAMP.test(r.sync.marker) && r.source !== undefined,
  )) {
    const remote = state.resources.find((r) => r.address === repository.refs.remote);
    const url = typeof remote?.fields.url === 'string' ? remote.fields.url.replace(/\/+$/, '') : '';
    if (!url.startsWith(prefix)) continue;
    const to = newer.get(url.slice(prefix.length, url.lastIndexOf('/')));
    if (to !== undefined) return { repository, from: repository.sync!.marker, to };
  }
  return undefined;
}

/** Each package distribution's URL and the snapshot it serves; container images in one line with a pull example. */
async function describeServed(client: PulpClient, url: string, say: (text?: string) => void): Promise<void> {
  const live = await readLiveState(client);
  const distributions = live.objects.filter((o) => o.kind === 'distribution').sort((a, b) => (a.name < b.name ? -1 : 1));
  const packages = distributions.filter((d) => d.plugin !== 'container');
  const width = Math.max(0, ...packages.map((d) => d.name.length));
  for (const distribution of packages) {
    const served = distribution.labels.pulpform_serves;
    say(`  ${distribution.name.padEnd(width)}  ${String(distribution.raw.base_url ?? '')}${served ? `  (${served})` : ''}`);
  }
  const images = distributions.filter((d) => d.plugin === 'container');
  if (images.length === 0) return;
  const host = new URL(url).host;
  const example = images.find((d) => /nova-api/.test(d.name)) ?? images[0]!;
  say();
  say(`  ${images.length} container image${images.length === 1 ? '' : 's'} in the registry at ${host}, e.g.`);
  say(`    podman pull --tls-verify=false --creds ${PULP_USER}:${PULP_PASSWORD} ${host}/${String(example.fields.base_path)}:latest`);
}
