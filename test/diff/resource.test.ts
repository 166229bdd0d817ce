import { describe, expect, test } from '@jest/globals';
import { diffResource, type DiffContext, type RefValue } from '../../src/diff/resource.js';
import { capabilitiesOf } from '../../src/model/index.js';
import { desired, live, SERVER, STACK } from '../builders.js';

function context(refs: Record<string, RefValue> = {}): DiffContext {
  return {
    stack: STACK,
    versions: SERVER.versions,
    capabilities: capabilitiesOf(SERVER.versions),
    resolveRef: (_field, target) => refs[target],
  };
}

describe('diffResource', () => {
  test('a reference the YAML leaves out is managed as null, so a switch clears it', () => {
    const distribution = desired('distribution/rpm/d', { refs: { publication: 'publication/rpm/r' } });
    const current = live('distribution/rpm/d', { fields: { repository: '/pulp/api/v3/repositories/rpm/rpm/r/' } });
    const diff = diffResource(
      distribution,
      current,
      'patch',
      context({ 'publication/rpm/r': { href: '/pulp/api/v3/publications/rpm/rpm/p/' } }),
    );
    expect(diff.body).toEqual({ publication: '/pulp/api/v3/publications/rpm/rpm/p/', repository: null });
    expect(diff.notes).toEqual(['publication, repository differ']);
  });

  test('a reference to something created in the same plan is unknown and waits for it', () => {
    const repository = desired('repository/rpm/r', { refs: { remote: 'remote/rpm/r' } });
    const diff = diffResource(
      repository,
      live('repository/rpm/r', { fields: { remote: '/old/' } }),
      'patch',
      context({
        'remote/rpm/r': { unknown: { $ref: 'remote/rpm/r' }, after: 'replace remote/rpm/r' },
      }),
    );
    expect(diff.changes).toEqual([{ path: '/remote', before: '/old/', unknown: true }]);
    expect(diff.body).toEqual({ remote: { $ref: 'remote/rpm/r' } });
    expect(diff.dependsOn).toEqual(['replace remote/rpm/r']);
  });

  test('a changed create-only field is reported, so the planner replaces instead of patching', () => {
    const publication = desired('publication/file/f', { fields: { manifest: 'NEW' } });
    const diff = diffResource(publication, live('publication/file/f', { fields: { manifest: 'OLD' } }), 'patch', context());
    expect(diff.createOnlyChanged).toEqual(['manifest']);
  });

  test('create sends fields that differ from the server default and every label, and shows no null defaults', () => {
    const diff = diffResource(desired('remote/file/f', { labels: { team: 'ops' } }), undefined, 'create', context());
    expect(diff.body).toMatchObject({ url: expect.any(String), pulp_labels: { team: 'ops', pulpform_stack: STACK } });
    expect(diff.body).not.toHaveProperty('ca_cert');
    expect(diff.body).not.toHaveProperty('policy');
    expect(diff.changes.map((c) => c.path)).toEqual([
      '/policy',
      '/tls_validation',
      '/url',
      '/pulp_labels/pulpform_scheme',
      '/pulp_labels/pulpform_stack',
      '/pulp_labels/team',
    ]);
  });

  test('labels of another tool are removed, status labels pulpform recorded are kept', () => {
    const current = live('repository/rpm/r', {
      labels: { ...live('repository/rpm/r').labels, built_by: 'ansible', pulpform_synced: 'x', pulpform_snapshot_x: '2' },
    });
    const diff = diffResource(desired('repository/rpm/r'), current, 'patch', context());
    expect(diff.changes).toEqual([{ path: '/pulp_labels/built_by', before: 'ansible' }]);
    expect(diff.body.pulp_labels).toEqual({ pulpform_stack: STACK, pulpform_scheme: '1', pulpform_synced: 'x', pulpform_snapshot_x: '2' });
  });
});
