import base from './jest.config.js';

/** `npm run test:e2e`: the suite against real Pulp servers (PULP_E2E_SERVERS). */
/** @type {import('jest').Config} */
export default {
  ...base,
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  testPathIgnorePatterns: [],
  // Real syncs and tasks: minutes, not seconds.
  testTimeout: 600000,
  // The servers are shared: one file at a time keeps their workers' queues short.
  maxWorkers: 1,
};
