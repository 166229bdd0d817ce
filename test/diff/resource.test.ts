import { describe, expect, test } from '@jest/globals';
import { diffResource, type DiffContext, type ResourceDiff } from '../../src/diff/resource.js';
import type { HrefRef } from '../../src/model/index.js';
import { desired, live, SERVER, STACK } from '../builders.js';

// Request bodies built from these diffs: test/plan/bodies.test.ts.

function context(refs: Record<string, string | HrefRef> = {}): DiffContext {
  return { stack: STACK, versions: SERVER.versions, refs };
}

/** The fields that differ, with the value to send for each. */
function changed(diff: ResourceDiff): [string, unknown][] {
  return diff.fields.filter((f) => f.changed).map((f) => [f.field, f.wire]);
}

describe('diffResource', () => {
  test('a reference the YAML leaves out is managed as null, so a switch clears it', () => {
    const distribution = desired('distribution/rpm/d', { refs: { publication: 'publication/rpm/r' } });
    const current = live('distribution/rpm/d', { fields: { repository: '/pulp/api/v3/repositories/rpm/rpm/r/' } });
    const diff = diffResource(distribution, current, 'patch', context({ publication: '/pulp/api/v3/publications/rpm/rpm/p/' }));
    expect(changed(diff)).toEqual([
      ['publication', '/pulp/api/v3/publications/rpm/rpm/p/'],
      ['repository', null],
    ]);
    expect(diff.notes).toEqual(['publication, repository differ']);
  });

  test('a reference to something created in the same plan is unknown and sent as the reference', () => {
    const repository = desired('repository/rpm/r', { refs: { remote: 'remote/rpm/r' } });
    const diff = diffResource(
      repository,
      live('repository/rpm/r', { fields: { remote: '/old/' } }),
      'patch',
      context({ remote: { $ref: 'remote/rpm/r' } }),
    );
    expect(diff.changes).toEqual([{ path: '/remote', before: '/old/', unknown: true }]);
    expect(changed(diff)).toEqual([['remote', { $ref: 'remote/rpm/r' }]]);
  });

  test('a reference that could not be resolved is not compared', () => {
    const repository = desired('repository/rpm/r', { refs: { remote: 'remote/rpm/gone' } });
    const diff = diffResource(repository, live('repository/rpm/r', { fields: { remote: '/old/' } }), 'patch', context());
    expect(diff.changes).toEqual([]);
    expect(diff.fields.map((f) => f.field)).not.toContain('remote');
  });

  test('a changed create-only field is reported, so the planner replaces instead of patching', () => {
    const publication = desired('publication/file/f', { fields: { manifest: 'NEW' } });
    const diff = diffResource(publication, live('publication/file/f', { fields: { manifest: 'OLD' } }), 'patch', context());
    expect(diff.createOnlyChanged).toEqual(['manifest']);
    expect(diff.impact).toBe('replace');
  });

  test('create marks the fields at the server default, and changes show every label and no null defaults', () => {
    const diff = diffResource(desired('remote/file/f', { labels: { team: 'ops' } }), undefined, 'create', context());
    const atDefault = (field: string): boolean | undefined => diff.fields.find((f) => f.field === field)?.atDefault;
    expect([atDefault('url'), atDefault('ca_cert'), atDefault('policy')]).toEqual([false, true, true]);
    expect(diff.labels).toEqual({ team: 'ops', pulpform_stack: STACK, pulpform_scheme: '1' });
    expect(diff.changes.map((c) => c.path)).toEqual([
      '/policy',
      '/tls_validation',
      '/url',
      '/pulp_labels/pulpform_scheme',
      '/pulp_labels/pulpform_stack',
      '/pulp_labels/team',
    ]);
  });

  test('labels of another tool are removed, status labels pulpform recorded are not diffed', () => {
    const current = live('repository/rpm/r', {
      labels: { ...live('repository/rpm/r').labels, built_by: 'ansible', pulpform_synced: 'x', pulpform_snapshot_x: '2' },
    });
    const diff = diffResource(desired('repository/rpm/r'), current, 'patch', context());
    expect(diff.changes).toEqual([{ path: '/pulp_labels/built_by', before: 'ansible' }]);
    expect(diff.labelsChanged).toBe(true);
    expect(diff.labels).toEqual({ pulpform_stack: STACK, pulpform_scheme: '1' });
  });
});

describe('impact', () => {
  test('none when the live object matches', () => {
    const diff = diffResource(desired('remote/file/f'), live('remote/file/f'), 'patch', context());
    expect(diff.changes).toEqual([]);
    expect(diff.impact).toBe('none');
  });

  test('update when only fields Pulp changes in place differ', () => {
    const diff = diffResource(desired('remote/file/f', { fields: { policy: 'on_demand' } }), live('remote/file/f'), 'patch', context());
    expect(diff.createOnlyChanged).toEqual([]);
    expect(diff.impact).toBe('update');
  });

  test('update when only labels differ', () => {
    const diff = diffResource(desired('remote/file/f', { labels: { team: 'ops' } }), live('remote/file/f'), 'patch', context());
    expect(diff.impact).toBe('update');
  });

  test('replace when a create-only field differs, whatever else does', () => {
    const publication = desired('publication/file/f', { fields: { manifest: 'NEW' }, labels: { team: 'ops' } });
    const diff = diffResource(publication, live('publication/file/f', { fields: { manifest: 'OLD' } }), 'patch', context());
    expect(diff.impact).toBe('replace');
  });

  test('create for a new object, replace for one made in place of a live object', () => {
    expect(diffResource(desired('remote/file/f'), undefined, 'create', context()).impact).toBe('create');
    expect(diffResource(desired('remote/file/f'), live('remote/file/f'), 'create', context()).impact).toBe('replace');
  });
});
