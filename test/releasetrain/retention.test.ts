import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { type Ark, startArk } from '../../src/ark/index.js';
import { readLiveState } from '../../src/live/read.js';
import { LABELS, type LiveObject } from '../../src/model/index.js';
import { buildPlan } from '../../src/plan/index.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { actionsOf, live, liveState, NOW } from '../builders.js';
import { actionIds, LocalPulp, type PackageMirror, trainState } from './train.js';

// retain: N keeps the newest N versions and their publications, and never what a distribution
// serves, what a pin names, or the latest; planned as visible `trim` actions.

const S = ['20220801T000000', '20220901T000000', '20221001T000000', '20221101T000000', '20221201T000000'];
const PATH = 'centos/8-stream/BaseOS/x86_64/os';
const MIRROR: PackageMirror = { plugin: 'rpm', name: 'BaseOS', path: PATH, development: S[0]!, production: S[0]!, retain: 2 };

let ark: Ark;
let local: LocalPulp;

beforeAll(async () => {
  const identical = [{ name: 'bash', version: '5.1' }];
  ark = await startArk({
    rpm: [
      { path: PATH, snapshots: Object.fromEntries(S.map((stamp) => [stamp, 3])) },
      { path: 'same', snapshots: { [S[0]!]: identical, [S[1]!]: identical } },
    ],
  });
});
afterAll(() => ark.close());
beforeEach(async () => {
  local = await LocalPulp.start();
});
afterEach(() => local.close());

async function versionsLeft(name: string): Promise<{ numbers: number[]; repository: LiveObject }> {
  const state = await readLiveState(local.client, { versions: true });
  const repository = state.objects.find((o) => o.address === `repository/rpm/${name}`)!;
  const numbers = state
    .versions!.filter((v) => v.repository === repository.href)
    .map((v) => v.number)
    .sort((a, b) => a - b);
  return { numbers, repository };
}

async function step(mirror: PackageMirror): Promise<string[]> {
  const state = trainState(ark.url, { packages: [mirror] });
  const { plan, result } = await local.converge(state);
  expect(result.failed).toEqual([]);
  const { plan: again } = await local.plan(state);
  expect(actionIds(again)).toEqual([]);
  return actionIds(plan);
}

describe('retention on the emulator', () => {
  test('pin bumps trim what is neither newest, pinned nor served; promotion trims what production leaves', async () => {
    await step(MIRROR);
    expect((await versionsLeft('BaseOS')).numbers).toEqual([0, 1]);

    expect(await step({ ...MIRROR, development: S[1]! })).toContain('trim repository/rpm/BaseOS');
    expect((await versionsLeft('BaseOS')).numbers).toEqual([1, 2]);
    await step({ ...MIRROR, development: S[2]! });
    expect((await versionsLeft('BaseOS')).numbers).toEqual([1, 2, 3]);
    await step({ ...MIRROR, development: S[3]! });
    const bumped = await versionsLeft('BaseOS');
    // Version 1 stays: production still pins (and serves) it.
    expect(bumped.numbers).toEqual([1, 3, 4]);
    expect(
      Object.keys(bumped.repository.labels)
        .filter((key) => key.startsWith(LABELS.snapshotPrefix))
        .sort(),
    ).toEqual([S[0], S[2], S[3]].map((stamp) => `${LABELS.snapshotPrefix}${stamp}`));

    const promotion = trainState(ark.url, { packages: [{ ...MIRROR, development: S[3]!, production: S[3]! }] });
    const { plan } = await local.plan(promotion);
    const trim = plan.waves.flat().find((action) => action.type === 'trim')!;
    expect(trim.dependsOn).toEqual(['update distribution/rpm/baseos-production']);
    expect(renderPlanText(plan, { color: false })).toContain(
      `  # repository/rpm/BaseOS will be trimmed\n  # (retain: 2 keeps versions 4, 3; deletes 1 older version and 1 publication of them)\n  - repository/rpm/BaseOS versions {\n      - 1 (snapshot ${S[0]})\n    }`,
    );
    await step({ ...MIRROR, development: S[3]!, production: S[3]! });
    expect((await versionsLeft('BaseOS')).numbers).toEqual([3, 4]);
    const served = await fetch(`${local.emulator.url}/pulp/content/${PATH}/production/repodata/repomd.xml`);
    expect(served.status).toBe(200);
  });

  test("retain: 1 drops a new repository's version 0; a sync that makes no new version keeps the latest although the plan listed it", async () => {
    const mirror: PackageMirror = { plugin: 'rpm', name: 'Same', path: 'same', development: S[0]!, retain: 1 };
    expect(await step(mirror)).toContain('trim repository/rpm/Same');
    expect((await versionsLeft('Same')).numbers).toEqual([1]);
    const { plan, result } = await local.converge(trainState(ark.url, { packages: [{ ...mirror, development: S[1]! }] }));
    expect(
      plan.waves
        .flat()
        .find((a) => a.type === 'trim')!
        .changes.map((c) => c.path),
    ).toEqual(['/versions/1']);
    expect(result.succeeded.find((a) => a.type === 'trim')!.note).toBe('deleted nothing; kept 1: still among the newest 1');
    expect((await versionsLeft('Same')).numbers).toEqual([1]);
    expect(actionIds((await local.plan(trainState(ark.url, { packages: [{ ...mirror, development: S[1]! }] }))).plan)).toEqual([]);
  });
});

describe('retention planning (pure)', () => {
  const repository = live('repository/rpm/r', {
    labels: { pulpform_stack: 'rt', pulpform_scheme: '1', [`${LABELS.snapshotPrefix}${S[0]}`]: '1', [LABELS.synced]: S[0]! },
  });
  const versions = [0, 1, 2, 3, 4, 5].map((number) => ({
    href: `${repository.href}versions/${number}/`,
    repository: repository.href,
    number,
  }));
  repository.versionHref = versions[5]!.href;
  const publication = live('publication/rpm/r', { versionHref: versions[2]!.href });
  const other = live('distribution/rpm/someone-elses', { labels: {}, fields: { base_path: 'x', publication: publication.href } });

  test('the newest N, what any distribution serves (even one not ours) and what a pin names are kept', () => {
    const state = trainState('https://ark.example.com', {
      packages: [{ plugin: 'rpm', name: 'r', path: 'r', development: S[0]!, retain: 2 }],
    });
    const plan = buildPlan(state, { ...liveState([repository, publication, other]), versions }, { now: NOW });
    const trim = actionsOf(plan).find((action) => action.type === 'trim')!;
    expect(trim.changes.map((c) => c.path)).toEqual(['/versions/3', '/versions/0']);
    expect(trim.reason).toBe(
      'retain: 2 keeps versions 5, 4, 2 (served by someone-elses), 1 (pinned 20220801T000000); deletes 2 older versions',
    );
    expect(trim.body).toEqual({ versions: [3, 0], retain: 2 });
  });

  test('without the versions read, retention is not planned and says so', () => {
    const state = trainState('https://ark.example.com', {
      packages: [{ plugin: 'rpm', name: 'r', path: 'r', development: S[0]!, retain: 2 }],
    });
    const plan = buildPlan(state, liveState([repository]), { now: NOW });
    expect(plan.diagnostics.map((d) => d.code)).toContain('plan.retain_not_read');
  });
});
