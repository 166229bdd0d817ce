import type { Command } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { editPin, type PinEdit } from '../../config/pins.js';
import { closest } from '../../model/suggest.js';
import { loadDesired, openClient, planAgainstServer, secretValues } from '../../engine.js';
import { readLiveState } from '../../live/index.js';
import { addressOf, type DesiredResource, type DesiredState, LABELS, type LiveState, STAMP } from '../../model/index.js';
import { parseSelectors, selectorMatches } from '../../model/selectors.js';
import { planTextChunks } from '../../render/plan-text.js';
import { palette } from '../../render/style.js';
import {
  addDesiredStateOption,
  addServerOptions,
  clientSettingsOf,
  loggerFor,
  reportError,
  type ServerCommandOptions,
  useColor,
  writeChunks,
} from '../common.js';
import { PinRefusedError } from '../failures.js';
import { resolveConnection } from '../connection.js';
import { addLockOptions, type LockFlags } from '../lock.js';
import { type ApplyCommandOptions, runApplyCommand } from './apply.js';

/**
 * `pulpform pin` and `pulpform promote`: the operator's pin edits (the Ansible playbooks'
 * pulp-repo-versions.yml bump and pulp-repo-promote-production), made in the YAML as a person
 * would make them, then shown with the plan they give, and applied with --apply.
 */

interface PinningOptions extends ServerCommandOptions, LockFlags {
  apply?: boolean;
}

/** A package mirror of the desired state: its repository and its distributions by environment. */
export interface Mirror {
  repository: DesiredResource;
  environments: Map<string, DesiredResource>;
}

/** One pin to set, or why it is not set. */
type PinChange =
  | { mirror: Mirror; environment: string; path: readonly [string] | readonly [string, string, string]; snapshot: string }
  | { mirror: Mirror; refused: string }
  | { mirror: Mirror; unchanged: string };

export function packageMirrors(state: DesiredState): Mirror[] {
  const byAddress = new Map(state.resources.map((resource) => [resource.address, resource]));
  const mirrors = new Map<string, Mirror>();
  for (const distribution of state.resources) {
    if (distribution.kind !== 'distribution' || distribution.consumer === undefined || distribution.refs.publication === undefined)
      continue;
    const publication = byAddress.get(distribution.refs.publication);
    const repository =
      publication === undefined
        ? undefined
        : byAddress.get(publication.refs.repository ?? addressOf('repository', publication.plugin, publication.name));
    if (repository?.source === undefined) continue;
    const mirror = mirrors.get(repository.address) ?? { repository, environments: new Map() };
    mirror.environments.set(distribution.consumer.environment, distribution);
    mirrors.set(repository.address, mirror);
  }
  return [...mirrors.values()].sort((a, b) => (a.repository.name < b.repository.name ? -1 : 1));
}

/** The mirrors a selector names (all without one); none is an error naming the closest names. */
export function selectMirrors(state: DesiredState, selector: string | undefined): Mirror[] {
  const mirrors = packageMirrors(state);
  if (mirrors.length === 0) throw new PinRefusedError(`the desired state has no package mirror (package_mirrors:) to pin`);
  if (selector === undefined) return mirrors;
  const { selectors, diagnostics } = parseSelectors(selector, 'SELECTOR');
  if (diagnostics.length > 0) throw new PinRefusedError(`${diagnostics[0]!.summary}. ${diagnostics[0]!.hint ?? ''}`.trim());
  const chosen = mirrors.filter((mirror) => selectors.some((s) => selectorMatches(s, mirror.repository.address)));
  if (chosen.length > 0) return chosen;
  const names = mirrors.map((mirror) => mirror.repository.name);
  const guess = closest(selector, names);
  throw new PinRefusedError(
    `no package mirror matches "${selector}"${guess !== undefined ? `; did you mean "${guess}"?` : ''} (mirrors: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''})`,
  );
}

/** Where an environment's pin is written: the mirror's own snapshot (what development follows), else the environment's. */
function pinPath(mirror: Mirror, environment: string): readonly [string] | readonly [string, string, string] {
  const distribution = mirror.environments.get(environment);
  return environment === 'development' && distribution?.followsSync ? ['snapshot'] : ['distributions', environment, 'snapshot'];
}

export function currentPin(mirror: Mirror, environment: string): string | undefined {
  return mirror.environments.get(environment)?.snapshot;
}

