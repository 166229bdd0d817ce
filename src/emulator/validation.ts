import type { Json, JsonObject } from '../model/json.js';
import type { ApiDocument, ObjectSchema } from './api-doc.js';
import {
  CONTENT_REDIRECT_GUARDS,
  CONTAINER_DISTRIBUTIONS,
  CONTAINER_PUSH_REPOSITORIES,
  NAMESPACES,
  type Endpoint,
  endpointAt,
  hrefPath,
} from './endpoints.js';
import { ValidationError, pyRepr } from './errors.js';
import { validateLabels } from './labels.js';
import type { PulpProfile } from './profiles.js';
import { type Field, type Mode, type SerializerSpec, fieldsFromSchema } from './serializer.js';
import type { PulpObject, RepositoryVersion, Store } from './store.js';

/**
 * The serializers of the emulated endpoints: the OpenAPI request schema gives the fields, and this
 * module adds what the schema cannot say — uniqueness, href resolution, pulpcore's and the plugins'
 * `validate_<field>` and `validate()` rules, with 3.23's messages.
 */

export interface ValidationContext {
  doc: ApiDocument;
  store: Store;
  profile: PulpProfile;
}

const MUST_BE_UNIQUE = 'This field must be unique.';
const ALLOWED_CONTENT_CHECKSUMS = ['sha224', 'sha256', 'sha384', 'sha512'];
const ALLOWED_CHECKSUM_ERROR_MSG =
  "Checksum must be one of the allowed checksum types.\nYou can adjust these with the 'ALLOWED_CONTENT_CHECKSUMS' setting.";
/** pulp_container's registry path component rule. */
const CONTAINER_PATH_SEGMENT = /^[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9])*$/;

/** What a related field accepts: detail hrefs of one family (optionally narrowed), or repository versions. */
interface RelatedRule {
  family: string;
  versions?: boolean;
  accept?: (obj: PulpObject) => boolean;
}

/** DRF's HyperlinkedRelatedField.to_internal_value: No URL match / Incorrect URL match / Object does not exist. */
export function resolveHref(ctx: ValidationContext, value: string, rule: RelatedRule): PulpObject | RepositoryVersion {
  const path = hrefPath(value);
  const match = path === undefined ? undefined : ctx.doc.match(path);
  if (!match) throw new ValidationError('Invalid hyperlink - No URL match.');
  const readId = match.route.operations.get('GET')?.id ?? '';
  const isVersionView = readId.endsWith('_versions_read');
  const isDetailView = /^\{\w+\}$/.test(match.route.template) && readId.endsWith('_read') && !isVersionView;
  const inFamily = match.route.collectionPath?.startsWith(`/pulp/api/v3/${rule.family}/`) ?? false;
  if (!inFamily || (rule.versions ? !isVersionView : !isDetailView)) {
    throw new ValidationError('Invalid hyperlink - Incorrect URL match.');
  }
  const found = rule.versions ? ctx.store.version(path as string) : ctx.store.get(path as string);
  if (!found || ('endpoint' in found && rule.accept && !rule.accept(found))) {
    throw new ValidationError('Invalid hyperlink - Object does not exist.');
  }
  return found;
}

function related(ctx: ValidationContext, field: Field | undefined, rule: RelatedRule): void {
  field?.validators.push((value) => resolveHref(ctx, value as string, rule).href);
}

function fieldMap(fields: Field[]): Map<string, Field> {
  return new Map(fields.map((f) => [f.name, f]));
}

