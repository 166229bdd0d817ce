import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { PublishedFiles } from '../publish.js';
import { DEB_PACKAGE_FIELDS } from '../content-types.js';
import { type ContentUnit, refId, type UnitRef, unitId } from '../units.js';
import { formatParagraph } from './deb822.js';
import { DEB_FIELD_NAMES } from './sync.js';

/** A verbatim publication: the upstream Release files, package indices and packages, byte for byte. */
export function publishDebVerbatim(units: ContentUnit[]): PublishedFiles {
  const files: PublishedFiles = new Map();
  for (const unit of units) {
    if (!['deb.release_file', 'deb.package_index', 'deb.package'].includes(unit.type)) continue;
    for (const artifact of unit.artifacts) files.set(artifact.relativePath, { kind: 'artifact', artifact });
  }
  return files;
}

export interface AptPublishOptions {
  simple?: boolean;
  structured?: boolean;
  /** The `Date:` of generated Release files (default: the epoch, so output is deterministic). */
  date?: Date;
}

/** `pool/<component>/<prefix>/<source package>/<file>` as pulp_deb lays packages out. */
export function poolPath(component: string, source: string, filename: string): string {
  const prefix = source.startsWith('lib') ? source.slice(0, 4) : source.charAt(0);
  return `pool/${component}/${prefix}/${source}/${filename}`;
}

function poolPathOf(component: string, pkg: ContentUnit): string {
  const source = String(pkg.fields.source ?? pkg.fields.package ?? '').split(' ')[0]!;
  const relative = String(pkg.fields.relative_path);
  return poolPath(component, source, relative.slice(relative.lastIndexOf('/') + 1));
}

function packageParagraph(pkg: ContentUnit, filename: string): string {
  const fields: Array<[string, string]> = [];
  for (const name of DEB_PACKAGE_FIELDS) {
    const value = pkg.fields[name];
    if (value !== null && value !== undefined) fields.push([DEB_FIELD_NAMES[name]!, String(value)]);
  }
  const artifact = pkg.artifacts[0];
  fields.push(['Filename', filename]);
  fields.push(['Size', String(artifact?.size ?? 0)]);
  if (artifact?.data) {
    fields.push(['MD5sum', createHash('md5').update(artifact.data).digest('hex')]);
    fields.push(['SHA1', createHash('sha1').update(artifact.data).digest('hex')]);
  }
  fields.push(['SHA256', String(artifact?.sha256 ?? pkg.fields.sha256 ?? '')]);
  return formatParagraph(fields);
}

interface IndexFile {
  path: string;
  data: Buffer;
}

function releaseText(
  fields: { origin?: string; label?: string; suite: string; codename: string; components: string[]; architectures: string[]; date: Date },
  indices: IndexFile[],
  distDir: string,
): Buffer {
  const checksum = (algorithm: string) =>
    indices
      .map(
        (f) =>
          ` ${createHash(algorithm).update(f.data).digest('hex')} ${String(f.data.length).padStart(8)} ${f.path.slice(distDir.length + 1)}`,
      )
      .join('\n');
  const lines: Array<[string, string]> = [
    ...(fields.origin ? ([['Origin', fields.origin]] as Array<[string, string]>) : []),
    ...(fields.label ? ([['Label', fields.label]] as Array<[string, string]>) : []),
    ['Suite', fields.suite],
    ['Codename', fields.codename],
    ['Date', fields.date.toUTCString().replace('GMT', '+0000')],
    ['Architectures', fields.architectures.join(' ')],
    ['Components', fields.components.join(' ')],
    ['MD5Sum', `\n${checksum('md5')}`],
    ['SHA1', `\n${checksum('sha1')}`],
    ['SHA256', `\n${checksum('sha256')}`],
  ];
  return Buffer.from(lines.map(([k, v]) => `${k}:${v.startsWith('\n') ? v : ` ${v}`}\n`).join(''), 'utf8');
}

