import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';

// Runs the built CLI under plain Node (not Jest's module loader), which catches ESM/CJS interop bugs.
describe('pulpform binary', () => {
  test('--help lists the program', () => {
    const out = execFileSync(process.execPath, ['dist/cli/main.js', '--help'], { encoding: 'utf8' });
    expect(out).toContain('Usage: pulpform');
  });
});
