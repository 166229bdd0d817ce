import * as z from 'zod';
import type { ConsumerSettings } from '../model/index.js';
import { SYNC_OPTIONS } from './schema.js';
import { checkEntry, entryFields, within } from './entries.js';
import { isPlainObject } from './issues.js';
import { checkSnapshot, mirrorMetaFields, ownership, policySchema, snapshotSchema, upstreamOf } from './mirrors.js';
import type { ExpandContext, Origin, RawItem, Section, SectionEntry, Upstream } from './section-types.js';

const PACKAGE_MIRRORS_KEY = 'package_mirrors';

const TYPES = ['rpm', 'deb'] as const;
type MirrorType = (typeof TYPES)[number];

const DEB_ONLY = ['mirror', 'dists', 'components', 'architectures', 'publication_mode', 'signed_by'] as const;
const RPM_ONLY = ['sync_policy', 'gpgcheck', 'repo_gpgcheck', 'gpgkey'] as const;
/** Fields hosts use (pulpform client-config) rather than Pulp, with what the other type takes instead. */
const HOST_FIELD_HINTS: Record<string, string> = {
  gpgcheck: 'Remove it: apt checks the Release signatures with the keyring named by "signed_by".',
  repo_gpgcheck: 'Remove it: apt checks the Release signatures with the keyring named by "signed_by".',
  gpgkey: 'Remove it: apt checks the Release signatures with the keyring named by "signed_by".',
  signed_by: 'Remove it: dnf checks signatures as "gpgcheck", "repo_gpgcheck" and "gpgkey" say.',
};
const GPGKEY_PROTOCOLS = ['https:', 'http:', 'file:', 'ftp:'];
const PUBLICATION_MODES = ['verbatim', 'structured', 'simple'] as const;

const servingSchema = z
  .strictObject({
    name: z.string().min(1).describe('Name of the distribution in Pulp, e.g. rocky-9-baseos-production.'),
    base_path: z.string().min(1).describe('Where it is served under the content origin, e.g. rocky/9/BaseOS/x86_64/os/production.'),
    snapshot: snapshotSchema(
      "Serve this snapshot instead of the mirror's (e.g. production pinned to the one development served before). It must have been synced already; changing it is the promotion, and needs no sync.",
    ),
  })
  .describe('One distribution serving the mirror.');

const entrySchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .describe('Repository name (the Ansible names are kept, so existing repositories can be adopted), e.g. "Rocky Linux 9 - BaseOS".'),
    type: z.enum(TYPES).describe('rpm or deb.'),
    upstream: z.string().min(1).describe('The upstream (declared under upstreams:) to mirror from.'),
    path: z
      .string()
      .min(1)
      .describe("Path of the repository under the upstream's content path, without the snapshot, e.g. rocky/9.4/BaseOS/x86_64/os."),
    snapshot: snapshotSchema(
      'Upstream snapshot to sync, e.g. 20240816T002610: the remote URL ends with it. Changing it syncs the new snapshot, publishes it and repoints the distributions that follow it. Leave it out for an upstream path that is not snapshotted.',
    ),
    remote_name: z.string().min(1).optional().describe('Name of the remote (default "<name>-remote", as the Ansible tooling names it).'),
    policy: policySchema(),
    sync_policy: SYNC_OPTIONS.rpm.sync_policy as z.ZodType,
    mirror: (SYNC_OPTIONS.deb.mirror as z.ZodType).describe(
      'deb: remove content the upstream no longer has (the Release Train uses true).',
    ),
    dists: z
      .string()
      .min(1)
      .optional()
      .describe('deb (required): whitespace-separated distributions to mirror (dists/<name>), e.g. "jammy jammy-updates".'),
    components: z.string().min(1).optional().describe('deb: whitespace-separated components (default: all).'),
    architectures: z.string().min(1).optional().describe('deb: whitespace-separated architectures (default: all).'),
    publication_mode: z
      .enum(PUBLICATION_MODES)
      .optional()
      .describe('deb: verbatim (default: the upstream metadata as it is), structured or simple.'),
    distributions: z
      .record(z.string(), servingSchema)
      .optional()
      .describe(
        "The distributions serving this mirror, by environment (development, production, ...). Each serves the mirror's snapshot unless it pins its own.",
      ),
    retain: z
      .int()
      .min(1)
      .optional()
      .describe('Keep the newest N repository versions and their publications; never one a distribution serves.'),
    gpgcheck: z
      .boolean()
      .optional()
      .describe(
        'rpm: whether hosts check package signatures (dnf gpgcheck) in the .repo file `pulpform client-config` prints. Not sent to Pulp.',
      ),
    repo_gpgcheck: z
      .boolean()
      .optional()
      .describe('rpm: whether hosts check the signature of the repository metadata (dnf repo_gpgcheck). Not sent to Pulp.'),
    gpgkey: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe(
        'rpm: URL, or list of URLs, of the public keys hosts check signatures with (dnf gpgkey), e.g. file:///etc/pki/rpm-gpg/RPM-GPG-KEY-Rocky-9. Not sent to Pulp.',
      ),
    signed_by: z
      .string()
      .min(1)
      .optional()
      .describe(
        'deb: absolute path, on hosts, of the keyring apt checks the Release signatures with (signed-by), e.g. /usr/share/keyrings/docker.gpg. Not sent to Pulp.',
      ),
    ...mirrorMetaFields(),
  })
  .describe(
    'A package repository mirrored from an upstream snapshot: one remote, one repository, its publications, and its distributions.',
  );

