import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionError, resolveConnection } from '../../src/cli/connection.js';
import { Secret } from '../../src/model/secret.js';

const dir = mkdtempSync(join(tmpdir(), 'pulpform-conn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveConnection', () => {
  const server = { url: 'http://from-yaml:1', username: 'yaml-user', password: new Secret('yaml-pw', 'env:X') };

  test('flags win over the environment, which wins over the server block', () => {
    const env = { PULP_BASE_URL: 'http://from-env:2', PULP_USERNAME: 'env-user', PULP_PASSWORD: 'env-pw' };
    expect(resolveConnection({ server: 'http://from-flag:3/' }, env, server)).toMatchObject({
      url: 'http://from-flag:3',
      urlSource: '--server',
      username: 'env-user',
    });
    const fromEnv = resolveConnection({}, env, server);
    expect(fromEnv.url).toBe('http://from-env:2');
    expect(fromEnv.password?.reveal()).toBe('env-pw');
    expect(fromEnv.password?.source).toBe('env:PULP_PASSWORD');
    const fromYaml = resolveConnection({}, {}, server);
    expect(fromYaml).toMatchObject({ url: 'http://from-yaml:1', username: 'yaml-user' });
    expect(fromYaml.password?.reveal()).toBe('yaml-pw');
  });

  test('a password file is read without its trailing newline', () => {
    const file = join(dir, 'pw');
    writeFileSync(file, 's3cret\n');
    const conn = resolveConnection({ server: 'http://x', passwordFile: file }, {}, {});
    expect(conn.password?.reveal()).toBe('s3cret');
    expect(conn.username).toBe('admin');
  });

  test('refuses a missing server, a URL with credentials, and other schemes, without echoing the URL', () => {
    expect(() => resolveConnection({}, {}, {})).toThrow(ConnectionError);
    let error: unknown;
    try {
      resolveConnection({ server: 'http://admin:hunter2@pulp:80' }, {}, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConnectionError);
    expect(String((error as Error).message)).not.toContain('hunter2');
    expect(() => resolveConnection({ server: 'ftp://pulp' }, {}, {})).toThrow(/http or https/);
  });

  test('a missing password file is a clear error', () => {
    expect(() => resolveConnection({ server: 'http://x', passwordFile: join(dir, 'nope') }, {}, {})).toThrow(
      /cannot read the password file/,
    );
  });
});
