import type { UnitArtifact } from './units.js';

/** One served file of a publication: generated metadata, or a unit's artifact. */
export type PublishedFile = { kind: 'metadata'; data: Buffer } | { kind: 'artifact'; artifact: UnitArtifact };

/** What a publication serves: relative path (no leading slash) → file. */
export type PublishedFiles = Map<string, PublishedFile>;
