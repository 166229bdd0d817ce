import { isPlainObject } from '../issues.js';
import type { Rule } from './context.js';
import { ofKind } from './context.js';

export const syncNeedsRemote: Rule = ({ items, report }) => {
  for (const item of ofKind(items, 'repository')) {
    const sync = item.data.sync;
    if ((sync === true || isPlainObject(sync)) && item.data.remote === undefined) {
      report(item, ['sync'], 'key', {
        severity: 'error',
        code: 'config.sync_without_remote',
        summary: 'Sync without a remote',
        detail: 'This repository asks to be synced but names no remote to sync from.',
        hint: 'Add "remote: NAME" to the repository, or remove "sync".',
      });
    }
  }
};

/** Combinations Pulp's sync endpoints refuse (pulp_rpm viewsets/repository.py, pulp_file). */
export const syncOptionConflicts: Rule = ({ items, report }) => {
  for (const item of ofKind(items, 'repository')) {
    const sync = item.data.sync;
    if (!isPlainObject(sync)) continue;
    const conflict = (path: string[], detail: string, hint: string): void =>
      report(item, path, 'value', {
        severity: 'error',
        code: 'config.sync_option_conflict',
        summary: 'Conflicting sync options',
        detail,
        hint,
      });
    if (item.plugin === 'rpm') {
      const policy = sync.sync_policy;
      const mirroring = policy === 'mirror_complete' || policy === 'mirror_content_only';
      if (policy === 'mirror_complete' && Array.isArray(sync.skip_types) && sync.skip_types.length > 0) {
        conflict(
          ['sync', 'skip_types'],
          'Pulp refuses skip_types together with sync_policy mirror_complete.',
          'Remove skip_types, or use sync_policy: mirror_content_only.',
        );
      }
      if (mirroring && typeof item.data.retain_package_versions === 'number' && item.data.retain_package_versions > 0) {
        conflict(
          ['sync', 'sync_policy'],
          `Pulp refuses sync_policy ${policy} on a repository with retain_package_versions > 0.`,
          'Set retain_package_versions: 0, or use sync_policy: additive.',
        );
      }
      if (policy === 'mirror_complete' && item.data.autopublish === true) {
        conflict(
          ['sync', 'sync_policy'],
          'Pulp refuses sync_policy mirror_complete on a repository with autopublish (the mirror sync publishes by itself).',
          'Remove autopublish, or use another sync_policy.',
        );
      }
    }
    if (item.plugin === 'file' && sync.mirror === true && item.data.autopublish === true) {
      conflict(['sync', 'mirror'], 'Pulp refuses mirror mode on a repository with autopublish.', 'Remove autopublish, or mirror: true.');
    }
  }
};

export const verbatimPublications: Rule = ({ items, report }) => {
  for (const item of ofKind(items, 'publication')) {
    if (item.data.verbatim !== true) continue;
    for (const option of ['simple', 'structured', 'signing_service']) {
      if (item.data[option] !== undefined) {
        report(item, [option], 'key', {
          severity: 'error',
          code: 'config.verbatim_options',
          summary: 'Option of a generated publication on a verbatim one',
          detail: `A verbatim publication copies the upstream metadata as it is; "${option}" applies only to generated (apt) publications.`,
          hint: `Remove "${option}", or remove "verbatim: true".`,
        });
      }
    }
  }
};
