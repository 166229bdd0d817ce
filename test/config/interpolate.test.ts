import { describe, expect, test } from '@jest/globals';
import { interpolate } from '../../src/config/interpolate.js';

const context = { env: { A: 'alpha', B: 'beta' }, dir: '/nowhere' };

describe('interpolate', () => {
  test.each([
    ['no reference at all', 'https://ark.example.com/pulp/content/rocky/9/', 'https://ark.example.com/pulp/content/rocky/9/'],
    ['a lone dollar', '$', '$'],
    ['dollars not starting a reference', 'costs $5 or $$6 and ends in $', 'costs $5 or $$6 and ends in $'],
    ['an escaped reference between dollars', 'a$b$${env:A}c$', 'a$b${env:A}c$'],
    ['references among text and dollars', '${env:A}-$x-${env:B}$', 'alpha-$x-beta$'],
  ])('%s', (_name, raw, expected) => {
    expect(interpolate(raw, context)).toEqual({ ok: true, value: expected });
  });
});
