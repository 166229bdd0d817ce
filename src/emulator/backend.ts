import type { Json, JsonObject } from '../model/json.js';
import type { ProgressReport } from './tasks.js';

/**
 * The narrow boundary between the REST core and the content side (fetching upstreams, unit
 * shapes, serving): the core owns objects, versions and tasks; a backend turns a remote into the
 * repository's next unit set. A backend signals a failed sync by throwing `TaskFailure` (from
 * `tasks.ts`) with the description real Pulp gives.
 */

/** A content unit as the content side describes it; the core assigns the href and shares equal keys. */
export interface UnitInput {
  /** `pulp_type`, e.g. `rpm.package`. */
  type: string;
  /** Natural key: equal keys are the same unit, in every repository. */
  key: string;
  /** What the unit's content endpoint shows, besides pulp_href and pulp_created. */
  fields: JsonObject;
}

export interface SyncRequest {
  repository: { href: string; pulpType: string; settings: JsonObject };
  /** Every remote field, write-only credentials included. */
  remote: { href: string; pulpType: string; settings: JsonObject };
  /** The validated sync body, with rpm's `sync_policy` resolved (`mirror` → `mirror_complete`). */
  options: JsonObject;
  /** The units of the repository's latest version. */
  present: UnitInput[];
  /** What the previous successful sync of this repository returned as `memory` (e.g. upstream checksums, for `optimize`). */
  memory: Json | undefined;
}

export interface SyncResult {
  /** The repository's unit set after the sync (additive: present ∪ upstream; mirror: upstream only). */
  units: UnitInput[];
  progressReports: ProgressReport[];
  /** Publications the sync itself makes (rpm `mirror_complete`, file `mirror`), as publication field values. */
  publications?: JsonObject[];
  memory?: Json;
}

export interface ContentBackend {
  sync(request: SyncRequest): Promise<SyncResult>;
  /** `docker push` of a small test image: the units each new push-repository version adds, in order. */
  push?(name: string, tag: string): UnitInput[][];
}
