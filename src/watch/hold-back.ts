import type { Address, Plan, PlanAction } from '../model/index.js';
import { summarize } from '../plan/waves.js';

export interface HeldBackAction {
  actionId: string;
  address: Address;
  /** The backed-off address that keeps it out: its own, or one it waits for. */
  because: Address;
}

/**
 * The plan without the actions on backed-off objects and without everything that waits for
 * them, so the dependencies of what is left stay complete (the executor refuses a plan whose
 * action depends on one that is not in it). Waves keep their order; emptied waves go.
 */
export function holdBack(plan: Plan, backedOff: ReadonlySet<Address>): { plan: Plan; held: HeldBackAction[] } {
  const actions = plan.waves.flat();
  const because = new Map<string, Address>();
  // Waves are in dependency order, so a dependency is decided before its dependents.
  for (const action of actions) {
    if (backedOff.has(action.address)) {
      because.set(action.id, action.address);
      continue;
    }
    const blocker = action.dependsOn.map((id) => because.get(id)).find((address) => address !== undefined);
    if (blocker !== undefined) because.set(action.id, blocker);
  }
  if (because.size === 0) return { plan, held: [] };
  const kept = (action: PlanAction): boolean => !because.has(action.id);
  const waves = plan.waves.map((wave) => wave.filter(kept)).filter((wave) => wave.length > 0);
  return {
    plan: { ...plan, waves, summary: summarize(waves.flat()) },
    held: actions
      .filter((action) => !kept(action))
      .map((action) => ({ actionId: action.id, address: action.address, because: because.get(action.id)! })),
  };
}
