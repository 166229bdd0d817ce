import type { JsonObject } from '../../model/json.js';
import { associate } from './associate.js';
import { connectionOf, Downloader, type FetchOptions, type FetchResult, type RemoteFields } from '../../upstream/http.js';
import { Progress, type ProgressReport } from './progress.js';
import type { PublishedFiles } from './publish.js';
import { type ContentUnit, sha256Hex, type UnitArtifact } from './units.js';

/** What every sync needs from the core. */
export interface SyncContext {
  remote: RemoteFields;
  /** The units of the repository's latest version. */
  present: ContentUnit[];
  /** Bytes of an artifact the core already stores, so it is not downloaded again. */
  artifactData?: (sha256: string) => Buffer | undefined;
  /** Called with a fresh copy of the progress reports at every change (for the running task). */
  onProgress?: (reports: ProgressReport[]) => void;
  /** Base of the exponential backoff between retries (pulpcore: seconds; default here 20 ms). */
  retryDelayMs?: number;
}

export interface SyncResult {
  /** The repository's content after the sync: the new version's units when `changed`. */
  units: ContentUnit[];
  /** Whether a new repository version is needed. */
  changed: boolean;
  added: ContentUnit[];
  removed: ContentUnit[];
  progressReports: ProgressReport[];
  /**
   * A publication the sync itself makes (rpm mirror_complete; file mirror when a version was
   * created). The core creates it for the resulting version and lists it in created_resources
   * after the version.
   */
  publication: SyncPublication | null;
}

export interface SyncPublication {
  files: PublishedFiles;
  /** The publication's own REST fields (rpm: the checksum types "unknown", sqlite_metadata...; file: manifest). */
  fields: JsonObject;
}

/** A failed sync: `description` is the failed task's error.description, word for word. */
export class SyncError extends Error {
  readonly description: string;
  readonly progressReports: ProgressReport[];
  constructor(description: string, progressReports: ProgressReport[]) {
    super(description);
    this.name = 'SyncError';
    this.description = description;
    this.progressReports = progressReports;
  }
}

/** An artifact a sync found: fetched now (immediate) or pointed at its URL (deferred). */
export interface PendingArtifact {
  artifact: UnitArtifact;
  url: string;
  deferred: boolean;
  registryName?: string;
}

type Fetcher = (url: string, options: FetchOptions) => Promise<FetchResult>;

/** Shared machinery of the plugin syncs: the downloader, progress and the artifact stage. */
export class SyncRun {
  readonly progress: Progress;
  readonly downloader: Downloader;
  readonly context: SyncContext;
  readonly deferred: boolean;

  constructor(context: SyncContext) {
    this.context = context;
    this.progress = new Progress(context.onProgress);
    this.downloader = new Downloader(connectionOf(context.remote), { retryDelayMs: context.retryDelayMs });
    this.deferred = (context.remote.policy ?? 'immediate') !== 'immediate';
  }

  /** pulpcore's pipeline stages report from the moment the pipeline starts. */
  startPipeline(): ProgressReport {
    const downloading = this.progress.start('Downloading Artifacts', 'sync.downloading.artifacts');
    this.progress.start('Associating Content', 'associating.content');
    return downloading;
  }

  /**
   * pulpcore's ArtifactDownloader stage: fetches the artifacts of immediate-policy units that
   * the core does not store yet (verifying digest and size), points deferred ones at their
   * upstream URL. Counts the downloads in `report` ("Downloading Artifacts").
   */
  async #downloadArtifacts(
    pending: PendingArtifact[],
    report: ProgressReport,
    fetcher: Fetcher = (url, options) => this.downloader.fetch(url, options),
  ): Promise<void> {
    await Promise.all(
      pending.map(async ({ artifact, url, deferred, registryName }) => {
        const stored = artifact.sha256 ? this.context.artifactData?.(artifact.sha256) : undefined;
        if (stored) {
          artifact.data = stored;
          artifact.size = stored.length;
          return;
        }
        if (deferred) {
          artifact.source = {
            url,
            remote: this.downloader.connection,
            save: this.context.remote.policy !== 'streamed',
            ...(registryName ? { registryName } : {}),
          };
          return;
        }
        const result = await fetcher(url, { expectedSha256: artifact.sha256, expectedSize: artifact.size });
        artifact.data = result.body;
        artifact.sha256 = artifact.sha256 ?? sha256Hex(result.body);
        artifact.size = result.body.length;
        this.progress.increment(report);
      }),
    );
    this.progress.finish(report);
  }

  /**
   * The end of every plugin's pipeline: artifacts, then association. A download failure marks
   * "Downloading Artifacts" failed.
   */
  async complete(
    emitted: ContentUnit[],
    mirror: boolean,
    pending: PendingArtifact[],
    downloading: ProgressReport,
    fetcher?: Fetcher,
  ): Promise<Pick<SyncResult, 'units' | 'changed' | 'added' | 'removed' | 'progressReports'>> {
    try {
      await this.#downloadArtifacts(pending, downloading, fetcher);
    } catch (error) {
      throw this.failure(error, downloading);
    }
    return { ...this.#associate(emitted, mirror), progressReports: this.progress.snapshot() };
  }

  /** The association stage with its two reports ("Un-Associating Content" only in mirror mode). */
  #associate(emitted: ContentUnit[], mirror: boolean): Pick<SyncResult, 'units' | 'changed' | 'added' | 'removed'> {
    const association = associate(this.context.present, emitted, mirror);
    const associating = this.progress.reports.find((r) => r.code === 'associating.content');
    if (associating) {
      associating.done = association.associated;
      this.progress.finish(associating);
    }
    if (mirror) this.progress.record('Un-Associating Content', 'unassociating.content', null, association.unassociated);
    return {
      units: association.units,
      changed: association.added.length > 0 || association.removed.length > 0,
      added: association.added,
      removed: association.removed,
    };
  }

  /** Turns any failure into a SyncError with the reports as pulpcore leaves them. */
  failure(error: unknown, culprit: ProgressReport | null = null): SyncError {
    if (error instanceof SyncError) return error;
    this.progress.fail(culprit);
    const description = error instanceof Error ? error.message : String(error);
    return new SyncError(description, this.progress.snapshot());
  }
}
