import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiDocument } from './api-doc.js';
import { type ContentBackend, contentBackend } from './backend.js';
import { type FaultOptions, FaultPlan } from './faults.js';
import { Pulp } from './pulp.js';
import { DEFAULT_PULP_VERSION, type PulpVersion, pulpProfile } from './profiles.js';
import { HttpLayer, type RequestRecord, requestCounts } from './server.js';

export type { ContentBackend } from './backend.js';
export type { FaultOptions } from './faults.js';
export { parseFaultSpec } from './faults.js';
export type { RequestRecord } from './server.js';
export { DEFAULT_PULP_VERSION, NEWEST_PULP_VERSION, PULP_VERSIONS, type PulpVersion, profileVersionOf } from './profiles.js';

export interface EmulatorOptions {
  /** The Pulp version to speak (see profiles.ts); default DEFAULT_PULP_VERSION. */
  pulpVersion?: PulpVersion;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Basic-auth credentials the API accepts; default admin / password. */
  username?: string;
  password?: string;
  /** Added to every API request before it is handled. */
  latencyMs?: number;
  /** How long a task stays running before its work is applied; default 10. */
  taskMs?: number;
  faults?: FaultOptions;
  /** The CONTENT_ORIGIN shown in distributions' base_url; default the emulator's own origin. */
  contentOrigin?: string;
  /** The content side of sync and registry push; default the real one. Tests may give a stand-in upstream. */
  content?: ContentBackend;
  /**
   * Serve content (/pulp/content/) and the registry to the API's users only, as Ark serves its
   * subscribers: Basic credentials on content, no anonymous registry tokens. Default false.
   */
  protectContent?: boolean;
}

export interface Emulator {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  /** The Pulp version it speaks. */
  readonly pulpVersion: PulpVersion;
  /** The in-memory server behind the HTTP API, for tests that seed or inspect state directly. */
  readonly pulp: Pulp;
  requests(): RequestRecord[];
  requestCounts(): { byMethod: Record<string, number>; byPath: Record<string, number> };
  resetRequests(): void;
  /** Replaces the fault knobs from now on; no argument turns fault injection off. */
  setFaults(faults?: FaultOptions): void;
  close(): Promise<void>;
}

/** Starts an emulated Pulp server (pulpcore with rpm, container, deb and file, of the profile's versions) on 127.0.0.1. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const profile = pulpProfile(options.pulpVersion ?? DEFAULT_PULP_VERSION);
  const doc = ApiDocument.load(profile.apiDocument);
  const host = options.host ?? '127.0.0.1';
  const faults = new FaultPlan(options.faults);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const pulp = new Pulp(doc, profile, {
    contentOrigin: options.contentOrigin ?? url,
    taskMs: options.taskMs ?? 10,
    content: options.content ?? contentBackend,
    injectTaskFailure: () => faults.nextTaskFails(),
  });
  const http = new HttpLayer(doc, profile, pulp, {
    username: options.username ?? 'admin',
    password: options.password ?? 'password',
    latencyMs: options.latencyMs ?? 0,
    faults,
    protectContent: options.protectContent ?? false,
  });
  server.on('request', (req, res) => void http.handle(req, res));
  return {
    url,
    pulpVersion: profile.version,
    pulp,
    requests: () => http.log.map((r) => ({ ...r })),
    requestCounts: () => requestCounts(http.log),
    resetRequests: () => {
      http.log.length = 0;
    },
    setFaults: (options) => faults.configure(options ?? {}),
    close: async () => {
      pulp.close();
      http.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
