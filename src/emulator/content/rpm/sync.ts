import type { JsonObject } from '../../../model/json.js';
import { joinUrl, ResponseError } from '../../../upstream/http.js';
import type { ProgressReport } from '../progress.js';
import type { PublishedFiles } from '../publish.js';
import { type PendingArtifact, SyncRun, type SyncContext, type SyncResult } from '../sync.js';
import { type ContentUnit, naturalKey, sha256Hex, type UnitArtifact } from '../units.js';
import { evrCompare, metadataText, type PackageFields, parsePackages, parseRepomd, type Repomd } from './metadata.js';

export type RpmSyncPolicy = 'additive' | 'mirror_complete' | 'mirror_content_only';

/** What pulp_rpm remembers of the last sync to decide `sync.was_skipped` (its last_sync_details). */
export interface RpmSyncMemo extends JsonObject {
  url: string;
  download_policy: string;
  sync_policy: string;
  revision: string;
  repomd_checksum: string;
  retain_package_versions: number;
}

export interface RpmSyncOptions {
  syncPolicy?: RpmSyncPolicy;
  skipTypes?: string[];
  optimize?: boolean;
  /** The repository's retain_package_versions (0 keeps all). */
  retainPackageVersions?: number;
  /** The number of the repository's latest version now. */
  latestVersionNumber: number;
  /** The memo of the last successful sync and the latest version number right after it. */
  lastSync?: { memo: JsonObject; versionNumber: number } | null;
}

export interface RpmSyncResult extends SyncResult {
  /** Store it with the repository's latest version number after this sync; null: keep the old one. */
  memo: RpmSyncMemo | null;
}

const PACKAGE_REPODATA = ['primary', 'filelists', 'other'];
const OTHER_DOWNLOADED = ['updateinfo', 'group', 'group_gz', 'modules'];
const PACKAGE_DB_REPODATA = ['primary_db', 'filelists_db', 'other_db'];

export function rpmPackageUnit(fields: PackageFields, artifact: UnitArtifact): ContentUnit {
  return {
    type: 'rpm.package',
    key: naturalKey(
      String(fields.name),
      String(fields.epoch),
      String(fields.version),
      String(fields.release),
      String(fields.arch),
      String(fields.checksum_type),
      String(fields.pkgId),
    ),
    fields,
    artifacts: [artifact],
  };
}

function shouldSkip(details: RpmSyncMemo, options: RpmSyncOptions): boolean {
  const last = options.lastSync;
  if (!last) return false;
  const memo = last.memo as RpmSyncMemo;
  if (memo.download_policy !== 'immediate' && details.download_policy === 'immediate') return false;
  if (memo.sync_policy !== 'mirror_complete' && details.sync_policy === 'mirror_complete') return false;
  if (memo.url !== details.url || memo.retain_package_versions !== details.retain_package_versions) return false;
  if (last.versionNumber !== options.latestVersionNumber) return false;
  return memo.revision === details.revision && memo.repomd_checksum === details.repomd_checksum;
}

/**
 * Resolves the URL to sync like pulp_rpm's fetch_remote_url: `<url>/repodata/repomd.xml`; when
 * that answers an HTTP error, `url.rstrip('/')` is fetched as a mirrorlist, and an error there is
 * the one reported (hence `404, message='File not found', url=URL('<url without slash>')`).
 */
async function resolveRemoteUrl(run: SyncRun, url: string): Promise<string> {
  const normalized = `${url.replace(/\/+$/, '')}/`;
  const repomdUrl = (base: string) => joinUrl(base.split('?')[0]!, 'repodata/repomd.xml');
  try {
    await run.downloader.fetch(repomdUrl(normalized));
    return normalized;
  } catch (error) {
    if (!(error instanceof ResponseError)) throw error;
    const mirrorlist = await run.downloader.fetch(url.replace(/\/+$/, ''));
    for (const line of mirrorlist.body.toString('utf8').split('\n')) {
      const match = /(^|^[\w\s=]+\s)((https?):\/\/.*)/.exec(line);
      if (!match?.[2]) continue;
      try {
        await run.downloader.fetch(repomdUrl(match[2]));
        return `${match[2].replace(/\/+$/, '')}/`;
      } catch {}
    }
    if (error.status === 404) throw new Error(`An invalid remote URL was provided: ${url}`);
    throw error;
  }
}

