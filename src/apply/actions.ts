import type { PulpClient, TaskProgress, WriteResult } from '../live/client.js';
import { PulpApiError, TaskFailedError } from '../live/errors.js';
import { PUSH_REPOSITORY_ENDPOINT } from '../model/fields.js';
import type { Capabilities } from '../model/capabilities.js';
import { LABELS, labelProblem } from '../model/labels.js';
import { toServerBody } from '../model/server-fields.js';
import { type JsonObject, jsonEqual } from '../model/json.js';
import type { PlanAction } from '../model/plan.js';
import type { Secret } from '../model/secret.js';
import { isHrefRef } from '../model/plan.js';
import { ApplyStepError, type RunState } from './refs.js';

/** The action stopped between two of its steps because the apply was interrupted. */
export class ActionInterruptedError extends Error {
  readonly detail: string;

  constructor(detail: string) {
    super(`interrupted: ${detail}`);
    this.name = 'ActionInterruptedError';
    this.detail = detail;
  }
}

export interface ActionContext {
  client: PulpClient;
  run: RunState;
  secrets: (source: string) => Secret | null;
  /** Every secret value sent in this apply, so error texts can be scrubbed of them. */
  revealed: Set<string>;
  /** The server's, from the plan: how bodies written here (labels after a sync) must look. */
  capabilities: Capabilities;
  taskTimeoutMs: number;
  signal: AbortSignal | undefined;
  progress: (step: string, progress: TaskProgress) => void;
}

export interface ActionOutcome {
  href?: string;
  note?: string;
}

/** A POST that may have reached Pulp is sent at most this many times, each time after looking for what the last one did. */
const MAX_POST_ATTEMPTS = 3;
const VERSION_HREF = /\/versions\/\d+\/$/;

export async function executeAction(ctx: ActionContext, action: PlanAction): Promise<ActionOutcome> {
  switch (action.type) {
    case 'create':
      return createObject(ctx, action);
    case 'update':
    case 'adopt':
      return updateObject(ctx, action);
    case 'delete':
      return deleteObject(ctx, action);
    case 'sync':
      return syncRepository(ctx, action);
    case 'trim':
      return trimRepository(ctx, action);
    case 'replace': {
      const deleted = await deleteObject(ctx, action);
      if (ctx.signal?.aborted)
        throw new ActionInterruptedError(`the old object (${deleted.href}) was deleted; the new one was not created yet`);
      const created = await createObject(ctx, action);
      return deleted.note ? { ...created, note: `old object ${deleted.note}` } : created;
    }
  }
}

async function createObject(ctx: ActionContext, action: PlanAction): Promise<ActionOutcome> {
  const body = writeBody(ctx, action);
  const existing = await existingPublication(ctx, action, body);
  if (existing) {
    ctx.run.recordCreated(action.address, { pulp_href: existing.href });
    return existing;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      const object = await createdObject(ctx, action, await ctx.client.create(`${action.endpoint}/`, body));
      ctx.run.recordCreated(action.address, object);
      return { href: String(object['pulp_href']) };
    } catch (error) {
      if (attempt >= MAX_POST_ATTEMPTS || !mayHaveBeenCreated(error, attempt)) throw error;
      const found = await findCreated(ctx, action, body);
      if (found) {
        ctx.run.recordCreated(action.address, found);
        return { href: String(found['pulp_href']), note: 'found on the server after an uncertain create' };
      }
    }
  }
}

/**
 * A publication with these options of the version a sync in this run left, if there is one: an
 * rpm mirror_complete (or autopublish) sync publishes the version it makes, and a sync that made
 * no new version leaves one an earlier, interrupted run may have published already. The plan
 * could not see either, not knowing the version; a second publication would only duplicate it.
 */
async function existingPublication(
  ctx: ActionContext,
  action: PlanAction,
  body: JsonObject,
): Promise<{ href: string; note: string } | undefined> {
  const version = body['repository_version'];
  if (action.kind !== 'publication' || typeof version !== 'string' || !isHrefRef(action.body?.['repository_version'])) return undefined;
  const options = Object.entries(body).filter(([field]) => field !== 'repository_version');
  const publications = await ctx.client.list(`${action.endpoint}/`, { repository_version: version });
  const [newest] = publications
    .filter((publication) => options.every(([field, value]) => !(field in publication) || jsonEqual(publication[field] ?? null, value)))
    .sort((a, b) => String(b['pulp_created']).localeCompare(String(a['pulp_created'])));
  if (typeof newest?.['pulp_href'] !== 'string') return undefined;
  const note = ctx.run.syncMadeVersion(version) ? 'made by the sync itself' : 'the version was published already';
  return { href: newest['pulp_href'], note };
}

/**
 * Whether a failed create may have happened anyway. After a re-dispatch, a uniqueness refusal or
 * a failed create task may be the first attempt's object in the way: look for it.
 */
function mayHaveBeenCreated(error: unknown, attempt: number): boolean {
  if (error instanceof PulpApiError && error.outcomeUnknown) return true;
  if (attempt === 1) return false;
  return error instanceof TaskFailedError || (error instanceof PulpApiError && error.status === 400 && /unique/i.test(error.message));
}

async function createdObject(ctx: ActionContext, action: PlanAction, result: WriteResult): Promise<JsonObject> {
  if (result.kind === 'object' && typeof result.object['pulp_href'] === 'string') return result.object;
  if (result.kind !== 'task') throw new ApplyStepError('apply.internal', `creating ${action.address} returned no object and no task`);
  const task = await waitTask(ctx, 'create', result.taskHref, `create of ${action.address}`);
  const href = createdResources(task).find((h) => h.includes(`/${action.endpoint}/`));
  if (!href)
    throw new ApplyStepError(
      'apply.internal',
      `the create task ${result.taskHref} of ${action.address} reported no created ${action.endpoint} object`,
    );
  return { pulp_href: href };
}