/** Writes every change, bottom-up per file so that an added line does not move the entries above. */
async function writePins(changes: PinChange[], cwd: string): Promise<Array<{ change: PinChange; file: string; edit: PinEdit }>> {
  const edits: Array<{ change: PinChange; file: string; edit: PinEdit }> = [];
  const pending = changes.filter((c): c is Extract<PinChange, { path: unknown }> => 'path' in c);
  const byFile = new Map<string, typeof pending>();
  for (const change of pending) {
    const file = change.mirror.repository.source!.file;
    byFile.set(file, [...(byFile.get(file) ?? []), change]);
  }
  for (const [file, list] of byFile) {
    const path = join(cwd, file);
    let text = await readFile(path, 'utf8');
    for (const change of [...list].sort((a, b) => b.mirror.repository.source!.line - a.mirror.repository.source!.line)) {
      const result = editPin(text, change.mirror.repository.source!, change.path, change.snapshot);
      text = result.text;
      edits.push({ change, file, edit: result.edit });
    }
    await writeFile(path, text);
  }
  return edits.sort((a, b) => (a.file === b.file ? a.edit.line - b.edit.line : a.file < b.file ? -1 : 1));
}

/** Edits, then shows the diff and the plan (and applies it with --apply). */
async function pinAndPlan(changes: PinChange[], options: PinningOptions, fileGiven: boolean): Promise<void> {
  const p = palette(useColor(process.stdout, options.color));
  const say = (text = ''): void => void process.stdout.write(`${text}\n`);
  for (const change of changes) {
    if ('refused' in change) process.stderr.write(`${change.mirror.repository.name}: not changed: ${change.refused}\n`);
    if ('unchanged' in change) say(`${change.mirror.repository.name}: ${change.unchanged}`);
  }
  const edits = await writePins(changes, process.cwd());
  for (const { change, file, edit } of edits) {
    if (!('path' in change)) continue;
    say(
      `${p.bold(change.mirror.repository.name)}: ${change.environment} ${currentPin(change.mirror, change.environment) ?? '(none)'} -> ${change.snapshot}`,
    );
    say(`  ${file} line ${edit.line}:`);
    if (edit.before !== '') say(p.red(`  - ${edit.before.trim()}`));
    say(p.green(`  + ${edit.after.trim()}`));
  }
  const refused = changes.some((change) => 'refused' in change);
  if (edits.length === 0) {
    process.exitCode = refused ? 1 : 0;
    return;
  }
  say();
  if (options.apply) {
    await runApplyCommand(undefined, { ...options, autoApprove: true, concurrency: 8 } as ApplyCommandOptions, fileGiven);
  } else {
    await showPlan(options);
    if (process.exitCode === 0 || process.exitCode === undefined)
      say(`\nThe YAML is edited; review the plan, then run "pulpform apply" (or pass --apply next time).`);
  }
  if (refused) process.exitCode = 1;
}

async function showPlan(options: PinningOptions): Promise<void> {
  const { state } = await loadDesired(options.file);
  const connection = resolveConnection(options, process.env, state.server);
  const client = openClient(connection, clientSettingsOf(options));
  try {
    const { plan } = await planAgainstServer(state, client);
    writeChunks(process.stdout, planTextChunks(plan, { color: useColor(process.stdout, options.color) }));
    process.exitCode = plan.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
  } finally {
    client.close();
  }
}

async function readServer(options: PinningOptions, state: DesiredState): Promise<LiveState> {
  const connection = resolveConnection(options, process.env, state.server);
  const client = openClient(connection, clientSettingsOf(options));
  try {
    return await readLiveState(client);
  } finally {
    client.close();
  }
}

function addPinningOptions(command: Command): Command {
  command.option('--apply', 'apply the plan at once, without asking');
  return addLockOptions(addServerOptions(addDesiredStateOption(command)));
}

