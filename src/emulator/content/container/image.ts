import { type ContentUnit, naturalKey, sha256Hex, storedArtifact, unitRef } from '../units.js';

export const MEDIA_TYPE = {
  MANIFEST_V1: 'application/vnd.docker.distribution.manifest.v1+json',
  MANIFEST_V1_SIGNED: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  MANIFEST_V2: 'application/vnd.docker.distribution.manifest.v2+json',
  MANIFEST_LIST: 'application/vnd.docker.distribution.manifest.list.v2+json',
  MANIFEST_OCI: 'application/vnd.oci.image.manifest.v1+json',
  INDEX_OCI: 'application/vnd.oci.image.index.v1+json',
  CONFIG_BLOB_OCI: 'application/vnd.oci.image.config.v1+json',
  LAYER_OCI_TAR: 'application/vnd.oci.image.layer.v1.tar',
} as const;

export const MANIFEST_ACCEPT = [
  MEDIA_TYPE.MANIFEST_V2,
  MEDIA_TYPE.MANIFEST_V1,
  MEDIA_TYPE.MANIFEST_V1_SIGNED,
  MEDIA_TYPE.MANIFEST_LIST,
  MEDIA_TYPE.INDEX_OCI,
  MEDIA_TYPE.MANIFEST_OCI,
].join(',');

const FOREIGN_LAYER = /nondistributable|foreign/;

export const digestOf = (data: Buffer) => `sha256:${sha256Hex(data)}`;

/** A one-file ustar archive (uncompressed, fixed mtime/owner) so the same input gives the same bytes. */
function tarOf(files: Array<[string, string]>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of files) {
    const body = Buffer.from(text, 'utf8');
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** An image's blobs and manifest, as bytes. */
export interface Image {
  manifest: Buffer;
  mediaType: string;
  config: Buffer;
  layers: Buffer[];
}

/**
 * A small deterministic OCI image: one uncompressed layer holding `/hello.txt`. Different
 * `content` strings give different images; the same string always the same digests.
 */
export function buildImage(content = 'pulpform test image'): Image {
  const layer = tarOf([['hello.txt', `${content}\n`]]);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/cat', '/hello.txt'] },
      rootfs: { type: 'layers', diff_ids: [digestOf(layer)] },
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPE.MANIFEST_OCI,
      config: { mediaType: MEDIA_TYPE.CONFIG_BLOB_OCI, digest: digestOf(config), size: config.length },
      layers: [{ mediaType: MEDIA_TYPE.LAYER_OCI_TAR, digest: digestOf(layer), size: layer.length }],
    }),
  );
  return { manifest, mediaType: MEDIA_TYPE.MANIFEST_OCI, config, layers: [layer] };
}

export function blobUnit(digest: string, data?: Buffer): ContentUnit {
  return {
    type: 'container.blob',
    key: naturalKey(digest),
    fields: { digest },
    artifacts: [data ? storedArtifact(digest, data) : { relativePath: digest, sha256: digest.slice(7), size: null }],
  };
}

export function manifestUnit(
  data: Buffer,
  mediaType: string,
  refs: { config: ContentUnit | null; layers: ContentUnit[]; listed: ContentUnit[] },
  digest = digestOf(data),
): ContentUnit {
  const parsed = JSON.parse(data.toString('utf8')) as { schemaVersion?: number };
  return {
    type: 'container.manifest',
    key: naturalKey(digest),
    fields: {
      digest,
      schema_version: parsed.schemaVersion ?? 2,
      media_type: mediaType,
      listed_manifests: refs.listed.map(unitRef),
      config_blob: refs.config ? unitRef(refs.config) : null,
      blobs: refs.layers.map(unitRef),
    },
    artifacts: [storedArtifact(digest, data)],
  };
}

export function tagUnit(name: string, manifest: ContentUnit): ContentUnit {
  return {
    type: 'container.tag',
    key: naturalKey(name, String(manifest.fields.digest)),
    fields: { name, tagged_manifest: unitRef(manifest) },
    artifacts: [],
  };
}

/** The layer descriptors pulp_container keeps (foreign layers are skipped). */
export function includedLayers(manifest: { layers?: Array<{ mediaType?: string; digest: string }> }): string[] {
  return (manifest.layers ?? []).filter((l) => !FOREIGN_LAYER.test(l.mediaType ?? '')).map((l) => l.digest);
}

/** The units of an image tagged `tag`: its blobs (config first), its manifest, the tag. */
export function imageUnits(image: Image, tag: string): { blobs: ContentUnit[]; manifest: ContentUnit; tag: ContentUnit } {
  const config = blobUnit(digestOf(image.config), image.config);
  const layers = image.layers.map((l) => blobUnit(digestOf(l), l));
  const manifest = manifestUnit(image.manifest, image.mediaType, { config, layers, listed: [] });
  return { blobs: [config, ...layers], manifest, tag: tagUnit(tag, manifest) };
}
