import { describe, expect, test } from '@jest/globals';
import type { BaselineRecord } from '../../bench/baseline.js';
import { applyLowerBound } from '../../bench/lower-bound.js';
import { requestsOf, type Measurement } from '../../bench/measure.js';
import { serverWorkOf } from '../../bench/server-work.js';
import { prefixShape, type Shape } from '../../bench/shapes.js';
import { extrapolate } from '../../bench/suite.js';
import type { Plan, PlanAction } from '../../src/model/plan.js';

function action(id: string, dependsOn: string[] = [], body: PlanAction['body'] = {}): PlanAction {
  const [type, address = ''] = id.split(' ') as [PlanAction['type'], string];
  const [kind, plugin] = address.split('/') as [PlanAction['kind'], PlanAction['plugin']];
  return { id, type, address, kind, plugin, name: address, endpoint: '', reason: '', changes: [], unchanged: 0, body, dependsOn };
}

describe('applyLowerBound', () => {
  const waves = [
    [action('create remote/rpm/a'), action('create remote/container/c')],
    [action('create repository/rpm/a', ['create remote/rpm/a']), action('create repository/container/c', ['create remote/container/c'])],
    [
      action('sync repository/rpm/a', ['create repository/rpm/a'], { sync_policy: 'mirror_complete' }),
      action('create distribution/container/c', ['create repository/container/c']),
    ],
    [
      action('create publication/rpm/a', ['sync repository/rpm/a'], {
        repository_version: { $ref: 'repository/rpm/a', output: 'version' },
      }),
    ],
    [
      action('create distribution/rpm/a-dev', ['create publication/rpm/a']),
      action('create distribution/rpm/a-prod', ['create publication/rpm/a']),
    ],
  ];
  const plan = { waves } as unknown as Plan;

  test('the distribution lock binds when distribution tasks outlast the dependency chain', () => {
    // Requests 10 ms, tasks 100 ms: creates of remotes and repositories 10, a task 2 requests + 100,
    // the publication the mirror_complete sync makes costs nothing.
    const bound = applyLowerBound(plan, { latencyMs: 10, taskMs: 100, concurrency: 8, listRequests: 17 });
    expect(bound.criticalPathMs).toBe(260);
    expect(bound.concurrencyMs).toBe(520 / 8);
    // The container distribution can start at 20 ms; then 3 distribution tasks one after another.
    expect(bound.distributionLockMs).toBe(20 + 10 + 300 + 10);
    expect(bound.readMs).toBe(10 * (1 + 3));
    expect(bound).toMatchObject({ totalMs: 40 + 340, binding: 'distribution lock', tasks: 4, distributionTasks: 3 });
  });

  test('one slot makes the concurrency bind', () => {
    const bound = applyLowerBound(plan, { latencyMs: 10, taskMs: 100, concurrency: 1, listRequests: 17 });
    expect(bound).toMatchObject({ concurrencyMs: 520, binding: 'concurrency', totalMs: 40 + 520 });
  });
});

describe('extrapolate', () => {
  const mirror = (name: string) => ({
    name,
    remoteName: `${name}-remote`,
    path: name,
    snapshot: '20240101T000000',
    syncPolicy: 'mirror_complete',
    distributions: [],
  });
  const image = (name: string) => ({ name, remoteName: `${name}-remote`, upstreamName: name, basePath: name });
  const full: Shape = { rpm: [mirror('a'), mirror('b'), mirror('c')], container: [image('x'), image('y'), image('z'), image('w')] };
  const record = (
    step: BaselineRecord['step'],
    plugin: BaselineRecord['plugin'],
    mirrorName: string,
    ms: number,
    requests: Record<string, number>,
  ): BaselineRecord => ({
    step,
    plugin,
    mirror: mirrorName,
    outcome: 'updated',
    ms,
    requests,
  });

  test('charges each uncovered step the mean of the unbumped sample steps of its kind', () => {
    const records = [
      record('remote', 'rpm', 'a', 5000, { GET: 3, PATCH: 1 }), // bumped: not in the mean
      record('remote', 'rpm', 'b', 2000, { GET: 2, PATCH: 1 }),
      record('remote', 'container', 'x', 2100, { GET: 2, PATCH: 1 }),
      record('remote', 'container', 'y', 1900, { GET: 4, PATCH: 1 }),
    ];
    const measured: Measurement = { wallMs: 11_000, maxRssKb: 1, cpuMs: 1, requests: requestsOf({ GET: 11, PATCH: 4 }), byPath: {} };
    const scaled = extrapolate(measured, records, full, new Set(['a']));
    // rpm remotes: 1 more at 2,000 ms; container remotes: 2 more at 2,000 ms (the other steps have no sample: not charged).
    expect(scaled.wallMs).toBe(11_000 + 2000 + 2 * 2000);
    expect(scaled.requests).toMatchObject({ GET: 11 + 2 + 2 * 3, PATCH: 4 + 1 + 2, total: 26, writes: 7 });
  });
});

describe('serverWorkOf', () => {
  const at = (seconds: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString();
  const task = (created: number, started: number, finished: number, record: string[] = []) => ({
    pulp_href: `/t/${created}-${started}/`,
    pulp_created: at(created),
    started_at: at(started),
    finished_at: at(finished),
    reserved_resources_record: record,
  });

  test("span, busy time, work, the distribution lock and the bound, from the tasks' own timestamps", () => {
    const work = serverWorkOf(
      [
        task(0, 1, 4), // a sync: 3 s
        task(0, 2, 5, ['/pulp/api/v3/distributions/']), // 3 s under the 3.23 global lock
        task(1, 5, 7, ['prn:core.distribution:1', 'shared:pdrn:1:distributions']), // 3.116 locks base paths: not the global lock
        task(8, 10, 11, ['pdrn:1:distributions']), // the global lock in its PRN form
        { pulp_href: '/t/unfinished/', pulp_created: at(3), started_at: null, finished_at: null },
      ],
      2,
    );
    expect(work).toMatchObject({
      tasks: 4,
      distributionTasks: 2,
      spanMs: 11_000,
      workMs: 9_000,
      distributionLockMs: 4_000,
      longestMs: 3_000,
      queuedMs: 1_000 + 2_000 + 4_000 + 2_000,
      workers: 2,
    });
    // Running: 1-7 s and 10-11 s.
    expect(work.busyMs).toBe(7_000);
    expect(work.boundMs).toBe(Math.max(9_000 / 2, 4_000, 3_000));
  });
});

describe('prefixShape', () => {
  test('prefixes every name and base path, so runs on a shared server stay apart', () => {
    const shape: Shape = {
      rpm: [
        {
          name: 'a',
          remoteName: 'a-remote',
          path: 'p',
          snapshot: 's',
          syncPolicy: 'mirror_complete',
          distributions: [{ name: 'a-dev', basePath: 'dev/a' }],
        },
      ],
      container: [{ name: 'c', remoteName: 'c-remote', upstreamName: 'stackhpc/c', basePath: 'c' }],
    };
    expect(prefixShape(shape, 'pfb1-')).toEqual({
      rpm: [
        {
          name: 'pfb1-a',
          remoteName: 'pfb1-a-remote',
          path: 'p',
          snapshot: 's',
          syncPolicy: 'mirror_complete',
          distributions: [{ name: 'pfb1-a-dev', basePath: 'pfb1-dev/a' }],
        },
      ],
      container: [{ name: 'pfb1-c', remoteName: 'pfb1-c-remote', upstreamName: 'stackhpc/c', basePath: 'pfb1-c' }],
    });
    expect(prefixShape(shape, '')).toBe(shape);
  });
});
