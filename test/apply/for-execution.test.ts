import { describe, expect, test } from '@jest/globals';
import { forExecution } from '../../src/apply/executor.js';
import type { Plan, PlanAction } from '../../src/model/plan.js';

const update: PlanAction = {
  id: 'update remote/rpm/baseos',
  type: 'update',
  address: 'remote/rpm/baseos',
  kind: 'remote',
  plugin: 'rpm',
  name: 'baseos',
  endpoint: 'remotes/rpm/rpm',
  reason: 'policy differs',
  changes: [{ path: '/policy', before: 'immediate', after: 'on_demand' }],
  unchanged: 7,
  body: { policy: 'on_demand' },
  secrets: [{ field: 'password', source: 'env:ARK_PASSWORD' }],
  guard: {
    href: '/pulp/api/v3/remotes/rpm/rpm/1/',
    fingerprint: 'abc',
    lastUpdated: '2026-01-01T00:00:00Z',
    seen: { fields: { policy: 'immediate' }, labels: {} },
  },
  dependsOn: ['create remote/rpm/other'],
  source: { file: 'state.yaml', line: 3, column: 5 },
};

describe('forExecution', () => {
  test('keeps what the executor reads and drops what only rendering shows', () => {
    const plan = { waves: [[update]], summary: { update: 1 }, diagnostics: [] } as unknown as Plan;
    const [[lean]] = forExecution(plan).waves as [[PlanAction]];
    expect(lean).toEqual({
      ...update,
      reason: '',
      changes: [],
      guard: { href: update.guard!.href, fingerprint: 'abc', lastUpdated: '2026-01-01T00:00:00Z' },
      source: undefined,
    });
    expect('source' in lean).toBe(false);
    expect(forExecution(plan).summary).toBe(plan.summary);
  });
});
