import * as z from 'zod';
import { PLUGINS } from '../model/index.js';
import type { Kind, Plugin } from '../model/index.js';
import type { Finding } from './issues.js';
import { isPlainObject } from './issues.js';
import { genericItemSchema, itemSchema } from './schema.js';
import { SECRET_FIELDS } from './secret-fields.js';
import type { ParsedFile, Path } from './yaml-file.js';

/** Where an item is written: a file and the path of its map in that file's data. */
export interface Origin {
  file: ParsedFile;
  path: Path;
}

/** One list item of a top-level section, as written (with ${...} resolved). */
export interface SectionEntry {
  origin: Origin;
  data: unknown;
}

/** A low-level item (remote, repository, publication, distribution) before validation. */
export interface RawItem {
  kind: Kind;
  origin: Origin;
  /** Field values with ${...} resolved; write-only fields hold Secret objects. */
  data: Record<string, unknown>;
}

/** A RawItem once its plugin is known (undefined when the YAML does not let us tell). */
export interface ConfigItem extends RawItem {
  plugin?: Plugin;
}

export type ReportAt = (origin: Origin, path: Path, part: 'key' | 'value', finding: Finding) => void;

/**
 * A top-level list of the desired state. The four low-level sections map each entry to one
 * item of their kind. A higher-level section (the Release Train's package mirrors, say)
 * implements `expand` to turn each entry into several low-level items whose origin is the
 * entry, so validation, rules and normalisation apply to what it generates unchanged.
 */
export interface Section {
  key: string;
  description: string;
  /** Schema of one entry as written, for the JSON Schema editors use. */
  documentItemSchema(): z.ZodType;
  /** Whether an entry's top-level field is write-only: its value becomes a Secret. */
  isSecretField(field: string): boolean;
  expand(entry: SectionEntry, report: ReportAt): RawItem[];
}

function lowLevelSection(key: string, kind: Kind, description: string): Section {
  return {
    key,
    description,
    documentItemSchema: () => (kind === 'remote' || kind === 'repository'
      ? z.discriminatedUnion('type', PLUGINS.map((plugin) => itemSchema(kind, plugin, 'document')) as [z.ZodObject, ...z.ZodObject[]])
      : genericItemSchema(kind, 'document')),
    isSecretField: (field) => SECRET_FIELDS[kind].has(field),
    expand(entry, report) {
      if (!isPlainObject(entry.data)) {
        report(entry.origin, [], 'value', {
          severity: 'error',
          code: 'config.item_not_a_map',
          summary: 'Item is not a map',
          detail: `Each item of "${key}" must be a map of fields (name: ..., type: ...).`,
          hint: 'Write the item\'s fields as "key: value" lines after the "- ".',
        });
        return [];
      }
      return [{ kind, origin: entry.origin, data: entry.data }];
    },
  };
}

/** The top-level lists a desired-state file may hold, in dependency order. */
export const SECTIONS: readonly Section[] = [
  lowLevelSection('remotes', 'remote', 'Upstream sources to sync from (Pulp remotes), by plugin type.'),
  lowLevelSection('repositories', 'repository', 'Pulp repositories; with a remote and sync, pulpform syncs them when the remote URL changes.'),
  lowLevelSection('publications', 'publication', 'One publication per repository (rpm, deb, file): what a distribution serves. Named by its repository.'),
  lowLevelSection('distributions', 'distribution', 'Where content is served: a base path serving a publication or a repository.'),
];
