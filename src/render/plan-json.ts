import type { Plan } from '../model/index.js';
import { serializePlan } from '../plan/planfile.js';

/** `--json`: the versioned plan data, the same document `plan --out` saves (no secret values by construction). */
export function renderPlanJson(plan: Plan): string {
  return serializePlan(plan);
}
