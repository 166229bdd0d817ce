import type { JsonObject } from '../../model/json.js';
import type { FetchResult } from '../../upstream/http.js';
import type { ProgressReport } from './progress.js';
import type { PublishedFiles } from './publish.js';
import { type PendingArtifact, SyncRun, type SyncContext, type SyncResult } from './sync.js';
import { type ContentUnit, naturalKey, sha256Hex, type UnitArtifact } from './units.js';

export interface ManifestEntry {
  relativePath: string;
  sha256: string;
  size: number;
}

/** Parses a PULP_MANIFEST (`path,sha256,size` per line, `#` comments) as pulp_file does. */
export function parseManifest(text: string): ManifestEntry[] {
  const entries: ManifestEntry[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const parts = line.split(',');
    const size = parts.pop()?.trim() ?? '';
    const digest = parts.pop()?.trim() ?? '';
    const relativePath = parts.join(',').trim();
    if (parts.length === 0 || !/^[^/]+(\/[^/]+)*$/.test(relativePath) || !/^[0-9a-fA-F]+$/.test(digest) || !/^[0-9]+$/.test(size)) {
      throw new Error(
        `Error: Parsing of the manifest file failed on line:${index + 1}.\n` +
          'Please make sure the remote URL is pointing to a valid manifest file.\n' +
          'The manifest file should be composed of lines in the following format: <relative_path>,<digest>,<size>.',
      );
    }
    entries.push({ relativePath, sha256: digest, size: Number(size) });
  });
  return entries;
}

export function manifestText(entries: ManifestEntry[]): string {
  return entries.map((e) => `${e.relativePath},${e.sha256},${e.size}\n`).join('');
}

export function fileUnit(entry: ManifestEntry, artifact: UnitArtifact): ContentUnit {
  return {
    type: 'file.file',
    key: naturalKey(entry.relativePath, entry.sha256),
    fields: { relative_path: entry.relativePath, digest: entry.sha256 },
    artifacts: [artifact],
  };
}

export interface FileSyncOptions {
  mirror?: boolean;
  /**
   * pulp_file 3.7x+ (FILE_SYNC_OPTIMIZATION): the manifest is fetched before the pipeline, and a
   * sync whose manifest, remote, policy and version are those of the last one is skipped.
   * Undefined: pulp_file 1.14, which fetches inside the pipeline and never skips.
   */
  optimization?: {
    optimize: boolean;
    /** The remote's href, part of what must not change. */
    remote: string;
    latestVersionNumber: number;
    lastSync: { memo: JsonObject; versionNumber: number } | null;
  };
}

/** What pulp_file records of a sync (`last_sync_details`), to skip the next one. */
export interface FileSyncMemo extends JsonObject {
  remote_pk: string;
  url: string;
  download_policy: string;
  mirror: boolean;
  manifest_checksum: string;
}

function shouldSkip(details: FileSyncMemo, optimization: NonNullable<FileSyncOptions['optimization']>): boolean {
  const last = optimization.lastSync;
  if (!last) return false;
  const memo = last.memo as FileSyncMemo;
  if (memo.download_policy !== 'immediate' && details.download_policy === 'immediate') return false;
  if (!memo.mirror && details.mirror) return false;
  return (
    memo.remote_pk === details.remote_pk &&
    memo.url === details.url &&
    last.versionNumber === optimization.latestVersionNumber &&
    memo.manifest_checksum === details.manifest_checksum
  );
}

/**
 * pulp_file sync: the remote URL is the manifest; files are fetched next to it. A mirror sync
 * that creates a version also publishes it, serving the upstream manifest unchanged.
 */
