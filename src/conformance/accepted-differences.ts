import type { PulpVersion } from '../emulator/index.js';
import type { Difference } from './differential.js';

/**
 * Differences between a real Pulp and the emulator that are accepted, each with its reason. Keep
 * it short: a value no two servers share belongs here, a missing rule does not. The differential
 * suite fails on any other difference, and on an entry here that no longer occurs.
 */
export interface AcceptedDifference {
  versions: PulpVersion[];
  scenario: string;
  /** The step label, exactly. */
  step: string;
  /** The difference's path, exactly, or a prefix ending in `.` (`body.results.0.`). */
  path: string;
  why: string;
}

export const ACCEPTED_DIFFERENCES: AcceptedDifference[] = [];

export function isAccepted(entry: AcceptedDifference, version: PulpVersion, difference: Difference): boolean {
  return (
    entry.versions.includes(version) &&
    entry.scenario === difference.scenario &&
    entry.step === difference.step &&
    (entry.path === difference.path || (entry.path.endsWith('.') && difference.path.startsWith(entry.path)))
  );
}
