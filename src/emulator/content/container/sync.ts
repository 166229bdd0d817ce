import type { ProgressReport } from '../progress.js';
import { type PendingArtifact, SyncRun, type SyncContext, type SyncResult } from '../sync.js';
import type { ContentUnit } from '../units.js';
import { RegistryClient } from '../../../upstream/registry.js';
import { blobUnit, includedLayers, MANIFEST_ACCEPT, MEDIA_TYPE, manifestUnit, tagUnit } from './image.js';

export interface ContainerSyncOptions {
  mirror?: boolean;
  /** The report of the tag loop: "Processing Tags" (container 2.14–2.2x) or "Processing Manifests" (2.29). */
  processingReport?: 'tags' | 'manifests';
}

interface ManifestJson {
  schemaVersion?: number;
  mediaType?: string;
  manifests?: Array<{ digest: string; mediaType?: string }>;
  layers?: Array<{ digest: string; mediaType?: string }>;
  fsLayers?: unknown[];
  config?: { digest: string };
}

/** fnmatch as Python has it: `*`, `?` and `[seq]`, matching the whole tag. */
export function fnmatch(name: string, pattern: string): boolean {
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') regex += '.*';
    else if (c === '?') regex += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) regex += '\\[';
      else {
        const body = pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        regex += `[${body}]`;
        i = end;
      }
    } else regex += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${regex}$`, 's').test(name);
}

export function filterTags(tags: string[], include: string[] | null | undefined, exclude: string[] | null | undefined): string[] {
  let result = tags;
  if (include?.length) result = result.filter((t) => include.some((p) => fnmatch(t, p)));
  if (exclude?.length) result = result.filter((t) => !exclude.some((p) => fnmatch(t, p)));
  return result;
}

function mediaTypeOf(data: ManifestJson, contentType: string | undefined): string {
  if (data.mediaType) return data.mediaType;
  if (contentType && contentType !== 'application/json') return contentType.split(';')[0]!.trim();
  if (data.manifests) return MEDIA_TYPE.INDEX_OCI;
  if (data.layers) return MEDIA_TYPE.MANIFEST_OCI;
  return MEDIA_TYPE.MANIFEST_V1;
}

/** Docker Hub's official images live under `library/`. */
function namespacedName(url: string, upstreamName: string): string {
  const host = new URL(url).hostname;
  return host.endsWith('docker.io') && !upstreamName.includes('/') ? `library/${upstreamName}` : upstreamName;
}

/**
 * pulp_container 2.14 sync from a registry's /v2/ API with the token flow: the tag list (with
 * Link pagination), include_tags/exclude_tags, each tag's manifest (image manifests and manifest
 * lists, Docker and OCI media types), the listed manifests, their layers and config blobs.
 * Config blobs are always downloaded, layers per the remote's policy. There is no
 * `sync.was_skipped` for containers: every sync runs fully.
 */
export async function syncContainer(context: SyncContext, options: ContainerSyncOptions = {}): Promise<SyncResult> {
  const run = new SyncRun(context);
  const remote = context.remote;
  const name = namespacedName(remote.url, remote.upstream_name ?? '');
  const client = new RegistryClient(run.downloader);
  const urlOf = (path: string) => new URL(path, remote.url).toString();
  let culprit: ProgressReport | null = null;
  try {
    const downloading = run.startPipeline();
    const tagReport = run.progress.start('Downloading tag list', 'sync.downloading.tag_list', 1);
    culprit = tagReport;
    const tags: string[] = [];
    let next: string | null = urlOf(`/v2/${name}/tags/list`);
    while (next) {
      const response = await client.fetch(next, name);
      tags.push(...((JSON.parse(response.body.toString('utf8')) as { tags?: string[] | null }).tags ?? []));
      const link = response.headers.link;
      const target = typeof link === 'string' ? /<([^>]*)>/.exec(link)?.[1] : undefined;
      const relative: URL | null = target ? new URL(target, next) : null;
      next = relative ? urlOf(relative.pathname + relative.search) : null;
    }
    const selected = filterTags(tags, remote.include_tags, remote.exclude_tags);
    run.progress.increment(tagReport);
    run.progress.finish(tagReport);

    const processing =
      options.processingReport === 'manifests'
        ? run.progress.start('Processing Manifests', 'sync.processing.manifest', selected.length)
        : run.progress.start('Processing Tags', 'sync.processing.tag', selected.length);
    culprit = processing;
    const blobs: ContentUnit[] = [];
    const manifests: ContentUnit[] = [];
    const lists: ContentUnit[] = [];
    const tagUnits: ContentUnit[] = [];
    const pending: PendingArtifact[] = [];
    const blobsByDigest = new Map<string, ContentUnit>();
    const blobOf = (digest: string, deferred: boolean) => {
      let unit = blobsByDigest.get(digest);
      if (!unit) {
        unit = blobUnit(digest);
        blobsByDigest.set(digest, unit);
        pending.push({ artifact: unit.artifacts[0]!, url: urlOf(`/v2/${name}/blobs/${digest}`), deferred, registryName: name });
      }
      blobs.push(unit);
      return unit;
    };
    const imageManifest = (data: Buffer, json: ManifestJson, mediaType: string) => {
      if (!json.layers) throw new Error(`Manifest of type '${mediaType}' is not supported by the emulator (schema 1)`);
      const layers = includedLayers(json).map((digest) => blobOf(digest, run.deferred));
      const config = json.config ? blobOf(json.config.digest, false) : null;
      const unit = manifestUnit(data, mediaType, { config, layers, listed: [] });
      manifests.push(unit);
      return unit;
    };
    const fetchManifest = async (reference: string, expectedDigest?: string) => {
      const response = await client.fetch(urlOf(`/v2/${name}/manifests/${reference}`), name, {
        headers: { Accept: MANIFEST_ACCEPT },
        expectedSha256: expectedDigest ? expectedDigest.replace(/^sha256:/, '') : null,
      });
      const json = JSON.parse(response.body.toString('utf8')) as ManifestJson;
      const contentType = response.headers['content-type'];
      return { data: response.body, json, mediaType: mediaTypeOf(json, typeof contentType === 'string' ? contentType : undefined) };
    };

    for (const tag of selected) {
      const { data, json, mediaType } = await fetchManifest(tag);
      let tagged: ContentUnit;
      if (mediaType === MEDIA_TYPE.MANIFEST_LIST || mediaType === MEDIA_TYPE.INDEX_OCI) {
        const listed: ContentUnit[] = [];
        for (const entry of json.manifests ?? []) {
          const child = await fetchManifest(entry.digest, entry.digest);
          listed.push(imageManifest(child.data, child.json, child.mediaType));
        }
        tagged = manifestUnit(data, mediaType, { config: null, layers: [], listed });
        lists.push(tagged);
      } else {
        tagged = imageManifest(data, json, mediaType);
      }
      tagUnits.push(tagUnit(tag, tagged));
      run.progress.increment(processing);
    }
    run.progress.finish(processing);

    const emitted = [...blobs, ...manifests, ...lists, ...tagUnits];
    const outcome = await run.complete(emitted, options.mirror ?? false, pending, downloading, (url, fetchOptions) =>
      client.fetch(url, name, fetchOptions),
    );
    return { ...outcome, publication: null };
  } catch (error) {
    throw run.failure(error, culprit);
  }
}
