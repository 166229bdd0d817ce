import * as z from 'zod';
import { FIELDS } from '../model/index.js';
import { checkEntry, entryFields, within } from './entries.js';
import { remoteUrlHints, urlFinding } from './rules/urls.js';
import { fieldSchema } from './schema.js';
import type { SchemaMode } from './schema.js';
import type { Origin, ReportAt, Section, SectionEntry, Upstream } from './section-types.js';
import { describeLocation } from './yaml-file.js';

export const UPSTREAMS_KEY = 'upstreams';

/** Remote fields an upstream hands to every remote generated from it. */
const SHARED_REMOTE_FIELDS = [
  'username',
  'password',
  'ca_cert',
  'client_cert',
  'client_key',
  'tls_validation',
  'proxy_url',
  'proxy_username',
  'proxy_password',
] as const;
const SECRET = new Set(['username', 'password', 'client_key', 'proxy_username', 'proxy_password']);

const DEFAULT_CONTENT_PATH = '/pulp/content/';

function upstreamSchema(mode: SchemaMode): z.ZodObject {
  const specs = FIELDS['remotes/rpm/rpm'] ?? {};
  const shared = Object.fromEntries(
    SHARED_REMOTE_FIELDS.flatMap((field) => (specs[field] ? [[field, fieldSchema(specs[field], mode)]] : [])),
  );
  return z
    .strictObject({
      name: z.string().min(1).describe('Name mirrors refer to with "upstream: NAME".'),
      url: z
        .string()
        .min(1)
        .describe('Origin of the upstream Pulp, e.g. https://ark.stackhpc.com (no credentials: use username/password).'),
      content_path: z
        .string()
        .min(1)
        .optional()
        .describe(`Path of its content app (default ${DEFAULT_CONTENT_PATH}): package mirrors sync <url><content_path><path>/<snapshot>.`),
      registry: z.string().min(1).optional().describe('Origin of its container registry (default: url).'),
      ...shared,
      secret_version: z
        .union([z.string(), z.int()])
        .optional()
        .describe('Change it (e.g. "1" -> "2") to send the credentials of every remote made from this upstream again once (rotation).'),
    })
    .describe(
      'An upstream Pulp server (e.g. StackHPC Ark) whose URL, credentials, TLS and proxy settings package and container mirrors share.',
    );
}

const RUNTIME = upstreamSchema('runtime');

export const UPSTREAMS_SECTION: Section = {
  key: UPSTREAMS_KEY,
  description: 'Upstream Pulp servers (e.g. Ark) shared by package_mirrors and container_mirrors: URL, credentials, TLS, proxy.',
  documentItemSchema: () => upstreamSchema('document'),
  isSecretField: (field) => SECRET.has(field),
  // Upstreams make no Pulp object of their own: readUpstreams hands their settings to the mirrors.
  expand: () => [],
};

/** The declared upstreams by name; an invalid one maps to null, so mirrors naming it report nothing more. */
export function readUpstreams(entries: readonly SectionEntry[], report: ReportAt): Map<string, Upstream | null> {
  const upstreams = new Map<string, Upstream | null>();
  const firstOrigin = new Map<string, Origin>();
  for (const entry of entries) {
    const data = entryFields(entry, UPSTREAMS_KEY, report);
    if (data === undefined) continue;
    const valid = checkEntry(RUNTIME, data, entry.origin, { subject: 'upstream', report, isSecret: (path) => SECRET.has(String(path[0])) });
    const name = typeof data.name === 'string' ? data.name : undefined;
    if (name === undefined) continue;
    const first = firstOrigin.get(name);
    if (first !== undefined) {
      report(entry.origin, ['name'], 'value', {
        severity: 'error',
        code: 'config.duplicate_name',
        summary: 'Duplicate upstream name',
        detail: `Another upstream named "${name}" is declared at ${describeLocation(first.file, [...first.path, 'name'])}.`,
        hint: 'Rename one of them, or remove the duplicate.',
        value: name,
      });
      continue;
    }
    firstOrigin.set(name, entry.origin);
    upstreams.set(name, valid && urlsAreValid(data, entry.origin, report) ? toUpstream(data, entry.origin) : null);
  }
  return upstreams;
}

function urlsAreValid(data: Record<string, unknown>, origin: Origin, report: ReportAt): boolean {
  let valid = true;
  for (const field of ['url', 'registry', 'proxy_url']) {
    const url = data[field];
    const finding =
      typeof url === 'string'
        ? urlFinding(
            url,
            false,
            remoteUrlHints(field, field === 'proxy_url' ? 'http://proxy.example.com:3128' : 'https://ark.stackhpc.com'),
          )
        : undefined;
    if (finding === undefined) continue;
    valid = false;
    report(origin, [field], 'value', finding);
  }
  return valid;
}

function toUpstream(data: Record<string, unknown>, origin: Origin): Upstream {
  const url = (data.url as string).replace(/\/+$/, '');
  const contentPath =
    `/${(typeof data.content_path === 'string' ? data.content_path : DEFAULT_CONTENT_PATH).replace(/^\/+|\/+$/g, '')}/`.replace(
      /^\/\/$/,
      '/',
    );
  const remoteFields: Record<string, unknown> = {};
  const fieldOrigins: Record<string, Origin> = {
    url: within(origin, 'url'),
    registry: within(origin, data.registry === undefined ? 'url' : 'registry'),
  };
  for (const field of [...SHARED_REMOTE_FIELDS, 'secret_version']) {
    if (data[field] === undefined) continue;
    remoteFields[field] = data[field];
    fieldOrigins[field] = within(origin, field);
  }
  return {
    url,
    contentPath,
    registry: typeof data.registry === 'string' ? data.registry.replace(/\/+$/, '') : url,
    remoteFields,
    fieldOrigins,
  };
}
