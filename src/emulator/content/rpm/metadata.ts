import { gunzipSync, gzipSync } from 'node:zlib';
import type { Json, JsonObject } from '../../../model/json.js';
import { sha256Hex } from '../units.js';
import { child, childrenNamed, escapeXml, parseXml, type XmlElement } from '../xml.js';

export interface RepomdRecord {
  type: string;
  checksumType: string;
  checksum: string;
  locationHref: string;
  locationBase: string | null;
  size: number | null;
}

export interface Repomd {
  revision: string;
  records: RepomdRecord[];
}

export function parseRepomd(xml: string): Repomd {
  const root = parseXml(xml);
  return {
    revision: child(root, 'revision')?.text.trim() ?? '',
    records: childrenNamed(root, 'data').map((data) => {
      const checksum = child(data, 'checksum');
      const location = child(data, 'location');
      const size = child(data, 'size')?.text.trim();
      return {
        type: data.attrs.type ?? '',
        checksumType: normalizeChecksumType(checksum?.attrs.type ?? 'sha256'),
        checksum: checksum?.text.trim() ?? '',
        locationHref: location?.attrs.href ?? '',
        locationBase: location?.attrs['xml:base'] ?? null,
        size: size ? Number(size) : null,
      };
    }),
  };
}

function normalizeChecksumType(type: string): string {
  return type === 'sha' ? 'sha1' : type.toLowerCase();
}

export class UnsupportedCompression extends Error {}

/** The XML text of a metadata file, decompressed by its extension. */
export function metadataText(href: string, data: Buffer): string {
  if (href.endsWith('.gz')) return gunzipSync(data).toString('utf8');
  if (/\.(bz2|xz|zst|zck)$/.test(href)) {
    throw new UnsupportedCompression(`Cannot read ${href}: the emulator reads gzip-compressed or uncompressed yum metadata only`);
  }
  return data.toString('utf8');
}

/** [name, flags, epoch, version, release, pre]: how pulp_rpm stores a dependency. */
type Dependency = [string, string | null, string | null, string | null, string | null, boolean];
const DEPENDENCY_KINDS = ['requires', 'provides', 'conflicts', 'obsoletes', 'suggests', 'enhances', 'recommends', 'supplements'] as const;

/** A package's fields exactly as pulp_rpm stores them (createrepo_to_dict). */
export type PackageFields = JsonObject;

function dependencies(format: XmlElement | undefined, kind: string): Dependency[] {
  const list = format && child(format, `rpm:${kind}`);
  if (!list) return [];
  return childrenNamed(list, 'rpm:entry').map((e) => [
    e.attrs.name ?? '',
    e.attrs.flags ?? null,
    e.attrs.epoch ?? null,
    e.attrs.ver ?? null,
    e.attrs.rel ?? null,
    e.attrs.pre === '1',
  ]);
}

function fileEntry(element: XmlElement): [string, string, string] {
  const path = element.text;
  const slash = path.lastIndexOf('/');
  return [element.attrs.type ?? '', path.slice(0, slash + 1), path.slice(slash + 1)];
}

const int = (value: string | undefined) => (value === undefined || value === '' ? null : Number(value));

/** Merges primary, filelists and other into pulp_rpm package records, in primary's order. */
export function parsePackages(primaryXml: string, filelistsXml: string | null, otherXml: string | null): PackageFields[] {
  const files = new Map<string, Array<[string, string, string]>>();
  if (filelistsXml) {
    for (const pkg of childrenNamed(parseXml(filelistsXml), 'package')) {
      files.set(pkg.attrs.pkgid ?? '', childrenNamed(pkg, 'file').map(fileEntry));
    }
  }
  const changelogs = new Map<string, Array<[string, number, string]>>();
  if (otherXml) {
    for (const pkg of childrenNamed(parseXml(otherXml), 'package')) {
      const entries = childrenNamed(pkg, 'changelog').map((c): [string, number, string] => [
        c.attrs.author ?? '',
        Number(c.attrs.date ?? 0),
        c.text,
      ]);
      changelogs.set(
        pkg.attrs.pkgid ?? '',
        entries.sort((a, b) => a[1] - b[1]),
      );
    }
  }
  return childrenNamed(parseXml(primaryXml), 'package').map((pkg) => {
    const version = child(pkg, 'version');
    const checksum = child(pkg, 'checksum');
    const time = child(pkg, 'time');
    const size = child(pkg, 'size');
    const location = child(pkg, 'location');
    const format = child(pkg, 'format');
    const header = format && child(format, 'rpm:header-range');
    const pkgId = checksum?.text.trim() ?? '';
    const text = (name: string) => (format && child(format, name)?.text) ?? '';
    const primaryFiles = format ? childrenNamed(format, 'file').map(fileEntry) : [];
    const fields: PackageFields = {
      name: child(pkg, 'name')?.text ?? '',
      epoch: version?.attrs.epoch || '0',
      version: version?.attrs.ver ?? '',
      release: version?.attrs.rel ?? '',
      arch: child(pkg, 'arch')?.text ?? '',
      pkgId,
      checksum_type: normalizeChecksumType(checksum?.attrs.type ?? 'sha256'),
      summary: child(pkg, 'summary')?.text ?? '',
      description: child(pkg, 'description')?.text ?? '',
      url: child(pkg, 'url')?.text ?? '',
      changelogs: changelogs.get(pkgId) ?? [],
      files: files.get(pkgId) ?? primaryFiles,
    };
    for (const kind of DEPENDENCY_KINDS) fields[kind] = dependencies(format, kind);
    Object.assign(fields, {
      location_base: '',
      location_href: location?.attrs.href ?? '',
      rpm_buildhost: text('rpm:buildhost'),
      rpm_group: text('rpm:group'),
      rpm_license: text('rpm:license'),
      rpm_packager: child(pkg, 'packager')?.text ?? '',
      rpm_sourcerpm: text('rpm:sourcerpm'),
      rpm_vendor: text('rpm:vendor'),
      rpm_header_start: int(header?.attrs.start),
      rpm_header_end: int(header?.attrs.end),
      is_modular: false,
      size_archive: int(size?.attrs.archive),
      size_installed: int(size?.attrs.installed),
      size_package: int(size?.attrs.package),
      time_build: int(time?.attrs.build),
      time_file: int(time?.attrs.file),
    });
    return fields;
  });
}

