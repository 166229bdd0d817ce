import { PulpApiError, TaskFailedError } from '../live/index.js';
import { LABELS, labelProblem } from '../model/labels.js';
import { toServerBody } from '../model/server-fields.js';
import { type JsonObject, jsonEqual } from '../model/json.js';
import type { PlanAction } from '../model/plan.js';
import {
  type ActionContext,
  ActionInterruptedError,
  type ActionOutcome,
  createdResources,
  MAX_POST_ATTEMPTS,
  settle,
  VERSION_HREF,
  versionExists,
  waitTask,
} from './action-context.js';
import { ApplyStepError } from './refs.js';

// Syncs, and the old versions they leave to trim: the steps that wait longest and must never run twice.

export async function syncRepository(ctx: ActionContext, action: PlanAction): Promise<ActionOutcome> {
  const repository = ctx.run.targetHref(action.address, action.guard?.href);
  const body = ctx.run.resolveBody(action.body ?? {});
  const task =
    action.syncFrom === undefined
      ? await syncOnce(ctx, action, repository, body)
      : await withRemoteUrl(ctx, action, String(body['remote']), action.syncFrom, () => syncOnce(ctx, action, repository, body));
  const current = await ctx.client.get(repository);
  const version = createdResources(task).find((h) => VERSION_HREF.test(h)) ?? current['latest_version_href'];
  if (typeof version !== 'string') throw new ApplyStepError('apply.internal', `${action.address} has no latest version after its sync`);
  const written = await writeLabelsAfter(ctx, action, repository, current, version);
  const created = createdResources(task).includes(version);
  ctx.run.recordSync(action.address, { versionHref: version, labels: written, newVersion: created });
  return { href: repository, note: created ? `new version ${version}` : `no new version; latest is ${version}` };
}

async function syncOnce(ctx: ActionContext, action: PlanAction, repository: string, body: JsonObject): Promise<JsonObject> {
  const taskHref = await dispatchSync(ctx, action.address, repository, body);
  return waitTask(ctx, 'sync', taskHref, `sync of ${action.address}`);
}

/** Runs `work` with the remote's url set to `url`, and puts the url it had back afterwards, whatever happened. */
async function withRemoteUrl<T>(ctx: ActionContext, action: PlanAction, remote: string, url: string, work: () => Promise<T>): Promise<T> {
  const original = (await ctx.client.get(remote))['url'];
  await settle(ctx, 'remote', await ctx.client.patch(remote, { url }), `url of the remote of ${action.address}`);
  try {
    return await work();
  } finally {
    if (typeof original === 'string')
      await settle(ctx, 'remote', await ctx.client.patch(remote, { url: original }), `url of the remote of ${action.address}`);
  }
}

/**
 * Deletes the planned old versions (each a task; Pulp deletes their publications with them),
 * keeping whatever is among the newest `retain` now (a sync in this apply that made no new
 * version leaves an extra one to keep), then drops the snapshot labels of versions gone.
 */
export async function trimRepository(ctx: ActionContext, action: PlanAction): Promise<ActionOutcome> {
  const repository = ctx.run.targetHref(action.address, action.guard?.href);
  const planned = Array.isArray(action.body?.versions)
    ? action.body.versions.filter((number): number is number => typeof number === 'number')
    : [];
  const retain = typeof action.body?.retain === 'number' ? action.body.retain : 1;
  const present = (await ctx.client.list(`${repository}versions/`, { fields: 'pulp_href,number' }))
    .flatMap((version) =>
      typeof version['pulp_href'] === 'string' && typeof version['number'] === 'number'
        ? [{ href: version['pulp_href'], number: version['number'] }]
        : [],
    )
    .sort((a, b) => b.number - a.number);
  const newest = new Set(present.slice(0, retain).map((version) => version.href));
  const deleted: number[] = [];
  const kept: number[] = [];
  for (const version of present.filter((v) => planned.includes(v.number)).reverse()) {
    if (newest.has(version.href)) {
      kept.push(version.number);
      continue;
    }
    if (ctx.signal?.aborted)
      throw new ActionInterruptedError(
        `deleted version${deleted.length === 1 ? '' : 's'} ${deleted.join(', ') || '(none)'} of ${action.address}; the others were not deleted`,
      );
    try {
      await settle(ctx, 'delete', await ctx.client.delete(version.href), `delete of version ${version.number} of ${action.address}`);
    } catch (error) {
      if (!(error instanceof PulpApiError && error.status === 404)) throw error;
    }
    deleted.push(version.number);
  }
  const remaining = new Set(present.map((version) => String(version.number)).filter((number) => !deleted.includes(Number(number))));
  const current = await ctx.client.get(repository);
  const labels =
    current['pulp_labels'] !== null && typeof current['pulp_labels'] === 'object' && !Array.isArray(current['pulp_labels'])
      ? current['pulp_labels']
      : {};
  const recorded = Object.fromEntries(
    Object.entries(labels).filter(([key, value]) => !key.startsWith(LABELS.snapshotPrefix) || remaining.has(String(value))),
  );
  if (!jsonEqual(labels, recorded)) await patchLabels(ctx, action, repository, current, recorded);
  const note = [
    deleted.length > 0 ? `deleted version${deleted.length === 1 ? '' : 's'} ${deleted.join(', ')}` : 'deleted nothing',
    ...(kept.length > 0 ? [`kept ${kept.join(', ')}: still among the newest ${retain}`] : []),
  ].join('; ');
  return { href: repository, note };
}

