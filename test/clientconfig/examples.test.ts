import { afterEach, describe, expect, test } from '@jest/globals';
import type { Emulator } from '../../src/emulator/index.js';
import { applyState, debLines, pulpform, repoSections, startLocalPulp } from './helpers.js';

// Every example that serves hosts, applied to the emulator (with the stand-in Ark of
// helpers.ts): each file client-config generates for it passes --check.

describe('the examples, applied to the emulator', () => {
  let emulator: Emulator;
  afterEach(async () => {
    await emulator.close();
  });

  const EXAMPLES: { example: string; runs: { args: string[]; urls: number; expect: (stdout: string, url: string) => void }[] }[] = [
    {
      example: 'examples/rocky9-client',
      runs: [
        {
          args: ['--format', 'dnf', '--environment', 'production'],
          urls: 9,
          expect: (stdout, url) => {
            expect(repoSections(stdout).get('rocky-linux-9-sig-security-common')?.baseurl).toBe(
              `${url}/pulp/content/rocky/sig/9/security/x86_64/security-common/production/`,
            );
          },
        },
        { args: ['--format', 'registry'], urls: 99, expect: (stdout) => expect(stdout).toContain('# Namespace stackhpc: 99 images') },
      ],
    },
    {
      example: 'examples/ubuntu-client',
      runs: [
        {
          args: ['--format', 'apt', '--environment', 'development'],
          urls: 7,
          expect: (stdout, url) => {
            expect(debLines(stdout)).toEqual([
              `deb [arch=amd64] ${url}/pulp/content/ubuntu/jammy/development/ jammy main restricted universe multiverse`,
              `deb [arch=amd64] ${url}/pulp/content/ubuntu/jammy/development/ jammy-updates main restricted universe multiverse`,
              `deb [arch=amd64] ${url}/pulp/content/ubuntu/jammy/development/ jammy-backports main restricted universe multiverse`,
              `deb [arch=amd64] ${url}/pulp/content/ubuntu/jammy-security/development/ jammy-security main restricted universe multiverse`,
              `deb [arch=amd64] ${url}/pulp/content/ubuntu-jammy-cve-2024-6387/development/ pulp upload`,
              `deb [arch=amd64] ${url}/pulp/content/ubuntu-cloud-archive/development/ jammy-updates/caracal main`,
              `deb [arch=amd64] ${url}/pulp/content/docker-ce/ubuntu-jammy/development/ jammy stable`,
            ]);
            expect(stdout).toContain('# Ubuntu Cloud Archive (development)');
          },
        },
        {
          args: ['--format', 'apt', '--environment', 'production'],
          urls: 7,
          expect: (stdout, url) =>
            expect(debLines(stdout)[0]).toBe(
              `deb [arch=amd64] ${url}/pulp/content/ubuntu/jammy/production/ jammy main restricted universe multiverse`,
            ),
        },
        { args: ['--format', 'registry'], urls: 99, expect: (stdout) => expect(stdout).toContain('# Namespace stackhpc: 99 images') },
      ],
    },
    {
      example: 'examples/rpm-mirror',
      runs: [
        {
          // Written with the low-level kinds: no environments, so none is asked for.
          args: ['--format', 'dnf'],
          urls: 1,
          expect: (stdout, url) =>
            expect(repoSections(stdout).get('rocky-9-appstream')).toEqual({
              name: 'rocky-9-appstream',
              baseurl: `${url}/pulp/content/rocky/9/AppStream/x86_64/os/`,
              enabled: '1',
            }),
        },
      ],
    },
    {
      example: 'examples/deb-mirror',
      runs: [
        {
          args: ['--format', 'apt'],
          urls: 1,
          expect: (stdout, url) =>
            expect(debLines(stdout)).toEqual([`deb [arch=amd64] ${url}/pulp/content/ubuntu/jammy-security/ jammy-security main universe`]),
        },
      ],
    },
    {
      example: 'examples/container-mirror',
      runs: [
        {
          args: ['--format', 'registry', '--environment', 'production'],
          urls: 1,
          expect: (stdout) => expect(stdout).toContain('# Namespace stackhpc: 1 image, e.g.'),
        },
      ],
    },
  ];

  test.each(EXAMPLES)('$example: every file generated serves', async ({ example, runs }) => {
    emulator = await startLocalPulp();
    await applyState(emulator, example);
    for (const run of runs) {
      const result = await pulpform(emulator, ['client-config', '-f', example, '--check', ...run.args]);
      expect(result.stderr).toContain(`Checked ${run.urls} URL${run.urls === 1 ? '' : 's'}: all serve.`);
      expect(result.status).toBe(0);
      run.expect(result.stdout, emulator.url);
    }
  });
});