export const PACKAGE_MIRRORS_SECTION: Section = {
  key: PACKAGE_MIRRORS_KEY,
  description: 'RPM and deb repositories mirrored from an upstream at pinned snapshots, published to distributions per environment.',
  documentItemSchema: () => entrySchema,
  isSecretField: () => false,
  expand: expandPackageMirror,
};

function expandPackageMirror(entry: SectionEntry, context: ExpandContext): RawItem[] {
  const data = entryFields(entry, PACKAGE_MIRRORS_KEY, context.report);
  if (data === undefined) return [];
  const valid = checkEntry(entrySchema, data, entry.origin, {
    subject: 'package mirror',
    report: context.report,
    unknownKeyHint: (path, key) => misnestedEnvironment(data, path, key),
  });
  if (
    !valid ||
    !typeSpecificFieldsValid(data, entry.origin, context) ||
    !hostFieldsValid(data, entry.origin, context) ||
    data.enabled === false
  )
    return [];
  const pinsOk = pinsValid(data, entry.origin, context);
  const upstream = upstreamOf(data, entry.origin, context);
  if (upstream === undefined || !pinsOk) return [];
  return mirrorItems(data, entry.origin, upstream);
}

/** `development: {name, base_path}` written beside `snapshot:` instead of under `distributions:`. */
function misnestedEnvironment(data: Record<string, unknown>, path: readonly unknown[], key: string): string | undefined {
  const value = data[key];
  const serving = isPlainObject(value) && ('base_path' in value || 'name' in value);
  if (path.length > 0 || (!serving && !['development', 'production', 'staging', 'test'].includes(key))) return undefined;
  return `"${key}" looks like an environment: move it under "distributions:" (distributions: { ${key}: { name: ..., base_path: ... } }).`;
}

function typeSpecificFieldsValid(data: Record<string, unknown>, origin: Origin, context: ExpandContext): boolean {
  const type = data.type as MirrorType;
  const foreign = type === 'rpm' ? DEB_ONLY : RPM_ONLY;
  let valid = true;
  for (const field of foreign) {
    if (data[field] === undefined) continue;
    valid = false;
    context.report(origin, [field], 'key', {
      severity: 'error',
      code: 'config.unknown_field',
      summary: 'Field of the other package type',
      detail: `"${field}" applies to ${type === 'rpm' ? 'deb' : 'rpm'} mirrors only; this one is ${type}.`,
      hint:
        HOST_FIELD_HINTS[field] ??
        (type === 'rpm'
          ? 'Remove it (rpm mirrors take sync_policy).'
          : 'Remove it (deb mirrors take mirror: true instead of sync_policy).'),
      value: field,
    });
  }
  if (type === 'deb' && data.dists === undefined) {
    valid = false;
    context.report(origin, [], 'value', {
      severity: 'error',
      code: 'config.missing_field',
      summary: 'Missing required field',
      detail: 'A deb mirror needs "dists": the distributions of the upstream to mirror (its dists/<name> directories).',
      hint: 'Add e.g. "dists: jammy jammy-updates" to this item.',
    });
  }
  return valid;
}

