export { startWatch, type RunningWatch, type WatchOptions } from './watch.js';
export { Reconciler, type ReconcilerOptions } from './reconciler.js';
export { ReconcileLatch, type LatchState } from './latch.js';
export { FailureBackoff, type BackoffEntry, type BackoffPolicy } from './backoff.js';
export { holdBack, type HeldBackAction } from './hold-back.js';
export { isDesiredStateFile, watchDesiredState, type DesiredStateWatcher } from './files.js';
export type * from './events.js';
