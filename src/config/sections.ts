import * as z from 'zod';
import { PLUGINS } from '../model/index.js';
import type { Kind } from '../model/index.js';
import { entryFields } from './entries.js';
import { genericItemSchema, itemSchema } from './schema.js';
import { SECRET_FIELDS } from './secret-fields.js';
import { CONTAINER_MIRRORS_SECTION } from './container-mirrors.js';
import { PACKAGE_MIRRORS_SECTION } from './package-mirrors.js';
import { UPSTREAMS_SECTION } from './upstreams.js';
import type { Section } from './section-types.js';

function lowLevelSection(key: string, kind: Kind, description: string): Section {
  return {
    key,
    description,
    documentItemSchema: () =>
      kind === 'remote' || kind === 'repository'
        ? z.discriminatedUnion('type', PLUGINS.map((plugin) => itemSchema(kind, plugin, 'document')) as [z.ZodObject, ...z.ZodObject[]])
        : genericItemSchema(kind, 'document'),
    isSecretField: (field) => SECRET_FIELDS[kind].has(field),
    expand(entry, { report }) {
      const data = entryFields(entry, key, report);
      if (data === undefined) return [];
      return [{ kind, origin: entry.origin, data }];
    },
  };
}

/**
 * The top-level lists a desired-state file may hold: the low-level kinds in dependency order,
 * then the Release Train's kinds, which expand into them.
 */
export const SECTIONS: readonly Section[] = [
  lowLevelSection('remotes', 'remote', 'Upstream sources to sync from (Pulp remotes), by plugin type.'),
  lowLevelSection(
    'repositories',
    'repository',
    'Pulp repositories; with a remote and sync, pulpform syncs them when the remote URL changes.',
  ),
  lowLevelSection(
    'publications',
    'publication',
    'One publication per repository (rpm, deb, file): what a distribution serves. Named by its repository.',
  ),
  lowLevelSection('distributions', 'distribution', 'Where content is served: a base path serving a publication or a repository.'),
  UPSTREAMS_SECTION,
  PACKAGE_MIRRORS_SECTION,
  CONTAINER_MIRRORS_SECTION,
];
