export { mapBounded } from './bounded.js';
export { loadCaCert, PulpClient } from './client.js';
export type { ActiveTaskFilter, ProgressReport, PulpClientOptions, TaskProgress, WaitForTaskOptions, WriteResult } from './client.js';
export { PulpApiError, TaskFailedError, TaskTimeoutError, TaskWaitAbandonedError, redactUrlCredentials } from './errors.js';
export type { PulpErrorKind } from './errors.js';
export { fingerprintOf, liveStateDigest, normalizeLiveObject } from './normalize.js';
export { LIVE_ENDPOINTS, readLiveState } from './read.js';
export type { ReadLiveStateOptions } from './read.js';
export { requestText } from './http-text.js';
