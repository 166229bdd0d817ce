import type { Json, JsonObject } from '../model/json.js';
import type { ObjectSchema } from './api-doc.js';
import type { ContentBackend } from './backend.js';
import { type RemoteFields, type SyncRequest, SyncError } from './content/index.js';
import type { Endpoint } from './endpoints.js';
import { ValidationError, badRequestList } from './errors.js';
import { createPublication } from './lifecycle.js';
import { afterNewVersion, mirroredRpmPublicationFields, publicationEndpointFor } from './publishing.js';
import { type SerializerSpec, fieldsFromSchema } from './serializer.js';
import type { PulpProfile } from './profiles.js';
import type { PulpObject, RepositoryVersion, Store } from './store.js';
import { TaskFailure, type TaskWork } from './tasks.js';
import { type ValidationContext, resolveHref } from './validation.js';

/** The sync body serializer of a repository type (`RepositorySyncURLSerializer` and the plugins' subclasses). */
export function syncSerializer(ctx: ValidationContext, endpoint: Endpoint, repository: PulpObject, request: ObjectSchema): SerializerSpec {
  const fields = fieldsFromSchema(request);
  fields.find((f) => f.name === 'remote')?.validators.push((value) => resolveHref(ctx, value as string, { family: 'remotes' }).href);
  return {
    fields,
    known: new Set(request.properties.map((p) => p.name)),
    validate: (data) => {
      if (!data['remote'] && !repository.values['remote']) {
        throw new ValidationError({ remote: 'This field is required since a remote is not set on the repository.' });
      }
      if (endpoint.pulpType === 'rpm.rpm' && 'mirror' in data && 'sync_policy' in data) {
        throw new ValidationError(
          "Cannot use 'mirror' and 'sync_policy' options simultaneously. The 'mirror' option is deprecated, please use 'sync_policy' only.",
        );
      }
    },
  };
}

/** The view-level checks of the plugins' sync views (bare-list 400s) and the resolved sync options. */
export function syncOptions(profile: PulpProfile, endpoint: Endpoint, repository: PulpObject, data: JsonObject): JsonObject {
  const options = { ...data };
  delete options['remote'];
  if (endpoint.pulpType === 'file.file' && profile.file.refuseMirrorWithAutopublish && data['mirror'] && repository.values['autopublish']) {
    throw badRequestList('Cannot use mirror mode with autopublished repository.');
  }
  if (endpoint.pulpType !== 'rpm.rpm') return options;
  const policy = (data['sync_policy'] as string | null | undefined) || (data['mirror'] ? 'mirror_complete' : 'additive');
  if (policy === 'mirror_complete' || policy === 'mirror_content_only') {
    if ((repository.values['retain_package_versions'] as number) > 0) {
      throw badRequestList(
        "Cannot use 'retain_package_versions' in combination with a 'mirror_complete' or 'mirror_content_only' sync policy.",
      );
    }
  }
  if (policy === 'mirror_complete') {
    if (repository.values['autopublish'])
      throw badRequestList("Cannot use 'autopublish' in combination with a 'mirror_complete' sync policy.");
    if ((data['skip_types'] as Json[] | undefined)?.length) {
      throw badRequestList("Cannot use 'skip_types' in combination with a 'mirror_complete' sync policy.");
    }
  }
  delete options['mirror'];
  options['sync_policy'] = policy;
  return options;
}

export interface SyncHost {
  store: Store;
  profile: PulpProfile;
  /** A version as a task's `result` shows it (RepositoryVersionSerializer, stored as jsonb). */
  versionResult: (version: RepositoryVersion) => JsonObject;
  content: ContentBackend;
  /** What the plugins remember of each repository's last sync (for `sync.was_skipped`), by repository href. */
  lastSync: Map<string, { memo: JsonObject; versionNumber: number }>;
}

/** The plugin of a repository endpoint: `rpm`, `file`, `deb` or `container`. */
function pluginOf(repository: PulpObject): SyncRequest['plugin'] {
  return repository.endpoint.collectionPath.split('/')[5] as SyncRequest['plugin'];
}

