import * as z from 'zod';
import { endpointOf, FIELDS, isSecret, PLUGINS } from '../model/index.js';
import type { Endpoint, FieldSpec, Kind, Plugin, Secret } from '../model/index.js';

/**
 * Zod shapes of the desired-state YAML, built from the Pulp field table (FIELDS) plus
 * pulpform's own keys. `document` describes the YAML as written (secrets are strings) and
 * feeds the JSON Schema; `runtime` validates items after ${...} resolution, when write-only
 * fields hold Secret objects.
 */
export type SchemaMode = 'runtime' | 'document';

export const PUBLISHING_PLUGINS: readonly Plugin[] = ['rpm', 'deb', 'file'];

const NAME_DESCRIPTION = 'Name of the object in Pulp (unique per kind across plugins). May contain spaces and slashes.';

export const META = {
  name: () => z.string().min(1).describe(NAME_DESCRIPTION),
  labels: () =>
    z
      .record(z.string(), z.string())
      .optional()
      .describe(
        'User labels (pulp_labels). Keys: letters, digits, underscores and spaces; values without commas or parentheses. Keys starting with pulpform_ are reserved.',
      ),
  adopt: () =>
    z
      .boolean()
      .optional()
      .describe('Take over an existing object of this name that carries no pulpform labels, instead of reporting a conflict.'),
  protect: () => z.boolean().optional().describe('Never delete or replace this object, even with --prune.'),
  type: (plugin: Plugin) => z.literal(plugin).describe('Pulp plugin: rpm, deb, file or container.'),
};

/** Options of the sync request per plugin (Pulp 3.23: rpm 3.20, deb 2.20, file 1.14, container 2.14). */
export const SYNC_OPTIONS: Record<Plugin, Record<string, z.ZodType>> = {
  rpm: {
    sync_policy: z
      .enum(['additive', 'mirror_complete', 'mirror_content_only'])
      .optional()
      .describe(
        'additive keeps content the upstream dropped; mirror_complete mirrors exactly (and publishes); mirror_content_only mirrors content, not metadata.',
      ),
    skip_types: z
      .array(z.enum(['srpm', 'treeinfo']))
      .optional()
      .describe('Content types not to sync.'),
    optimize: z.boolean().optional().describe('Skip the sync when the upstream metadata did not change (default true).'),
  },
  deb: {
    mirror: z.boolean().optional().describe('Remove content the upstream no longer has (default false: additive).'),
    optimize: z.boolean().optional().describe('Skip the sync when the upstream Release files did not change (default true).'),
  },
  file: {
    mirror: z.boolean().optional().describe('Remove content the upstream no longer has (default false: additive).'),
  },
  container: {
    mirror: z.boolean().optional().describe('Remove tags the upstream no longer has (default false: additive).'),
    signed_only: z.boolean().optional().describe('Sync only signed manifests.'),
  },
};

function syncSchema(plugin: Plugin): z.ZodType {
  return z
    .union([z.boolean(), z.strictObject(SYNC_OPTIONS[plugin])])
    .optional()
    .describe(
      'Sync the repository from its remote: true, or a map of sync options. A sync is planned when the remote URL (the snapshot) changed since the last one.',
    );
}

/** After resolution a write-only field holds a Secret; anything else was not a string in the YAML. */
const secretValue = z.custom<Secret>(isSecret, { params: { expected: 'string' } });

export function fieldSchema(spec: FieldSpec, mode: SchemaMode): z.ZodType {
  let schema: z.ZodType;
  if (spec.secret && mode === 'runtime') {
    schema = secretValue;
  } else {
    switch (spec.type) {
      case 'string':
        schema = z.string();
        break;
      case 'integer':
        schema = spec.minimum === undefined ? z.int() : z.int().min(spec.minimum);
        break;
      case 'number':
        schema = spec.minimum === undefined ? z.number() : z.number().min(spec.minimum);
        break;
      case 'boolean':
        schema = z.boolean();
        break;
      case 'string[]':
        schema = z.array(z.string());
        break;
      case 'headers':
        schema = z.array(
          z
            .record(z.string(), z.string())
            .refine((header) => Object.keys(header).length === 1, { message: 'each header must be a map with exactly one key' }),
        );
        break;
      case 'object':
        schema = z.record(z.string(), z.json());
        break;
      case 'enum':
        schema = z.enum(spec.enum as [string, ...string[]]);
        break;
    }
  }
  if (spec.nullable) schema = schema.nullable();
  if (!spec.required) schema = schema.optional();
  return schema.describe(spec.description);
}

/** Pulp fields written under their Pulp names: everything but references by name (`remote`, `repository`, ...). */
export function isWrittenField(spec: FieldSpec): boolean {
  return spec.ref === undefined || spec.ref === 'content_guard';
}

function pulpFields(endpoint: Endpoint, mode: SchemaMode): Record<string, z.ZodType> {
  return Object.fromEntries(
    Object.entries(FIELDS[endpoint] ?? {})
      .filter(([, spec]) => isWrittenField(spec))
      .map(([name, spec]) => [name, fieldSchema(spec, mode)]),
  );
}

