import { mapBounded } from '../live/index.js';
import type { Address, Diagnostic, Plan } from '../model/index.js';
import { probe } from './probe.js';
import { probeTargets, remoteOfSync, type TargetOptions } from './targets.js';

export type { ProbeTarget } from './targets.js';

export interface PreflightOptions extends TargetOptions {
  /** Probes in flight at once. Default 8. */
  concurrency?: number;
  /** Longest wait for one probe. Default 10 s. */
  timeoutMs?: number;
}

export interface PreflightResult {
  diagnostics: Diagnostic[];
  /** Remotes probed. */
  probed: number;
  /** Remotes with an error, and the repositories whose syncs would download through them. */
  blocked: Address[];
}

/**
 * Checks, before anything is written, that every sync the plan will run can download from its
 * upstream: the snapshot or image exists and the credentials are accepted. Reads only; all
 * failures come back together, as error diagnostics naming the remote, the URL and the fix.
 */
export async function preflight(plan: Plan, options: PreflightOptions): Promise<PreflightResult> {
  const { targets, diagnostics } = probeTargets(plan, options);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const results = await mapBounded(targets, options.concurrency ?? 8, (target) => probe(target, { timeoutMs }));
  const all = [...diagnostics, ...results.flat()];
  const blocked = new Set(all.flatMap((d) => (d.severity === 'error' && d.address !== undefined ? [d.address] : [])));
  const liveByHref = new Map(options.live.objects.map((object) => [object.href, object]));
  for (const sync of plan.waves.flat()) {
    const remote = sync.type === 'sync' ? remoteOfSync(sync, liveByHref) : undefined;
    if (remote !== undefined && blocked.has(remote)) blocked.add(sync.address);
  }
  return { diagnostics: all, probed: targets.length, blocked: [...blocked].sort() };
}

/** The plan with the preflight's findings among its diagnostics, errors first, as `plan` and `apply` show them. */
export async function preflightPlan(plan: Plan, options: PreflightOptions): Promise<{ plan: Plan; probed: number }> {
  const { diagnostics, probed } = await preflight(plan, options);
  const all = [...plan.diagnostics, ...diagnostics];
  return {
    plan: { ...plan, diagnostics: [...all.filter((d) => d.severity === 'error'), ...all.filter((d) => d.severity !== 'error')] },
    probed,
  };
}
