export { loadDesiredState, DEFAULT_STACK } from './load.js';
export type { LoadOptions, LoadResult } from './load.js';
export { SECTIONS } from './sections.js';
export type { Section } from './section-types.js';
