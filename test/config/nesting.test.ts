import { describe, expect, test } from '@jest/globals';
import { firstTooDeep } from '../../src/config/nesting.js';

describe('firstTooDeep (text estimate of YAML nesting)', () => {
  test('does not count brackets inside plain scalars, quotes or comments', () => {
    const line = 'description: see [1 and {2 "[[" \'{{\' # [[[[\n';
    expect(firstTooDeep(`remotes:\n${line.repeat(100)}`, 4)).toBeUndefined();
  });

  test('skips the body of block scalars, however it is indented', () => {
    const body = Array.from({ length: 50 }, (_, i) => `${' '.repeat(6 + i)}line ${i}`).join('\n');
    expect(firstTooDeep(`remotes:\n  - client_key: |-\n${body}\n    name: x\n`, 4)).toBeUndefined();
  });

  test('finds deep flow and block nesting at the offset where the limit is passed', () => {
    expect(firstTooDeep('a: [[[[[x]]]]]\n', 4)).toBe(6);
    expect(firstTooDeep('a:\n  b:\n    c:\n      d:\n        e: x\n', 4)).toBe(32);
    expect(firstTooDeep('- - - - - x\n', 4)).toBe(8);
  });
});