export async function syncFile(context: SyncContext, options: FileSyncOptions = {}): Promise<SyncResult & { memo: FileSyncMemo | null }> {
  const run = new SyncRun(context);
  const mirror = options.mirror ?? false;
  const url = context.remote.url;
  let culprit: ProgressReport | null = null;
  let prefetched: FetchResult | undefined;
  let memo: FileSyncMemo | null = null;
  const optimization = options.optimization;
  if (optimization) {
    try {
      prefetched = await run.downloader.fetch(url);
    } catch (error) {
      throw run.failure(error, null);
    }
    memo = {
      remote_pk: optimization.remote,
      url,
      download_policy: String(context.remote.policy ?? 'immediate'),
      mirror,
      manifest_checksum: sha256Hex(prefetched.body),
    };
    if (optimization.optimize && shouldSkip(memo, optimization)) {
      run.progress.record('Skipping Sync (no change from previous sync)', 'sync.was_skipped', 1, 1);
      return {
        units: context.present,
        changed: false,
        added: [],
        removed: [],
        progressReports: run.progress.snapshot(),
        publication: null,
        memo: null,
      };
    }
  }
  try {
    const downloading = run.startPipeline();
    const metadata = run.progress.start('Downloading Metadata', 'sync.downloading.metadata');
    culprit = metadata;
    const manifest = prefetched ?? (await run.downloader.fetch(url));
    run.progress.increment(metadata);
    run.progress.finish(metadata);

    const parsing = run.progress.start('Parsing Metadata Lines', 'sync.parsing.metadata');
    culprit = parsing;
    const entries = parseManifest(manifest.body.toString('utf8'));
    parsing.total = entries.length;
    const target = new URL(url);
    const rootDir = target.pathname.slice(0, target.pathname.lastIndexOf('/') + 1);
    const emitted: ContentUnit[] = [];
    const pending: PendingArtifact[] = [];
    for (const entry of entries) {
      const artifact: UnitArtifact = { relativePath: entry.relativePath, sha256: entry.sha256, size: entry.size };
      const fileUrl = new URL(target.toString());
      fileUrl.pathname = rootDir + entry.relativePath;
      fileUrl.search = '';
      pending.push({ artifact, url: fileUrl.toString(), deferred: run.deferred });
      emitted.push(fileUnit(entry, artifact));
      run.progress.increment(parsing);
    }
    run.progress.finish(parsing);

    const outcome = await run.complete(emitted, mirror, pending, downloading);
    const manifestName = url.split('/').pop() || 'PULP_MANIFEST';
    return {
      ...outcome,
      publication:
        mirror && outcome.changed
          ? { files: publishFile(outcome.units, { manifestName, manifest: manifest.body }), fields: { manifest: manifestName } }
          : null,
      memo,
    };
  } catch (error) {
    throw run.failure(error, culprit);
  }
}

/**
 * A file publication: every file at its relative path, plus the manifest under `manifestName`
 * (the publication's `manifest` field; null publishes none). `manifest` replaces the generated
 * listing with given bytes (a mirror sync republishes the upstream manifest).
 */
export function publishFile(units: ContentUnit[], options: { manifestName?: string | null; manifest?: Buffer } = {}): PublishedFiles {
  const files: PublishedFiles = new Map();
  const entries: ManifestEntry[] = [];
  const sorted = units
    .filter((u) => u.type === 'file.file')
    .sort((a, b) => String(a.fields.relative_path).localeCompare(String(b.fields.relative_path)));
  for (const unit of sorted) {
    const artifact = unit.artifacts[0];
    if (!artifact) continue;
    files.set(String(unit.fields.relative_path), { kind: 'artifact', artifact });
    entries.push({
      relativePath: String(unit.fields.relative_path),
      sha256: artifact.sha256 ?? String(unit.fields.digest),
      size: artifact.size ?? 0,
    });
  }
  const manifestName = options.manifestName === undefined ? 'PULP_MANIFEST' : options.manifestName;
  if (manifestName) {
    files.set(manifestName, { kind: 'metadata', data: options.manifest ?? Buffer.from(manifestText(entries), 'utf8') });
  }
  return files;
}
