import type { Scenario } from '../differential.js';
import { BASICS } from './basics.js';
import { REMOTES } from './remotes.js';
import { REPOSITORIES } from './repositories.js';
import { SYNC } from './sync.js';

/** Every differential scenario, in the order they run. */
export const SCENARIOS: Scenario[] = [...BASICS, ...REMOTES, ...REPOSITORIES, ...SYNC];
