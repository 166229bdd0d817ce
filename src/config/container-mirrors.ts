import * as z from 'zod';
import type { ImageScope } from '../model/index.js';
import { parseImageFilter } from '../model/selectors.js';
import { checkEntry, entryFields, within } from './entries.js';
import { isPlainObject } from './issues.js';
import { mirrorMetaFields, ownership, policySchema, upstreamOf } from './mirrors.js';
import { basePathProblem } from './rules/base-paths.js';
import type { ExpandContext, Origin, RawItem, Section, SectionEntry, Upstream } from './section-types.js';
import { describeLocation } from './yaml-file.js';

const CONTAINER_MIRRORS_KEY = 'container_mirrors';

const tagsSchema = (description: string): z.ZodType => z.array(z.string().min(1)).optional().describe(description);

const imageSchema = z
  .union([
    z.string().min(1),
    z.strictObject({
      name: z.string().min(1).describe('Image name in the namespace, e.g. ceph.'),
      distribution: z
        .string()
        .min(1)
        .optional()
        .describe('Name of its distribution, when not "<namespace>/<name>" (the Ansible tooling names the Ceph one "ceph").'),
      include_tags: tagsSchema("Tags of this image to sync, instead of the mirror's include_tags; * and ? are wildcards."),
      exclude_tags: tagsSchema("Tags of this image to skip, instead of the mirror's exclude_tags; * and ? are wildcards."),
    }),
  ])
  .describe('An image name, or a map with per-image settings.');

const entrySchema = z
  .strictObject({
    upstream: z.string().min(1).describe('The upstream (declared under upstreams:) whose registry serves the images.'),
    namespace: z
      .string()
      .min(1)
      .describe('Namespace of the images upstream and here: repository, distribution and base path are "<namespace>/<prefix><image>".'),
    prefix: z.string().optional().describe('Prefix of every image name, e.g. "centos-source-" for the Kolla images of Yoga and earlier.'),
    images: z.array(imageSchema).min(1).describe('Images to mirror, e.g. [barbican-api, bifrost-deploy].'),
    include_tags: tagsSchema('Tags to sync (default: all); * and ? are wildcards.'),
    exclude_tags: tagsSchema('Tags to skip; * and ? are wildcards.'),
    policy: policySchema(),
    mirror: z
      .boolean()
      .optional()
      .describe('Remove tags the upstream no longer has (default false: additive, as the Ansible tooling syncs).'),
    group: z.string().min(1).optional().describe('A name for this set of images: plan or apply only it with --only group:NAME.'),
    filter: z
      .string()
      .optional()
      .describe(
        'Sync only the images matching one of these whitespace-separated, unanchored regexes (stackhpc_pulp_images_kolla_filter). Scope only: the others are left out of each run, never deleted. --image-filter overrides it.',
      ),
    ...mirrorMetaFields(),
  })
  .describe('Container images mirrored from an upstream registry: per image one remote, one repository and one distribution.');

export const CONTAINER_MIRRORS_SECTION: Section = {
  key: CONTAINER_MIRRORS_KEY,
  description:
    'Container images mirrored from an upstream registry (e.g. the Kolla images on Ark, Ceph from quay.io), each served by its own distribution.',
  documentItemSchema: () => entrySchema,
  isSecretField: () => false,
  expand: expandContainerMirror,
};

interface Image {
  name: string;
  /** The list item: the name, or the map of a configured image. */
  origin: Origin;
  /** Where the name is written. */
  nameOrigin: Origin;
  distribution?: string;
  include_tags?: string[];
  exclude_tags?: string[];
}

function expandContainerMirror(entry: SectionEntry, context: ExpandContext): RawItem[] {
  const data = entryFields(entry, CONTAINER_MIRRORS_KEY, context.report);
  if (data === undefined) return [];
  const valid = checkEntry(entrySchema, data, entry.origin, { subject: 'container mirror', report: context.report });
  if (!valid || !filterValid(data, entry.origin, context) || data.enabled === false) return [];
  const namespaceOk = namespaceValid(data, entry.origin, context);
  const images = uniqueImages(data, entry.origin, context);
  const upstream = upstreamOf(data, entry.origin, context);
  if (upstream === undefined || !namespaceOk) return [];
  return images.flatMap((image) => imageItems(data, entry.origin, upstream, image));
}

/** Each regex of `filter` must compile, as it will when a run is narrowed with it. */
function filterValid(data: Record<string, unknown>, origin: Origin, context: ExpandContext): boolean {
  if (typeof data.filter !== 'string') return true;
  const parsed = parseImageFilter(data.filter);
  if (!('invalid' in parsed)) return true;
  context.report(origin, ['filter'], 'value', {
    severity: 'error',
    code: 'config.invalid_filter',
    summary: 'Invalid image filter',
    detail: `"${parsed.invalid}" is not a valid regular expression: ${parsed.message}.`,
    hint: 'Write whitespace-separated regular expressions, e.g. "^nova ^neutron-server$"; escape special characters with a backslash.',
    value: data.filter,
  });
  return false;
}

function namespaceValid(data: Record<string, unknown>, origin: Origin, context: ExpandContext): boolean {
  const namespace = data.namespace as string;
  const problem = basePathProblem(namespace, true);
  if (problem === undefined) return true;
  context.report(origin, ['namespace'], 'value', {
    severity: 'error',
    code: 'config.invalid_namespace',
    summary: 'Invalid container namespace',
    detail: `The namespace starts the base path of every image's distribution, and it ${problem}.`,
    hint: `Write it as "${namespace
      .toLowerCase()
      .replace(/[^a-z0-9._/-]+/g, '-')
      .replace(/^\/+|\/+$/g, '')}".`,
    value: namespace,
  });
  return false;
}

