import { buildImage, imageUnits } from './container/image.js';
import { publishDebApt, poolPath } from './deb/publish.js';
import { debPackageUnit, packageIndexUnit, releaseFileUnit } from './deb/sync.js';
import { fileUnit } from './file.js';
import { rpmPackageUnit } from './rpm/sync.js';
import { type ContentUnit, naturalKey, sha256Hex, storedArtifact, unitId, unitRef } from './units.js';

/** One synthetic rpm; everything but the name defaults. */
export interface RpmSpec {
  name: string;
  version?: string | undefined;
  release?: string | undefined;
  epoch?: string;
  arch?: string;
  requires?: string[];
}

/**
 * Units of a yum repository of fake packages (payloads are short text, not real rpms), with
 * complete, self-consistent metadata fields: publishing them yields valid repodata whose
 * checksums match, which our own rpm sync parses. A number N gives `pkg-0001`..`pkg-N`.
 * `buildTime` (seconds) stamps the packages and so the published revision.
 */
export function rpmRepository(packages: RpmSpec[] | number, options: { buildTime?: number } = {}): ContentUnit[] {
  const specs: RpmSpec[] =
    typeof packages === 'number'
      ? Array.from({ length: packages }, (_, i) => ({ name: `pkg-${String(i + 1).padStart(4, '0')}` }))
      : packages;
  const time = options.buildTime ?? 1700000000;
  return specs.map((spec) => {
    const version = spec.version ?? '1.0';
    const release = spec.release ?? '1';
    const epoch = spec.epoch ?? '0';
    const arch = spec.arch ?? 'noarch';
    const filename = `${spec.name}-${version}-${release}.${arch}.rpm`;
    const payload = Buffer.from(`pulpform synthetic rpm ${spec.name} ${epoch}:${version}-${release}.${arch}\n`);
    const fields = {
      name: spec.name,
      epoch,
      version,
      release,
      arch,
      pkgId: sha256Hex(payload),
      checksum_type: 'sha256',
      summary: `Synthetic package ${spec.name}`,
      description: `Synthetic package ${spec.name} made by pulpform's emulator.`,
      url: '',
      changelogs: [[`pulpform <pulpform@example.com> - ${version}-${release}`, time, '- synthetic build']],
      files: [
        ['', `/usr/share/${spec.name}/`, 'README'],
        ['', '/usr/bin/', spec.name],
      ],
      requires: (spec.requires ?? []).map((r) => [r, null, null, null, null, false]),
      provides: [[spec.name, 'EQ', epoch, version, release, false]],
      conflicts: [],
      obsoletes: [],
      suggests: [],
      enhances: [],
      recommends: [],
      supplements: [],
      location_base: '',
      location_href: filename,
      rpm_buildhost: 'pulpform',
      rpm_group: 'Unspecified',
      rpm_license: 'MIT',
      rpm_packager: '',
      rpm_sourcerpm: `${spec.name}-${version}-${release}.src.rpm`,
      rpm_vendor: '',
      rpm_header_start: 0,
      rpm_header_end: 0,
      is_modular: false,
      size_archive: payload.length,
      size_installed: payload.length,
      size_package: payload.length,
      time_build: time,
      time_file: time,
    };
    return rpmPackageUnit(fields, storedArtifact(filename, payload));
  });
}

/** Units of a file repository: path → text content, or N files `file-0001.txt`... */
export function fileRepository(files: Record<string, string> | number): ContentUnit[] {
  const entries =
    typeof files === 'number'
      ? Array.from({ length: files }, (_, i): [string, string] => [`file-${String(i + 1).padStart(4, '0')}.txt`, `file ${i + 1}\n`])
      : Object.entries(files);
  return entries.map(([relativePath, text]) => {
    const data = Buffer.from(text);
    return fileUnit({ relativePath, sha256: sha256Hex(data), size: data.length }, storedArtifact(relativePath, data));
  });
}

export interface DebSpec {
  name: string;
  version?: string;
  architecture?: string;
  depends?: string;
}

/**
 * Units of an apt repository with one distribution and component, as a sync of it would give:
 * packages, release, component, architectures, package/component links, plus the release file
 * and package index whose artifacts are the generated Release and Packages files, so both
 * structured and verbatim publications of the set are complete and consistent.
 */
