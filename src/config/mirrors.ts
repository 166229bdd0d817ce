import * as z from 'zod';
import { FIELDS } from '../model/index.js';
import { within } from './entries.js';
import { META } from './schema.js';
import type { ExpandContext, Origin, ReportAt, Upstream } from './section-types.js';
import { closest } from '../model/suggest.js';
import type { Path } from './yaml-file.js';

/** `YYYYMMDDTHHMMSS` with a plausible date and time: the last segment of an Ark snapshot URL. */
const SNAPSHOT_PATTERN = /^\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3])[0-5]\d[0-5]\d$/;

/** The format is checked by checkSnapshot, whose message says how to find the right stamp. */
export function snapshotSchema(description: string): z.ZodType {
  return z.string().optional().describe(`${description} Format YYYYMMDDTHHMMSS.`);
}

/** Reports a snapshot stamp that is not YYYYMMDDTHHMMSS; true when it is one. */
export function checkSnapshot(value: string, origin: Origin, path: Path, report: ReportAt): boolean {
  if (SNAPSHOT_PATTERN.test(value)) return true;
  report(origin, path, 'value', {
    severity: 'error',
    code: 'config.invalid_snapshot',
    summary: 'Invalid snapshot stamp',
    detail: `"${value}" is not a snapshot stamp: upstream snapshots are named by their UTC date and time as YYYYMMDDTHHMMSS.`,
    hint: "Copy the stamp from the last segment of the snapshot's URL on the upstream, e.g. 20240816T002610.",
    value,
  });
  return false;
}

export function policySchema(): z.ZodType {
  const spec = FIELDS['remotes/rpm/rpm']?.policy;
  return z
    .enum(spec?.enum as [string, ...string[]])
    .optional()
    .describe(`Download policy of the generated remotes (Pulp default ${String(spec?.default)}): ${spec?.description ?? ''}`);
}

/** Fields every mirror entry has besides what it mirrors. */
export function mirrorMetaFields(): Record<string, z.ZodType> {
  return {
    enabled: z
      .boolean()
      .optional()
      .describe('false: the entry is not declared at all (an OS or group toggle); its objects are left alone, or deleted by --prune.'),
    labels: META.labels(),
    adopt: META.adopt().describe(
      'Take over existing objects of the generated names that carry no pulpform labels (e.g. made by the Ansible tooling).',
    ),
    protect: META.protect(),
  };
}

/** The labels/adopt/protect an entry hands to each item it generates, and where they are written. */
export function ownership(
  data: Record<string, unknown>,
  origin: Origin,
): { fields: Record<string, unknown>; origins: Record<string, Origin> } {
  const fields: Record<string, unknown> = {};
  const origins: Record<string, Origin> = {};
  for (const key of ['labels', 'adopt', 'protect']) {
    if (data[key] === undefined) continue;
    fields[key] = data[key];
    origins[key] = within(origin, key);
  }
  return { fields, origins };
}

/** The upstream an entry names, or undefined (reported unless the upstream itself was invalid). */
export function upstreamOf(data: Record<string, unknown>, origin: Origin, context: ExpandContext): Upstream | undefined {
  const name = data.upstream as string;
  const upstream = context.upstreams.get(name);
  if (upstream !== undefined) return upstream ?? undefined;
  const guess = closest(name, context.upstreams.keys());
  const declared = [...context.upstreams.keys()];
  context.report(origin, ['upstream'], 'value', {
    severity: 'error',
    code: 'config.unknown_upstream',
    summary: 'Unknown upstream',
    detail: `No upstream named "${name}" is declared${declared.length > 0 ? ` (declared: ${declared.join(', ')})` : ''}.`,
    hint:
      guess !== undefined
        ? `Use "${guess}", or declare "${name}" under "upstreams:".`
        : `Declare it under "upstreams:" (name, url, credentials), or correct the name.`,
    value: name,
  });
  return undefined;
}
