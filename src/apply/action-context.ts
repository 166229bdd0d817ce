import type { PulpClient, TaskProgress, WriteResult } from '../live/index.js';
import { PulpApiError } from '../live/index.js';
import type { Capabilities } from '../model/capabilities.js';
import type { JsonObject } from '../model/json.js';
import type { Secret } from '../model/secret.js';
import type { RunState } from './refs.js';

// What every action's steps share: the context they run in and how they wait for Pulp's tasks.

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
export const MAX_POST_ATTEMPTS = 3;
export const VERSION_HREF = /\/versions\/\d+\/$/;

export async function versionExists(ctx: ActionContext, href: string): Promise<boolean> {
  return !(await isGone(ctx, href));
}

export async function isGone(ctx: ActionContext, href: string): Promise<boolean> {
  try {
    await ctx.client.get(href);
    return false;
  } catch (error) {
    if (error instanceof PulpApiError && error.status === 404) return true;
    throw error;
  }
}

export async function settle(ctx: ActionContext, step: string, result: WriteResult, doing: string): Promise<void> {
  if (result.kind === 'task') await waitTask(ctx, step, result.taskHref, doing);
}

export function waitTask(ctx: ActionContext, step: string, taskHref: string, doing: string): Promise<JsonObject> {
  return ctx.client.waitForTask(taskHref, {
    timeoutMs: ctx.taskTimeoutMs,
    doing,
    onProgress: (progress) => ctx.progress(step, progress),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
}

export function createdResources(task: JsonObject): string[] {
  const created = task['created_resources'];
  return Array.isArray(created) ? created.filter((h): h is string => typeof h === 'string') : [];
}
