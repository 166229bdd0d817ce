import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { type Ark, startArk } from '../../src/ark/index.js';
import { readLiveState } from '../../src/live/read.js';
import { buildPlan } from '../../src/plan/index.js';
import { actionsOf, live, liveState, NOW } from '../builders.js';
import { actionIds, arkFor, LocalPulp, type Train, trainState } from '../releasetrain/train.js';

// A `docker push` to a name the desired state needs leaves a push repository and a distribution
// that Pulp will not let a container repository or distribution share: found in the plan,
// before any write, with the remedy; --replace-push-conflicts plans the remedy.

const NOVA = 'stackhpc/centos-source-nova-api';
const TRAIN: Train = { images: [{ name: NOVA }] };

function pushed(name: string, basePath = name) {
  const repository = live(`repository/container/${name}`, { type: 'container-push', labels: {} });
  const distribution = live(`distribution/container/${name}`, { labels: {}, fields: { base_path: basePath, repository: repository.href } });
  return { repository, distribution };
}

describe('planning against push repositories (pure)', () => {
  test('a desired repository and distribution whose names a push holds are errors naming the push distribution and the remedy', () => {
    const { repository, distribution } = pushed(NOVA);
    const plan = buildPlan(trainState('https://ark.example.com', TRAIN), liveState([repository, distribution]), { now: NOW });
    const conflicts = plan.diagnostics.filter((d) => d.code === 'plan.push_conflict');
    expect(conflicts.map((d) => d.address)).toEqual([`repository/container/${NOVA}`, `distribution/container/${NOVA}`]);
    const [first] = conflicts;
    expect(first!.summary).toMatch(new RegExp(`is held by the container push repository "${NOVA}" \\(${repository.href}\\)$`));
    expect(first!.detail).toContain(`made that repository and the distribution "${NOVA}" serving it (${distribution.href})`);
    expect(first!.detail).toContain('{"name":["This field must be unique."]}');
    expect(first!.hint).toBe(
      `Delete the distribution "${NOVA}" (Pulp deletes its push repository, and the pushed images, with it): run with --replace-push-conflicts to plan that first, or delete it yourself (DELETE ${distribution.href}).`,
    );
    expect(actionsOf(plan).map((a) => a.id)).toEqual([`create remote/container/${NOVA}-remote`]);
  });

  test('a desired distribution at a base path a push distribution holds is the same conflict', () => {
    const { repository, distribution } = pushed('someone/else', NOVA);
    const plan = buildPlan(trainState('https://ark.example.com', TRAIN), liveState([repository, distribution]), { now: NOW });
    const conflict = plan.diagnostics.find((d) => d.code === 'plan.push_conflict')!;
    expect(conflict.address).toBe(`distribution/container/${NOVA}`);
    expect(conflict.summary).toContain(`base_path ${NOVA} is held by the container push repository "someone/else"`);
    expect(plan.diagnostics.map((d) => d.code)).not.toContain('plan.base_path_taken');
  });

  test('--replace-push-conflicts deletes the push distribution once, first, and creates what the desired state needs after it', () => {
    const { repository, distribution } = pushed(NOVA);
    const plan = buildPlan(trainState('https://ark.example.com', TRAIN), liveState([repository, distribution]), {
      now: NOW,
      replacePushConflicts: true,
    });
    expect(plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(plan.waves.map((wave) => wave.map((a) => a.id))).toEqual([
      [`delete distribution/container/${NOVA}`, `create remote/container/${NOVA}-remote`],
      [`create repository/container/${NOVA}`],
      [`create distribution/container/${NOVA}`, `sync repository/container/${NOVA}`],
    ]);
    const removal = actionsOf(plan)[0]!;
    expect(removal.guard?.href).toBe(distribution.href);
    expect(removal.reason).toContain(`Pulp deletes its push repository ${NOVA} and the pushed images with it`);
  });

  test('a run narrowed by --only or an image filter keeps the push delete its selected creates wait for', () => {
    const { repository, distribution } = pushed('someone/else', NOVA);
    const state = trainState('https://ark.example.com', TRAIN);
    const only = buildPlan(state, liveState([repository, distribution]), {
      now: NOW,
      replacePushConflicts: true,
      only: `distribution/container/${NOVA}`,
    });
    expect(only.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(only.waves[0]!.map((a) => a.id)).toContain('delete distribution/container/someone/else');
    // Each image's objects tagged with it, as container_mirrors expands them, so the filter applies.
    const twoImages = trainState('https://ark.example.com', { images: [{ name: NOVA }, { name: 'stackhpc/centos-source-glance-api' }] });
    twoImages.resources = twoImages.resources.map((resource) => ({ ...resource, image: { name: resource.name.replace(/-remote$/, '') } }));
    const filtered = buildPlan(twoImages, liveState([repository, distribution]), {
      now: NOW,
      replacePushConflicts: true,
      imageFilter: 'nova-api',
    });
    expect(filtered.diagnostics.map((d) => d.code)).toContain('plan.partial_images');
    expect(actionsOf(filtered).map((a) => a.id)).toContain('delete distribution/container/someone/else');
    // Without the flag, a narrowed run still deletes nothing: the conflict stays an error.
    const refused = buildPlan(state, liveState([repository, distribution]), { now: NOW, only: `distribution/container/${NOVA}` });
    expect(actionsOf(refused).filter((a) => a.type === 'delete')).toEqual([]);
    expect(refused.diagnostics.map((d) => d.code)).toContain('plan.push_conflict');
  });
});

describe('push conflicts on the emulator', () => {
  let ark: Ark;
  let local: LocalPulp;
  beforeAll(async () => {
    ark = await startArk(arkFor(TRAIN));
  });
  afterAll(() => ark.close());
  beforeEach(async () => {
    // Push repositories as pulp_container before 2.29 makes them (3.116 pushes into plain container repositories).
    local = await LocalPulp.start({ pulpVersion: '3.43' });
    const push = await fetch(`${local.emulator.url}/_emulator/registry_push`, {
      method: 'POST',
      body: JSON.stringify({ name: NOVA, tag: 'pushed-by-hand' }),
    });
    expect(push.status).toBe(200);
  });
  afterEach(() => local.close());

  test('the conflict is in the plan and nothing is written; with the flag the push goes and the mirror converges', async () => {
    const state = trainState(ark.url, TRAIN);
    local.emulator.resetRequests();
    const { plan } = await local.plan(state);
    expect(plan.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(['plan.push_conflict', 'plan.push_conflict']);
    expect(local.writes()).toEqual([]);

    const { plan: replacing, result } = await local.converge(state, { replacePushConflicts: true });
    expect(actionIds(replacing)).toContain(`delete distribution/container/${NOVA}`);
    expect(result.failed).toEqual([]);
    const after = await readLiveState(local.client);
    expect(after.objects.filter((o) => o.endpoint === 'repositories/container/container-push')).toEqual([]);
    expect(actionIds((await local.plan(state)).plan)).toEqual([]);
  });
});
