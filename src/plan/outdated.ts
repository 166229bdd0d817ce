import type { Address, Diagnostic } from '../model/index.js';
import { newestFirst } from '../model/labels.js';

/** `pulpform outdated` for one pinned package mirror: its pins and the newer snapshots its upstream serves. */
export interface OutdatedMirror {
  mirror: string;
  /** Its repository, e.g. repository/rpm/NAME. */
  address: Address;
  /** Origin of the upstream, without credentials. */
  upstream: string;
  /** The listing read, without credentials. */
  listingUrl: string;
  /** Environment → the snapshot the YAML pins it to. */
  pins: Record<string, string>;
  /** The snapshot the repository syncs (the mirror's `snapshot:`, what development serves). */
  snapshot: string;
  /** Snapshots the upstream lists that are newer than `snapshot`, newest first. */
  newer: string[];
  /** Why the listing could not be read; `newer` is empty then. */
  error?: Diagnostic;
}

/** The listed snapshots newer than the pin, newest first. Stamps compare as text in time order. */
export function newerSnapshots(pin: string, listed: readonly string[]): string[] {
  return newestFirst(listed.filter((stamp, index) => stamp > pin && listed.indexOf(stamp) === index));
}

export interface OutdatedSummary {
  mirrors: number;
  outdated: number;
  upToDate: number;
  failed: number;
}

export function summarizeOutdated(mirrors: readonly OutdatedMirror[]): OutdatedSummary {
  const failed = mirrors.filter((mirror) => mirror.error !== undefined).length;
  const outdated = mirrors.filter((mirror) => mirror.newer.length > 0).length;
  return { mirrors: mirrors.length, outdated, upToDate: mirrors.length - failed - outdated, failed };
}
