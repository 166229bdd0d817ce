import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  containerRepository,
  handleContentRequest,
  handleRegistryRequest,
  publish,
  type PublishedFiles,
  type RegistryRepository,
  rpmRepository,
} from '../src/emulator/content/index.js';

export interface Upstream {
  /** `http://127.0.0.1:<port>`: RPM snapshots under `/pulp/content/`, the registry under `/v2/`. */
  url: string;
  close(): Promise<void>;
}

const SNAPSHOT = /\/(\d{8})T(\d{6})$/;

/**
 * A tiny Ark on 127.0.0.1: every `<path>/<YYYYmmddTHHMMSS>` is a yum repository of one package
 * whose version is the stamp (so a new pin brings new content), and every registry name is an
 * image with one tag. Content is made once per stamp and per name.
 */
export async function startUpstream(): Promise<Upstream> {
  const snapshots = new Map<string, PublishedFiles>();
  const images = new Map<string, RegistryRepository>();
  const snapshotFiles = (basePath: string): PublishedFiles | null => {
    const match = SNAPSHOT.exec(basePath);
    if (!match) return null;
    const stamp = `${match[1]}T${match[2]}`;
    let files = snapshots.get(stamp);
    if (!files) {
      files = publish({ plugin: 'rpm' }, rpmRepository([{ name: 'bench-tools', version: match[1], release: match[2] }]));
      snapshots.set(stamp, files);
    }
    return files;
  };
  const image = (name: string): RegistryRepository => {
    let repository = images.get(name);
    if (!repository) {
      repository = { units: containerRepository({ '2024.1-rocky-9': name }) };
      images.set(name, repository);
    }
    return repository;
  };
  const server = createServer((req, res) => {
    void (async () => {
      if (await handleContentRequest(req, res, { distribution: snapshotFiles })) return;
      if (await handleRegistryRequest(req, res, { repository: image, checkCredentials: () => true })) return;
      res.writeHead(404).end();
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
