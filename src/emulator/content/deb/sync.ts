import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { JsonObject } from '../../../model/json.js';
import { ResponseError } from '../../../upstream/http.js';
import type { ProgressReport } from '../progress.js';
import { type PendingArtifact, SyncRun, type SyncContext, type SyncResult } from '../sync.js';
import { DEB_PACKAGE_FIELDS } from '../content-types.js';
import { type ContentUnit, naturalKey, sha256Hex, type UnitArtifact, unitRef } from '../units.js';
import { fieldOf, parseParagraphs, type Paragraph, releaseReferences, type ReleaseFileReference } from './deb822.js';

const RELEASE_FILE_ARTIFACTS = ['Release', 'InRelease', 'Release.gpg'];
const PACKAGE_INDEX_ARTIFACTS = ['Packages', 'Packages.gz', 'Packages.xz', 'Release'];

/** The Debian field behind each pulp_deb package field. */
export const DEB_FIELD_NAMES: Record<string, string> = {
  package: 'Package',
  source: 'Source',
  version: 'Version',
  architecture: 'Architecture',
  section: 'Section',
  priority: 'Priority',
  origin: 'Origin',
  tag: 'Tag',
  bugs: 'Bugs',
  essential: 'Essential',
  build_essential: 'Build-Essential',
  installed_size: 'Installed-Size',
  maintainer: 'Maintainer',
  original_maintainer: 'Original-Maintainer',
  description: 'Description',
  description_md5: 'Description-md5',
  homepage: 'Homepage',
  built_using: 'Built-Using',
  auto_built_package: 'Auto_Built_Package',
  multi_arch: 'Multi-Arch',
  breaks: 'Breaks',
  conflicts: 'Conflicts',
  depends: 'Depends',
  recommends: 'Recommends',
  suggests: 'Suggests',
  enhances: 'Enhances',
  pre_depends: 'Pre-Depends',
  provides: 'Provides',
  replaces: 'Replaces',
};

/** pulp_deb's previous-sync record (a repository version's `info`): remote and sync options. */
export interface DebSyncMemo extends JsonObject {
  remote_options: JsonObject;
  mirror: boolean;
}

export interface DebSyncOptions {
  mirror?: boolean;
  optimize?: boolean;
  latestVersionNumber: number;
  /** The memo of the sync that created a version, and that version's number. */
  lastSync?: { memo: JsonObject; versionNumber: number } | null;
}

export interface DebSyncResult extends SyncResult {
  /** Set when a version is created: store it with that version's number. */
  memo: DebSyncMemo | null;
}

/** sha256 over `name,sha256\n` of the artifacts present, in pulp_deb's fixed order. */
function artifactSetSha256(artifacts: UnitArtifact[], order: string[]): string {
  const byName = new Map(artifacts.map((a) => [a.relativePath.slice(a.relativePath.lastIndexOf('/') + 1), a.sha256]));
  const text = order
    .filter((n) => byName.has(n))
    .map((n) => `${n},${byName.get(n)}\n`)
    .join('');
  return createHash('sha256').update(text).digest('hex');
}

function joinPath(...parts: string[]): string {
  return parts
    .filter((p) => p !== '')
    .join('/')
    .replace(/\/+/g, '/');
}

export function debPackageFields(paragraph: Paragraph, relativePath: string, sha256: string | null): Record<string, string | null> {
  const fields: Record<string, string | null> = { relative_path: relativePath, sha256 };
  for (const name of DEB_PACKAGE_FIELDS) fields[name] = fieldOf(paragraph, DEB_FIELD_NAMES[name]!) ?? null;
  return fields;
}

/** The release_file unit of a distribution; `main` is the Release (or InRelease) artifact among `artifacts`. */
export function releaseFileUnit(
  release: { codename: string; suite: string; distribution: string; components: string; architectures: string },
  main: UnitArtifact,
  artifacts: UnitArtifact[],
): ContentUnit {
  const { codename, suite, distribution, components, architectures } = release;
  const set = artifactSetSha256(artifacts, RELEASE_FILE_ARTIFACTS);
  return {
    type: 'deb.release_file',
    key: naturalKey(codename, suite, distribution, components, architectures, main.relativePath, main.sha256, set),
    fields: {
      codename,
      suite,
      distribution,
      relative_path: main.relativePath,
      components,
      architectures,
      sha256: main.sha256,
      artifact_set_sha256: set,
    },
    artifacts: [main, ...artifacts.filter((a) => a !== main)],
  };
}

