export { applyPlan, InvalidPlanError } from './executor.js';
export type { ApplyOptions } from './executor.js';
export type * from './events.js';
