import type { PublishedFiles } from '../publish.js';
import type { ContentUnit } from '../units.js';
import { generateRepodata, type PackageFields, type PublishedPackage } from './metadata.js';

/** Where pulp_rpm 3.20 publishes a package: `Packages/<first letter>/<file name>`. */
export function packagePath(locationHref: string): string {
  const filename = locationHref.slice(locationHref.lastIndexOf('/') + 1);
  return `Packages/${filename.charAt(0).toLowerCase()}/${filename}`;
}

/**
 * A regular rpm publication (pulp_rpm's publish task): the packages under Packages/ and freshly
 * generated repodata/ (primary, filelists, other, repomd.xml with consistent sha256 checksums).
 * The revision is the newest build time of the content (0 when empty), so publishing the same
 * content twice gives identical metadata.
 */
export function publishRpm(units: ContentUnit[]): PublishedFiles {
  const files: PublishedFiles = new Map();
  const packages: PublishedPackage[] = [];
  const sorted = units
    .filter((u) => u.type === 'rpm.package')
    .sort((a, b) => String(a.fields.location_href).localeCompare(String(b.fields.location_href)));
  for (const unit of sorted) {
    const locationHref = packagePath(String(unit.fields.location_href));
    packages.push({ fields: unit.fields as PackageFields, locationHref });
    const artifact = unit.artifacts[0];
    if (artifact) files.set(locationHref, { kind: 'artifact', artifact });
  }
  const revision = Math.max(0, ...packages.map((p) => Number(p.fields.time_build ?? 0)));
  for (const file of generateRepodata(packages, revision)) files.set(file.relativePath, { kind: 'metadata', data: file.data });
  return files;
}
