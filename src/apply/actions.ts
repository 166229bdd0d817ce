import type { WriteResult } from '../live/index.js';
import { PulpApiError, TaskFailedError } from '../live/index.js';
import { PUSH_REPOSITORY_ENDPOINT } from '../model/fields.js';
import { type JsonObject, jsonEqual } from '../model/json.js';
import type { PlanAction } from '../model/plan.js';
import { isHrefRef } from '../model/plan.js';
import {
  type ActionContext,
  ActionInterruptedError,
  type ActionOutcome,
  createdResources,
  isGone,
  MAX_POST_ATTEMPTS,
  settle,
  VERSION_HREF,
  waitTask,
} from './action-context.js';
import { ApplyStepError } from './refs.js';
import { syncRepository, trimRepository } from './sync-actions.js';

export { type ActionContext, ActionInterruptedError, type ActionOutcome };

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
