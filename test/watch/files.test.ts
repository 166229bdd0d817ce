import { describe, expect, test } from '@jest/globals';
import { isDesiredStateFile } from '../../src/watch/files.js';

describe('which files are desired state', () => {
  test('YAML files are; dotfiles and editor leftovers are not', () => {
    for (const name of ['a.yaml', 'dir/b.yml', '10-rpm.yaml']) expect(isDesiredStateFile(name)).toBe(true);
    for (const name of ['.a.yaml.swp', '.#a.yaml', 'a.yaml~', '#a.yaml#', 'a.yaml.tmp', '.hidden.yaml', '4913', 'a.json'])
      expect(isDesiredStateFile(name)).toBe(false);
  });
});
