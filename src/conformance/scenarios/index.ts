import type { Scenario } from '../differential.js';
import { BASICS } from './basics.js';
import { LISTS } from './lists.js';
import { PUSH } from './push.js';
import { REMOTES } from './remotes.js';
import { REPOSITORIES } from './repositories.js';
import { SERVING } from './serving.js';
import { SYNC } from './sync.js';
import { VERSIONS } from './versions.js';

/** Every differential scenario, in the order they run. */
export const SCENARIOS: Scenario[] = [...BASICS, ...REMOTES, ...REPOSITORIES, ...SYNC, ...VERSIONS, ...SERVING, ...LISTS, ...PUSH];
