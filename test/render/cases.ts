import { LABELS } from '../../src/model/index.js';
import { buildPlan } from '../../src/plan/build.js';
import { desired, desiredState, live, liveFrom, liveState, mirror, NOW, secret } from '../builders.js';

/** The plans the text renderer is pinned on: one per situation users meet. */
export const CASES = {
  firstApply: () =>
    buildPlan(
      desiredState([
        ...mirror('rpm', 'rocky-9-baseos').map((r) =>
          r.kind === 'remote'
            ? { ...r, secrets: { username: secret('ark-user'), password: secret('correct-horse', 'env:ARK_PASSWORD') } }
            : r,
        ),
        ...mirror('container', 'stackhpc/bifrost-deploy'),
      ]),
      liveState([]),
      { now: NOW },
    ),
  pinBump: () =>
    buildPlan(
      desiredState(mirror('rpm', 'rocky-9-baseos', { snapshot: '20240301T000000', production: '20240115T000000' })),
      liveFrom(desiredState(mirror('rpm', 'rocky-9-baseos', { snapshot: '20240115T000000', production: '20240115T000000' }))),
      { now: NOW },
    ),
  secretsAndLabels: () =>
    buildPlan(
      desiredState([
        desired('remote/rpm/ark', {
          fields: { policy: 'immediate' },
          labels: { team: 'infra', env: 'prod' },
          secretVersion: '2',
          secrets: { username: secret('ark-user'), password: secret('correct-horse', 'env:ARK_PASSWORD') },
        }),
      ]),
      liveState([
        live('remote/rpm/ark', {
          secretsSet: { password: true, username: true, proxy_password: true },
          labels: { ...live('remote/rpm/ark').labels, [LABELS.secretVersion]: '1', team: 'ops' },
          fields: { policy: 'on_demand', proxy_url: 'http://proxy:3128' },
        }),
      ]),
      { now: NOW },
    ),
  replaceAdoptConflicts: () =>
    buildPlan(
      desiredState([
        desired('repository/rpm/shared', { protect: true, source: { file: 'desired-state/repos.yaml', line: 12, column: 5 } }),
        desired('remote/rpm/taken', { source: { file: 'desired-state/remotes.yaml', line: 3, column: 5 } }),
        desired('remote/rpm/mine', { adopt: true }),
      ]),
      liveState([
        live('repository/file/shared'),
        live('remote/rpm/taken', { labels: {} }),
        live('remote/rpm/mine', { labels: { owner: 'ansible' } }),
      ]),
      { now: NOW },
    ),
  withoutPrune: () =>
    buildPlan(
      desiredState(mirror('rpm', 'keep')),
      liveFrom(desiredState([...mirror('rpm', 'keep'), ...mirror('container', 'stackhpc/old')])),
      { now: NOW },
    ),
  withPrune: () =>
    buildPlan(desiredState(mirror('rpm', 'keep')), liveFrom(desiredState([...mirror('rpm', 'keep'), ...mirror('rpm', 'old')])), {
      now: NOW,
      prune: true,
    }),
  pruneAll: () =>
    buildPlan(
      desiredState([desired('repository/file/x')]),
      liveFrom(desiredState([desired('remote/file/a'), desired('remote/file/b'), desired('repository/file/x')])),
      { now: NOW, prune: true },
    ),
  scope: () =>
    buildPlan(
      desiredState([...mirror('container', 'stackhpc/bifrost-deploy'), ...mirror('container', 'stackhpc/nova-api')]),
      liveState([]),
      { now: NOW, only: 'repository/container/stackhpc/bifrost*' },
    ),
  noChanges: () => buildPlan(desiredState(mirror('rpm', 'keep')), liveFrom(desiredState(mirror('rpm', 'keep'))), { now: NOW }),
};