/** Looks for what an uncertain create left: the named object, or a publication of the version (after in-flight tasks end). */
async function findCreated(ctx: ActionContext, action: PlanAction, body: JsonObject): Promise<JsonObject | undefined> {
  const endpoint = `${action.endpoint}/`;
  if (action.kind === 'publication') {
    const version = await publishedVersion(ctx, body);
    const repository = version.replace(VERSION_HREF, '/');
    for (const task of await ctx.client.activeTasks({ resource: repository, lock: 'shared', nameContains: 'publish' })) {
      const done = await waitTask(ctx, 'find', String(task['pulp_href']), `publish of ${action.address}`);
      const href = createdResources(done).find((h) => h.includes(`/${action.endpoint}/`));
      if (href) return { pulp_href: href };
    }
    const publications = await ctx.client.list(endpoint, { repository_version: version });
    return publications.sort((a, b) => String(b['pulp_created']).localeCompare(String(a['pulp_created'])))[0];
  }
  if (action.kind === 'distribution') {
    // Distribution creates are tasks: one still queued would make the name check below miss it.
    const creates = await ctx.client.activeTasks({ nameContains: 'general_create' });
    // Their lock is on the distributions (an href before pulpcore 3.50, `…:distributions` or `…:distribution.base_path` after).
    for (const task of creates.filter((t) => JSON.stringify(t['reserved_resources_record']).includes('distribution'))) {
      await waitTask(ctx, 'find', String(task['pulp_href']), `create of ${action.address}`).catch(() => undefined);
    }
  }
  const [found] = await ctx.client.list(endpoint, { name: action.name });
  return found;
}

async function publishedVersion(ctx: ActionContext, body: JsonObject): Promise<string> {
  if (typeof body['repository_version'] === 'string') return body['repository_version'];
  if (typeof body['repository'] === 'string') {
    const latest = (await ctx.client.get(body['repository']))['latest_version_href'];
    if (typeof latest === 'string') return latest;
  }
  throw new ApplyStepError('apply.internal', 'a publication body names neither a repository version nor a repository');
}

async function updateObject(ctx: ActionContext, action: PlanAction): Promise<ActionOutcome> {
  const href = ctx.run.targetHref(action.address, action.guard?.href);
  const body = writeBody(ctx, action);
  await settle(ctx, 'update', await ctx.client.patch(href, body), `${action.type} of ${action.address}`);
  return { href };
}

async function deleteObject(ctx: ActionContext, action: PlanAction): Promise<ActionOutcome> {
  const href = ctx.run.liveHref(action.address, action.guard?.href);
  if (href.includes(`/${PUSH_REPOSITORY_ENDPOINT}/`)) {
    throw new ApplyStepError(
      'apply.push_repository',
      `${action.address} is a container push repository, which Pulp does not let anyone delete directly`,
      `delete the container distribution that serves it (Pulp deletes the push repository with it), or choose another name`,
    );
  }
  let result: WriteResult;
  try {
    result = await ctx.client.delete(href);
  } catch (error) {
    if (error instanceof PulpApiError && error.status === 404) return { href, note: 'was already deleted' };
    throw error;
  }
  try {
    await settle(ctx, 'delete', result, `delete of ${action.address}`);
  } catch (error) {
    // A retried DELETE can queue a second task that fails because the first one already deleted the object.
    if (error instanceof TaskFailedError && (await isGone(ctx, href))) return { href };
    throw error;
  }
  return { href };
}

async function versionExists(ctx: ActionContext, href: string): Promise<boolean> {
  return !(await isGone(ctx, href));
}

async function isGone(ctx: ActionContext, href: string): Promise<boolean> {
  try {
    await ctx.client.get(href);
    return false;
  } catch (error) {
    if (error instanceof PulpApiError && error.status === 404) return true;
    throw error;
  }
}

async function syncRepository(ctx: ActionContext, action: PlanAction): Promise<ActionOutcome> {
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
async function trimRepository(ctx: ActionContext, action: PlanAction): Promise<ActionOutcome> {
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

/** The request body: HrefRefs resolved, write-only values added from their sources (never from the plan). */
function writeBody(ctx: ActionContext, action: PlanAction): JsonObject {
  const body = ctx.run.resolveBody(action.body ?? {});
  for (const { field, source } of action.secrets ?? []) {
    if (source === 'unset') {
      body[field] = null;
      continue;
    }
    const secret = ctx.secrets(source);
    if (!secret) {
      throw new ApplyStepError(
        'apply.secret_missing',
        `the value of ${field} for ${action.address} is not available from ${source}`,
        'provide it (set the environment variable or create the file it names) and run apply again',
      );
    }
    const value = secret.reveal();
    if (value) ctx.revealed.add(value);
    body[field] = value;
  }
  return body;
}

async function settle(ctx: ActionContext, step: string, result: WriteResult, doing: string): Promise<void> {
  if (result.kind === 'task') await waitTask(ctx, step, result.taskHref, doing);
}

function waitTask(ctx: ActionContext, step: string, taskHref: string, doing: string): Promise<JsonObject> {
  return ctx.client.waitForTask(taskHref, {
    timeoutMs: ctx.taskTimeoutMs,
    doing,
    onProgress: (progress) => ctx.progress(step, progress),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
}

function createdResources(task: JsonObject): string[] {
  const created = task['created_resources'];
  return Array.isArray(created) ? created.filter((h): h is string => typeof h === 'string') : [];
}