function shape(kind: Kind, plugin: Plugin, mode: SchemaMode): Record<string, z.ZodType> {
  switch (kind) {
    case 'remote':
      return {
        name: META.name(),
        type: META.type(plugin),
        ...pulpFields(endpointOf('remote', plugin), mode),
        secret_version: z
          .union([z.string(), z.int()])
          .optional()
          .describe(
            'Change it (e.g. "1" -> "2") to send this remote\'s secrets again once: Pulp never returns them, so a rotation is otherwise invisible.',
          ),
        labels: META.labels(),
        adopt: META.adopt(),
        protect: META.protect(),
      };
    case 'repository':
      return {
        name: META.name(),
        type: META.type(plugin),
        remote: z.string().min(1).optional().describe('Remote to sync from, by name; a remote of the same plugin.'),
        sync: syncSchema(plugin),
        ...pulpFields(endpointOf('repository', plugin), mode),
        labels: META.labels(),
        adopt: META.adopt(),
        protect: META.protect(),
      };
    case 'publication':
      return {
        repository: z.string().min(1).describe('Repository to publish, by name; the publication takes its plugin and its name.'),
        ...(plugin === 'deb'
          ? {
              verbatim: z
                .boolean()
                .optional()
                .describe('deb only: publish the upstream metadata verbatim (publications/deb/verbatim) instead of generating it.'),
            }
          : {}),
        ...pulpFields(endpointOf('publication', plugin), mode),
      };
    case 'distribution':
      return {
        name: META.name(),
        type: META.type(plugin).optional(),
        ...(plugin === 'container'
          ? {}
          : {
              publication: z
                .string()
                .min(1)
                .optional()
                .describe('Serve the publication declared for this repository (by repository name).'),
            }),
        repository: z
          .string()
          .min(1)
          .optional()
          .describe('Serve this repository (by name): its newest publication, or its latest version for container.'),
        ...pulpFields(endpointOf('distribution', plugin), mode),
        labels: META.labels(),
        adopt: META.adopt(),
        protect: META.protect(),
      };
  }
}

const cache = new Map<string, z.ZodObject>();

/** The schema of one item of a kind and plugin. */
export function itemSchema(kind: Kind, plugin: Plugin, mode: SchemaMode): z.ZodObject {
  const key = `${kind}/${plugin}/${mode}`;
  let schema = cache.get(key);
  if (schema === undefined) {
    schema = z.strictObject(shape(kind, plugin, mode));
    cache.set(key, schema);
  }
  return schema;
}

function pluginsOf(kind: Kind): readonly Plugin[] {
  return kind === 'publication' ? PUBLISHING_PLUGINS : PLUGINS;
}

/**
 * Every key any plugin allows for this kind, all optional: for items whose plugin is not
 * known (yet), and for kinds whose plugin the YAML does not state (publications,
 * distributions) in the JSON Schema. The first plugin declaring a key wins.
 */
export function genericItemSchema(kind: Kind, mode: SchemaMode): z.ZodObject {
  const key = `${kind}/*/${mode}`;
  let schema = cache.get(key);
  if (schema === undefined) {
    const merged: Record<string, z.ZodType> = {};
    for (const plugin of pluginsOf(kind)) {
      for (const [name, field] of Object.entries(shape(kind, plugin, mode))) {
        if (!(name in merged)) merged[name] = field.optional();
      }
    }
    if (kind === 'distribution') {
      merged.type = z.enum(PLUGINS).optional().describe('Pulp plugin (optional: inferred from what the distribution serves).');
    } else if (kind !== 'publication') {
      // Remotes and repositories with a missing or unknown type: assignPlugins reported it already.
      merged.type = z.unknown().optional();
    }
    schema = z.strictObject(merged);
    cache.set(key, schema);
  }
  return schema;
}

/** Keys an item of this kind may have under any plugin, and which plugins allow each. */
export function pluginsAllowing(kind: Kind, key: string): Plugin[] {
  return pluginsOf(kind).filter((plugin) => key in itemSchema(kind, plugin, 'document').shape);
}

export function serverSchema(mode: SchemaMode): z.ZodObject {
  return z
    .strictObject({
      url: z
        .string()
        .optional()
        .describe('Base URL of the Pulp server, e.g. http://127.0.0.1:24817 (no credentials: use username/password).'),
      username: z.string().optional().describe('User to authenticate as.'),
      password: (mode === 'runtime' ? secretValue : z.string()).optional().describe('Password, preferably ${env:NAME} or ${file:PATH}.'),
      ca_cert: z.string().optional().describe('Path of a PEM CA bundle to verify the server with (relative to this file).'),
      insecure: z.boolean().optional().describe('Skip TLS verification (testing only).'),
    })
    .describe('How to reach the Pulp server. Command-line flags and PULP_* environment variables override it.');
}

export const STACK_DESCRIPTION = 'Ownership scope: the pulpform_stack label on every object this desired state manages. Default "default".';

/** The top-level keys of a desired-state file and what they hold; items are validated one by one. */
export function topLevelSchema(sectionKeys: readonly string[]): z.ZodObject {
  return z.strictObject({
    stack: z.string().min(1).optional(),
    server: z.record(z.string(), z.unknown()).optional(),
    ...Object.fromEntries(sectionKeys.map((key) => [key, z.array(z.unknown()).nullable().optional()])),
  });
}
