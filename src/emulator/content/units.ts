import type { Json } from '../../model/json.js';
import { type RemoteConnection, sha256Hex } from '../../upstream/http.js';
import type { ContentType } from './content-types.js';

export { sha256Hex };

/** A reference from one unit's field to another unit; the core renders it as that unit's href. */
export interface UnitRef {
  $unit: { type: ContentType; key: string };
}

export type FieldValue = Json | UnitRef | UnitRef[];

/** Where the bytes of an artifact that was not downloaded (on_demand/streamed) can be fetched. */
export interface ArtifactSource {
  url: string;
  remote: RemoteConnection;
  /** Keep the bytes once fetched (on_demand), or fetch them every time (streamed). */
  save: boolean;
  /** Fetch through the registry token flow for this repository name (container blobs). */
  registryName?: string;
}

export interface UnitArtifact {
  /** The content-artifact path: where a pass-through publication serves it, relative to the base path. */
  relativePath: string;
  /** Known before download when the upstream metadata states it; always set once `data` is. */
  sha256: string | null;
  size: number | null;
  /** The bytes, when Pulp would have stored the artifact (immediate policy, metadata files). */
  data?: Buffer | undefined;
  /** How to fetch the bytes on demand when `data` is absent. */
  source?: ArtifactSource;
}

/**
 * One content unit. Equal `type` + `key` means the same unit, shared by every repository that
 * holds it. `fields` are the unit's own fields by name (model fields the response hides, such as
 * a file's `digest`, included for filters and ordering); renderUnitFields puts the response
 * together in Pulp's order, with the artifact-derived fields.
 */
export interface ContentUnit {
  type: ContentType;
  key: string;
  fields: Record<string, FieldValue>;
  artifacts: UnitArtifact[];
}

export function unitRef(unit: Pick<ContentUnit, 'type' | 'key'>): UnitRef {
  return { $unit: { type: unit.type, key: unit.key } };
}

export function isUnitRef(value: unknown): value is UnitRef {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && '$unit' in value;
}

/** `type key`: a string identity for maps and sets. */
export function unitId(unit: Pick<ContentUnit, 'type' | 'key'>): string {
  return `${unit.type} ${unit.key}`;
}

export function refId(ref: UnitRef): string {
  return `${ref.$unit.type} ${ref.$unit.key}`;
}

/** Builds a natural key from its parts; JSON keeps it unambiguous for parts containing separators. */
export function naturalKey(...parts: Array<string | number | null>): string {
  return JSON.stringify(parts);
}

/** An artifact whose bytes are known now. */
export function storedArtifact(relativePath: string, data: Buffer): UnitArtifact {
  return { relativePath, sha256: sha256Hex(data), size: data.length, data };
}

/**
 * When a sync or push yields a unit the store already holds, the stored unit stays; it gains the
 * bytes the incoming one downloaded (an on_demand unit later synced immediately), in place, so
 * every publication serving it sees them. Returns the stored unit.
 */
export function mergeUnit(stored: ContentUnit, incoming: ContentUnit): ContentUnit {
  for (const artifact of stored.artifacts) {
    const downloaded = artifact.data ? undefined : incoming.artifacts.find((a) => a.relativePath === artifact.relativePath && a.data);
    if (!downloaded) continue;
    artifact.data = downloaded.data;
    artifact.sha256 = downloaded.sha256;
    artifact.size = downloaded.size;
  }
  return stored;
}
