import { describe, expect, test } from '@jest/globals';
import { normalizeLiveObject } from '../../src/live/normalize.js';
import { capabilitiesOf, FIELDS, type Endpoint, type JsonObject, type LiveState, ownershipLabels } from '../../src/model/index.js';
import { buildPlan } from '../../src/plan/build.js';
import { desired, desiredState, hrefOf, NOW, STACK } from '../builders.js';

// One desired state planned against objects shaped as each release answers them: the plan is
// empty where the server already matches, and bodies take the form that release accepts.

const RELEASES = {
  '3.23': { core: '3.23.24', rpm: '3.20.0', container: '2.14.18', deb: '2.20.4', file: '1.14.5' },
  '3.43': { core: '3.43.1', rpm: '3.24.1', container: '2.17.0', deb: '3.1.2', file: '3.43.1' },
  '3.116': { core: '3.116.0', rpm: '3.38.5', container: '2.29.0', deb: '3.10.0', file: '3.116.0' },
} as const;
type Release = keyof typeof RELEASES;

/** A list answer's object: FIELDS defaults, then what that release adds, renames or drops. */
function raw(endpoint: Endpoint, name: string, release: Release, extra: JsonObject = {}): JsonObject {
  const object: JsonObject = { pulp_href: hrefOf(endpoint, name), name, pulp_labels: ownershipLabels(STACK) };
  for (const [field, spec] of Object.entries(FIELDS[endpoint] ?? {})) {
    if (!spec.secret && spec.since === undefined && !spec.required) object[field] = spec.default ?? null;
  }
  if (endpoint === 'repositories/rpm/rpm' && release !== '3.23') {
    object['repo_config'] = {};
    if (release === '3.43') object['gpgcheck'] = object['repo_gpgcheck'] = null;
    else {
      delete object['gpgcheck'];
      delete object['repo_gpgcheck'];
    }
  }
  if (endpoint === 'remotes/container/container') {
    object['url'] = 'https://ark.example.com';
    object['upstream_name'] = 'stackhpc/nova';
    if (release === '3.116') {
      object['includes'] = object['include_tags'] ?? null;
      object['excludes'] = object['exclude_tags'] ?? null;
      delete object['include_tags'];
      delete object['exclude_tags'];
    }
  }
  return { ...object, ...extra };
}

function liveOf(release: Release, objects: Array<[Endpoint, JsonObject]>): LiveState {
  const versions = RELEASES[release];
  const capabilities = capabilitiesOf(versions);
  return {
    server: { url: 'http://127.0.0.1:1', versions },
    objects: objects.map(([endpoint, object]) => normalizeLiveObject(endpoint, object, new Map(), capabilities)),
  };
}

const plan = (resources: ReturnType<typeof desired>[], live: LiveState) => buildPlan(desiredState(resources), live, { now: NOW });
const actions = (p: ReturnType<typeof plan>) => p.waves.flat();

describe.each(['3.23', '3.43', '3.116'] as const)('pulpcore %s', (release) => {
  test('an rpm repository and a container remote as the server holds them plan nothing', () => {
    const repository = desired('repository/rpm/r');
    const remote = desired('remote/container/c', {
      fields: { url: 'https://ark.example.com', upstream_name: 'stackhpc/nova', include_tags: ['2024.1-*'] },
    });
    const live = liveOf(release, [
      ['repositories/rpm/rpm', raw('repositories/rpm/rpm', 'r', release)],
      [
        'remotes/container/container',
        raw('remotes/container/container', 'c', release, release === '3.116' ? { includes: ['2024.1-*'] } : { include_tags: ['2024.1-*'] }),
      ],
    ]);
    const result = plan([repository, remote], live);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(actions(result)).toEqual([]);
  });

  test('gpgcheck is written where the release keeps it', () => {
    const repository = desired('repository/rpm/r', { fields: { gpgcheck: 1 } });
    const live = liveOf(release, [
      ['repositories/rpm/rpm', raw('repositories/rpm/rpm', 'r', release, release === '3.23' ? {} : { repo_config: { sslverify: 0 } })],
    ]);
    const [update] = actions(plan([repository], live));
    expect(update?.changes).toEqual([{ path: '/gpgcheck', before: 0, after: 1 }]);
    expect(update?.body).toEqual(release === '3.23' ? { gpgcheck: 1 } : { repo_config: { sslverify: 0, gpgcheck: 1 } });
  });

  test('a tag filter change is sent under the name the release answers with', () => {
    const remote = desired('remote/container/c', {
      fields: { url: 'https://ark.example.com', upstream_name: 'stackhpc/nova', include_tags: ['zed-*'] },
    });
    const [update] = actions(
      plan([remote], liveOf(release, [['remotes/container/container', raw('remotes/container/container', 'c', release)]])),
    );
    expect(update?.body).toEqual(release === '3.116' ? { includes: ['zed-*'] } : { include_tags: ['zed-*'] });
  });

  test('a label key with a hyphen is refused by releases before 3.105, naming the server', () => {
    const remote = desired('remote/file/f', { labels: { 'cf-env': 'prod' } });
    const result = plan([remote], liveOf(release, []));
    const refused = result.diagnostics.filter((d) => d.code === 'plan.label_refused');
    if (release === '3.116') expect(refused).toEqual([]);
    else {
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatchObject({
        severity: 'error',
        summary: `remote/file/f: pulpcore ${RELEASES[release].core} refuses the label key "cf-env"`,
      });
      expect(refused[0]?.detail).toContain('pulpcore 3.105.0 and later also accept this key');
    }
  });
});

