import * as z from 'zod';
import type { Diagnostic } from '../model/index.js';
import type { OutdatedMirror } from '../plan/outdated.js';

/**
 * The machine-readable output of `--json`: JSON Lines on stdout, one object per line, keys in
 * camelCase, `type` saying what the line is. Every run ends with exactly one `result` line that
 * carries the exit code, also when it fails before doing anything. The zod shapes here are the
 * contract: `schema/pulpform-output.schema.json` is generated from them and the tests check every
 * line pulpform prints against them.
 */

export const OUTPUT_CONTRACT = 1;

export const COMMANDS = ['validate', 'plan', 'apply', 'watch', 'status', 'outdated'] as const;
export type OutputCommand = (typeof COMMANDS)[number];

const json = z.json();

const diagnosticShape = z
  .strictObject({
    type: z.literal('diagnostic'),
    code: z.string().describe('Stable machine-readable code, e.g. config.unknown_field, plan.conflict_unmanaged.'),
    severity: z.enum(['error', 'warning']),
    message: z.string().describe('One line: what is wrong.'),
    detail: z.string().optional(),
    hint: z.string().optional().describe('The fix, phrased as an instruction.'),
    file: z.string().optional(),
    line: z.int().optional(),
    column: z.int().optional(),
    path: z.string().optional().describe('Where in the YAML document, e.g. distributions[3].base_path.'),
    address: z.string().optional().describe('The resource, e.g. remote/rpm/NAME.'),
    value: json.optional(),
  })
  .describe('A problem found while loading, planning or applying.');

const planLine = z
  .strictObject({
    type: z.literal('plan'),
    plan: z.record(z.string(), json).describe('The plan, as `pulpform plan --out` saves it (formatVersion 1.x).'),
  })
  .describe('The plan a plan or apply made.');

const eventShape = z
  .object({
    type: z.literal('event'),
    code: z
      .string()
      .describe(
        'action.start, action.progress, action.done, action.failed, action.skipped, action.interrupted, apply.stopping, apply.summary, or watch.* for watch.',
      ),
    level: z.enum(['debug', 'info', 'warn', 'error']),
    message: z.string(),
    time: z.string(),
  })
  .catchall(json)
  .describe('Something apply or watch did, as it happened.');

const statusLine = z.strictObject({
  type: z.literal('status'),
  server: z.string(),
  status: z
    .record(z.string(), json)
    .describe('Per mirror the snapshots synced and what each environment serves; images; undeclared objects; the lock.'),
});

const outdatedShape = z
  .strictObject({
    type: z.literal('outdated'),
    mirror: z.string().describe('The package mirror (its repository name).'),
    address: z.string().describe('Its repository, e.g. repository/rpm/NAME.'),
    upstream: z.string().describe('Origin of the upstream, without credentials.'),
    listingUrl: z.string().describe('The content listing read: <url><content_path><path>/, without credentials.'),
    snapshot: z.string().describe('The snapshot the mirror syncs (its snapshot:, what development serves).'),
    pins: z.record(z.string(), z.string()).describe('Environment -> the snapshot the YAML pins it to.'),
    newer: z
      .array(z.string())
      .describe('Snapshots the upstream lists that are newer than snapshot, newest first; empty when up to date or not read.'),
    error: z
      .strictObject({ code: z.string(), message: z.string(), detail: z.string().optional(), hint: z.string().optional() })
      .optional()
      .describe('Why the listing could not be read (code outdated.*).'),
  })
  .describe('One pinned package mirror of pulpform outdated: the newer snapshots its upstream serves.');

const resultLine = z
  .strictObject({
    type: z.literal('result'),
    contract: z.literal(OUTPUT_CONTRACT),
    command: z.enum(COMMANDS),
    exitCode: z.int().min(0).max(2),
    ok: z.boolean().describe('The command did what it was asked (exitCode 0, or 2 for plan --detailed-exitcode with changes).'),
    summary: z.record(z.string(), json).describe('Counts of what the command found or did.'),
    error: z
      .strictObject({ code: z.string(), message: z.string(), hint: z.string().optional() })
      .optional()
      .describe('Why the run failed, when it failed before its own output.'),
  })
  .describe('The last line of every run.');

export const OUTPUT_LINE = z.discriminatedUnion('type', [diagnosticShape, planLine, eventShape, statusLine, outdatedShape, resultLine]);
export type OutputLine = z.infer<typeof OUTPUT_LINE>;
export type ResultLine = z.infer<typeof resultLine>;

/** One line of output, with its newline. */
export function jsonLine(line: OutputLine): string {
  return `${JSON.stringify(line)}\n`;
}

/**
 * An apply or watch event as a line, with `message` its words (describeApplyEvent,
 * describeWatchEvent). An action's own `type` (create, sync, ...) is `actionType` here, since
 * `type` says what the line is.
 */
export function eventLine(
  event: { code: string; level: 'debug' | 'info' | 'warn' | 'error'; time: string; type?: string },
  message: string,
): OutputLine {
  const { type: actionType, ...rest } = event;
  // `message` right after `level`, where the lines have always had it.
  const fields = Object.entries(JSON.parse(JSON.stringify(rest)) as Record<string, z.infer<typeof json>>).flatMap(([key, value]) =>
    key === 'level'
      ? [
          [key, value],
          ['message', message],
        ]
      : [[key, value]],
  );
  return {
    ...Object.fromEntries(fields),
    ...(actionType !== undefined ? { actionType } : {}),
    type: 'event',
    code: event.code,
    level: event.level,
    message,
    time: event.time,
  };
}

export function outdatedLine(mirror: OutdatedMirror): OutputLine {
  const { error } = mirror;
  return {
    type: 'outdated',
    mirror: mirror.mirror,
    address: mirror.address,
    upstream: mirror.upstream,
    listingUrl: mirror.listingUrl,
    snapshot: mirror.snapshot,
    pins: mirror.pins,
    newer: mirror.newer,
    ...(error !== undefined
      ? {
          error: {
            code: error.code,
            message: error.summary,
            ...(error.detail !== undefined ? { detail: error.detail } : {}),
            ...(error.hint !== undefined ? { hint: error.hint } : {}),
          },
        }
      : {}),
  };
}

export function diagnosticLine(diagnostic: Diagnostic): OutputLine {
  return {
    type: 'diagnostic',
    code: diagnostic.code,
    severity: diagnostic.severity,
    message: diagnostic.summary,
    ...(diagnostic.detail !== undefined ? { detail: diagnostic.detail } : {}),
    ...(diagnostic.hint !== undefined ? { hint: diagnostic.hint } : {}),
    ...(diagnostic.source !== undefined
      ? { file: diagnostic.source.file, line: diagnostic.source.line, column: diagnostic.source.column }
      : {}),
    ...(diagnostic.path !== undefined ? { path: diagnostic.path } : {}),
    ...(diagnostic.address !== undefined ? { address: diagnostic.address } : {}),
    ...(diagnostic.value !== undefined ? { value: diagnostic.value } : {}),
  };
}

/** JSON Schema of one output line (draft 2020-12), generated from the contract. */
export function outputJsonSchema(): Record<string, unknown> {
  return {
    title: 'pulpform --json output line',
    description: `One line of the JSON Lines pulpform prints with --json (contract ${OUTPUT_CONTRACT}). The last line of a run has type "result".`,
    ...z.toJSONSchema(OUTPUT_LINE, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }),
  };
}

export const OUTPUT_SCHEMA_FILE = 'schema/pulpform-output.schema.json';

export function outputJsonSchemaText(): string {
  return `${JSON.stringify(outputJsonSchema(), null, 2)}\n`;
}
