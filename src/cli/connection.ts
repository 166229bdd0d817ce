import { readFileSync } from 'node:fs';
import { Secret } from '../model/secret.js';
import type { ServerSettings } from '../model/resource.js';

/** How to reach the Pulp server, after every source of settings has been weighed. */
export interface Connection {
  url: string;
  username: string;
  password?: Secret;
  caCert?: string;
  insecure: boolean;
  /** Which source gave the URL, for messages: `--server`, `PULP_BASE_URL`, `server.url in desired-state/x.yaml`. */
  urlSource: string;
}

export interface ConnectionFlags {
  server?: string;
  username?: string;
  passwordFile?: string;
  caCert?: string;
  insecure?: boolean;
}

export class ConnectionError extends Error {
  constructor(message: string, readonly hint: string) {
    super(message);
    this.name = 'ConnectionError';
  }
}

/**
 * Precedence: command-line flags, then the environment (PULP_BASE_URL, PULP_USERNAME,
 * PULP_PASSWORD), then the desired state's `server:` block.
 */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv, server: ServerSettings = {}): Connection {
  const fromFlag = flags.server;
  const fromEnv = env.PULP_BASE_URL;
  const url = fromFlag ?? fromEnv ?? server.url;
  if (!url) {
    throw new ConnectionError(
      'no Pulp server given',
      'pass --server URL, set PULP_BASE_URL, or add server.url to the desired state (`pulpform emulator` runs a local one)',
    );
  }
  const urlSource = fromFlag ? '--server' : fromEnv ? 'PULP_BASE_URL' : server.source ? `server.url in ${server.source.file}:${server.source.line}` : 'server.url';
  const parsed = parseServerUrl(url, urlSource);

  let password: Secret | undefined;
  if (flags.passwordFile) {
    password = new Secret(readPasswordFile(flags.passwordFile), `file:${flags.passwordFile}`);
  } else if (env.PULP_PASSWORD !== undefined) {
    password = new Secret(env.PULP_PASSWORD, 'env:PULP_PASSWORD');
  } else {
    password = server.password;
  }

  return {
    url: parsed,
    username: flags.username ?? env.PULP_USERNAME ?? server.username ?? 'admin',
    password,
    caCert: flags.caCert ?? server.caCert,
    insecure: flags.insecure ?? server.insecure ?? false,
    urlSource,
  };
}

function parseServerUrl(url: string, source: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConnectionError(`the server URL from ${source} is not a URL`, 'give the base URL of the Pulp server, e.g. https://pulp.example.com');
  }
  if (parsed.username || parsed.password) {
    throw new ConnectionError(
      `the server URL from ${source} contains credentials`,
      'remove them from the URL and use --username with --password-file, or PULP_USERNAME/PULP_PASSWORD',
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConnectionError(`the server URL from ${source} must use http or https, not ${parsed.protocol}`, 'e.g. https://pulp.example.com');
  }
  // The API root is appended by the client; keep only scheme, host and any path prefix.
  return parsed.toString().replace(/\/+$/, '');
}

function readPasswordFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new ConnectionError(`cannot read the password file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, 'check the path given to --password-file');
  }
}
