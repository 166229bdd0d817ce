import { describe, expect, test } from '@jest/globals';
import type { LoadResult } from '../../src/config/index.js';
import { loadInline } from './helpers.js';

// Files are parsed one top-level key and one list item at a time (the syntax tree of a whole
// 1.6 MB file takes ten times the memory of its data). A key with an anchor at the end
// of the file makes the loader parse it whole, lines unchanged: both must give the same result.

const PARSE_WHOLE = 'x-parse-whole: &anchor 1\n';

function remotes(count: number, edit: (i: number, lines: string[]) => void = () => undefined): string {
  const out = ['# a large desired state', 'stack: large', 'remotes:'];
  for (let i = 0; i < count; i++) {
    const lines = [
      `  - name: remote-${i}`,
      '    type: rpm',
      `    url: https://ark.example.com/pulp/content/rocky/9/r${i}/`,
      '    policy: on_demand',
      '    username: ark',
      '    password: ${env:ARK_PASSWORD}',
    ];
    edit(i, lines);
    out.push(...lines);
  }
  out.push('distributions:', '  # none yet', '  []');
  return `${out.join('\n')}\n`;
}

async function both(text: string): Promise<{ pieces: LoadResult; whole: LoadResult }> {
  const env = { ARK_PASSWORD: 'secret' };
  const pieces = await loadInline({ 'state.yaml': text }, { env });
  const whole = await loadInline({ 'state.yaml': `${text}${PARSE_WHOLE}` }, { env });
  await Promise.all([pieces.cleanup(), whole.cleanup()]);
  return { pieces: pieces.result, whole: whole.result };
}

describe('a large desired state, parsed in pieces', () => {
  test('gives the resources, sources and locations of a whole parse', async () => {
    const text = remotes(600);
    expect(text.length).toBeGreaterThan(64 * 1024);
    const { pieces, whole } = await both(text);
    expect(pieces.diagnostics).toEqual([]);
    expect(pieces.state!.resources).toHaveLength(600);
    expect(pieces.state!.resources).toEqual(whole.state!.resources);
    expect(pieces.state!.resources[599]!.source).toEqual({ file: 'state.yaml', line: 3 + 599 * 6 + 1, column: 5 });
    expect(pieces.sources.get('state.yaml')).toEqual(whole.sources.get('state.yaml')!.slice(0, -2).concat(['']));
  });

  test('points a problem deep inside an item at the same line and column', async () => {
    const text = remotes(600, (i, lines) => {
      if (i === 417) lines[3] = '    policy: sometimes';
      if (i === 500) lines.push('    headers:', '      - X-Token: 1', '        extra: [a, b]');
    });
    const { pieces, whole } = await both(text);
    expect(pieces.state).toBeUndefined();
    expect(pieces.diagnostics.length).toBeGreaterThan(0);
    expect(pieces.diagnostics).toEqual(whole.diagnostics);
    expect(pieces.diagnostics.find((d) => d.path === 'remotes[417].policy')?.source).toEqual({
      file: 'state.yaml',
      line: 3 + 417 * 6 + 4,
      column: 13,
    });
  });

  test('masks a literal secret and URL credentials in the lines kept for snippets', async () => {
    const text = remotes(600, (i, lines) => {
      if (i === 300) lines[5] = '    password: hunter2-literal';
      if (i === 301) lines[2] = '    url: https://user:pw@ark.example.com/r301/';
    });
    const { pieces } = await both(text);
    const lines = pieces.sources.get('state.yaml')!;
    expect(lines.join('\n')).not.toContain('hunter2-literal');
    expect(lines.join('\n')).not.toContain('user:pw@');
    expect(lines[3 + 300 * 6 + 5]).toBe('    password: (sensitive)');
  });

  test('a top-level key written twice is reported, as in a whole parse', async () => {
    const { pieces } = await both(`${remotes(600)}stack: again\n`);
    expect(pieces.diagnostics.map((d) => d.code)).toContain('config.duplicate_key');
  });

  test('anchors and merge keys across items still work (the file is parsed whole)', async () => {
    const text = `x-rpm: &rpm\n  type: rpm\n  policy: on_demand\n${remotes(600).replace('  - name: remote-7\n    type: rpm\n', '  - <<: *rpm\n    name: remote-7\n')}`;
    const { pieces } = await both(text);
    expect(pieces.diagnostics).toEqual([]);
    expect(pieces.state!.resources.find((r) => r.name === 'remote-7')).toMatchObject({ plugin: 'rpm', fields: { policy: 'on_demand' } });
  });
});
