import type * as z from 'zod';
import type { ConsumerSettings, ImageScope, Kind, Plugin } from '../model/index.js';
import type { Finding } from './issues.js';
import type { ParsedFile, Path } from './yaml-file.js';

// Apart from sections.ts, which imports the modules that use these types: they import them from here without a loop.

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
  /** Set by higher-level sections: what the model needs beyond the low-level fields. */
  generated?: Generated;
}

/** What a higher-level section decides for an item that the low-level YAML cannot say. */
export interface Generated {
  /** Publications and distributions: serve the version synced from this snapshot (DesiredResource.snapshot). */
  snapshot?: string;
  /** Distributions: serve what the repository's latest sync of its marker gave (DesiredResource.followsSync). */
  followsSync?: boolean;
  /** Repositories: the sync marker (default: the remote's url). */
  marker?: string;
  retain?: number;
  image?: ImageScope;
  consumer?: ConsumerSettings;
  /** Where a generated field's value is written, when not at `origin.path` + field (e.g. the upstream's password). */
  fieldOrigins?: Record<string, Origin>;
}

/** A RawItem once its plugin is known (undefined when the YAML does not let us tell). */
export interface ConfigItem extends RawItem {
  plugin?: Plugin | undefined;
}

export type ReportAt = (origin: Origin, path: Path, part: 'key' | 'value', finding: Finding) => void;

/** What expanding an entry may consult besides the entry itself. */
export interface ExpandContext {
  report: ReportAt;
  /** Upstreams declared in any file, by name; null for one that is declared but invalid (already reported). */
  upstreams: ReadonlyMap<string, Upstream | null>;
}

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
  expand(entry: SectionEntry, context: ExpandContext): RawItem[];
}

/** An upstream Pulp (Ark) as the mirrors use it. */
export interface Upstream {
  /** Origin without a trailing slash: `https://ark.stackhpc.com`. */
  url: string;
  /** With leading and trailing slashes: `/pulp/content/`. */
  contentPath: string;
  /** Container registry origin, without a trailing slash. */
  registry: string;
  /** Remote fields for every remote made from this upstream: credentials (Secrets), TLS, proxy, secret_version. */
  remoteFields: Record<string, unknown>;
  /** Where each of `remoteFields` and `url`/`registry` is written. */
  fieldOrigins: Record<string, Origin>;
}