export function registerPinCommands(program: Command): void {
  const pin = program
    .command('pin')
    .argument('<selector>', 'the package mirrors to pin: a name glob ("Rocky Linux 9*") or repository/rpm/NAME')
    .argument('<snapshot>', 'the upstream snapshot, e.g. 20240816T002610')
    .description(
      'Set the pin of an environment of package mirrors in the YAML (comments and layout kept), then show the change and the plan.',
    )
    .option(
      '--environment <name>',
      'development (the snapshot the repository syncs, which development serves) or another environment, pinned on its own',
      'development',
    );
  addPinningOptions(pin).action(
    async (selector: string, snapshot: string, options: PinningOptions & { environment: string }, command: Command) => {
      const logger = loggerFor(options, () => []);
      try {
        if (!STAMP.test(snapshot))
          throw new PinRefusedError(
            `"${snapshot}" is not a snapshot stamp: upstream snapshots are named YYYYMMDDTHHMMSS, e.g. 20240816T002610`,
          );
        const { state } = await loadDesired(options.file);
        const changes = selectMirrors(state, selector).map((mirror): PinChange => {
          if (!mirror.environments.has(options.environment))
            return {
              mirror,
              refused: `it has no ${options.environment} distribution (it has ${[...mirror.environments.keys()].join(', ')})`,
            };
          if (currentPin(mirror, options.environment) === snapshot)
            return { mirror, unchanged: `${options.environment} is pinned to ${snapshot} already` };
          return { mirror, environment: options.environment, path: pinPath(mirror, options.environment), snapshot };
        });
        await pinAndPlan(changes, options, command.getOptionValueSource('file') !== 'default');
      } catch (error) {
        fail(error, options, logger);
      }
    },
  );

  const promote = program
    .command('promote')
    .argument('[selector]', 'the package mirrors to promote (default: all)')
    .description(
      'Pin the target environment of package mirrors to the snapshot the source environment serves now (read from the server), in the YAML; then show the change and the plan.',
    )
    .option('--from <environment>', 'the environment whose served snapshot is promoted', 'development')
    .option('--to <environment>', 'the environment pinned to it', 'production');
  addPinningOptions(promote).action(
    async (selector: string | undefined, options: PinningOptions & { from: string; to: string }, command: Command) => {
      let secrets: string[] = [];
      const logger = loggerFor(options, () => secrets);
      try {
        const { state } = await loadDesired(options.file);
        secrets = secretValues(state);
        const mirrors = selectMirrors(state, selector);
        const live = await readServer(options, state);
        const changes = mirrors.map((mirror) => promotion(mirror, live, options.from, options.to));
        await pinAndPlan(changes, options, command.getOptionValueSource('file') !== 'default');
      } catch (error) {
        fail(error, options, logger);
      }
    },
  );
}

/** The pin `to` takes: what `from` serves on the server, if the repository holds that snapshot. */
function promotion(mirror: Mirror, live: LiveState, from: string, to: string): PinChange {
  const source = mirror.environments.get(from);
  const target = mirror.environments.get(to);
  const has = [...mirror.environments.keys()].join(', ');
  if (source === undefined) return { mirror, refused: `it has no ${from} distribution (it has ${has})` };
  if (target === undefined) return { mirror, refused: `it has no ${to} distribution (it has ${has})` };
  const served = live.objects.find((o) => o.address === source.address);
  const snapshot = served?.labels[LABELS.serves];
  if (served === undefined) return { mirror, refused: `its ${from} distribution ${source.name} is not on the server yet: apply first` };
  if (snapshot === undefined)
    return {
      mirror,
      refused: `the server does not record which snapshot ${source.name} serves (pulpform has not applied it): apply first`,
    };
  const repository = live.objects.find((o) => o.address === mirror.repository.address);
  if (repository?.labels[`${LABELS.snapshotPrefix}${snapshot}`] === undefined) {
    return {
      mirror,
      refused: `${from} serves ${snapshot}, but ${mirror.repository.name} has no record of syncing it, so ${to} cannot be pinned to it`,
    };
  }
  if (source.snapshot !== undefined && source.snapshot !== snapshot) {
    process.stderr.write(
      `Note: ${mirror.repository.name}: ${from} serves ${snapshot} on the server, though the YAML pins ${source.snapshot} (not applied yet); promoting what it serves.\n`,
    );
  }
  if (currentPin(mirror, to) === snapshot) return { mirror, unchanged: `${to} is pinned to ${snapshot} already` };
  return { mirror, environment: to, path: ['distributions', to, 'snapshot'], snapshot };
}

function fail(error: unknown, options: PinningOptions, logger: ReturnType<typeof loggerFor>): void {
  reportError(error, { color: useColor(process.stderr, options.color), logger });
  process.exitCode = 1;
}