/** The serializer of an endpoint's create/update body, bound to the instance being updated. */
export function objectSerializer(
  ctx: ValidationContext,
  endpoint: Endpoint,
  request: ObjectSchema,
  response: ObjectSchema,
  mode: Mode,
  instance: PulpObject | undefined,
): SerializerSpec {
  const fields = fieldsFromSchema(request);
  const byName = fieldMap(fields);
  const known = new Set([...request.properties.map((p) => p.name), ...response.properties.map((p) => p.name)]);
  const spec: SerializerSpec = { fields, known };
  const current = (name: string, data: JsonObject): Json => (name in data ? (data[name] as Json) : (instance?.values[name] ?? null));

  byName.get('pulp_labels')?.validators.push((labels) => validateLabels(labels, ctx.profile));
  const name = byName.get('name');
  if (name && endpoint.family !== 'publications') {
    name.validators.push((value) => {
      const other = ctx.store.byName(endpoint.family, value as string);
      if (other && other !== instance) {
        throw new ValidationError(endpoint.family === 'namespaces' ? 'container namespace with this name already exists.' : MUST_BE_UNIQUE);
      }
    });
  }

  switch (endpoint.family) {
    case 'remotes': {
      const schemes = ctx.profile.remotes.rpmUrlSchemeCheck ? RPM_URL_SCHEMES[endpoint.pulpType] : undefined;
      // pulp_rpm's own validate_url replaces pulpcore's (no credentials or import path checks).
      byName
        .get('url')
        ?.validators.push(schemes ? (value) => validateUrlScheme(value as string, schemes) : (value) => validateRemoteUrl(value as string));
      byName.get('proxy_url')?.validators.push((value) => {
        if ((value as string).includes('@')) throw new ValidationError('proxy_url must not contain credentials');
      });
      byName.get('sigstore')?.validators.push((value) => {
        if (!/^https?:\/\/[^\s/?#]+[^\s]*$/i.test(value as string)) throw new ValidationError('Enter a valid URL.');
      });
      const mergeTagFilters = ctx.profile.container.tagFiltersRenamed && endpoint.pulpType === 'container.container';
      spec.validate = (data) => {
        if (mergeTagFilters) {
          // container 2.28+: the old names are write-only and appended to the new ones.
          for (const [old, renamed] of [
            ['include_tags', 'includes'],
            ['exclude_tags', 'excludes'],
          ] as const) {
            const given = data[old] as Json[] | null | undefined;
            delete data[old];
            if (given && given.length > 0) data[renamed] = [...((data[renamed] as Json[] | null | undefined) ?? []), ...given];
          }
        }
        // 3.23 falls back to the stored values only for PATCH.
        const prior = (key: string) => (key in data ? data[key] : mode === 'partial' ? (instance?.values[key] ?? null) : null);
        const proxyUsername = prior('proxy_username');
        const proxyPassword = prior('proxy_password');
        if ((proxyUsername || proxyPassword) && !prior('proxy_url')) {
          throw new ValidationError('proxy credentials cannot be specified without a proxy');
        }
        if (Boolean(proxyUsername) !== Boolean(proxyPassword)) {
          throw new ValidationError('proxy username and password can only be specified together');
        }
      };
      break;
    }
    case 'repositories': {
      const remote = byName.get('remote');
      related(ctx, remote, { family: 'remotes' });
      remote?.validators.push((value) => {
        const obj = ctx.store.get(value as string) as PulpObject;
        if (!endpoint.accepts.includes(obj.endpoint.pulpType)) {
          throw new ValidationError(`Type for Remote '${String(obj.values['name'])}' does not match Repository.`);
        }
      });

      if (endpoint.pulpType === 'rpm.rpm') {
        const shim = ctx.profile.rpm.gpg === 'mapped-into-repo-config';
        spec.validate = (data) => {
          for (const field of ['metadata_checksum_type', 'package_checksum_type']) {
            const value = data[field];
            if (value && !ALLOWED_CONTENT_CHECKSUMS.includes(value as string))
              throw new ValidationError({ [field]: ALLOWED_CHECKSUM_ERROR_MSG });
          }
          if (shim) rejectGpgWithRepoConfig(data);
        };
        if (shim) spec.save = rpmGpgShim;
      }
      break;
    }
    case 'publications': {
      const gpgShim = endpoint.pulpType === 'rpm.rpm' && ctx.profile.rpm.gpg === 'mapped-into-repo-config';
      related(ctx, byName.get('repository_version'), { family: 'repositories', versions: true });
      // Any repository passes the serializer; the plugins' views look it up by their own model.
      related(ctx, byName.get('repository'), { family: 'repositories' });
      spec.validate = (data) => {
        if (endpoint.pulpType === 'rpm.rpm') {
          const bad = ['metadata_checksum_type', 'package_checksum_type'].some(
            (f) => data[f] && !ALLOWED_CONTENT_CHECKSUMS.includes(data[f] as string),
          );
          if (bad) throw new ValidationError(ALLOWED_CHECKSUM_ERROR_MSG);
          if (gpgShim) rejectGpgWithRepoConfig(data);
        }
        const repository = data['repository'];
        const version = data['repository_version'];
        if (!repository && !version) throw new ValidationError("Either the 'repository' or 'repository_version' need to be specified");
        if (repository && version) {
          throw new ValidationError("Either the 'repository' or 'repository_version' need to be specified but not both.");
        }
        if (repository) {
          const latest = ctx.store.latestVersion(ctx.store.get(repository as string) as PulpObject);
          if (!latest) throw new ValidationError('Repository has no version available to create Publication from');
          data['repository_version'] = latest.href;
        }
        delete data['repository'];
        if (endpoint.pulpType === 'deb.apt-publication' && !data['simple'] && !data['structured']) {
          throw new ValidationError('one of simple or structured publishing mode must be selected');
        }
      };
      break;
    }
    case 'distributions': {
      const container = endpoint.collectionPath === CONTAINER_DISTRIBUTIONS;
      related(ctx, byName.get('repository'), { family: 'repositories' });
      related(ctx, byName.get('repository_version'), { family: 'repositories', versions: true });
      // Any complete publication, whatever its plugin.
      related(ctx, byName.get('publication'), { family: 'publications' });
      related(ctx, byName.get('content_guard'), {
        family: 'contentguards',
        accept: (g) => !container || g.endpoint.collectionPath === CONTENT_REDIRECT_GUARDS,
      });
      const basePath = byName.get('base_path');
      basePath?.validators.push((value) => {
        const other = ctx.store.byBasePath(value as string);
        if (other && other !== instance) throw new ValidationError(MUST_BE_UNIQUE);
      });
      basePath?.validators.push(
        container ? (value) => validateContainerBasePath(value as string) : (value) => validateBasePath(ctx, value as string, instance),
      );
      spec.validate = (data) => {
        const publication = current('publication', data);
        const repository = current('repository', data);
        const version = current('repository_version', data);
        if (publication && version) {
          throw new ValidationError("Only one of the attributes 'publication' and 'repository_version' may be used simultaneously.");
        }
        if (repository && version) {
          throw new ValidationError("Only one of the attributes 'repository' and 'repository_version' may be used simultaneously.");
        }
        if (repository && publication) {
          throw new ValidationError("Only one of the attributes 'repository' and 'publication' may be used simultaneously.");
        }
        if (container) validateContainerDistribution(ctx, data);
      };
      break;
    }
    case 'namespaces':
    case 'contentguards':
      break;
  }
  // Every signing service reference of any plugin (metadata_, package_, manifest_, signing_service).
  for (const field of fields)
    if (field.kind === 'related' && field.name.endsWith('signing_service')) related(ctx, field, { family: 'signing-services' });
  return spec;
}

/** The URL schemes pulp_rpm's remotes accept (rpm 3.25.5+). */
const RPM_URL_SCHEMES: Record<string, string[]> = { 'rpm.rpm': ['http', 'https', 'file'], 'rpm.uln': ['uln'] };

function validateUrlScheme(url: string, allowed: string[]): void {
  // Python's urlparse: a scheme is letters, digits, + - . before the first colon, lower-cased.
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? '';
  if (!allowed.includes(scheme)) {
    throw new ValidationError(
      `The url ${pyRepr(url)} is not valid. It must start with: (${allowed.map(pyRepr).join(', ')}${allowed.length === 1 ? ',' : ''}).`,
    );
  }
}

/** Python's truth value of a JSON value: empty containers, 0, '' and null are false. */
function pyTruthy(value: Json): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

function rejectGpgWithRepoConfig(data: JsonObject): void {
  if ((data['gpgcheck'] || data['repo_gpgcheck']) && pyTruthy(data['repo_config'] ?? null)) {
    throw new ValidationError(
      "Cannot use gpg options and 'repo_config' options simultaneously. The 'gpgcheck' and 'repo_gpgcheck' options are deprecated, please use 'repo_config' only.",
    );
  }
}

/**
 * rpm 3.24.1–3.29's shim from the deprecated gpg options to repo_config: the options given
 * become repo_config, else the body's repo_config, else {}. On create the value is set after the
 * object was saved and never stored (the answer shows it, a later read does not); an update
 * without either resets repo_config to {}.
 */
function rpmGpgShim(data: JsonObject, mode: Mode): { stored: JsonObject; shown?: JsonObject } {
  const gpg: JsonObject = {};
  for (const field of ['gpgcheck', 'repo_gpgcheck']) {
    if (data[field] !== undefined && data[field] !== null) gpg[field] = data[field] as number;
    delete data[field];
  }
  const repoConfig = Object.keys(gpg).length > 0 ? gpg : ((data['repo_config'] as JsonObject | undefined) ?? {});
  if (mode === 'create') return { stored: data, shown: { repo_config: repoConfig } };
  return { stored: { ...data, repo_config: repoConfig } };
}

function validateRemoteUrl(url: string): void {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(url);
  if (m && (m[1] as string).includes('@')) {
    throw new ValidationError('The remote url contains username or password. Please use remote username or password instead.');
  }
  if (!url.toLowerCase().startsWith('file://')) return;
  const path = url.slice('file://'.length);
  if (!path.startsWith('/')) throw new ValidationError(`The path '${path}' needs to be an absolute pathname.`);
  // The emulator has no ALLOWED_IMPORT_PATHS.
  throw new ValidationError(`The path '${path}' does not start with any of the allowed import paths`);
}

/** pulpcore's `_validate_relative_path` and `_validate_path_overlap` (across every distribution type). */
function validateBasePath(ctx: ValidationContext, path: string, instance: PulpObject | undefined): void {
  if (path.includes(' ')) throw new ValidationError('Relative path cannot contain spaces.');
  if (path !== path.replace(/^\/+|\/+$/g, '')) throw new ValidationError('Relative path cannot begin or end with slashes.');
  const segments = path.split('/');
  let overlap: PulpObject | undefined;
  for (let i = 1; i <= segments.length && !overlap; i++) {
    const candidate = ctx.store.byBasePath(segments.slice(0, i).join('/'));
    if (candidate && candidate !== instance) overlap = candidate;
  }
  if (!overlap) {
    for (const d of ctx.store.distributionsUnder(path)) {
      if (d !== instance) {
        overlap = d;
        break;
      }
    }
  }
  if (overlap) throw new ValidationError({ base_path: `Overlaps with existing distribution '${String(overlap.values['name'])}'` });
}

function validateContainerBasePath(path: string): void {
  if (path.length > 255) throw new ValidationError('The entered base path cannot be longer than 255 characters.');
  if (!path.split('/').every((segment) => CONTAINER_PATH_SEGMENT.test(segment))) {
    throw new ValidationError('The provided base path contains forbidden characters.');
  }
}

/**
 * pulp_container's `validate()`: the shared "content redirect" guard and the namespace (the first
 * path segment) are get-or-created while validating, that is when the request is answered.
 */
function validateContainerDistribution(ctx: ValidationContext, data: JsonObject): void {
  if (!('content_guard' in data))
    data['content_guard'] = getOrCreateByName(ctx.store, CONTENT_REDIRECT_GUARDS, 'content redirect', { description: null }).href;
  const version = data['repository_version'];
  if (version && ctx.store.version(version as string)?.repository.endpoint.collectionPath === CONTAINER_PUSH_REPOSITORIES) {
    throw new ValidationError('A container push repository cannot be distributed by specifying a repository version.');
  }
  const basePath = data['base_path'];
  if (typeof basePath === 'string') {
    data['namespace'] = getOrCreateByName(ctx.store, NAMESPACES, basePath.split('/')[0] as string, {}).href;
  }
}

export function getOrCreateByName(store: Store, collectionPath: string, name: string, values: JsonObject): PulpObject {
  const endpoint = endpointAt(collectionPath) as Endpoint;
  return store.byName(endpoint.family, name) ?? store.create(endpoint, { name, pulp_labels: {}, ...values });
}
