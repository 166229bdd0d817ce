import { basename } from 'node:path';
import type { Diagnostic } from '../model/index.js';
import type { CycleReport, WatchEvent, WatchTrigger } from '../watch/events.js';
import { describeApplyEvent } from './apply-events.js';

/** The line a watch event is logged with, and the `message` of its JSON line. */
export function describeWatchEvent(event: WatchEvent): string {
  switch (event.code) {
    case 'watch.started':
      return `watching ${event.path}${event.intervalSeconds !== undefined ? `, and reconciling every ${event.intervalSeconds} s` : ''}${event.prune ? ' (--prune: deletions and replacements are performed)' : ''}`;
    case 'watch.file_event':
      return `${event.event} ${event.file}`;
    case 'watch.files_changed': {
      const names = event.files.map((file) => basename(file)).join(', ');
      return event.queued
        ? `detected a change to ${names} while a cycle is running; another cycle follows it`
        : `detected a change to ${names}`;
    }
    case 'watch.cycle_start':
      return `cycle ${event.cycle} started (${describeTrigger(event.trigger)})`;
    case 'watch.desired_loaded':
      return `desired state loaded: ${plural(event.resources, 'object')} from ${event.files.join(', ')}`;
    case 'watch.desired_invalid': {
      const errors = plural(event.errors, 'error');
      if (event.reread) {
        return `the desired state has ${errors}; nothing is applied. ${event.lastGoodSha256 !== undefined ? 'The last valid desired state stays in force for drift repair' : 'Waiting for a valid save'}`;
      }
      return event.applied === 'last_good'
        ? `the desired state files still have ${errors} (reported when they were saved); converging to the last valid desired state (${event.lastGoodSha256?.slice(0, 12)})`
        : `the desired state files still have ${errors} (reported when they were saved); nothing is applied`;
    }
    case 'watch.diagnostic':
      return describeDiagnostic(event.diagnostic);
    case 'watch.plan_blocked':
      return `the plan has ${plural(event.errors, 'error')}; nothing is applied until the desired state or the server changes`;
    case 'watch.held_back':
      return `not performed without --prune: ${[...event.deletes.map((a) => `delete ${a}`), ...event.replacements.map((a) => `replace ${a}`)].join(', ')}`;
    case 'watch.backing_off':
      return `${event.address} failed ${plural(event.failures, 'time')} in a row; not retried before ${event.until}`;
    case 'watch.server_error':
      return `cannot reconcile: ${event.error.message}${event.error.hint ? ` (hint: ${event.error.hint})` : ''}; trying again by ${event.retryAt}`;
    case 'watch.cycle_done':
      return describeCycle(event, event.queued, event.nextCycleAt);
    case 'watch.error':
      return event.during === 'watching'
        ? `watching ${event.path} failed: ${event.error}`
        : `internal error in a reconcile cycle: ${event.error}`;
    case 'watch.stopping':
      return `${event.signal}: stopping; an apply in flight starts nothing new and its Pulp tasks run on`;
    case 'watch.stopped':
      return 'stopped';
    default:
      return describeApplyEvent(event);
  }
}

/** What a JSON line or a log record shows of a watch event: all but the fields only its words read (see WatchEvent). */
export function watchEventData(event: WatchEvent): { code: WatchEvent['code']; time: string; level: WatchEvent['level'] } {
  if (event.code === 'watch.desired_invalid') {
    const { reread: _reread, ...shown } = event;
    return shown;
  }
  if (event.code === 'watch.error') {
    const shown = { code: event.code, time: event.time, level: event.level, error: event.error };
    return shown;
  }
  return event;
}

const CHANGE_WORDS: [keyof CycleReport['changed'], string][] = [
  ['create', 'created'],
  ['adopt', 'adopted'],
  ['update', 'updated'],
  ['replace', 'replaced'],
  ['sync', 'synced'],
  ['delete', 'deleted'],
];

/** The cycle summary line: what changed, what failed, what is held back or backing off, and when the next check is. */
export function describeCycle(report: CycleReport, queued: boolean, nextCycleAt: string | undefined): string {
  const parts: string[] = [];
  const changed = CHANGE_WORDS.filter(([type]) => report.changed[type]).map(([type, word]) => `${report.changed[type]} ${word}`);
  const outcome: Record<CycleReport['outcome'], string> = {
    in_sync: 'in sync',
    waiting: 'nothing applied',
    applied: 'applied',
    incomplete: 'incomplete',
    interrupted: 'interrupted',
    invalid: 'invalid desired state, nothing applied',
    blocked: 'the plan has errors, nothing applied',
    error: `could not reconcile: ${report.error?.message ?? 'unknown error'}`,
  };
  parts.push(`cycle ${report.cycle} ${outcome[report.outcome]}${changed.length > 0 ? `: ${changed.join(', ')}` : ''}`);
  if (report.failed.length > 0) parts.push(`${report.failed.length} failed: ${report.failed.map((f) => f.actionId).join(', ')}`);
  if (report.skipped > 0) parts.push(`${report.skipped} skipped`);
  const { deletes, replacements } = report.heldBack;
  if (deletes + replacements > 0) {
    const held = [deletes > 0 ? plural(deletes, 'deletion') : '', replacements > 0 ? plural(replacements, 'replacement') : ''].filter(
      Boolean,
    );
    parts.push(`${held.join(' and ')} held back (run with --prune)`);
  }
  if (report.backingOff.length > 0) {
    parts.push(
      `backing off: ${report.backingOff.map((b) => `${b.address} until ${b.until}`).join(', ')}${report.waiting > 0 ? ` (${plural(report.waiting, 'action')} waiting)` : ''}`,
    );
  }
  if (report.upstreamFailed > 0) parts.push(`${plural(report.upstreamFailed, 'action')} held back: the upstream check failed (see above)`);
  if (queued) parts.push('another cycle follows for changes made meanwhile');
  else if (nextCycleAt !== undefined) parts.push(`next check by ${nextCycleAt}`);
  return `${parts.join('; ')} (${(report.elapsedMs / 1000).toFixed(1)} s)`;
}

/** `change: a.yaml, b.yml, interval` */
export function describeTrigger(trigger: WatchTrigger): string {
  const files = trigger.files.map((file) => basename(file)).join(', ');
  return trigger.reasons.map((reason) => (reason === 'change' && files ? `change: ${files}` : reason)).join(', ');
}

/** `desired-state/a.yaml:7:13: Unknown field (in remotes[0].polcy). A rpm remote has no field "polcy". Fix: Rename it to "policy".` */
export function describeDiagnostic(diagnostic: Diagnostic): string {
  const where = diagnostic.source
    ? `${diagnostic.source.file}:${diagnostic.source.line}:${diagnostic.source.column}: `
    : diagnostic.address
      ? `${diagnostic.address}: `
      : '';
  const parts = [`${where}${oneLine(`${diagnostic.summary}${diagnostic.path ? ` (in ${diagnostic.path})` : ''}`)}`];
  if (diagnostic.detail) parts.push(oneLine(diagnostic.detail));
  if (diagnostic.hint) parts.push(`Fix: ${oneLine(diagnostic.hint)}`);
  return parts.join(' ');
}

/** Lines become one sentence run: unpunctuated line ends get `;`, the last one `.`. */
function oneLine(text: string): string {
  const lines = text.trim().split(/\s*\n\s*/);
  return lines.map((line, i) => (/[.!?:;]$/.test(line) ? line : `${line}${i === lines.length - 1 ? '.' : ';'}`)).join(' ');
}

/** `1 error`, `3 errors` */
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