export async function syncRpm(context: SyncContext, options: RpmSyncOptions): Promise<RpmSyncResult> {
  const run = new SyncRun(context);
  const policy = options.syncPolicy ?? 'additive';
  const mirror = policy.startsWith('mirror');
  const mirrorMetadata = policy === 'mirror_complete';
  const skipTypes = options.skipTypes ?? [];
  let culprit: ProgressReport | null = null;
  try {
    const remoteUrl = await resolveRemoteUrl(run, context.remote.url);
    const repomdResult = await run.downloader.fetch(joinUrl(remoteUrl, 'repodata/repomd.xml'));
    const details: RpmSyncMemo = {
      url: context.remote.url,
      download_policy: context.remote.policy ?? 'immediate',
      sync_policy: policy,
      revision: parseRepomd(repomdResult.body.toString('utf8')).revision,
      repomd_checksum: sha256Hex(repomdResult.body),
      retain_package_versions: options.retainPackageVersions ?? 0,
    };
    if ((options.optimize ?? true) && shouldSkip(details, options)) {
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

    const downloading = run.startPipeline();
    const metadataReport = run.progress.start('Downloading Metadata Files', 'sync.downloading.metadata');
    culprit = metadataReport;
    const mirrored: PublishedFiles = new Map();
    const repomdData = (await run.downloader.fetch(joinUrl(remoteUrl, 'repodata/repomd.xml'))).body;
    mirrored.set('repodata/repomd.xml', { kind: 'metadata', data: repomdData });
    run.progress.increment(metadataReport);
    const repomd: Repomd = parseRepomd(repomdData.toString('utf8'));
    const wanted = repomd.records.filter((r) => mirrorMetadata || PACKAGE_REPODATA.includes(r.type) || OTHER_DOWNLOADED.includes(r.type));
    if (mirrorMetadata && repomd.records.some((r) => r.locationBase || r.locationHref.includes('../'))) {
      throw new Error(MIRROR_INCOMPATIBLE);
    }
    const files = new Map<string, Buffer>();
    await Promise.all(
      wanted.map(async (record) => {
        const url = joinUrl(record.locationBase ?? remoteUrl, record.locationHref);
        try {
          const result = await run.downloader.fetch(url, {
            expectedSha256: record.checksumType === 'sha256' ? record.checksum : null,
            expectedSize: record.size,
          });
          files.set(record.type, result.body);
          mirrored.set(record.locationHref, { kind: 'metadata', data: result.body });
          run.progress.increment(metadataReport);
        } catch (error) {
          if (error instanceof ResponseError) throw new Error(`File not found: ${url}`);
          throw error;
        }
      }),
    );
    if (mirrorMetadata) {
      for (const href of ['repodata/repomd.xml.asc', 'repodata/repomd.xml.key']) {
        try {
          const result = await run.downloader.fetch(joinUrl(remoteUrl, href));
          mirrored.set(href, { kind: 'metadata', data: result.body });
          run.progress.increment(metadataReport);
        } catch (error) {
          if (!(error instanceof ResponseError)) throw error;
        }
      }
    }
    run.progress.finish(metadataReport);
    culprit = null;

    const missing = PACKAGE_REPODATA.filter((type) => !files.has(type));
    if (missing.length) throw new Error(`XML file(s): ${missing.join(', ')} not found`);
    const hrefOf = (type: string) => repomd.records.find((r) => r.type === type)!.locationHref;
    const packages = parsePackages(
      metadataText(hrefOf('primary'), files.get('primary')!),
      metadataText(hrefOf('filelists'), files.get('filelists')!),
      metadataText(hrefOf('other'), files.get('other')!),
    );
    if (mirrorMetadata && packages.some((p) => String(p.location_href).includes('../'))) {
      throw new Error(MIRROR_INCOMPATIBLE);
    }

    const { kept, skipped } = selectPackages(packages, mirrorMetadata ? [] : skipTypes, options.retainPackageVersions ?? 0);
    run.progress.record('Skipping Packages', 'sync.skipped.packages', skipped, skipped);
    const parsed = run.progress.start('Parsed Packages', 'sync.parsing.packages', packages.length);
    const emitted: ContentUnit[] = [];
    const pending: PendingArtifact[] = [];
    for (const fields of kept) {
      const href = String(fields.location_href);
      const artifact: UnitArtifact = {
        relativePath: href.slice(href.lastIndexOf('/') + 1),
        sha256: fields.checksum_type === 'sha256' ? String(fields.pkgId) : null,
        size: (fields.size_package as number | null) ?? null,
      };
      pending.push({ artifact, url: joinUrl(remoteUrl, href), deferred: run.deferred });
      emitted.push(rpmPackageUnit(fields, artifact));
      run.progress.increment(parsed);
      if (mirrorMetadata) mirrored.set(href, { kind: 'artifact', artifact });
    }
    run.progress.finish(parsed);

    // Record types pulp_rpm has no parser for become repo_metadata_file units, in every policy.
    for (const record of repomd.records) {
      if ([...PACKAGE_REPODATA, ...PACKAGE_DB_REPODATA, ...OTHER_DOWNLOADED].includes(record.type)) continue;
      if (/_(zck|gz|xz)$/.test(record.type)) continue;
      const data = files.get(record.type);
      const artifact: UnitArtifact = data
        ? { relativePath: record.locationHref, sha256: sha256Hex(data), size: data.length, data }
        : { relativePath: record.locationHref, sha256: record.checksumType === 'sha256' ? record.checksum : null, size: record.size };
      if (!data) pending.push({ artifact, url: joinUrl(remoteUrl, record.locationHref), deferred: false });
      emitted.push({
        type: 'rpm.repo_metadata_file',
        key: naturalKey(record.type, record.checksumType, record.checksum),
        fields: {
          relative_path: record.locationHref,
          data_type: record.type,
          checksum_type: record.checksumType,
          checksum: record.checksum,
        },
        artifacts: [artifact],
      });
    }

    const outcome = await run.complete(emitted, mirror, pending, downloading);
    return {
      ...outcome,
      publication: mirrorMetadata
        ? {
            files: mirrored,
            fields: {
              metadata_checksum_type: 'unknown',
              package_checksum_type: 'unknown',
              gpgcheck: 0,
              repo_gpgcheck: mirrored.has('repodata/repomd.xml.asc') ? 1 : 0,
              sqlite_metadata: [...mirrored.keys()].some((href) => href.includes('.sqlite')),
            },
          }
        : null,
      memo: details,
    };
  } catch (error) {
    throw run.failure(error, culprit);
  }
}

const MIRROR_INCOMPATIBLE =
  "This repository uses features which are incompatible with 'mirror' sync. Please sync without mirroring enabled.";

/**
 * pulp_rpm's package selection: srpms when skip_types has `srpm`, all but the newest build of a
 * duplicated NEVRA, and all but the newest `retain` versions per name and arch.
 */
function selectPackages(packages: PackageFields[], skipTypes: string[], retain: number): { kept: PackageFields[]; skipped: number } {
  const nevra = (p: PackageFields) => `${p.name}-${p.epoch}:${p.version}-${p.release}.${p.arch}`;
  const latestBuild = new Map<string, number>();
  const seen = new Set<string>();
  const skip = new Set<string>();
  let skipped = 0;
  for (const p of packages) {
    const id = nevra(p);
    latestBuild.set(id, Math.max(Number(p.time_build ?? 0), latestBuild.get(id) ?? 0));
    if (skipTypes.includes('srpm') && p.arch === 'src') {
      skip.add(id);
      skipped++;
    } else if (seen.has(id)) {
      skipped++;
    }
    seen.add(id);
  }
  if (retain > 0) {
    const byNameArch = new Map<string, PackageFields[]>();
    for (const p of packages) {
      const group = `${p.arch} ${p.name}`;
      byNameArch.set(group, [...(byNameArch.get(group) ?? []), p]);
    }
    for (const group of byNameArch.values()) {
      const unique = [...new Map(group.map((p) => [nevra(p), p])).values()].sort((a, b) => evrCompare(b, a));
      for (const old of unique.slice(retain)) {
        skip.add(nevra(old));
        skipped++;
      }
    }
  }
  const emittedNevras = new Set<string>();
  const kept = packages.filter((p) => {
    const id = nevra(p);
    if (skip.has(id) || Number(p.time_build ?? 0) !== latestBuild.get(id) || emittedNevras.has(id)) return false;
    emittedNevras.add(id);
    return true;
  });
  return { kept, skipped };
}