/**
 * POST sync/, never while another sync of the repository may run (one an interrupted run left
 * behind is waited for first). When the answer is lost, find the sync it started rather than
 * start a second one: any sync task of the repository that was not there before.
 */
async function dispatchSync(ctx: ActionContext, address: string, repository: string, body: JsonObject): Promise<string> {
  const earlier = await newestSyncTasks(ctx, repository);
  for (const task of earlier.filter((t) => t['state'] === 'waiting' || t['state'] === 'running')) {
    await waitTask(ctx, 'sync', String(task['pulp_href']), `an earlier sync of ${address}`).catch((error: unknown) => {
      if (!(error instanceof TaskFailedError)) throw error;
    });
  }
  const before = new Set(earlier.map((task) => task['pulp_href']));
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await ctx.client.post(`${repository}sync/`, body);
      if (result.kind === 'task') return result.taskHref;
      throw new ApplyStepError('apply.internal', `the sync of ${repository} did not start a task`);
    } catch (error) {
      if (!(error instanceof PulpApiError && error.outcomeUnknown) || attempt >= MAX_POST_ATTEMPTS) throw error;
      const started = (await newestSyncTasks(ctx, repository)).find((task) => !before.has(task['pulp_href']));
      if (started) return String(started['pulp_href']);
    }
  }
}

/** The repository's newest sync tasks, newest first: enough to hold every dispatch of one action. */
async function newestSyncTasks(ctx: ActionContext, repository: string): Promise<JsonObject[]> {
  const page = await ctx.client.get('tasks/', {
    exclusive_resources: repository,
    name__contains: 'synchroniz',
    ordering: '-pulp_created',
    limit: MAX_POST_ATTEMPTS + 1,
  });
  const tasks = Array.isArray(page['results']) ? page['results'] : [];
  return tasks.filter(
    (task): task is JsonObject =>
      task !== null && typeof task === 'object' && !Array.isArray(task) && typeof task['pulp_href'] === 'string',
  );
}

/**
 * Adds `labelsAfter` to the repository's current labels (read after the sync, so nothing is
 * lost), plus the snapshot record `pulpform_snapshot_<marker> = <version number>` when the
 * marker can be a label key (a snapshot stamp, not a URL): only the sync tells the number.
 */
async function writeLabelsAfter(
  ctx: ActionContext,
  action: PlanAction,
  repository: string,
  current: JsonObject,
  version: string,
): Promise<Record<string, string>> {
  const after: Record<string, string> = { ...action.labelsAfter };
  const number = /\/versions\/(\d+)\/$/.exec(version)?.[1] ?? '';
  const labels = current['pulp_labels'];
  const before = labels !== null && typeof labels === 'object' && !Array.isArray(labels) ? labels : {};
  const marker = after[LABELS.synced];
  const key = `${LABELS.snapshotPrefix}${marker}`;
  if (marker !== undefined && number !== '') {
    after[LABELS.syncedVersion] = number;
    // The version a snapshot first gave stays its record (what a distribution pinned to it keeps serving), unless it is gone.
    const recorded = before[key];
    const keep = typeof recorded === 'string' && recorded !== number && (await versionExists(ctx, `${repository}versions/${recorded}/`));
    if (!keep && labelProblem(key, number) === undefined) after[key] = number;
  }
  if (Object.keys(after).length === 0) return after;
  if (ctx.signal?.aborted) throw new ActionInterruptedError('the sync finished; its labels were not written');
  const merged = { ...before, ...after };
  if (!jsonEqual(before, merged)) await patchLabels(ctx, action, repository, current, merged);
  return after;
}

/** PATCHes a repository's labels, carrying whatever this release resets when an update leaves it out. */
async function patchLabels(
  ctx: ActionContext,
  action: PlanAction,
  repository: string,
  current: JsonObject,
  labels: JsonObject,
): Promise<void> {
  const body = toServerBody(action.endpoint, { pulp_labels: labels }, ctx.capabilities, current);
  await settle(ctx, 'labels', await ctx.client.patch(repository, body), `labels of ${action.address}`);
}
