export { buildPlan, type PlanOptions } from './build.js';
export { parsePlan, PlanFileError, serializePlan } from './planfile.js';
