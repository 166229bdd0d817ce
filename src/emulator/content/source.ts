import { Downloader } from '../../upstream/http.js';
import { RegistryClient } from '../../upstream/registry.js';
import { sha256Hex, type UnitArtifact } from './units.js';

/**
 * The bytes of an artifact: stored ones, or fetched from the upstream it was synced from
 * (on_demand / streamed). An on_demand artifact keeps the bytes afterwards, as Pulp's content
 * app saves what it streamed once; a streamed one is fetched every time.
 */
export async function artifactBytes(artifact: UnitArtifact): Promise<Buffer> {
  if (artifact.data) return artifact.data;
  const source = artifact.source;
  if (!source) throw new Error(`artifact ${artifact.relativePath} has neither bytes nor an upstream`);
  const downloader = new Downloader(source.remote);
  const options = { expectedSha256: artifact.sha256 };
  const result = source.registryName
    ? await new RegistryClient(downloader).fetch(source.url, source.registryName, options)
    : await downloader.fetch(source.url, options);
  if (source.save) {
    artifact.data = result.body;
    artifact.sha256 = sha256Hex(result.body);
    artifact.size = result.body.length;
  }
  return result.body;
}