/** The sync task: reserves the repository exclusively and the remote shared, like the plugins' sync views. */
export function syncWork(host: SyncHost, endpoint: Endpoint, repository: PulpObject, remoteHref: string, options: JsonObject): TaskWork {
  return {
    name: endpoint.taskName as string,
    exclusive: [repository.href],
    shared: [remoteHref],
    run: async (progress) => {
      const { store } = host;
      const remote = store.get(remoteHref);
      if (!store.get(repository.href) || !remote) throw new TaskFailure('The repository or the remote of this sync no longer exists.');
      const latest = store.latestVersion(repository);
      const latestVersionNumber = latest?.number ?? 0;
      const remoteFields = structuredClone(remote.values);
      // container 2.28+ stores the tag filters as includes/excludes.
      if ('includes' in remoteFields) {
        remoteFields['include_tags'] = remoteFields['includes'] ?? null;
        remoteFields['exclude_tags'] = remoteFields['excludes'] ?? null;
      }
      const base = {
        remote: remoteFields as unknown as RemoteFields,
        present: [...(latest?.units.values() ?? [])].map((u) => u.unit),
        artifactData: (sha256: string) => store.artifactData(sha256),
        onProgress: progress,
      };
      const lastSync = host.lastSync.get(repository.href) ?? null;
      const request: SyncRequest = (() => {
        switch (pluginOf(repository)) {
          case 'rpm':
            return {
              plugin: 'rpm' as const,
              ...base,
              syncPolicy: options['sync_policy'] as 'additive' | 'mirror_complete' | 'mirror_content_only',
              skipTypes: options['skip_types'] as string[],
              optimize: options['optimize'] as boolean,
              retainPackageVersions: repository.values['retain_package_versions'] as number,
              latestVersionNumber,
              lastSync,
            };
          case 'deb':
            return {
              plugin: 'deb' as const,
              ...base,
              mirror: options['mirror'] as boolean,
              optimize: options['optimize'] as boolean,
              latestVersionNumber,
              lastSync,
            };
          case 'file':
            return {
              plugin: 'file' as const,
              ...base,
              mirror: options['mirror'] as boolean,
              ...(host.profile.file.syncOptimization
                ? { optimization: { optimize: options['optimize'] !== false, remote: remoteHref, latestVersionNumber, lastSync } }
                : {}),
            };
          case 'container':
            return {
              plugin: 'container' as const,
              ...base,
              mirror: options['mirror'] as boolean,
              processingReport: host.profile.container.processingReport,
            };
        }
      })();
      let outcome: Awaited<ReturnType<typeof host.content.sync>>;
      try {
        outcome = await host.content.sync(request);
      } catch (e) {
        if (e instanceof SyncError) throw new TaskFailure(e.description, e.progressReports);
        throw e;
      }
      if (!store.get(repository.href)) throw new TaskFailure('The repository was deleted while it was syncing.');
      const createdResources: string[] = [];
      const progressReports = [...outcome.progressReports];
      const version = outcome.changed
        ? store.addVersion(
            repository,
            outcome.units.map((u) => store.unit(u)),
          )
        : store.latestVersion(repository);
      if (outcome.changed && version) createdResources.push(version.href);
      // Autopublish happens as the version is finalised, before the sync's own publication.
      if (outcome.changed && version) {
        const after = afterNewVersion(store, version, host.profile);
        createdResources.push(...after.createdResources);
        progressReports.push(...after.progressReports);
      }
      const publications = publicationEndpointFor(repository);
      // A metadata-mirroring sync publishes what it synced, a new version or the latest one.
      if (outcome.publication && publications && version) {
        const fields =
          pluginOf(repository) === 'rpm'
            ? mirroredRpmPublicationFields(host.profile, repository, outcome.publication.fields)
            : outcome.publication.fields;
        const publication = createPublication(store, publications, version, fields);
        publication.files = outcome.publication.files;
        createdResources.push(publication.href);
      }
      if (outcome.memo)
        host.lastSync.set(repository.href, { memo: outcome.memo, versionNumber: store.latestVersion(repository)?.number ?? 0 });
      const skipped = outcome.progressReports.some((r) => r.code === 'sync.was_skipped');
      // rpm returns the version it made or kept (unless it skipped), file and container only a new one, deb nothing.
      const returned = {
        rpm: skipped ? undefined : version,
        file: outcome.changed ? version : undefined,
        container: outcome.changed ? version : undefined,
        deb: undefined,
      }[pluginOf(repository)];
      return {
        createdResources,
        progressReports,
        ...(host.profile.tasks.results && returned ? { result: host.versionResult(returned) } : {}),
      };
    },
  };
}