export function debRepository(options: {
  distribution?: string;
  component?: string;
  architectures?: string[];
  packages: DebSpec[];
}): ContentUnit[] {
  const distribution = options.distribution ?? 'stable';
  const component = options.component ?? 'main';
  const architectures = options.architectures ?? ['amd64'];
  const release: ContentUnit = {
    type: 'deb.release',
    key: naturalKey(distribution, distribution, distribution),
    fields: { codename: distribution, suite: distribution, distribution },
    artifacts: [],
  };
  const componentUnit: ContentUnit = {
    type: 'deb.release_component',
    key: naturalKey(component, release.key),
    fields: { component, release: unitRef(release) },
    artifacts: [],
  };
  const archUnits = architectures.map(
    (architecture): ContentUnit => ({
      type: 'deb.release_architecture',
      key: naturalKey(architecture, release.key),
      fields: { architecture, release: unitRef(release) },
      artifacts: [],
    }),
  );
  const packages = options.packages.map((spec) => {
    const version = spec.version ?? '1.0-1';
    const architecture = spec.architecture ?? architectures[0]!;
    const payload = Buffer.from(`pulpform synthetic deb ${spec.name} ${version} ${architecture}\n`);
    const relativePath = poolPath(component, spec.name, `${spec.name}_${version}_${architecture}.deb`);
    const sha256 = sha256Hex(payload);
    const fields: Record<string, string | null> = { relative_path: relativePath, sha256 };
    Object.assign(fields, {
      package: spec.name,
      source: null,
      version,
      architecture,
      section: 'misc',
      priority: 'optional',
      origin: null,
      tag: null,
      bugs: null,
      essential: null,
      build_essential: null,
      installed_size: '1',
      maintainer: 'pulpform <pulpform@example.com>',
      original_maintainer: null,
      description: `Synthetic package ${spec.name}\n made by pulpform's emulator`,
      description_md5: null,
      homepage: null,
      built_using: null,
      auto_built_package: null,
      multi_arch: null,
      breaks: null,
      conflicts: null,
      depends: spec.depends ?? null,
      recommends: null,
      suggests: null,
      enhances: null,
      pre_depends: null,
      provides: null,
      replaces: null,
    });
    return debPackageUnit(fields, storedArtifact(relativePath, payload));
  });
  const links = packages.map(
    (pkg): ContentUnit => ({
      type: 'deb.package_release_component',
      key: naturalKey(pkg.key, componentUnit.key),
      fields: { package: unitRef(pkg), release_component: unitRef(componentUnit) },
      artifacts: [],
    }),
  );
  const structure = [release, componentUnit, ...archUnits, ...packages, ...links];
  const published = publishDebApt(structure, { structured: true });
  const metadata = (path: string) => {
    const file = published.get(path);
    return file?.kind === 'metadata' ? storedArtifact(path, file.data) : null;
  };
  const releaseArtifact = metadata(`dists/${distribution}/Release`)!;
  const releaseFile = releaseFileUnit(
    { codename: distribution, suite: distribution, distribution, components: component, architectures: architectures.join(' ') },
    releaseArtifact,
    [releaseArtifact],
  );
  const indices = architectures.map((architecture) => {
    const dir = `dists/${distribution}/${component}/binary-${architecture}`;
    const artifacts = ['Packages', 'Packages.gz', 'Release'].map((name) => metadata(`${dir}/${name}`)!);
    return packageIndexUnit({ component, architecture, relativePath: `${dir}/Packages` }, artifacts[0]!.sha256!, artifacts);
  });
  return [releaseFile, ...indices, ...structure];
}

/** Units of a container repository: each tag holds a small test image built from its content string. */
export function containerRepository(tags: Record<string, string>): ContentUnit[] {
  const units = new Map<string, ContentUnit>();
  for (const [tag, content] of Object.entries(tags)) {
    const image = imageUnits(buildImage(content), tag);
    for (const unit of [...image.blobs, image.manifest, image.tag]) units.set(unitId(unit), unit);
  }
  return [...units.values()];
}