const PRIMARY_FILE = /^(\/etc\/|\/usr\/lib\/sendmail$|.*bin\/)/;

function depXml(kind: string, deps: Json): string {
  const list = (deps as Dependency[] | null) ?? [];
  if (!list.length) return '';
  const entries = list
    .map(([name, flags, epoch, ver, rel, pre]) => {
      const attrs = [`name="${escapeXml(name)}"`];
      if (flags) attrs.push(`flags="${flags}"`);
      if (epoch !== null) attrs.push(`epoch="${escapeXml(epoch)}"`);
      if (ver !== null) attrs.push(`ver="${escapeXml(ver)}"`);
      if (rel !== null) attrs.push(`rel="${escapeXml(rel)}"`);
      if (pre) attrs.push('pre="1"');
      return `      <rpm:entry ${attrs.join(' ')}/>\n`;
    })
    .join('');
  return `    <rpm:${kind}>\n${entries}    </rpm:${kind}>\n`;
}

function fileXml(entry: [string, string, string], indent: string): string {
  const [type, dir, name] = entry;
  return `${indent}<file${type ? ` type="${type}"` : ''}>${escapeXml(dir + name)}</file>\n`;
}

/** A package as the metadata of a publication lists it: its fields and where it is served. */
export interface PublishedPackage {
  fields: PackageFields;
  locationHref: string;
}

function versionXml(f: PackageFields): string {
  return `<version epoch="${escapeXml(String(f.epoch))}" ver="${escapeXml(String(f.version))}" rel="${escapeXml(String(f.release))}"/>`;
}

export function primaryXml(packages: PublishedPackage[]): string {
  const body = packages
    .map(({ fields: f, locationHref }) => {
      const s = (name: string) => escapeXml(String(f[name] ?? ''));
      const files = ((f.files as Array<[string, string, string]>) ?? []).filter(([, d, n]) => PRIMARY_FILE.test(d + n));
      return (
        `<package type="rpm">\n  <name>${s('name')}</name>\n  <arch>${s('arch')}</arch>\n  ${versionXml(f)}\n` +
        `  <checksum type="${s('checksum_type')}" pkgid="YES">${s('pkgId')}</checksum>\n` +
        `  <summary>${s('summary')}</summary>\n  <description>${s('description')}</description>\n` +
        `  <packager>${s('rpm_packager')}</packager>\n  <url>${s('url')}</url>\n` +
        `  <time file="${f.time_file ?? 0}" build="${f.time_build ?? 0}"/>\n` +
        `  <size package="${f.size_package ?? 0}" installed="${f.size_installed ?? 0}" archive="${f.size_archive ?? 0}"/>\n` +
        `  <location href="${escapeXml(locationHref)}"/>\n  <format>\n` +
        `    <rpm:license>${s('rpm_license')}</rpm:license>\n    <rpm:vendor>${s('rpm_vendor')}</rpm:vendor>\n` +
        `    <rpm:group>${s('rpm_group')}</rpm:group>\n    <rpm:buildhost>${s('rpm_buildhost')}</rpm:buildhost>\n` +
        `    <rpm:sourcerpm>${s('rpm_sourcerpm')}</rpm:sourcerpm>\n` +
        `    <rpm:header-range start="${f.rpm_header_start ?? 0}" end="${f.rpm_header_end ?? 0}"/>\n` +
        DEPENDENCY_KINDS.map((kind) => depXml(kind, f[kind] ?? [])).join('') +
        files.map((e) => fileXml(e, '    ')).join('') +
        `  </format>\n</package>\n`
      );
    })
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="${packages.length}">\n` +
    `${body}</metadata>\n`
  );
}

export function filelistsXml(packages: PublishedPackage[]): string {
  const body = packages
    .map(({ fields: f }) => {
      const files = (f.files as Array<[string, string, string]>) ?? [];
      return (
        `<package pkgid="${escapeXml(String(f.pkgId))}" name="${escapeXml(String(f.name))}" arch="${escapeXml(String(f.arch))}">\n` +
        `  ${versionXml(f)}\n${files.map((e) => fileXml(e, '  ')).join('')}</package>\n`
      );
    })
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="${packages.length}">\n${body}</filelists>\n`
  );
}

