import { describe, expect, test } from '@jest/globals';
import { renderDiagnostics } from '../../src/render/diagnostics.js';
import { diagnosticLine } from '../../src/render/json-lines.js';
import { loadInline } from './helpers.js';

// Every way a secret can be written, next to mistakes that make pulpform print diagnostics about those very lines.
const SECRETS = [
  'hunter2-inline',
  'env-s3cret',
  'file-s3cret',
  'url-s3cret',
  'proxy-s3cret',
  'MIIkeyMaterial',
  'server-s3cret',
  'typo-s3cret',
  '424242',
];

const FILES = {
  'remotes.yaml': [
    'remotes:',
    '  - name: inline',
    '    type: rpm',
    '    url: https://ark.example.com/el9',
    '    password: hunter2-inline',
    '    username: ${env:ARK_USERNAME}',
    '    proxy_url: http://proxy:proxy-s3cret@proxy.example.com:3128',
    '  - name: from-file',
    '    type: rpm',
    '    url: https://user:url-s3cret@ark.example.com/el9',
    '    password: ${file:ark-password}',
    '    passwrd: typo-s3cret',
    '    client_key: |',
    '      -----BEGIN PRIVATE KEY-----',
    '      MIIkeyMaterial',
    '      -----END PRIVATE KEY-----',
    '  - name: wrong-types',
    '    type: rpm',
    '    url: https://ark.example.com/el9',
    '    password: 424242',
    '    proxy_password: [hunter2-inline]',
    '    polcy: on_demand',
    '',
  ].join('\n'),
  'server.yaml': 'server:\n  url: http://admin:server-s3cret@127.0.0.1:24817\n  password: server-s3cret\n',
  'ark-password': 'file-s3cret\n',
  'broken.yaml': 'remotes:\n  - name: broken\n    password: hunter2-inline\n    url: "unclosed\n',
};

function leaks(text: string): string[] {
  return SECRETS.filter((secret) => text.includes(secret));
}

describe('secrets never appear in diagnostics', () => {
  test('not in rendered text (with and without colour), the JSON report, or the snippet sources', async () => {
    const { result, cleanup } = await loadInline(FILES, { env: { ARK_USERNAME: 'env-s3cret' } });
    try {
      expect(result.state).toBeUndefined();
      const codes = result.diagnostics.map((d) => d.code);
      expect(codes).toEqual(
        expect.arrayContaining([
          'config.inline_secret',
          'config.url_credentials',
          'config.unknown_field',
          'config.invalid_type',
          'config.yaml_syntax',
        ]),
      );
      const text = renderDiagnostics(result.diagnostics, { color: false, sources: result.sources });
      const colored = renderDiagnostics(result.diagnostics, { color: true, sources: result.sources });
      const json = JSON.stringify(result.diagnostics.map(diagnosticLine));
      const sources = [...result.sources.values()].flat().join('\n');
      expect(leaks(text)).toEqual([]);
      expect(leaks(colored)).toEqual([]);
      expect(leaks(json)).toEqual([]);
      expect(leaks(sources)).toEqual([]);
      // The snippets are still there, masked, so the user sees which line is meant.
      expect(text).toContain('5:     password: (sensitive)');
      expect(text).toContain('10:     url: https://(sensitive)@ark.example.com/el9');
      expect(text).toContain('20:     password: (sensitive)');
      expect(text).toContain('Value: (sensitive)');
      expect(result.sources.get('remotes.yaml')?.slice(12, 16)).toEqual(['    client_key: (sensitive)', '      ', '      ', '      ']);
    } finally {
      await cleanup();
    }
  });

  test('a loaded state serialises its secrets as masks with their sources', async () => {
    const { result, cleanup } = await loadInline(
      {
        'a.yaml': 'remotes:\n  - name: r\n    type: file\n    url: https://h/x\n    username: ${env:U}\n    password: ${file:pw}\n',
        pw: 'file-s3cret\n',
      },
      { env: { U: 'env-s3cret' } },
    );
    try {
      expect(result.state).toBeDefined();
      const serialised = JSON.stringify(result);
      expect(leaks(serialised)).toEqual([]);
      expect(serialised).toContain('"username":{"sensitive":true,"source":"env:U"}');
      expect(result.state?.resources[0]?.secrets.password?.reveal()).toBe('file-s3cret');
    } finally {
      await cleanup();
    }
  });
});
