/** Content `pulp_type` → the list endpoint that shows units of that type (as in `content_summary` hrefs). */
const V3 = '/pulp/api/v3/';

export const CONTENT_TYPE_PATHS: Record<string, string> = {
  'rpm.package': `${V3}content/rpm/packages/`,
  'rpm.advisory': `${V3}content/rpm/advisories/`,
  'rpm.distribution_tree': `${V3}content/rpm/distribution_trees/`,
  'rpm.modulemd': `${V3}content/rpm/modulemds/`,
  'rpm.modulemd_defaults': `${V3}content/rpm/modulemd_defaults/`,
  'rpm.modulemd_obsolete': `${V3}content/rpm/modulemd_obsoletes/`,
  'rpm.packagecategory': `${V3}content/rpm/packagecategories/`,
  'rpm.packageenvironment': `${V3}content/rpm/packageenvironments/`,
  'rpm.packagegroup': `${V3}content/rpm/packagegroups/`,
  'rpm.packagelangpacks': `${V3}content/rpm/packagelangpacks/`,
  'rpm.repo_metadata_file': `${V3}content/rpm/repo_metadata_files/`,
  'file.file': `${V3}content/file/files/`,
  'deb.package': `${V3}content/deb/packages/`,
  'deb.installer_package': `${V3}content/deb/installer_packages/`,
  'deb.generic_content': `${V3}content/deb/generic_contents/`,
  'deb.installer_file_index': `${V3}content/deb/installer_file_indices/`,
  'deb.package_index': `${V3}content/deb/package_indices/`,
  'deb.package_release_component': `${V3}content/deb/package_release_components/`,
  'deb.release': `${V3}content/deb/releases/`,
  'deb.release_architecture': `${V3}content/deb/release_architectures/`,
  'deb.release_component': `${V3}content/deb/release_components/`,
  'deb.release_file': `${V3}content/deb/release_files/`,
  'container.blob': `${V3}content/container/blobs/`,
  'container.manifest': `${V3}content/container/manifests/`,
  'container.signature': `${V3}content/container/signatures/`,
  'container.tag': `${V3}content/container/tags/`,
};

const TYPE_OF_PATH = new Map(Object.entries(CONTENT_TYPE_PATHS).map(([type, path]) => [path, type]));

export function contentTypeAt(collectionPath: string): string | undefined {
  return TYPE_OF_PATH.get(collectionPath);
}