export function otherXml(packages: PublishedPackage[]): string {
  const body = packages
    .map(({ fields: f }) => {
      const changelogs = (f.changelogs as Array<[string, number, string]>) ?? [];
      return (
        `<package pkgid="${escapeXml(String(f.pkgId))}" name="${escapeXml(String(f.name))}" arch="${escapeXml(String(f.arch))}">\n` +
        `  ${versionXml(f)}\n` +
        changelogs
          .map(([author, date, text]) => `  <changelog author="${escapeXml(author)}" date="${date}">${escapeXml(text)}</changelog>\n`)
          .join('') +
        '</package>\n'
      );
    })
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<otherdata xmlns="http://linux.duke.edu/metadata/other" packages="${packages.length}">\n${body}</otherdata>\n`
  );
}

export interface GeneratedFile {
  relativePath: string;
  data: Buffer;
}

/**
 * repodata/ for a set of packages: primary, filelists and other (gzip) and a repomd.xml whose
 * checksums, open-checksums and sizes match them. `revision` doubles as the timestamp, so the
 * same content and revision always give the same bytes.
 */
export function generateRepodata(packages: PublishedPackage[], revision: number): GeneratedFile[] {
  const sources: Array<[string, string]> = [
    ['primary', primaryXml(packages)],
    ['filelists', filelistsXml(packages)],
    ['other', otherXml(packages)],
  ];
  const files: GeneratedFile[] = [];
  const records = sources.map(([type, xml]) => {
    const open = Buffer.from(xml, 'utf8');
    const data = gzipSync(open, { level: 9 });
    const checksum = sha256Hex(data);
    const relativePath = `repodata/${checksum}-${type}.xml.gz`;
    files.push({ relativePath, data });
    return (
      `  <data type="${type}">\n    <checksum type="sha256">${checksum}</checksum>\n` +
      `    <open-checksum type="sha256">${sha256Hex(open)}</open-checksum>\n` +
      `    <location href="${relativePath}"/>\n    <timestamp>${revision}</timestamp>\n` +
      `    <size>${data.length}</size>\n    <open-size>${open.length}</open-size>\n  </data>\n`
    );
  });
  const repomd =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">\n' +
    `  <revision>${revision}</revision>\n${records.join('')}</repomd>\n`;
  return [{ relativePath: 'repodata/repomd.xml', data: Buffer.from(repomd, 'utf8') }, ...files];
}

/** rpmvercmp: compares two version (or release) strings the way rpm does. */
export function rpmVersionCompare(a: string, b: string): number {
  if (a === b) return 0;
  const segments = (s: string) => s.match(/~|\^|[0-9]+|[a-zA-Z]+/g) ?? [];
  const sa = segments(a);
  const sb = segments(b);
  for (let i = 0; ; i++) {
    const x = sa[i];
    const y = sb[i];
    if (x === '~' || y === '~') {
      if (x !== y) return x === '~' ? -1 : 1;
      continue;
    }
    if (x === '^' || y === '^') {
      if (x === undefined) return -1;
      if (y === undefined) return 1;
      if (x !== y) return x === '^' ? -1 : 1;
      continue;
    }
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? -1 : 1;
    const xNum = /^[0-9]/.test(x);
    const yNum = /^[0-9]/.test(y);
    if (xNum !== yNum) return xNum ? 1 : -1;
    if (xNum) {
      const nx = x.replace(/^0+/, '');
      const ny = y.replace(/^0+/, '');
      if (nx.length !== ny.length) return nx.length > ny.length ? 1 : -1;
      if (nx !== ny) return nx > ny ? 1 : -1;
    } else if (x !== y) {
      return x > y ? 1 : -1;
    }
  }
}

export function evrCompare(a: PackageFields, b: PackageFields): number {
  return (
    rpmVersionCompare(String(a.epoch || '0'), String(b.epoch || '0')) ||
    rpmVersionCompare(String(a.version), String(b.version)) ||
    rpmVersionCompare(String(a.release), String(b.release))
  );
}
