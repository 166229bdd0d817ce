import type { ApplyEvent, ApplyResult } from '../apply/events.js';
import type { ActionType } from '../model/plan.js';
import { palette } from './style.js';

const VERB: Record<ActionType, [doing: string, done: string]> = {
  create: ['Creating', 'Creation complete'],
  update: ['Modifying', 'Modifications complete'],
  delete: ['Destroying', 'Destruction complete'],
  replace: ['Replacing', 'Replacement complete'],
  adopt: ['Adopting', 'Adoption complete'],
  sync: ['Syncing', 'Sync complete'],
  trim: ['Trimming', 'Trim complete'],
};

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** One line per executor event, Terraform style (`remote/rpm/x: Creating...`); undefined for events with nothing to show. */
export function renderApplyEvent(event: ApplyEvent, options: { color: boolean }): string | undefined {
  const p = palette(options.color);
  switch (event.code) {
    case 'action.start':
      return `${p.bold(event.address)}: ${VERB[event.type][0]}...`;
    case 'action.progress': {
      // What the task is doing now: its running reports that have begun counting.
      const reports = event.reports
        .filter((r) => r.state === 'running' && (r.done > 0 || r.total !== null))
        .map((r) => `${r.message} ${r.done}${r.total !== null ? `/${r.total}` : ''}`)
        .join(', ');
      return `${p.bold(event.address)}: Still ${VERB[event.type][0].toLowerCase()}... [${seconds(event.elapsedMs)} elapsed${reports ? `; ${reports}` : ''}]`;
    }
    case 'action.done':
      return `${p.bold(event.address)}: ${VERB[event.type][1]} after ${seconds(event.elapsedMs)}${event.href ? ` [${event.href}]` : ''}${event.note ? ` (${event.note})` : ''}`;
    case 'action.failed':
      return `${p.bold(event.address)}: ${p.red(`${VERB[event.type][0]} failed after ${seconds(event.elapsedMs)}`)}: ${event.error.message}`;
    case 'action.skipped':
      return `${p.bold(event.address)}: ${p.yellow('Skipped')}: ${event.reason}`;
    case 'action.interrupted':
      return `${p.bold(event.address)}: ${p.yellow('Interrupted')}${event.taskHref ? ` (task ${event.taskHref} runs on in Pulp)` : ''}${event.detail ? `: ${event.detail}` : ''}`;
    case 'apply.stopping':
      return p.yellow(
        `Stopping: starting nothing new; waiting for the ${event.inFlight.length === 1 ? 'action' : `${event.inFlight.length} actions`} in flight to finish (${event.inFlight.join(', ') || 'none'}). Press Ctrl-C again to stop waiting; their Pulp tasks go on.`,
      );
    case 'apply.summary':
      return undefined;
  }
}

/**
 * Which progress events a terminal shows: the first of each action, then one every
 * `intervalMs` of its run, as Terraform's "Still creating... [10s elapsed]" lines.
 */
export function progressThrottle(intervalMs = 10_000): (event: ApplyEvent) => boolean {
  const shown = new Map<string, number>();
  return (event) => {
    if (event.code !== 'action.progress') return true;
    const last = shown.get(event.actionId);
    if (last !== undefined && event.elapsedMs - last < intervalMs) return false;
    shown.set(event.actionId, event.elapsedMs);
    return true;
  };
}

/** The summary that ends every apply, whatever happened: counts, then each failure with its hint, then what was skipped. */
export function renderApplySummary(result: ApplyResult, options: { color: boolean }): string {
  const p = palette(options.color);
  const count = (types: ActionType[]): number => result.succeeded.filter((a) => types.includes(a.type)).length;
  const lines: string[] = [''];
  if (result.ok) {
    lines.push(
      p.bold(
        p.green(
          `Apply complete! Resources: ${count(['create', 'replace'])} added, ${count(['update', 'adopt'])} changed, ${count(['delete', 'replace'])} destroyed, ${count(['sync'])} synced${count(['trim']) > 0 ? `, ${count(['trim'])} trimmed` : ''}.`,
        ),
      ),
    );
    return `${lines.join('\n')}\n`;
  }
  const title = result.aborted ? 'Apply interrupted' : 'Apply failed';
  lines.push(
    p.bold(
      p.red(
        `${title}: ${result.succeeded.length} succeeded, ${result.failed.length} failed, ${result.skipped.length} skipped, ${result.interrupted.length} interrupted.`,
      ),
    ),
  );
  for (const failed of result.failed) {
    lines.push('', `${p.red('Error:')} ${p.bold(failed.address)} (${failed.type}): ${failed.error.message}`);
    if (failed.error.taskHref) lines.push(`  Task: ${failed.error.taskHref}`);
    if (failed.error.hint) lines.push(`  Hint: ${failed.error.hint}`);
  }
  if (result.skipped.length > 0) {
    lines.push('', 'Skipped:');
    for (const skipped of result.skipped) lines.push(`  ${skipped.address} (${skipped.type}): ${skipped.reason}`);
  }
  for (const interrupted of result.interrupted) {
    lines.push(
      '',
      `Interrupted: ${interrupted.address} (${interrupted.type})${interrupted.taskHref ? `; task ${interrupted.taskHref} runs on in Pulp` : ''}${interrupted.detail ? `; ${interrupted.detail}` : ''}`,
    );
  }
  lines.push('', 'Run `pulpform plan` to see what is left to do.');
  return `${lines.join('\n')}\n`;
}