test('on rpm 3.24 to 3.29 an update that leaves repo_config out carries it, since the server would reset it', () => {
  const repository = desired('repository/rpm/r', { labels: { team: 'infra' } });
  const live = liveOf('3.43', [['repositories/rpm/rpm', raw('repositories/rpm/rpm', 'r', '3.43', { repo_config: { gpgcheck: 1 } })]]);
  const [update] = actions(plan([{ ...repository, fields: { ...repository.fields, gpgcheck: 1 } }], live));
  expect(update?.body).toEqual({ pulp_labels: { ...ownershipLabels(STACK), team: 'infra' }, repo_config: { gpgcheck: 1 } });
});

test('a field a release no longer honours is an error naming the release that dropped it', () => {
  const repository = desired('repository/rpm/r', { fields: { sqlite_metadata: true } });
  const result = plan([repository], liveOf('3.116', [['repositories/rpm/rpm', raw('repositories/rpm/rpm', 'r', '3.116')]]));
  expect(actions(result)).toEqual([]);
  expect(result.diagnostics).toEqual([
    expect.objectContaining({
      severity: 'error',
      code: 'plan.field_unsupported',
      summary: 'repository/rpm/r: pulpcore 3.116.0 cannot honour "sqlite_metadata"',
      detail: 'rpm 3.25.0 and later no longer honour "sqlite_metadata"; this server runs rpm 3.38.5.',
    }),
  ]);
});

test('a release outside the tested range gets one warning and is planned as usual', () => {
  const live: LiveState = { server: { url: 'http://127.0.0.1:1', versions: { core: '3.120.0', rpm: '3.40.0' } }, objects: [] };
  const result = plan([desired('remote/rpm/r')], live);
  expect(result.diagnostics).toEqual([
    expect.objectContaining({
      severity: 'warning',
      code: 'plan.server_untested',
      summary: 'pulpform is tested with pulpcore 3.23 to 3.116; this server runs 3.120.0',
    }),
  ]);
  expect(actions(result)).toHaveLength(1);
  const tested = plan([desired('remote/rpm/r')], { ...live, server: { ...live.server, versions: { core: '3.116.9' } } });
  expect(tested.diagnostics).toEqual([]);
});

test('from pulpcore 3.106 pointing a distribution at a publication clears a repository_version another tool set (Pulp refuses both at once)', () => {
  const version = `${hrefOf('repositories/file/file', 'f')}versions/1/`;
  const publication = `${hrefOf('publications/file/file', 'f')}`;
  const distribution = desired('distribution/file/d', { refs: { publication: 'publication/file/f' } });
  const live = liveOf('3.116', [
    ['distributions/file/file', raw('distributions/file/file', 'd', '3.116', { base_path: 'd', repository_version: version })],
    [
      'publications/file/file',
      { pulp_href: publication, repository_version: version, repository: hrefOf('repositories/file/file', 'f'), manifest: 'PULP_MANIFEST' },
    ],
    ['repositories/file/file', raw('repositories/file/file', 'f', '3.116', { latest_version_href: version })],
  ]);
  const state = [desired('repository/file/f'), desired('publication/file/f'), distribution];
  const [update] = actions(plan(state, live));
  expect(update?.id).toBe('update distribution/file/d');
  expect(update?.body).toEqual({ publication, repository_version: null });
});
