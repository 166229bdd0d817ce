import { type ContentUnit, type FieldValue, isUnitRef, refId, unitId } from './units.js';

/** Fields that make two units "the same thing" inside one repository version (Pulp's repo_key_fields). */
const REPO_KEY_FIELDS: Partial<Record<ContentUnit['type'], string[]>> = {
  'rpm.package': ['name', 'epoch', 'version', 'release', 'arch', 'location_href'],
  'rpm.repo_metadata_file': ['data_type'],
  'file.file': ['relative_path'],
  'deb.package': ['package', 'version', 'architecture'],
  'container.tag': ['name'],
};

/** The repository key of a unit, or null for types without one. */
export function repoKeyOf(unit: ContentUnit): string | null {
  const fields = REPO_KEY_FIELDS[unit.type];
  if (!fields) return null;
  return JSON.stringify([unit.type, ...fields.map((f) => keyPart(unit.fields[f]))]);
}

function keyPart(value: FieldValue | undefined): unknown {
  return isUnitRef(value) ? refId(value) : (value ?? null);
}

export interface Association {
  /** The repository's content after the sync. */
  units: ContentUnit[];
  added: ContentUnit[];
  removed: ContentUnit[];
  /** "Associating Content" done: what pulpcore's ContentAssociation stage counts. */
  associated: number;
  /** "Un-Associating Content" done (mirror only). */
  unassociated: number;
}

/**
 * Applies the units a sync emitted (in pipeline order, duplicates included) to the present
 * units. pulpcore's ContentAssociation removes each emitted unit once from the "to delete" set
 * and counts every other emitted unit as associated, so a manifest emitted for two tags counts
 * again the second time; the recorded counts depend on it. Mirror mode then removes what was
 * not emitted; finally units sharing a repository key with a newer unit are replaced (Pulp's
 * remove_duplicates at version finalization).
 */
export function associate(present: ContentUnit[], emitted: ContentUnit[], mirror: boolean): Association {
  const presentById = new Map(present.map((u) => [unitId(u), u]));
  const unconsumed = new Set(presentById.keys());
  const associatedIds = new Set<string>();
  const emittedById = new Map<string, ContentUnit>();
  for (const unit of emitted) {
    const id = unitId(unit);
    if (!emittedById.has(id)) emittedById.set(id, unit);
    if (unconsumed.has(id)) unconsumed.delete(id);
    else associatedIds.add(id);
  }

  const result = new Map<string, ContentUnit>();
  for (const [id, unit] of presentById) if (!mirror || emittedById.has(id)) result.set(id, unit);
  for (const [id, unit] of emittedById) if (!result.has(id)) result.set(id, unit);

  const newestByRepoKey = new Map<string, string>();
  for (const [id, unit] of emittedById) {
    const key = repoKeyOf(unit);
    if (key !== null) newestByRepoKey.set(key, id);
  }
  for (const [id, unit] of [...result]) {
    const key = repoKeyOf(unit);
    const newest = key === null ? undefined : newestByRepoKey.get(key);
    if (newest !== undefined && newest !== id) result.delete(id);
  }

  const units = [...result.values()];
  return {
    units,
    added: units.filter((u) => !presentById.has(unitId(u))),
    removed: present.filter((u) => !result.has(unitId(u))),
    associated: associatedIds.size,
    unassociated: mirror ? unconsumed.size : 0,
  };
}
