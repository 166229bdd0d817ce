import { describe, expect, test } from '@jest/globals';
import { comparableValue, parsePointer, pointerSegment, sameValue } from '../../src/diff/values.js';

describe('comparing field values the way Pulp means them', () => {
  test('tag lists are sets', () => {
    expect(sameValue('remotes/container/container', 'include_tags', ['zed', 'yoga', 'zed'], ['yoga', 'zed'])).toBe(true);
    expect(sameValue('remotes/container/container', 'include_tags', ['yoga'], ['yoga', 'zed'])).toBe(false);
    expect(sameValue('remotes/container/container', 'include_tags', [], null)).toBe(false);
  });

  test('deb distributions, components and architectures compare token by token', () => {
    expect(sameValue('remotes/deb/apt', 'components', ' main\tuniverse ', 'universe main')).toBe(true);
    expect(sameValue('remotes/deb/apt', 'architectures', '', null)).toBe(true);
    expect(sameValue('remotes/deb/apt', 'distributions', 'jammy', 'jammy-updates')).toBe(false);
    expect(comparableValue('remotes/rpm/rpm', 'url', ' a b ')).toBe(' a b ');
  });

  test('absent equals null only where the field is nullable', () => {
    expect(sameValue('remotes/rpm/rpm', 'proxy_url', undefined, null)).toBe(true);
    expect(sameValue('remotes/rpm/rpm', 'tls_validation', undefined, null)).toBe(false);
  });

  test('numbers compare by value, also when the server sends a string', () => {
    expect(sameValue('remotes/rpm/rpm', 'total_timeout', 5, 5.0)).toBe(true);
    expect(sameValue('remotes/rpm/rpm', 'total_timeout', 5, '5.0')).toBe(true);
    expect(sameValue('remotes/rpm/rpm', 'total_timeout', 5, '5.5')).toBe(false);
    expect(sameValue('remotes/rpm/rpm', 'url', '5', '5.0')).toBe(false);
  });
});

test('JSON pointer segments escape ~ and / (label keys may hold neither in Pulp 3.23, names may)', () => {
  expect(pointerSegment('a/b~c')).toBe('a~1b~0c');
  expect(parsePointer('/pulp_labels/a~1b~0c')).toEqual(['pulp_labels', 'a/b~c']);
});
