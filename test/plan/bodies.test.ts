import { describe, expect, test } from '@jest/globals';
import { diffResource, type DiffMode } from '../../src/diff/resource.js';
import { capabilitiesOf, type DesiredResource, type LiveObject } from '../../src/model/index.js';
import { type Request, requestOf } from '../../src/plan/bodies.js';
import type { RefValue } from '../../src/plan/references.js';
import { desired, live, SERVER, secret, STACK } from '../builders.js';

// The request of an action, built from its resource's diff (test/diff/resource.test.ts) as the planner does.

function request(
  resource: DesiredResource,
  current: LiveObject | undefined,
  mode: DiffMode,
  refs: Record<string, RefValue> = {},
  versions = SERVER.versions,
): Request {
  const wires = Object.fromEntries(Object.entries(refs).map(([field, ref]) => [field, 'href' in ref ? ref.href : ref.unknown]));
  const diff = diffResource(resource, current, mode, { stack: STACK, versions, refs: wires });
  return requestOf(resource, current, mode, diff, refs, capabilitiesOf(versions));
}

describe('request bodies', () => {
  test('a reference the YAML leaves out is sent as null, so a switch clears it in the same PATCH', () => {
    const distribution = desired('distribution/rpm/d', { refs: { publication: 'publication/rpm/r' } });
    const current = live('distribution/rpm/d', { fields: { repository: '/pulp/api/v3/repositories/rpm/rpm/r/' } });
    const { body } = request(distribution, current, 'patch', { publication: { href: '/pulp/api/v3/publications/rpm/rpm/p/' } });
    expect(body).toEqual({ publication: '/pulp/api/v3/publications/rpm/rpm/p/', repository: null });
  });

  test('a reference to something created in the same plan is sent as the reference and waits for it', () => {
    const repository = desired('repository/rpm/r', { refs: { remote: 'remote/rpm/r' } });
    const result = request(repository, live('repository/rpm/r', { fields: { remote: '/old/' } }), 'patch', {
      remote: { unknown: { $ref: 'remote/rpm/r' }, after: 'replace remote/rpm/r' },
    });
    expect(result.body).toEqual({ remote: { $ref: 'remote/rpm/r' } });
    expect(result.dependsOn).toEqual(['replace remote/rpm/r']);
  });

  test('an unchanged reference known now is left out of a PATCH, sent on a create, and waits for nothing', () => {
    const repository = desired('repository/rpm/r', { refs: { remote: 'remote/rpm/r' } });
    const current = live('repository/rpm/r', { fields: { remote: '/remote/' } });
    const refs = { remote: { href: '/remote/' } };
    expect(request(repository, current, 'patch', refs)).toEqual({ body: {}, secrets: [], dependsOn: [] });
    expect(request(repository, current, 'create', refs).body).toMatchObject({ remote: '/remote/' });
  });

  test('create sends fields that differ from the server default and every label, and no null defaults', () => {
    const { body } = request(desired('remote/file/f', { labels: { team: 'ops' } }), undefined, 'create');
    expect(body).toMatchObject({ url: expect.any(String), pulp_labels: { team: 'ops', pulpform_stack: STACK } });
    expect(body).not.toHaveProperty('ca_cert');
    expect(body).not.toHaveProperty('policy');
  });

  test('a replacement sends what it keeps too: the live object only supplies the before values', () => {
    const remote = desired('remote/file/f', { fields: { policy: 'on_demand' } });
    const current = live('remote/file/f', { fields: { policy: 'on_demand' } });
    expect(request(remote, current, 'patch').body).toEqual({});
    expect(request(remote, current, 'create').body).toMatchObject({ policy: 'on_demand', url: expect.any(String) });
  });

  test('a PATCH sends only what changed, and clearing headers sends an empty list (3.23 refuses null)', () => {
    const remote = desired('remote/file/f', { fields: { headers: null, policy: 'on_demand' } });
    const current = live('remote/file/f', { fields: { headers: [{ 'X-Token': 'a' }] } });
    expect(request(remote, current, 'patch').body).toEqual({ headers: [], policy: 'on_demand' });
  });

  test('labels of another tool are removed, status labels pulpform recorded are kept', () => {
    const current = live('repository/rpm/r', {
      labels: { ...live('repository/rpm/r').labels, built_by: 'ansible', pulpform_synced: 'x', pulpform_snapshot_x: '2' },
    });
    const { body } = request(desired('repository/rpm/r'), current, 'patch');
    expect(body.pulp_labels).toEqual({ pulpform_stack: STACK, pulpform_scheme: '1', pulpform_synced: 'x', pulpform_snapshot_x: '2' });
  });

  test('labels that match are not sent', () => {
    expect(request(desired('repository/rpm/r'), live('repository/rpm/r'), 'patch').body).toEqual({});
  });

  test('secrets: sent with their source when the server has none, unset when the desired state has none', () => {
    const remote = desired('remote/file/f', { secrets: { password: secret('s3cret', 'env:PASSWORD') } });
    expect(request(remote, undefined, 'create').secrets).toEqual([{ field: 'password', source: 'env:PASSWORD' }]);
    const current = live('remote/file/f', { secretsSet: { password: true, username: true } });
    expect(request(remote, current, 'patch').secrets).toEqual([{ field: 'username', source: 'unset' }]);
  });

  test("bodies are mapped to the release's fields: rpm 3.24-3.29 keep repo_config on an update", () => {
    const versions = { core: '3.43.1', rpm: '3.25.0' };
    const current = live('repository/rpm/r', { raw: { pulp_href: '/r/', repo_config: { gpgcheck: 1 } } });
    const { body } = request(desired('repository/rpm/r', { fields: { retain_repo_versions: 3 } }), current, 'patch', {}, versions);
    expect(body).toEqual({ retain_repo_versions: 3, repo_config: { gpgcheck: 1 } });
  });

  test('bodies are mapped to the release\'s fields: pulp_container 2.28 and later take "includes"', () => {
    const versions = { core: '3.116.0', container: '2.29.0' };
    const mirror = desired('remote/container/c', { fields: { include_tags: ['zed-*'] } });
    const { body } = request(mirror, live('remote/container/c', { fields: { include_tags: null } }), 'patch', {}, versions);
    expect(body).toEqual({ includes: ['zed-*'] });
  });
});
