import type { ApplyEvent } from '../apply/events.js';

/** An apply event whatever its level: watch relays the summary at debug. */
type AtAnyLevel<T> = T extends unknown ? Omit<T, 'level'> & { level: 'debug' | 'info' | 'warn' | 'error' } : never;

/**
 * The line an apply event is logged with, and the `message` of its JSON line, e.g.
 * `sync repository/rpm/baseos: sync task running: Downloading Artifacts 12/40 (14 s)`.
 */
export function describeApplyEvent(event: AtAnyLevel<ApplyEvent>): string {
  switch (event.code) {
    case 'action.start':
      return `${event.actionId}: started`;
    case 'action.progress': {
      const reports = event.reports.map((r) => `${r.message} ${r.done}${r.total !== null ? `/${r.total}` : ''}`).join(', ');
      return `${event.actionId}: ${event.step} task ${event.taskState}${reports ? `: ${reports}` : ''} (${Math.round(event.elapsedMs / 1000)} s)`;
    }
    case 'action.done':
      return `${event.actionId}: done${event.note ? ` (${event.note})` : ''}`;
    case 'action.failed':
      return `${event.actionId}: failed: ${event.error.message}`;
    case 'action.skipped':
      return `${event.actionId}: skipped: ${event.reason}`;
    case 'action.interrupted':
      return `${event.actionId}: interrupted; ${event.taskHref ? `task ${event.taskHref} goes on in Pulp` : (event.detail ?? '')}`;
    case 'apply.stopping':
      return `Stopping: starting nothing new; waiting for ${event.inFlight.length} action${event.inFlight.length === 1 ? '' : 's'} in flight to finish`;
    case 'apply.summary': {
      const { succeeded, failed, skipped, interrupted } = event.counts;
      // Not from `level`: watch relays the summary at debug.
      const ok = failed + skipped + interrupted === 0;
      return `Apply ${event.aborted ? 'interrupted' : ok ? 'complete' : 'incomplete'}: ${succeeded} succeeded, ${failed} failed, ${skipped} skipped, ${interrupted} interrupted.`;
    }
  }
}