/** The listed images, each once; a repeated or malformed name is reported at the list item. */
function uniqueImages(data: Record<string, unknown>, origin: Origin, context: ExpandContext): Image[] {
  const prefix = (data.prefix as string | undefined) ?? '';
  const seen = new Map<string, Image>();
  (data.images as unknown[]).forEach((listed, index) => {
    const item = within(origin, 'images', index);
    const image: Image = isPlainObject(listed)
      ? { ...(listed as Omit<Image, 'origin' | 'nameOrigin'>), origin: item, nameOrigin: within(item, 'name') }
      : { name: listed as string, origin: item, nameOrigin: item };
    const first = seen.get(image.name);
    if (first !== undefined) {
      context.report(image.nameOrigin, [], 'value', {
        severity: 'error',
        code: 'config.duplicate_image',
        summary: 'Image listed twice',
        detail: `"${image.name}" is already listed at ${describeLocation(first.nameOrigin.file, first.nameOrigin.path)}.`,
        hint: 'Remove one of the two entries (merge their settings into the other).',
        value: image.name,
      });
      return;
    }
    const problem = basePathProblem(`${prefix}${image.name}`, true);
    if (problem !== undefined || image.name.includes('/')) {
      context.report(image.nameOrigin, [], 'value', {
        severity: 'error',
        code: 'config.invalid_image',
        summary: 'Invalid image name',
        detail: `"${prefix}${image.name}" is part of a registry path, and it ${problem ?? 'must not contain "/" (write the namespace under "namespace:")'}.`,
        hint: 'Use lowercase letters and digits, separated by ".", "_" or "-".',
        value: image.name,
      });
      return;
    }
    seen.set(image.name, image);
  });
  return [...seen.values()];
}

/**
 * What a sync of the image must have been made with: the tag selection. A changed selection
 * syncs again; the same selection does not (use --resync to fetch new tags). Never a valid
 * label key, so no snapshot record is written for it.
 */
function tagMarker(include: readonly string[] | undefined, exclude: readonly string[] | undefined): string {
  const list = (tags: readonly string[]): string => [...new Set(tags)].sort().join(' ');
  const included = `tags:${include !== undefined && include.length > 0 ? list(include) : '*'}`;
  return exclude !== undefined && exclude.length > 0 ? `${included} except:${list(exclude)}` : included;
}

function imageItems(data: Record<string, unknown>, entry: Origin, upstream: Upstream, image: Image): RawItem[] {
  const repositoryName = `${data.namespace as string}/${(data.prefix as string | undefined) ?? ''}${image.name}`;
  const remoteName = `${repositoryName}-remote`;
  const includeTags = image.include_tags ?? (data.include_tags as string[] | undefined);
  const excludeTags = image.exclude_tags ?? (data.exclude_tags as string[] | undefined);
  const scope: ImageScope = {
    name: image.name,
    ...(typeof data.group === 'string' ? { group: data.group } : {}),
    ...(typeof data.filter === 'string' ? { filter: data.filter } : {}),
  };
  const owned = ownership(data, entry);
  const tagsAt = (field: 'include_tags' | 'exclude_tags'): Origin =>
    image[field] !== undefined ? within(image.origin, field) : within(entry, field);
  const imageAt = image.nameOrigin;
  return [
    {
      // At the image's line, so that plan diagnostics about it point there.
      kind: 'remote',
      origin: image.origin,
      data: {
        name: remoteName,
        type: 'container',
        url: upstream.registry,
        upstream_name: repositoryName,
        ...(data.policy !== undefined ? { policy: data.policy } : {}),
        ...(includeTags !== undefined ? { include_tags: includeTags } : {}),
        ...(excludeTags !== undefined ? { exclude_tags: excludeTags } : {}),
        ...upstream.remoteFields,
        ...owned.fields,
      },
      generated: {
        image: scope,
        fieldOrigins: {
          ...upstream.fieldOrigins,
          ...owned.origins,
          url: upstream.fieldOrigins.registry as Origin,
          name: imageAt,
          upstream_name: imageAt,
          policy: within(entry, 'policy'),
          include_tags: tagsAt('include_tags'),
          exclude_tags: tagsAt('exclude_tags'),
        },
      },
    },
    {
      kind: 'repository',
      origin: image.origin,
      data: {
        name: repositoryName,
        type: 'container',
        remote: remoteName,
        sync: data.mirror !== undefined ? { mirror: data.mirror } : true,
        ...owned.fields,
      },
      generated: {
        marker: tagMarker(includeTags, excludeTags),
        image: scope,
        fieldOrigins: { ...owned.origins, name: imageAt, remote: imageAt, sync: within(entry, 'mirror') },
      },
    },
    {
      kind: 'distribution',
      origin: image.origin,
      data: {
        name: image.distribution ?? repositoryName,
        base_path: repositoryName,
        type: 'container',
        repository: repositoryName,
        ...owned.fields,
      },
      generated: {
        image: scope,
        fieldOrigins: {
          ...owned.origins,
          name: image.distribution !== undefined ? within(image.origin, 'distribution') : imageAt,
          base_path: imageAt,
          repository: imageAt,
          type: imageAt,
        },
      },
    },
  ];
}
