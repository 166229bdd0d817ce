/**
 * The emulator's content side: content units, sync from real upstreams, publications, serving
 * (/pulp/content/ and the registry's /v2/ + /token/), the simulated `docker push`, and synthetic
 * upstream fixtures. Pure functions and small handlers; the core (store, REST, tasks) calls them.
 *
 * Units — `ContentUnit {type, key, fields, artifacts}`. Equal type+key is the same unit in
 * every repository (keep one copy: `mergeUnit(stored, incoming)`). References to other units
 * are `{$unit: {type, key}}` values inside `fields`. List endpoints: `CONTENT_TYPES[type]`
 * (endpoint, response field order, 3.23 filters and orderings), `contentTypeAt(endpoint)`,
 * `renderUnitFields(unit, {unitHref, artifactHref})` (the response after pulp_href and
 * pulp_created), `unitMatchesFilter`, `unitOrderingValue`, `orderingChoices`.
 *
 * Sync — `syncRepository(request)`: `request.plugin` picks rpm/file/deb/container; `remote` is
 * the remote's stored fields (Pulp names; secrets as strings or Secret); `present` the units of
 * the repository's latest version. Resolves to the repository's content after the sync
 * (`units`, `changed` = a new version is needed, `added`, `removed`), the final
 * `progressReports`, a `publication` the sync itself makes (rpm mirror_complete; file mirror
 * when a version was created) and a `memo` (rpm, deb) to store with the repository's latest
 * version number after the sync and pass back as `lastSync` next time (`sync.was_skipped`).
 * Rejects with `SyncError {description, progressReports}`: the failed task's text, verbatim.
 * The task names are `SYNC_TASK_NAMES[plugin]`.
 *
 * Publications — `publish(kind, units)` → `PublishedFiles` (relative path → generated
 * metadata or a unit's artifact); `publishProgressReports(plugin)` are the publish task's
 * progress reports.
 *
 * Serving — `handleContentRequest(req, res, lookup)` for `/pulp/content/…` (lookup: base path →
 * PublishedFiles; optional Basic credentials check); `handleRegistryRequest(req, res, lookup)`
 * for `/v2/…` and `/token/` (lookup: base path → units served, credentials check). Both return
 * false for paths they do not own.
 *
 * Push — `registryPush(tag, present)` → the versions a `skopeo copy` leaves in the push
 * repository (`{add, remove}` per version).
 *
 * Fixtures — `rpmRepository`, `fileRepository`, `debRepository`, `containerRepository`: unit
 * sets of synthetic upstream snapshots, servable by the same publish + serve functions.
 */
import type { JsonObject } from '../../model/json.js';
import { syncContainer, type ContainerSyncOptions } from './container/sync.js';
import { publishDebApt, publishDebVerbatim } from './deb/publish.js';
import { type DebSyncOptions, syncDeb } from './deb/sync.js';
import { type FileSyncOptions, publishFile, syncFile } from './file.js';
import type { ProgressReport } from './progress.js';
import type { PublishedFiles } from './publish.js';
import { publishRpm } from './rpm/publish.js';
import { type RpmSyncOptions, syncRpm } from './rpm/sync.js';
import type { SyncContext, SyncResult } from './sync.js';
import type { ContentUnit } from './units.js';

export type { ContainerSyncOptions } from './container/sync.js';
export type { DebSyncMemo, DebSyncOptions } from './deb/sync.js';
export type { FileSyncOptions } from './file.js';
export type { RemoteConnection, RemoteFields } from '../../upstream/http.js';
export type { ProgressReport } from './progress.js';
export type { PublishedFile, PublishedFiles } from './publish.js';
export type { RpmSyncMemo, RpmSyncOptions, RpmSyncPolicy } from './rpm/sync.js';
export type { SyncContext, SyncPublication, SyncResult } from './sync.js';
export { SyncError } from './sync.js';
export type { ContentLookup } from './serve.js';
export { CONTENT_PREFIX, handleContentRequest } from './serve.js';
export type { RegistryLookup, RegistryPushHandler, RegistryRepository } from './container/registry.js';
export { handleRegistryRequest } from './container/registry.js';
export type { PushStep } from './container/push.js';
export { registryPush } from './container/push.js';
export { buildImage, type Image } from './container/image.js';
export { containerRepository, debRepository, type DebSpec, fileRepository, rpmRepository, type RpmSpec } from './fixtures.js';
export { repoKeyOf } from './associate.js';
export { CONTENT_TYPES, type ContentType, type ContentTypeInfo, contentTypeAt, orderingChoices } from './content-types.js';
export { type HrefResolvers, renderUnitFields, unitMatchesFilter, unitOrderingValue } from './unit-fields.js';
export { type ContentUnit, type FieldValue, isUnitRef, mergeUnit, type UnitArtifact, unitId, type UnitRef } from './units.js';

export type SyncRequest =
  | ({ plugin: 'rpm' } & SyncContext & RpmSyncOptions)
  | ({ plugin: 'file' } & SyncContext & FileSyncOptions)
  | ({ plugin: 'deb' } & SyncContext & DebSyncOptions)
  | ({ plugin: 'container' } & SyncContext & ContainerSyncOptions);

export interface SyncOutcome extends SyncResult {
  /** rpm: last_sync_details; deb: the new version's info. Null: nothing to store. */
  memo: JsonObject | null;
}

export const SYNC_TASK_NAMES = {
  rpm: 'pulp_rpm.app.tasks.synchronizing.synchronize',
  file: 'pulp_file.app.tasks.synchronizing.synchronize',
  deb: 'pulp_deb.app.tasks.synchronizing.synchronize',
  container: 'pulp_container.app.tasks.synchronize.synchronize',
} as const;

export async function syncRepository(request: SyncRequest): Promise<SyncOutcome> {
  switch (request.plugin) {
    case 'rpm':
      return syncRpm(request, request);
    case 'deb':
      return syncDeb(request, request);
    case 'file':
      return syncFile(request, request);
    case 'container':
      return { ...(await syncContainer(request, request)), memo: null };
  }
}

export type PublicationKind =
  | { plugin: 'rpm' }
  | { plugin: 'file'; manifest?: string | null }
  | { plugin: 'deb'; mode: 'apt'; simple?: boolean; structured?: boolean }
  | { plugin: 'deb'; mode: 'verbatim' };

/** The files a publication of these units serves (rpm, file, deb apt, deb verbatim). */
export function publish(kind: PublicationKind, units: ContentUnit[]): PublishedFiles {
  switch (kind.plugin) {
    case 'rpm':
      return publishRpm(units);
    case 'file':
      return publishFile(units, { manifestName: kind.manifest === undefined ? 'PULP_MANIFEST' : kind.manifest });
    case 'deb':
      return kind.mode === 'verbatim' ? publishDebVerbatim(units) : publishDebApt(units, kind);
  }
}

/** The progress reports of a finished publish task (only rpm's publish reports one). */
export function publishProgressReports(plugin: PublicationKind['plugin']): ProgressReport[] {
  return plugin === 'rpm'
    ? [
        {
          message: 'Generating repository metadata',
          code: 'publish.generating_metadata',
          state: 'completed',
          total: 1,
          done: 1,
          suffix: null,
        },
      ]
    : [];
}