/** The key URLs and keyring path end up in hosts' configuration files: they must work there. */
function hostFieldsValid(data: Record<string, unknown>, origin: Origin, context: ExpandContext): boolean {
  let valid = true;
  const keys = typeof data.gpgkey === 'string' ? [data.gpgkey] : ((data.gpgkey as string[] | undefined) ?? []);
  keys.forEach((key, index) => {
    const problem = gpgkeyProblem(key);
    if (problem === undefined) return;
    valid = false;
    context.report(origin, typeof data.gpgkey === 'string' ? ['gpgkey'] : ['gpgkey', index], 'value', {
      severity: 'error',
      code: 'config.invalid_gpgkey',
      summary: 'Invalid gpgkey',
      detail: `dnf reads each gpgkey as a URL; ${problem}.`,
      hint: 'Write a file:// URL of a key installed on the hosts (file:///etc/pki/rpm-gpg/RPM-GPG-KEY-Rocky-9) or an https:// URL.',
      value: problem.includes('credentials') ? '(a URL with credentials)' : key,
    });
  });
  if (typeof data.signed_by === 'string' && !/^\/[^\s\],]*$/.test(data.signed_by)) {
    valid = false;
    context.report(origin, ['signed_by'], 'value', {
      severity: 'error',
      code: 'config.invalid_signed_by',
      summary: 'Invalid signed_by',
      detail: 'apt\'s signed-by names a keyring file by its absolute path, without spaces, commas or "]".',
      hint: "Write the keyring's path on the hosts, e.g. /usr/share/keyrings/docker.gpg.",
      value: data.signed_by,
    });
  }
  return valid;
}

function gpgkeyProblem(key: string): string | undefined {
  let url: URL;
  try {
    url = new URL(key);
  } catch {
    return `"${key}" is not a URL`;
  }
  if (!GPGKEY_PROTOCOLS.includes(url.protocol)) return `${url.protocol} is not one of ${GPGKEY_PROTOCOLS.join(', ')}`;
  if (url.username !== '' || url.password !== '') return 'this one holds credentials, which every host would then store in plain text';
  if (/\s/.test(key)) return 'it contains whitespace, which separates keys in a .repo file';
  return undefined;
}

/** Every stamp is one; a distribution may pin its own only if the mirror syncs snapshots at all. */
function pinsValid(data: Record<string, unknown>, origin: Origin, context: ExpandContext): boolean {
  let valid = typeof data.snapshot !== 'string' || checkSnapshot(data.snapshot, origin, ['snapshot'], context.report);
  for (const [environment, serving] of Object.entries(servings(data))) {
    if (serving.snapshot === undefined) continue;
    if (!checkSnapshot(serving.snapshot, origin, ['distributions', environment, 'snapshot'], context.report)) {
      valid = false;
      continue;
    }
    if (data.snapshot !== undefined) continue;
    valid = false;
    context.report(origin, ['distributions', environment, 'snapshot'], 'key', {
      severity: 'error',
      code: 'config.pin_without_snapshot',
      summary: 'Distribution pinned on a mirror without snapshots',
      detail: `The ${environment} distribution pins snapshot ${serving.snapshot}, but the mirror has no "snapshot:", so pulpform records no snapshots for its repository.`,
      hint: 'Add "snapshot: YYYYMMDDTHHMMSS" to the mirror, or remove the pin.',
      value: serving.snapshot,
    });
  }
  return valid;
}

interface Serving {
  name: string;
  base_path: string;
  snapshot?: string;
}

function servings(data: Record<string, unknown>): Record<string, Serving> {
  return isPlainObject(data.distributions) ? (data.distributions as Record<string, Serving>) : {};
}

