import * as z from 'zod';
import { KINDS, PLAN_FORMAT_VERSION, PLUGINS, type Plan } from '../model/index.js';
import { PulpformError } from '../model/errors.js';

/**
 * A saved plan (`plan --out`): the plan data as JSON. It holds no secret by construction
 * (secrets appear as `{field, source}` and `sensitive: true` changes); a Secret that slipped
 * into a value would still serialise as its mask (Secret.toJSON).
 */
export function serializePlan(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

export class PlanFileError extends PulpformError {
  override readonly name = 'PlanFileError';
  get code(): string {
    return 'planfile';
  }
}

const source = z.object({ file: z.string(), line: z.number(), column: z.number() });

const change = z.object({
  path: z.string(),
  before: z.json().optional(),
  after: z.json().optional(),
  sensitive: z.boolean().optional(),
  unknown: z.boolean().optional(),
});

const action = z.object({
  id: z.string(),
  type: z.enum(['create', 'update', 'replace', 'delete', 'adopt', 'sync', 'trim']),
  address: z.string(),
  kind: z.enum(KINDS),
  plugin: z.enum(PLUGINS),
  name: z.string(),
  endpoint: z.string(),
  reason: z.string(),
  changes: z.array(change),
  unchanged: z.number(),
  body: z.record(z.string(), z.json()).optional(),
  secrets: z.array(z.object({ field: z.string(), source: z.string() })).optional(),
  labelsAfter: z.record(z.string(), z.string()).optional(),
  syncFrom: z.string().optional(),
  guard: z
    .object({
      href: z.string(),
      fingerprint: z.string(),
      lastUpdated: z.string().optional(),
      seen: z.object({ fields: z.record(z.string(), z.json()), labels: z.record(z.string(), z.string()) }).optional(),
    })
    .optional(),
  dependsOn: z.array(z.string()),
  source: source.optional(),
});

const diagnostic = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  summary: z.string(),
  detail: z.string().optional(),
  hint: z.string().optional(),
  source: source.optional(),
  address: z.string().optional(),
  value: z.json().optional(),
});

const count = z.number().int().nonnegative();

const planSchema = z.object({
  formatVersion: z.string(),
  createdAt: z.string(),
  stack: z.string(),
  source: z.object({ files: z.array(z.string()), sha256: z.string(), path: z.string().optional(), cwd: z.string().optional() }),
  server: z.object({ url: z.string(), versions: z.record(z.string(), z.string()) }),
  scope: z.string().optional(),
  waves: z.array(z.array(action)),
  diagnostics: z.array(diagnostic),
  summary: z.object({ add: count, change: count, destroy: count, replace: count, adopt: count, sync: count }),
  options: z.object({ prune: z.boolean() }),
  extensions: z.record(z.string(), z.json()).optional(),
});

function major(version: string): string {
  return version.split('.')[0] ?? version;
}

/**
 * Reads a saved plan. Any minor of this format's major is accepted and keys this version
 * does not know are ignored; another major is refused, naming both versions.
 */
export function parsePlan(text: string, file = 'plan file'): Plan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PlanFileError(
      `${file} is not a pulpform plan: it is not valid JSON (${(error as Error).message}). Create one with "pulpform plan --out FILE".`,
    );
  }
  const version = typeof data === 'object' && data !== null ? (data as { formatVersion?: unknown }).formatVersion : undefined;
  if (typeof version !== 'string') {
    throw new PlanFileError(`${file} is not a pulpform plan: it has no formatVersion. Create one with "pulpform plan --out FILE".`);
  }
  if (major(version) !== major(PLAN_FORMAT_VERSION)) {
    throw new PlanFileError(
      `${file} has plan format ${version}, but this pulpform reads format ${major(PLAN_FORMAT_VERSION)}.x (it writes ${PLAN_FORMAT_VERSION}). Make the plan again with this pulpform ("pulpform plan --out FILE"), or use the pulpform version that wrote it.`,
    );
  }
  const parsed = planSchema.safeParse(data);
  if (!parsed.success) {
    throw new PlanFileError(
      `${file} is not a valid pulpform plan (format ${version}):\n${z.prettifyError(parsed.error)}\nMake the plan again with "pulpform plan --out FILE"; do not edit plan files by hand.`,
    );
  }
  return parsed.data as Plan;
}