/** The package_index unit of one component/architecture; `sha256` is the uncompressed Packages file's. */
export function packageIndexUnit(
  index: { component: string; architecture: string; relativePath: string },
  sha256: string,
  artifacts: UnitArtifact[],
): ContentUnit {
  const set = artifactSetSha256(artifacts, PACKAGE_INDEX_ARTIFACTS);
  return {
    type: 'deb.package_index',
    key: naturalKey(index.relativePath, sha256, set),
    fields: {
      component: index.component,
      architecture: index.architecture,
      relative_path: index.relativePath,
      sha256,
      artifact_set_sha256: set,
    },
    artifacts,
  };
}

export function debPackageUnit(fields: Record<string, string | null>, artifact: UnitArtifact): ContentUnit {
  return { type: 'deb.package', key: naturalKey(fields.relative_path ?? '', fields.sha256 ?? ''), fields, artifacts: [artifact] };
}

function filterArchitectures(releaseValue: string, remoteValue: string | null | undefined): string[] {
  const values = new Set(releaseValue.split(/\s+/).filter(Boolean));
  if (!remoteValue) return [...values].sort();
  const wanted = new Set([...remoteValue.split(/\s+/).filter(Boolean), 'all']);
  return [...values].filter((v) => wanted.has(v)).sort();
}

function filterComponents(releaseValue: string, remoteValue: string | null | undefined): string[] {
  const values = releaseValue.split(/\s+/).filter(Boolean);
  if (!remoteValue) return [...new Set(values)].sort();
  const wanted = remoteValue.split(/\s+/).filter(Boolean);
  const base = (c: string) => c.slice(c.lastIndexOf('/') + 1);
  return [...new Set(values.filter((c) => wanted.includes(c) || wanted.includes(base(c))))].sort();
}

/**
 * pulp_deb 2.20 sync: for each distribution the Release file (Release, InRelease, Release.gpg;
 * missing ones dropped), then per component and architecture the package index and its packages.
 * Produces release_file, release, release_component, release_architecture, package_index,
 * package and package_release_component units. Flat repositories (distribution ending in `/`)
 * and signature verification (gpgkey) are not emulated.
 */
