import { describe, expect, test } from '@jest/globals';
import { parseToml, TomlSyntaxError } from '../../src/cli/toml.js';

// What `pulp config create --base-url http://seed:8080 --username admin --password ...` writes
// (tomli_w over pulp-cli's options, None values dropped), with a second profile edited by hand.
const CREATED = `[cli]
base_url = "http://seed:8080"
api_root = "/pulp/"
domain = "default"
headers = []
username = "admin"
password = "p\\u00e4ss \\"quoted\\" \\\\ back"
verify_ssl = true
format = "json"
dry_run = false
timeout = 0
verbose = 0
api_version = "v3"

# the staging server, added by hand
["cli-staging"]   # quoted table name
base_url = 'https://staging.example.com'   # literal string
'verify_ssl' = false
plugins = [
    "core",   # comment inside an array
    'rpm',
]
chunk_size = 1_000_000
ratio = 1.5e3
`;

function failure(text: string): TomlSyntaxError {
  try {
    parseToml(text);
  } catch (error) {
    if (error instanceof TomlSyntaxError) return error;
    throw error;
  }
  throw new Error('parsed without error');
}

describe('parseToml (the subset pulp-cli config files use)', () => {
  test('reads what pulp config create writes and what people add by hand', () => {
    expect(parseToml(CREATED)).toEqual({
      cli: {
        base_url: 'http://seed:8080',
        api_root: '/pulp/',
        domain: 'default',
        headers: [],
        username: 'admin',
        password: 'päss "quoted" \\ back',
        verify_ssl: true,
        format: 'json',
        dry_run: false,
        timeout: 0,
        verbose: 0,
        api_version: 'v3',
      },
      'cli-staging': {
        base_url: 'https://staging.example.com',
        verify_ssl: false,
        plugins: ['core', 'rpm'],
        chunk_size: 1000000,
        ratio: 1500,
      },
    });
  });

  test('accepts CRLF line ends, a byte-order mark, an empty file and hex integers', () => {
    expect(parseToml('\uFEFF[cli]\r\nbase_url = "http://a"\r\ntimeout = 0x10\r\n')).toEqual({ cli: { base_url: 'http://a', timeout: 16 } });
    expect(parseToml('')).toEqual({});
    expect(parseToml('# only a comment\n')).toEqual({});
  });

  test.each([
    { title: 'an unquoted string', text: '[cli]\npassword = hunter2\n', line: 2, column: 12, reason: 'double quotes' },
    { title: 'an unclosed string', text: '[cli]\nbase_url = "http://a\n', line: 2, column: 12, reason: 'not closed' },
    { title: 'a key set twice', text: '[cli]\nusername = "a"\nusername = "b"\n', line: 3, column: 1, reason: 'set twice' },
    { title: 'a table defined twice', text: '[cli]\n[cli]\n', line: 2, column: 1, reason: 'defined twice' },
    { title: 'a dotted key', text: '[cli]\na.b = 1\n', line: 2, column: 2, reason: 'dotted keys' },
    { title: 'an inline table', text: '[cli]\na = { b = 1 }\n', line: 2, column: 5, reason: 'inline tables' },
    { title: 'an array of tables', text: '[[cli]]\n', line: 1, column: 1, reason: 'arrays of tables' },
    { title: 'a multi-line string', text: '[cli]\na = """x"""\n', line: 2, column: 5, reason: 'multi-line strings' },
    { title: 'two values on a line', text: '[cli]\na = 1 b = 2\n', line: 2, column: 7, reason: 'one key = value per line' },
    { title: 'a missing =', text: '[cli]\nbase_url "x"\n', line: 2, column: 10, reason: 'expected "="' },
    { title: 'an unclosed array', text: '[cli]\nplugins = ["a" "b"]\n', line: 2, column: 16, reason: 'expected "," or "]"' },
    { title: 'a bad escape', text: '[cli]\npath = "C:\\qemu"\n', line: 2, column: 11, reason: 'invalid escape' },
    { title: 'a date', text: '[cli]\nwhen = 2024-01-01\n', line: 2, column: 8, reason: 'dates' },
  ])('refuses $title with its line and column, never echoing the value', ({ text, line, column, reason }) => {
    const error = failure(text);
    expect([error.line, error.column]).toEqual([line, column]);
    expect(error.reason).toContain(reason);
    expect(error.message).not.toContain('hunter2');
  });
});