function mirrorItems(data: Record<string, unknown>, origin: Origin, upstream: Upstream): RawItem[] {
  const type = data.type as MirrorType;
  const name = data.name as string;
  const snapshot = data.snapshot as string | undefined;
  const remoteName = (data.remote_name as string | undefined) ?? `${name}-remote`;
  const path = (data.path as string).replace(/^\/+|\/+$/g, '');
  const owned = ownership(data, origin);
  const at = (...path: (string | number)[]): Origin => within(origin, ...path);

  const remote: RawItem = {
    kind: 'remote',
    origin,
    data: {
      name: remoteName,
      type,
      url: `${upstream.url}${upstream.contentPath}${path}${snapshot === undefined ? '/' : `/${snapshot}`}`,
      ...(data.policy !== undefined ? { policy: data.policy } : {}),
      ...(type === 'deb' ? debRemoteFields(data) : {}),
      ...upstream.remoteFields,
      ...owned.fields,
    },
    generated: {
      fieldOrigins: {
        ...upstream.fieldOrigins,
        ...owned.origins,
        name: at(data.remote_name === undefined ? 'name' : 'remote_name'),
        url: at(snapshot === undefined ? 'path' : 'snapshot'),
        distributions: at('dists'),
      },
    },
  };
  const syncOptions =
    type === 'rpm'
      ? data.sync_policy !== undefined
        ? { sync_policy: data.sync_policy }
        : undefined
      : data.mirror !== undefined
        ? { mirror: data.mirror }
        : undefined;
  const repository: RawItem = {
    kind: 'repository',
    origin,
    data: { name, type, remote: remoteName, sync: syncOptions ?? true, ...owned.fields },
    generated: {
      ...(snapshot !== undefined ? { marker: snapshot } : {}),
      ...(data.retain !== undefined ? { retain: data.retain as number } : {}),
      fieldOrigins: {
        ...owned.origins,
        remote: at(data.remote_name === undefined ? 'name' : 'remote_name'),
        sync: at(type === 'rpm' ? 'sync_policy' : 'mirror'),
      },
    },
  };

  const environments = Object.entries(servings(data));
  // One publication per snapshot served, placed where that snapshot is written (so "never
  // synced" points at the pin); a mirror without distributions still publishes what it syncs.
  const pins = new Map<string | undefined, Origin>();
  for (const [environment, serving] of environments) {
    const pin = serving.snapshot ?? snapshot;
    if (!pins.has(pin))
      pins.set(
        pin,
        serving.snapshot !== undefined ? at('distributions', environment, 'snapshot') : at(snapshot === undefined ? 'name' : 'snapshot'),
      );
  }
  if (environments.length === 0) pins.set(snapshot, at(snapshot === undefined ? 'name' : 'snapshot'));
  const publicationName = (pin: string | undefined): string => (pin === undefined ? name : `${name}@${pin}`);
  const mode = type === 'deb' ? ((data.publication_mode as string | undefined) ?? 'verbatim') : undefined;
  const publications: RawItem[] = [...pins].map(([pin, written]) => ({
    kind: 'publication',
    origin: written,
    data: { repository: name, ...(mode !== undefined ? { [mode]: true } : {}) },
    generated: {
      ...(pin !== undefined ? { snapshot: pin } : {}),
      fieldOrigins: { repository: at('name'), ...(mode !== undefined ? { [mode]: at('publication_mode') } : {}) },
    },
  }));
  const consumer = consumerSettings(data);
  const distributions: RawItem[] = environments.map(([environment, serving]) => {
    const pin = serving.snapshot ?? snapshot;
    return {
      kind: 'distribution',
      origin: at('distributions', environment),
      data: { name: serving.name, base_path: serving.base_path, type, publication: publicationName(pin), ...owned.fields },
      generated: {
        ...(pin !== undefined ? { snapshot: pin } : {}),
        ...(pin !== undefined && serving.snapshot === undefined ? { followsSync: true } : {}),
        consumer: { environment, ...consumer },
        fieldOrigins: {
          ...owned.origins,
          type: at('type'),
          publication:
            serving.snapshot !== undefined
              ? at('distributions', environment, 'snapshot')
              : at(snapshot === undefined ? 'name' : 'snapshot'),
        },
      },
    };
  });
  return [remote, repository, ...publications, ...distributions];
}

function consumerSettings(data: Record<string, unknown>): Omit<ConsumerSettings, 'environment'> {
  const gpgkey = data.gpgkey as string | string[] | undefined;
  return {
    ...(typeof data.gpgcheck === 'boolean' ? { gpgcheck: data.gpgcheck } : {}),
    ...(typeof data.repo_gpgcheck === 'boolean' ? { repoGpgcheck: data.repo_gpgcheck } : {}),
    ...(gpgkey !== undefined ? { gpgkeys: typeof gpgkey === 'string' ? [gpgkey] : gpgkey } : {}),
    ...(typeof data.signed_by === 'string' ? { signedBy: data.signed_by } : {}),
  };
}

function debRemoteFields(data: Record<string, unknown>): Record<string, unknown> {
  return {
    distributions: data.dists,
    ...(data.components !== undefined ? { components: data.components } : {}),
    ...(data.architectures !== undefined ? { architectures: data.architectures } : {}),
  };
}
