import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SuiteResult } from '../../bench/suite.js';

// A tiny run of the benchmark harness (`npm run bench -- --smoke`): 11 objects, one run of
// each operation and of the baseline, against the emulator on 127.0.0.1. It keeps the harness
// from rotting; the numbers themselves are the business of BENCHMARKS.md.

const run = promisify(execFile);
let dir: string;
let report: string;
let rerendered: string;
let result: SuiteResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pulpform-bench-smoke-'));
  await run('npm', ['run', '--silent', 'bench:build']);
  await run(process.execPath, [
    'bench/.out/bench/main.js',
    '--smoke',
    '--out',
    join(dir, 'BENCHMARKS.md'),
    '--json',
    join(dir, 'bench.json'),
  ]);
  report = await readFile(join(dir, 'BENCHMARKS.md'), 'utf8');
  await run(process.execPath, ['bench/.out/bench/main.js', '--from-json', join(dir, 'bench.json'), '--out', join(dir, 'again.md')]);
  rerendered = await readFile(join(dir, 'again.md'), 'utf8');
  result = (JSON.parse(await readFile(join(dir, 'bench.json'), 'utf8')) as { result: SuiteResult }).result;
}, 180_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run bench -- --smoke', () => {
  test('the report has a row for every operation, with the baseline beside it, and every section', () => {
    for (const operation of ['plan from empty', 'apply from empty', 'no-op plan', 'no-op apply', 'pin bump']) {
      expect(report).toMatch(
        new RegExp(
          `\\| ${operation} \\| [\\d.]+ s \\| [\\d.]+ s \\| \\d+ \\(\\d+ GET.*\\| [\\d.]+ s \\| \\d+ \\(\\d+ GET.*\\| [\\d.]+x \\| [\\d.]+x \\|`,
        ),
      );
    }
    for (const heading of [
      '## Machine',
      '## Settings',
      '## Apply from empty against its lower bound',
      '## Where a no-op plan spends its time',
      '## Pin bump: what was planned',
      '## Targets',
    ]) {
      expect(report).toContain(heading);
    }
    expect(report).toContain(`Node ${process.version}`);
  });

  test('--from-json writes the same report from the saved measurements', () => {
    expect(rerendered).toBe(report);
  });

  test('the counts are those of the 11-object shape', () => {
    const [cell] = result.cells;
    expect(result.cells).toHaveLength(1);
    expect(cell!.objects).toEqual({ remote: 3, repository: 3, publication: 1, distribution: 4, total: 11 });
    const op = (name: string) => cell!.operations.find((o) => o.operation === name)!;
    // A plan reads status, the server lock, one page of each list of the plugins the shape uses (rpm: 4,
    // container: 3 and the push repositories) and of the three generic lists, empty server or not;
    // apply looks at the lock only when it has something to write.
    expect(op('plan-empty').median.requests).toMatchObject({ GET: 13, writes: 0 });
    expect(op('noop-plan').median.requests).toMatchObject({ GET: 13, writes: 0 });
    expect(op('noop-apply').median.requests).toMatchObject({ GET: 12, writes: 0 });
    // 3 remotes and 3 repositories (201), 4 distributions (tasks), 3 syncs, 3 label writes after them,
    // and the server lock taken and released; the publication is the one the mirror_complete sync makes.
    expect(op('apply-empty').median.requests).toMatchObject({ POST: 14, PATCH: 3, DELETE: 1 });
    expect(cell!.bumpActions).toEqual({ 'update remote': 1, 'sync repository': 1, 'create publication': 1, 'update distribution': 2 });
    // remote, sync, 2 distributions, the snapshot label; the lock taken and released.
    expect(op('pin-bump').median.requests.writes).toBe(7);
    // The baseline rewrites the 3 remotes and syncs the 3 repositories even when nothing changed.
    expect(op('noop-apply').baseline).toMatchObject({ extrapolated: false, requests: { PATCH: 3, POST: 3 } });
    for (const o of cell!.operations) {
      expect(o.runs).toHaveLength(1);
      expect(o.median.wallMs).toBeGreaterThan(0);
      expect(o.median.maxRssKb).toBeGreaterThan(10 * 1024);
      expect(o.baseline?.wallMs).toBeGreaterThan(0);
    }
    expect(cell!.lowerBound!.distributionTasks).toBe(4);
    expect(cell!.lowerBound!.totalMs).toBeGreaterThan(4 * 20);
  });
});
