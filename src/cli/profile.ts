import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret } from '../model/secret.js';
import { parseToml, TomlSyntaxError, type TomlValue } from './toml.js';
import { PulpformError } from '../model/errors.js';

/**
 * pulp-cli's connection settings (`pulp config create` writes them), so that operators who
 * already use pulp-cli set nothing twice. pulp-cli reads `[cli]`, or `[cli-NAME]` for
 * `--profile NAME` / PULP_CLI_PROFILE, from /etc/pulp/cli.toml and then its user directory
 * (`$XDG_CONFIG_HOME/pulp` or `~/.config/pulp`; settings.toml, then cli.toml), later files
 * overriding earlier ones key by key. A profile stands alone: `[cli-NAME]` does not inherit `[cli]`.
 */
export interface PulpCliProfile {
  /** `[cli-seed] in /home/me/.config/pulp/cli.toml`, for messages. */
  label: string;
  /** The name given to --profile / PULP_CLI_PROFILE; absent for the default `[cli]`. */
  name?: string;
  baseUrl?: string;
  username?: string;
  password?: Secret;
  verifySsl?: boolean;
}

export class ProfileError extends PulpformError {
  constructor(
    message: string,
    override readonly hint: string,
  ) {
    super(message);
    this.name = 'ProfileError';
  }

  get code(): string {
    return 'connection';
  }
}

/** Settings that change how pulp-cli connects and that pulpform cannot honour: refused rather than ignored. */
const UNSUPPORTED: Record<string, { ignorable: (value: TomlValue) => boolean; hint: string }> = {
  cert: {
    ignorable: () => false,
    hint: 'pulpform authenticates with a username and password; set username and password in the profile (or PULP_USERNAME / PULP_PASSWORD)',
  },
  key: {
    ignorable: () => false,
    hint: 'pulpform authenticates with a username and password; set username and password in the profile (or PULP_USERNAME / PULP_PASSWORD)',
  },
  client_id: {
    ignorable: () => false,
    hint: 'pulpform does not do OAuth2; set username and password in the profile (or PULP_USERNAME / PULP_PASSWORD)',
  },
  client_secret: {
    ignorable: () => false,
    hint: 'pulpform does not do OAuth2; set username and password in the profile (or PULP_USERNAME / PULP_PASSWORD)',
  },
  api_root: {
    ignorable: (value) => value === '/pulp/',
    hint: 'pulpform talks to the API at /pulp/api/v3/; remove api_root or set it to "/pulp/"',
  },
  domain: {
    ignorable: (value) => value === 'default',
    hint: 'pulpform manages the default domain only; remove domain or set it to "default"',
  },
  headers: {
    ignorable: (value) => Array.isArray(value) && value.length === 0,
    hint: 'pulpform sends no custom headers; remove them from the profile',
  },
};

/** pulp-cli's configuration files, lowest precedence first (click's app directory on each platform). */
export function pulpCliConfigFiles(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string[] {
  const files = ['/etc/pulp/cli.toml'];
  let dir: string | undefined;
  if (platform === 'win32') dir = env.APPDATA ?? env.LOCALAPPDATA;
  else if (platform === 'darwin') dir = env.HOME !== undefined ? join(env.HOME, 'Library', 'Application Support') : undefined;
  else dir = env.XDG_CONFIG_HOME ?? (env.HOME !== undefined ? join(env.HOME, '.config') : undefined);
  if (dir !== undefined) files.push(join(dir, 'pulp', 'settings.toml'), join(dir, 'pulp', 'cli.toml'));
  return files;
}

/**
 * The profile `name` (or `[cli]` when undefined) from `files`. Undefined when no file has that
 * section and none was asked for by name; a profile asked for by name must exist.
 */
export function readPulpCliProfile(name: string | undefined, files: readonly string[]): PulpCliProfile | undefined {
  const section = name === undefined ? 'cli' : `cli-${name}`;
  const settings: Record<string, TomlValue> = {};
  const read: string[] = [];
  let from: string | undefined;
  for (const file of files) {
    const tables = readConfigFile(file);
    if (tables === undefined) continue;
    read.push(file);
    const table = tables[section];
    if (table === undefined) continue;
    if (typeof table !== 'object' || Array.isArray(table)) {
      throw new ProfileError(
        `${file}: "${section}" must be a table ([${section}])`,
        `write the profile's settings under a [${section}] line`,
      );
    }
    Object.assign(settings, table);
    from = file;
  }
  if (from === undefined) {
    if (name === undefined) return undefined;
    throw new ProfileError(
      `pulp-cli profile "${name}" not found: no [${section}] section in ${read.length > 0 ? read.join(', ') : `any of ${files.join(', ')} (none exists)`}`,
      `create it with \`pulp --profile ${name} config create --base-url URL --username USER --password ...\`, or check the name given to --profile / PULP_CLI_PROFILE`,
    );
  }
  return profileOf(settings, `[${section}] in ${from}`, name);
}

function readConfigFile(file: string): Record<string, TomlValue | Record<string, TomlValue>> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    // pulp-cli skips files it cannot read, too.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'ENOTDIR') return undefined;
    throw new ProfileError(`cannot read the pulp-cli configuration ${file}: ${code ?? 'error'}`, 'check the file, or move it away');
  }
  try {
    return parseToml(text);
  } catch (error) {
    if (!(error instanceof TomlSyntaxError)) throw error;
    throw new ProfileError(
      `the pulp-cli configuration ${file}:${error.line}:${error.column} is not valid TOML: ${error.reason}`,
      `correct it (\`pulp config validate --location ${file}\` checks it too)`,
    );
  }
}

function profileOf(settings: Record<string, TomlValue>, label: string, name: string | undefined): PulpCliProfile {
  const text = (key: string): string | undefined => {
    const value = settings[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string')
      throw new ProfileError(`${key} of ${label} must be a string`, `write it in double quotes: ${key} = "..."`);
    return value;
  };
  for (const [key, { ignorable, hint }] of Object.entries(UNSUPPORTED)) {
    const value = settings[key];
    if (value !== undefined && !ignorable(value)) throw new ProfileError(`${label} sets ${key}, which pulpform does not support`, hint);
  }
  const verifySsl = settings.verify_ssl;
  if (verifySsl !== undefined && typeof verifySsl !== 'boolean')
    throw new ProfileError(`verify_ssl of ${label} must be true or false`, 'write verify_ssl = true (or false, not recommended)');
  const password = text('password');
  const profile: PulpCliProfile = { label };
  if (name !== undefined) profile.name = name;
  const baseUrl = text('base_url');
  if (baseUrl !== undefined) profile.baseUrl = baseUrl;
  const username = text('username');
  if (username !== undefined) profile.username = username;
  if (password !== undefined) profile.password = new Secret(password, `pulp-cli:${label}`);
  if (verifySsl !== undefined) profile.verifySsl = verifySsl;
  return profile;
}