/** Packages + Packages.gz + the per-index Release of one component/architecture. */
function writeIndex(
  files: PublishedFiles,
  indices: IndexFile[],
  dir: string,
  packages: ContentUnit[],
  component: string,
  architecture: string,
  release: { suite: string; codename: string },
): void {
  const sorted = [...packages].sort((a, b) => String(a.fields.relative_path).localeCompare(String(b.fields.relative_path)));
  const paragraphs: string[] = [];
  for (const pkg of sorted) {
    const filename = poolPathOf(component, pkg);
    paragraphs.push(packageParagraph(pkg, filename));
    const artifact = pkg.artifacts[0];
    if (artifact) files.set(filename, { kind: 'artifact', artifact });
  }
  const packagesData = Buffer.from(paragraphs.join('\n'), 'utf8');
  const entries: IndexFile[] = [
    { path: `${dir}/Packages`, data: packagesData },
    { path: `${dir}/Packages.gz`, data: gzipSync(packagesData, { level: 9 }) },
    {
      path: `${dir}/Release`,
      data: Buffer.from(
        formatParagraph([
          ['Archive', release.suite],
          ['Suite', release.suite],
          ['Codename', release.codename],
          ['Component', component],
          ['Architecture', architecture],
        ]),
        'utf8',
      ),
    },
  ];
  for (const entry of entries) {
    files.set(entry.path, { kind: 'metadata', data: entry.data });
    indices.push(entry);
  }
}

/**
 * An apt publication. Structured mode writes, per release of the version, `dists/<distribution>/`
 * with a Release file and per component/architecture Packages(.gz) + Release, packages under
 * `pool/<component>/`. Simple mode puts every package into `dists/default/all/binary-<arch>/`.
 * Release files are unsigned.
 */
export function publishDebApt(units: ContentUnit[], options: AptPublishOptions): PublishedFiles {
  const files: PublishedFiles = new Map();
  const date = options.date ?? new Date(0);
  const byId = new Map(units.map((u) => [unitId(u), u]));
  const packages = units.filter((u) => u.type === 'deb.package');
  const archOf = (pkg: ContentUnit) => String(pkg.fields.architecture);

  if (options.simple) {
    const architectures = [...new Set(packages.map(archOf))].sort();
    const indices: IndexFile[] = [];
    for (const architecture of architectures) {
      const selected = packages.filter((p) => archOf(p) === architecture || archOf(p) === 'all');
      writeIndex(files, indices, `dists/default/all/binary-${architecture}`, selected, 'all', architecture, {
        suite: 'default',
        codename: 'default',
      });
    }
    files.set('dists/default/Release', {
      kind: 'metadata',
      data: releaseText({ suite: 'default', codename: 'default', components: ['all'], architectures, date }, indices, 'dists/default'),
    });
  }

  if (options.structured) {
    const resolve = (ref: unknown) => byId.get(refId(ref as UnitRef));
    for (const release of units.filter((u) => u.type === 'deb.release')) {
      const distribution = String(release.fields.distribution);
      const distDir = `dists/${distribution}`;
      const components = units.filter((u) => u.type === 'deb.release_component' && resolve(u.fields.release) === release);
      const architectures = units
        .filter((u) => u.type === 'deb.release_architecture' && resolve(u.fields.release) === release)
        .map((u) => String(u.fields.architecture))
        .sort();
      const indices: IndexFile[] = [];
      for (const component of components) {
        const name = String(component.fields.component);
        const members = units
          .filter((u) => u.type === 'deb.package_release_component' && resolve(u.fields.release_component) === component)
          .map((u) => resolve(u.fields.package))
          .filter((p): p is ContentUnit => p !== undefined);
        const plain = name.slice(name.lastIndexOf('/') + 1);
        for (const architecture of architectures.filter((a) => a !== 'all')) {
          const selected = members.filter((p) => archOf(p) === architecture || archOf(p) === 'all');
          writeIndex(files, indices, `${distDir}/${plain}/binary-${architecture}`, selected, plain, architecture, {
            suite: String(release.fields.suite),
            codename: String(release.fields.codename),
          });
        }
      }
      files.set(`${distDir}/Release`, {
        kind: 'metadata',
        data: releaseText(
          {
            suite: String(release.fields.suite),
            codename: String(release.fields.codename),
            components: components.map((c) => String(c.fields.component).split('/').pop()!).sort(),
            architectures,
            date,
          },
          indices,
          distDir,
        ),
      });
    }
  }
  return files;
}