export async function syncDeb(context: SyncContext, options: DebSyncOptions): Promise<DebSyncResult> {
  const run = new SyncRun(context);
  const remote = context.remote;
  const mirror = options.mirror ?? false;
  const optimize = (options.optimize ?? true) && !mirror;
  const memo: DebSyncMemo = {
    remote_options: {
      distributions: remote.distributions ?? '',
      components: remote.components ?? null,
      architectures: remote.architectures ?? null,
      policy: remote.policy ?? 'immediate',
      sync_sources: remote.sync_sources ?? false,
      sync_udebs: remote.sync_udebs ?? false,
      sync_installer: remote.sync_installer ?? false,
      ignore_missing_package_indices: remote.ignore_missing_package_indices ?? false,
    },
    mirror,
  };
  const last = options.lastSync;
  const optionsUnchanged =
    !!last &&
    last.versionNumber === options.latestVersionNumber &&
    JSON.stringify((last.memo as DebSyncMemo).remote_options) === JSON.stringify(memo.remote_options) &&
    (last.memo as DebSyncMemo).mirror === mirror;
  const downloading = run.startPipeline();
  const releaseReport = run.progress.start('Update ReleaseFile units', 'update.release_file');
  const indexReport = run.progress.start('Update PackageIndex units', 'update.packageindex');
  let culprit: ProgressReport | null = downloading;
  const emitted: ContentUnit[] = [];
  const pending: PendingArtifact[] = [];
  const base = remote.url;
  const urlOf = (relativePath: string) => new URL(relativePath, base.endsWith('/') ? base : `${base}/`).toString();

  /** Metadata artifacts are always downloaded; each attempt counts, a 404 drops the file. */
  const fetchOptional = async (relativePath: string, expected?: ReleaseFileReference): Promise<UnitArtifact | null> => {
    const stored = expected?.sha256 ? context.artifactData?.(expected.sha256) : undefined;
    if (stored) return { relativePath, sha256: expected!.sha256!, size: stored.length, data: stored };
    try {
      const result = await run.downloader.fetch(urlOf(relativePath), {
        expectedSha256: expected?.sha256 ?? null,
        expectedSize: expected?.size ?? null,
      });
      run.progress.increment(downloading);
      return { relativePath, sha256: sha256Hex(result.body), size: result.body.length, data: result.body };
    } catch (error) {
      run.progress.increment(downloading);
      if (error instanceof ResponseError && error.status === 404) return null;
      throw error;
    }
  };

  try {
    for (const distribution of (remote.distributions ?? '').split(/\s+/).filter(Boolean)) {
      if (distribution.endsWith('/'))
        throw new Error(`Flat repositories are not supported by the emulator: distribution '${distribution}'`);
      const releaseDir = joinPath('dists', distribution);
      const found = await Promise.all(RELEASE_FILE_ARTIFACTS.map((name) => fetchOptional(joinPath(releaseDir, name))));
      const artifacts = found.filter((a): a is UnitArtifact => a !== null);
      culprit = releaseReport;
      const main =
        artifacts.find((a) => a.relativePath.endsWith('/InRelease')) ?? artifacts.find((a) => a.relativePath.endsWith('/Release'));
      if (!main) {
        throw new Error(
          `Could not find a Release file at '${urlOf(releaseDir)}', try checking the 'url' and 'distributions' option on your remote`,
        );
      }
      const releaseText = stripSignature(main.data!.toString('utf8'));
      const release = parseParagraphs(releaseText)[0] ?? new Map();
      const codename = fieldOf(release, 'Codename') ?? '';
      const suite = fieldOf(release, 'Suite') ?? '';
      const components = fieldOf(release, 'Components');
      const architectures = fieldOf(release, 'Architectures');
      if (components === undefined)
        throw new Error(`The release file for distribution '${distribution}' is missing the required field 'Components'.`);
      if (architectures === undefined)
        throw new Error(`The release file for distribution '${distribution}' is missing the required field 'Architectures'.`);
      const releaseFile = releaseFileUnit({ codename, suite, distribution, components, architectures }, main, artifacts);
      const releaseSet = String(releaseFile.fields.artifact_set_sha256);
      emitted.push(releaseFile);
      run.progress.increment(releaseReport);
      culprit = downloading;

      const previousReleaseFile = context.present.find((u) => u.type === 'deb.release_file' && u.fields.distribution === distribution);
      if (optimize && optionsUnchanged && previousReleaseFile?.fields.artifact_set_sha256 === releaseSet) {
        emitted.push(
          ...context.present.filter((u) => u.type === 'deb.package_index' && String(u.fields.relative_path).includes(distribution)),
        );
        // The real servers (pulp_deb 2.20 to 3.10) count one unit as associated on this path.
        emitted.push(releaseFile);
        run.progress.record('Skipping ReleaseFile sync (no change from previous sync)', 'sync.release_file.was_skipped', null, 1);
        continue;
      }

      const releaseUnit: ContentUnit = {
        type: 'deb.release',
        key: naturalKey(codename, suite, distribution),
        fields: { codename, suite, distribution },
        artifacts: [],
      };
      emitted.push(releaseUnit);
      const archs = filterArchitectures(architectures, remote.architectures);
      for (const architecture of archs) {
        emitted.push({
          type: 'deb.release_architecture',
          key: naturalKey(architecture, releaseUnit.key),
          fields: { architecture, release: unitRef(releaseUnit) },
          artifacts: [],
        });
      }
      const references = releaseReferences(release);
      for (const component of filterComponents(components, remote.components)) {
        const componentUnit: ContentUnit = {
          type: 'deb.release_component',
          key: naturalKey(component, releaseUnit.key),
          fields: { component, release: unitRef(releaseUnit) },
          artifacts: [],
        };
        emitted.push(componentUnit);
        const plain = component.slice(component.lastIndexOf('/') + 1);
        for (const architecture of archs) {
          const indexDir = joinPath(plain, `binary-${architecture}`);
          const listed = PACKAGE_INDEX_ARTIFACTS.map((name) => references.get(joinPath(indexDir, name))).filter(
            (r): r is ReleaseFileReference => r !== undefined,
          );
          if (!listed.length) continue;
          const fetched = await Promise.all(listed.map((r) => fetchOptional(joinPath(releaseDir, r.name), r)));
          const indexArtifacts = fetched.filter((a): a is UnitArtifact => a !== null);
          const relativePath = joinPath(releaseDir, indexDir, 'Packages');
          if (!indexArtifacts.length) {
            if (remote.ignore_missing_package_indices && architecture !== 'all') continue;
            throw new Error(
              `No suitable package index files found in '${joinPath(releaseDir, indexDir)}'. If you are syncing from a partial mirror, you can ignore this error for individual remotes (ignore_missing_package_indices='True') or system wide (FORCE_IGNORE_MISSING_PACKAGE_INDICES setting).`,
            );
          }
          culprit = indexReport;
          const packagesText = packageIndexText(indexArtifacts, relativePath);
          const indexUnit = packageIndexUnit({ component, architecture, relativePath }, sha256Hex(packagesText), indexArtifacts);
          const indexSet = String(indexUnit.fields.artifact_set_sha256);
          emitted.push(indexUnit);
          run.progress.increment(indexReport);
          culprit = downloading;
          const previousIndex = context.present.find((u) => u.type === 'deb.package_index' && u.fields.relative_path === relativePath);
          if (optimize && optionsUnchanged && previousIndex?.fields.artifact_set_sha256 === indexSet) {
            run.progress.record(
              'Skipping PackageIndex processing (no change from previous sync)',
              'sync.package_index.was_skipped',
              null,
              1,
            );
            continue;
          }
          const packages: ContentUnit[] = [];
          for (const paragraph of parseParagraphs(packagesText.toString('utf8'))) {
            const arch = fieldOf(paragraph, 'Architecture');
            const filename = fieldOf(paragraph, 'Filename');
            const sha256 = fieldOf(paragraph, 'SHA256');
            if ((arch !== 'all' || architectures.split(/\s+/).includes('all')) && arch !== architecture) continue;
            if (!filename || !sha256 || !fieldOf(paragraph, 'Package') || !filename.endsWith('.deb')) continue;
            const packagePath = filename.replace(/\/+/g, '/').replace(/^\.\//, '');
            const artifact: UnitArtifact = { relativePath: packagePath, sha256, size: Number(fieldOf(paragraph, 'Size') ?? 0) };
            pending.push({ artifact, url: urlOf(packagePath), deferred: run.deferred });
            const unit = debPackageUnit(debPackageFields(paragraph, packagePath, sha256), artifact);
            packages.push(unit);
            emitted.push(unit);
          }
          for (const unit of packages) {
            emitted.push({
              type: 'deb.package_release_component',
              key: naturalKey(unit.key, componentUnit.key),
              fields: { package: unitRef(unit), release_component: unitRef(componentUnit) },
              artifacts: [],
            });
          }
        }
      }
    }
    run.progress.finish(releaseReport);
    run.progress.finish(indexReport);
    const outcome = await run.complete(emitted, mirror, pending, downloading);
    return { ...outcome, publication: null, memo: outcome.changed ? memo : null };
  } catch (error) {
    throw run.failure(error, culprit);
  }
}

/** The uncompressed package index, from `Packages` or by decompressing `Packages.gz`. */
function packageIndexText(artifacts: UnitArtifact[], relativePath: string): Buffer {
  const plain = artifacts.find((a) => a.relativePath.endsWith('/Packages'));
  if (plain?.data) return plain.data;
  const gz = artifacts.find((a) => a.relativePath.endsWith('/Packages.gz'));
  if (gz?.data) return gunzipSync(gz.data);
  throw new Error(
    `No suitable package index files found in '${relativePath.slice(0, relativePath.lastIndexOf('/'))}'. The emulator reads Packages and Packages.gz only.`,
  );
}

/** The signed text of a clearsigned InRelease, or the text itself. */
function stripSignature(text: string): string {
  const start = text.indexOf('-----BEGIN PGP SIGNED MESSAGE-----');
  if (start < 0) return text;
  const body = text.slice(text.indexOf('\n\n', start) + 2);
  const end = body.indexOf('-----BEGIN PGP SIGNATURE-----');
  return end < 0 ? body : body.slice(0, end);
}
