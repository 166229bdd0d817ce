import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionError, resolveConnection } from '../../src/cli/connection.js';
import { ProfileError, pulpCliConfigFiles, readPulpCliProfile } from '../../src/cli/profile.js';
import { Secret } from '../../src/model/secret.js';

const home = mkdtempSync(join(tmpdir(), 'pulpform-profile-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const CLI_TOML = `[cli]
base_url = "http://seed:8080"
api_root = "/pulp/"
domain = "default"
headers = []
username = "operator"
password = "profile-s3cret"
verify_ssl = false
format = "json"

[cli-other]
base_url = "https://other.example.com"
username = "other-user"
password = "other-s3cret"
`;

/** A home directory holding ~/.config/pulp/cli.toml with `text`; returns its environment. */
function homeWith(name: string, text: string, file = 'cli.toml'): NodeJS.ProcessEnv {
  const dir = join(home, name);
  mkdirSync(join(dir, '.config', 'pulp'), { recursive: true });
  writeFileSync(join(dir, '.config', 'pulp', file), text);
  return { HOME: dir };
}

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('no error thrown');
}

describe('pulp-cli configuration files', () => {
  test('are looked for where pulp-cli looks: /etc/pulp, then XDG_CONFIG_HOME or ~/.config (settings.toml before cli.toml)', () => {
    expect(pulpCliConfigFiles({ HOME: '/home/me' }, 'linux')).toEqual([
      '/etc/pulp/cli.toml',
      '/home/me/.config/pulp/settings.toml',
      '/home/me/.config/pulp/cli.toml',
    ]);
    expect(pulpCliConfigFiles({ HOME: '/home/me', XDG_CONFIG_HOME: '/xdg' }, 'linux')).toEqual([
      '/etc/pulp/cli.toml',
      '/xdg/pulp/settings.toml',
      '/xdg/pulp/cli.toml',
    ]);
    expect(pulpCliConfigFiles({ HOME: '/Users/me' }, 'darwin')[2]).toBe('/Users/me/Library/Application Support/pulp/cli.toml');
    expect(pulpCliConfigFiles({}, 'linux')).toEqual(['/etc/pulp/cli.toml']);
  });

  test('later files override earlier ones key by key, and a named profile does not inherit [cli]', () => {
    const env = homeWith('merge', '[cli]\nusername = "from-cli-toml"\n');
    writeFileSync(
      join(env.HOME as string, '.config', 'pulp', 'settings.toml'),
      '[cli]\nbase_url = "http://old:80"\nusername = "from-settings"\n[cli-x]\nbase_url = "http://x"\n',
    );
    const files = pulpCliConfigFiles(env, 'linux');
    expect(readPulpCliProfile(undefined, files)).toMatchObject({ baseUrl: 'http://old:80', username: 'from-cli-toml' });
    const named = readPulpCliProfile('x', files);
    expect(named).toMatchObject({ name: 'x', baseUrl: 'http://x' });
    expect(named?.username).toBeUndefined();
  });

  test('a profile asked for by name must exist; the default one need not', () => {
    const env = homeWith('missing', CLI_TOML);
    expect(readPulpCliProfile(undefined, pulpCliConfigFiles({}, 'linux'))).toBeUndefined();
    const error = thrown(() => readPulpCliProfile('prod', pulpCliConfigFiles(env, 'linux')));
    expect(error).toBeInstanceOf(ProfileError);
    expect(error.message).toContain('pulp-cli profile "prod" not found: no [cli-prod] section in');
    expect((error as ProfileError).hint).toContain('pulp --profile prod config create');
  });

  test('settings pulpform cannot honour are refused with the fix, and a broken file names its line', () => {
    const cert = homeWith('cert', '[cli]\nbase_url = "https://pulp"\ncert = "/etc/pki/client.crt"\n');
    expect(thrown(() => readPulpCliProfile(undefined, pulpCliConfigFiles(cert, 'linux'))).message).toMatch(
      /\[cli\] in .*cli\.toml sets cert, which pulpform does not support/,
    );
    const root = homeWith('root', '[cli]\nbase_url = "https://pulp"\napi_root = "/custom/"\n');
    expect((thrown(() => readPulpCliProfile(undefined, pulpCliConfigFiles(root, 'linux'))) as ProfileError).hint).toContain(
      '/pulp/api/v3/',
    );
    const broken = homeWith('broken', '[cli]\npassword = hunter2\n');
    const error = thrown(() => readPulpCliProfile(undefined, pulpCliConfigFiles(broken, 'linux')));
    expect(error.message).toMatch(/cli\.toml:2:12 is not valid TOML/);
    expect(error.message).not.toContain('hunter2');
    const typed = homeWith('typed', '[cli]\npassword = 12345\n');
    expect(thrown(() => readPulpCliProfile(undefined, pulpCliConfigFiles(typed, 'linux'))).message).not.toContain('12345');
  });
});

describe('resolveConnection with a pulp-cli profile: flags, then environment, then server block, then profile', () => {
  const env = homeWith('precedence', CLI_TOML);

  test('the default [cli] profile alone gives server, user, password and verify_ssl', () => {
    const connection = resolveConnection({}, env, {});
    expect(connection).toMatchObject({ url: 'http://seed:8080', username: 'operator', insecure: true });
    expect(connection.urlSource).toMatch(/^base_url of \[cli\] in .*\.config\/pulp\/cli\.toml$/);
    expect(connection.password).toBeInstanceOf(Secret);
    expect(connection.password?.reveal()).toBe('profile-s3cret');
    expect(JSON.stringify(connection)).not.toContain('profile-s3cret');
  });

  test('each setting comes from the first source that has it', () => {
    const server = { url: 'http://seed:8080/', username: 'yaml-user' };
    expect(resolveConnection({}, env, server)).toMatchObject({ username: 'yaml-user', insecure: true });
    expect(resolveConnection({}, env, server).password?.reveal()).toBe('profile-s3cret');
    const withEnv = resolveConnection({}, { ...env, PULP_USERNAME: 'env-user', PULP_PASSWORD: 'env-pw' }, server);
    expect(withEnv.username).toBe('env-user');
    expect(withEnv.password?.reveal()).toBe('env-pw');
    const withFlags = resolveConnection({ server: 'http://seed:8080', username: 'flag-user', insecure: false }, env, server);
    expect(withFlags).toMatchObject({ urlSource: '--server', username: 'flag-user', insecure: false });
  });

  test("the profile's credentials never go to a server another source chose", () => {
    const elsewhere = resolveConnection({}, { ...env, PULP_BASE_URL: 'http://elsewhere:24817' }, {});
    expect(elsewhere).toMatchObject({ url: 'http://elsewhere:24817', username: 'admin', insecure: false });
    expect(elsewhere.password).toBeUndefined();
  });

  test('--profile and PULP_CLI_PROFILE select [cli-NAME]; one that conflicts with the chosen server is an error', () => {
    expect(resolveConnection({ profile: 'other' }, env, {})).toMatchObject({
      url: 'https://other.example.com',
      username: 'other-user',
      insecure: false,
    });
    expect(resolveConnection({}, { ...env, PULP_CLI_PROFILE: 'other' }, {}).password?.reveal()).toBe('other-s3cret');
    const error = thrown(() => resolveConnection({ profile: 'other', server: 'http://seed:8080' }, env, {}));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(/\[cli-other\] in .* is for https:\/\/other\.example\.com, but --server says http:\/\/seed:8080/);
    expect((error as ConnectionError).hint).toContain('drop --profile');
    expect(JSON.stringify(error)).not.toContain('s3cret');
  });

  test('without any source, the error names the profile as one more way', () => {
    const error = thrown(() => resolveConnection({}, {}, {}));
    expect((error as ConnectionError).hint).toContain('--profile');
  });
});
