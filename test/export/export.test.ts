import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { exportDesiredState } from '../../src/export/export.js';
import { ownershipLabels } from '../../src/model/index.js';
import { live, liveState } from '../builders.js';

// The exporter on its own (pure): which fields, names and placeholders it writes, and what it
// leaves out.

const remote = live('remote/rpm/Rocky Linux 9 - BaseOS-remote', {
  fields: { url: 'http://127.0.0.1:8080/pulp/content/rocky/9/BaseOS/', policy: 'on_demand', download_concurrency: 4 },
  secretsSet: { password: true, username: true },
  labels: {},
});

describe('exportDesiredState', () => {
  test('writes non-default fields, references by name, adopt for unlabelled objects and placeholders for write-only values', () => {
    const repository = live('repository/rpm/Rocky Linux 9 - BaseOS', {
      fields: { remote: remote.href, retain_repo_versions: 3 },
      labels: { team: 'infra', ...ownershipLabels('seed') },
    });
    const result = exportDesiredState(liveState([remote, repository]));
    expect(result.stack).toBe('seed');
    expect(result.env).toEqual(['HOST_127_0_0_1_8080_PASSWORD', 'HOST_127_0_0_1_8080_USERNAME']);
    expect(parse(result.yaml)).toEqual({
      stack: 'seed',
      remotes: [
        {
          name: 'Rocky Linux 9 - BaseOS-remote',
          type: 'rpm',
          url: 'http://127.0.0.1:8080/pulp/content/rocky/9/BaseOS/',
          policy: 'on_demand',
          download_concurrency: 4,
          username: '${env:HOST_127_0_0_1_8080_USERNAME}',
          password: '${env:HOST_127_0_0_1_8080_PASSWORD}',
          adopt: true,
        },
      ],
      // Its pulpform labels say it is already this stack's: no adopt; an empty repository is not synced.
      repositories: [
        {
          name: 'Rocky Linux 9 - BaseOS',
          type: 'rpm',
          retain_repo_versions: 3,
          remote: 'Rocky Linux 9 - BaseOS-remote',
          labels: { team: 'infra' },
        },
      ],
    });
    expect(result.yaml).toContain('remote: Rocky Linux 9 - BaseOS-remote # never synced: add "sync: true" to sync it from this remote');
  });

  test('objects of another stack and container push repositories are left out', () => {
    const theirs = live('remote/file/theirs', { labels: ownershipLabels('other') });
    const push = live('repository/container/pushed', { type: 'container-push', labels: {} });
    const result = exportDesiredState(liveState([theirs, push, remote]), { stack: 'seed' });
    expect(parse(result.yaml)).toEqual({ stack: 'seed', remotes: [expect.objectContaining({ name: 'Rocky Linux 9 - BaseOS-remote' })] });
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        code: 'export.left_out',
        summary: 'remote/file/theirs is not exported: it is managed by stack "other"',
        hint: 'Export with --stack other for that desired state.',
      }),
    ]);
  });

  test('a --select that names no plugin is an error', () => {
    const result = exportDesiredState(liveState([remote]), { select: 'remote/yum/x' });
    expect(result.diagnostics[0]).toMatchObject({
      severity: 'error',
      code: 'plan.bad_scope',
      summary: '--select remote/yum/x: "yum" is not a plugin',
    });
  });
});
