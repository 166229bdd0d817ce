import type { DiagnosticCode } from './diagnostic-codes.js';
import type { Json, JsonObject } from './json.js';
import type { Address, Endpoint, Kind, Plugin, SourceLocation } from './resource.js';

/** Major.minor: readers accept any minor of their major and ignore unknown keys; a new major is refused. */
export const PLAN_FORMAT_VERSION = '1.0';

/**
 * `trim` deletes old versions of a repository (`retain: N`): its body lists their numbers
 * (`versions`) and how many to keep (`retain`), its changes are one `/versions/<n>` each.
 */
export type ActionType = 'create' | 'update' | 'replace' | 'delete' | 'adopt' | 'sync' | 'trim';

/** A single field difference. `path` is a JSON pointer into the Pulp object (`/policy`, `/pulp_labels/env`). */
export interface FieldChange {
  path: string;
  /** Absent = the field was not set; a secret's value is never recorded, only `sensitive: true`. */
  before?: Json;
  after?: Json;
  sensitive?: boolean;
  /** The new value is an href that only exists once an earlier action has run. */
  unknown?: boolean;
}

/**
 * A value in an action's request body that is filled in at apply time with the href of
 * another resource: the object at `address` (created earlier in the plan or already live),
 * or with `output: 'version'` the repository version a sync left / a repository's latest.
 */
export interface HrefRef {
  $ref: Address;
  output?: 'href' | 'version';
  /** Publications: the repository version synced from this snapshot. */
  snapshot?: string;
}
export type BodyValue = Json | HrefRef | { [key: string]: BodyValue } | BodyValue[];

/** Where the executor finds a write-only value at apply time; the value itself is never in a plan. */
export interface SecretSource {
  field: string;
  /** `env:NAME`, `file:/path`, `inline:<file>:<line>`, or `unset` to clear it. */
  source: string;
}

/** What the plan saw of the live object it acts on; apply refuses the plan if this changed. */
export interface ActionGuard {
  href: string;
  fingerprint: string;
  lastUpdated?: string;
  /** The managed fields and labels as the plan read them, so a refusal can say what changed. */
  seen?: { fields: JsonObject; labels: Record<string, string> };
}

export interface PlanAction {
  /** Unique within the plan: `${type} ${address}`. */
  id: string;
  type: ActionType;
  address: Address;
  kind: Kind;
  plugin: Plugin;
  name: string;
  endpoint: Endpoint;
  /** Why this action exists, in words: "not on the server", "policy differs", "pin 2024… → 2025…". */
  reason: string;
  changes: FieldChange[];
  /** Number of managed fields that already match (rendered as "# N unchanged fields hidden"). */
  unchanged: number;
  /** Request body for create/update/sync (PATCH semantics for updates). */
  body?: { [key: string]: BodyValue };
  secrets?: SecretSource[];
  /** Labels to write after a successful sync (`pulpform_synced`, snapshot records). */
  labelsAfter?: Record<string, string>;
  /**
   * Syncs of an earlier snapshot than the remote's (a new mirror's production pin): the url the
   * remote is set to for this sync only; the executor puts the remote's url back after it.
   */
  syncFrom?: string;
  guard?: ActionGuard;
  /** Ids of actions that must succeed first; if one fails this action is skipped. */
  dependsOn: string[];
  source?: SourceLocation;
}

export type Severity = 'error' | 'warning';

/** A problem found while loading, planning or applying, Terraform-style: summary, where, value, fix. */
export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable code, e.g. `config.unknown_field`, `plan.conflict_unmanaged` (docs/diagnostics.md). */
  code: DiagnosticCode;
  summary: string;
  detail?: string;
  /** The fix, phrased as an instruction. */
  hint?: string;
  source?: SourceLocation;
  /** Where in the YAML document, e.g. `distributions[3].base_path` (rendered as "in distributions[3].base_path"). */
  path?: string;
  address?: Address;
  /** The offending value, already redacted if it could be a secret. */
  value?: Json;
}

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
  replace: number;
  adopt: number;
  sync: number;
}

/** The desired state a plan was made from. */
export interface PlanSource {
  files: string[];
  sha256: string;
  /** The `-f` path as given, and the directory it was given in: where `apply PLANFILE` finds the desired state again. */
  path?: string;
  cwd?: string;
}

export interface Plan {
  formatVersion: string;
  createdAt: string;
  stack: string;
  source: PlanSource;
  server: { url: string; versions: Record<string, string> };
  /** Selector given with --only, if any: the plan is partial. */
  scope?: string;
  /** Dependency-ordered waves; actions in one wave are independent of each other. */
  waves: PlanAction[][];
  diagnostics: Diagnostic[];
  summary: PlanSummary;
  /** Options the plan was made with, so `apply PLANFILE` reproduces them. */
  options: { prune: boolean };
  extensions?: JsonObject;
}

export function isHrefRef(value: unknown): value is HrefRef {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { $ref?: unknown }).$ref === 'string';
}
