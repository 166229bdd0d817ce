import { describe, expect, test } from '@jest/globals';
import { MAX_FILE_BYTES } from '../../src/config/files.js';
import { loadInline } from './helpers.js';

async function codesFor(files: Record<string, string>): Promise<string[]> {
  const { result, cleanup } = await loadInline(files);
  try {
    expect(result.state).toBeUndefined();
    return result.diagnostics.map((d) => d.code);
  } finally {
    await cleanup();
  }
}

describe('hostile inputs end in errors, not hangs or crashes', () => {
  test('an alias bomb ("billion laughs") is refused', async () => {
    let bomb = 'lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
    for (let i = 1; i < 12; i++) bomb += `lol${i}: &lol${i} [${Array.from({ length: 9 }, () => `*lol${i - 1}`).join(', ')}]\n`;
    const { result, cleanup } = await loadInline({ 'bomb.yaml': `${bomb}remotes: *lol11\n` });
    try {
      expect(result.diagnostics).toEqual([
        expect.objectContaining({ code: 'config.yaml_aliases', severity: 'error', source: { file: 'bomb.yaml', line: 2, column: 14 } }),
      ]);
    } finally {
      await cleanup();
    }
  });

  test('1000 levels of flow nesting are refused', async () => {
    expect(await codesFor({ 'deep.yaml': `remotes: ${'['.repeat(1000)}${']'.repeat(1000)}\n` })).toEqual(['config.too_deep']);
  });

  test('1000 levels of block nesting are refused', async () => {
    const lines = Array.from({ length: 1000 }, (_, depth) => `${'  '.repeat(depth)}k${depth}:`);
    expect(await codesFor({ 'deep.yaml': `${lines.join('\n')} x\n` })).toEqual(['config.too_deep']);
  });

  test('100000 levels of flow nesting are refused too', async () => {
    expect(await codesFor({ 'deep.yaml': `remotes: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n` })).toEqual(['config.too_deep']);
  });

  test('200000 compact nested sequences ("- - - ...") are refused at their line', async () => {
    const { result, cleanup } = await loadInline({ 'deep.yaml': `remotes:\n${'- '.repeat(200_000)}x\n` });
    try {
      expect(result.diagnostics).toEqual([
        expect.objectContaining({ code: 'config.too_deep', source: { file: 'deep.yaml', line: 2, column: 65 } }),
      ]);
    } finally {
      await cleanup();
    }
  });

  test('nesting just within what the parser handles is still refused, exactly', async () => {
    // Inline maps after dashes are not counted by the text estimate; the parsed document is checked too.
    const lines = Array.from({ length: 30 }, (_, depth) => `${'  '.repeat(depth)}- k${depth}:`);
    expect(await codesFor({ 'deep.yaml': `${lines.join('\n')} x\n` })).toEqual(['config.too_deep']);
  });

  test('a 5 MB file is refused before it is parsed', async () => {
    const line = '# padding padding padding padding padding padding padding padding padding\n';
    const huge = line.repeat(Math.ceil((5 * 1024 * 1024) / line.length));
    expect(huge.length).toBeGreaterThan(MAX_FILE_BYTES);
    expect(await codesFor({ 'huge.yaml': huge })).toEqual(['config.file_too_large']);
  });

  test('a secret "file" that is a device is refused without reading it', async () => {
    expect(
      await codesFor({ 'a.yaml': 'remotes:\n  - name: r\n    type: file\n    url: https://h/x\n    password: ${file:/dev/zero}\n' }),
    ).toEqual(['config.file_unreadable']);
  });

  test('binary garbage is an encoding error', async () => {
    const { result, cleanup } = await loadInline({ 'a.yaml': Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3, 0x28]) as unknown as string });
    try {
      expect(result.diagnostics.map((d) => d.code)).toEqual(['config.file_encoding']);
    } finally {
      await cleanup();
    }
  });

  test('keys that look like object internals are ordinary unknown fields', async () => {
    const codes = await codesFor({
      'a.yaml': 'remotes:\n  - name: r\n    type: file\n    url: https://h/x\n    __proto__: {polluted: true}\n    constructor: x\n',
    });
    expect(codes).toEqual(['config.unknown_field', 'config.unknown_field']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
