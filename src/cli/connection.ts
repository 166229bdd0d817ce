import { readFileSync } from 'node:fs';
import type { Connection } from '../engine.js';
import { Secret } from '../model/secret.js';
import type { ServerSettings } from '../model/resource.js';
import { pulpCliConfigFiles, type PulpCliProfile, readPulpCliProfile } from './profile.js';
import { PulpformError } from '../model/errors.js';

export interface ConnectionFlags {
  server?: string;
  username?: string;
  passwordFile?: string;
  caCert?: string;
  insecure?: boolean;
  /** pulp-cli profile name: `[cli-NAME]` of its cli.toml. */
  profile?: string;
}

export class ConnectionError extends PulpformError {
  constructor(
    message: string,
    override readonly hint: string,
  ) {
    super(message);
    this.name = 'ConnectionError';
  }

  get code(): string {
    return 'connection';
  }
}

/** No source names a server: commands that can work without one (client-config --content-url) catch this. */
export class NoServerError extends ConnectionError {}

/**
 * Each setting from the first source that has it: command-line flags, then the environment
 * (PULP_BASE_URL, PULP_USERNAME, PULP_PASSWORD), then the desired state's `server:` block, then
 * the pulp-cli profile (--profile NAME or PULP_CLI_PROFILE, else pulp-cli's default [cli]).
 * The profile's credentials and verify_ssl are used only for the profile's own server: they are
 * never sent to a server another source chose.
 */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv, server: ServerSettings = {}): Connection {
  const profileName = flags.profile ?? env.PULP_CLI_PROFILE;
  const profile = readPulpCliProfile(profileName, pulpCliConfigFiles(env));
  if (profileName !== undefined && profile?.baseUrl === undefined) {
    throw new ConnectionError(
      `${profile?.label ?? 'the pulp-cli profile'} has no base_url`,
      `add base_url = "https://pulp.example.com" to it (pulp --profile ${profileName} config edit)`,
    );
  }
  const fromFlag = flags.server;
  const fromEnv = env.PULP_BASE_URL;
  const url = fromFlag ?? fromEnv ?? server.url ?? profile?.baseUrl;
  if (!url) {
    throw new NoServerError(
      'no Pulp server given',
      'pass --server URL, set PULP_BASE_URL, add server.url to the desired state, or select a pulp-cli profile with --profile (`pulpform emulator` runs a local one)',
    );
  }
  const urlSource = fromFlag
    ? '--server'
    : fromEnv
      ? 'PULP_BASE_URL'
      : server.url
        ? server.source
          ? `server.url in ${server.source.file}:${server.source.line}`
          : 'server.url'
        : `base_url of ${profile?.label}`;
  const parsed = parseServerUrl(url, urlSource);
  const applies = profile?.baseUrl !== undefined && parseServerUrl(profile.baseUrl, `base_url of ${profile.label}`) === parsed;
  if (profile !== undefined && profileName !== undefined && !applies) {
    throw new ConnectionError(
      `${profile.label} is for ${profile.baseUrl}, but ${urlSource} says ${parsed}`,
      `drop ${flags.profile !== undefined ? '--profile' : 'PULP_CLI_PROFILE'} to use ${parsed} without it, or drop ${urlSource} to use the profile's server`,
    );
  }
  const fromProfile: Partial<PulpCliProfile> = applies ? profile : {};

  let password: Secret | undefined;
  if (flags.passwordFile) {
    password = new Secret(readPasswordFile(flags.passwordFile), `file:${flags.passwordFile}`);
  } else if (env.PULP_PASSWORD !== undefined) {
    password = new Secret(env.PULP_PASSWORD, 'env:PULP_PASSWORD');
  } else {
    password = server.password ?? fromProfile.password;
  }

  return {
    url: parsed,
    username: flags.username ?? env.PULP_USERNAME ?? server.username ?? fromProfile.username ?? 'admin',
    password,
    caCert: flags.caCert ?? server.caCert,
    insecure: flags.insecure ?? server.insecure ?? (fromProfile.verifySsl === undefined ? false : !fromProfile.verifySsl),
    urlSource,
  };
}

function parseServerUrl(url: string, source: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConnectionError(
      `the server URL from ${source} is not a URL`,
      'give the base URL of the Pulp server, e.g. https://pulp.example.com',
    );
  }
  if (parsed.username || parsed.password) {
    throw new ConnectionError(
      `the server URL from ${source} contains credentials`,
      'remove them from the URL and use --username with --password-file, or PULP_USERNAME/PULP_PASSWORD',
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConnectionError(
      `the server URL from ${source} must use http or https, not ${parsed.protocol}`,
      'e.g. https://pulp.example.com',
    );
  }
  // The API root is appended by the client; keep only scheme, host and any path prefix.
  return parsed.toString().replace(/\/+$/, '');
}

function readPasswordFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new ConnectionError(
      `cannot read the password file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      'check the path given to --password-file',
    );
  }
}
