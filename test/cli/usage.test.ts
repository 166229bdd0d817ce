import { describe, expect, test } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

// Bad flags and bad paths as users type them: one line naming what is wrong and what is
// accepted, never a stack trace; usage errors exit 2 (1 under --detailed-exitcode, where 2
// means "changes present").

const BAD_FLAGS: Array<{ args: string[]; line: string }> = [
  {
    args: ['apply', '--concurrency', '0'],
    line: "error: option '--concurrency <n>' argument '0' is invalid. It must be a whole number of at least 1.",
  },
  {
    args: ['apply', '--concurrency', 'abc'],
    line: "error: option '--concurrency <n>' argument 'abc' is invalid. It must be a whole number of at least 1.",
  },
  {
    args: ['plan', '--request-timeout', 'abc'],
    line: "error: option '--request-timeout <seconds>' argument 'abc' is invalid. It must be a whole number of at least 1.",
  },
  {
    args: ['watch', '--interval', '0'],
    line: "error: option '--interval <seconds>' argument '0' is invalid. It must be a number of seconds greater than 0, such as 300 or 0.5.",
  },
  {
    args: ['watch', '--debounce', '-5'],
    line: "error: option '--debounce <ms>' argument '-5' is invalid. It must be a whole number of at least 0.",
  },
  { args: ['apply', '--lock-timeout', 'soon'], line: "error: option '--lock-timeout <duration>' argument 'soon' is invalid." },
  { args: ['plan', '--no-such-flag'], line: "error: unknown option '--no-such-flag'" },
];

describe('usage errors', () => {
  test.each(BAD_FLAGS)('pulpform $args: one line, exit 2', async ({ args, line }) => {
    const result = await runCli(args);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toContain(line);
    expect(result.stderr).not.toMatch(/\n\s+at |file:\/\//);
    expect(result.stdout).toBe('');
  });

  test('under --detailed-exitcode a usage error exits 1, since 2 would read as "changes present"', async () => {
    const result = await runCli(['plan', '--detailed-exitcode', '--request-timeout', '0']);
    expect(result.status).toBe(1);
  });

  test('help and version exit 0', async () => {
    expect((await runCli(['--version'])).status).toBe(0);
    expect((await runCli(['plan', '--help'])).status).toBe(0);
  });
});

describe('plan files', () => {
  test('apply of a missing plan file names the path and how to make one', async () => {
    const result = await runCli(['apply', 'missing.plan']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'Error: cannot read the plan file missing.plan: it does not exist. Give the path of a plan saved with "pulpform plan --out FILE".\n',
    );
  });

  test('plan --out into a directory that does not exist fails before reading anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pulpform-usage-'));
    try {
      const result = await runCli(['plan', '--out', join(dir, 'nonexistent', 'p.plan'), '-f', join(dir, 'no-desired-state')]);
      expect(result.status).toBe(1);
      expect(result.stderr).toBe(
        `Error: cannot save the plan to ${join(dir, 'nonexistent', 'p.plan')}: the directory ${join(dir, 'nonexistent')} does not exist. Create it, or choose another --out path.\n`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
