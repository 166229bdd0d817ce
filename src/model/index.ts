export * from './json.js';
export * from './secret.js';
export * from './resource.js';
export * from './plan.js';
export * from './labels.js';
export * from './fields.js';
export * from './capabilities.js';
export * from './server-fields.js';
