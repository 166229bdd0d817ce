import { describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { CLI, runCli } from '../helpers/cli.js';

// `pulpform demo` as a user runs it, the README's first command: a process that exits 0.

describe('pulpform demo', () => {
  test('walks apply, an empty plan, a pin bump and a promotion on desired-state/, and exits 0', async () => {
    const result = await runCli(['demo', '--no-color']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/Ark holds 22 package snapshots .* and 118 container images\./);
    expect(out).toContain('Plan: 409 to add, 0 to change, 0 to destroy, 129 to sync');
    expect(out).toContain('Preflight: the upstreams of all 129 syncs answered, credentials accepted.');
    expect(out).toContain('Apply complete! Resources: 409 added, 0 changed, 0 destroyed, 129 synced.');
    expect(out).toContain('── 2. Plan again: the server matches, nothing to do');
    expect(out).toContain('No changes. The Pulp server matches the desired state.');
    expect(out).toContain('+ snapshot: 20220916T082321    # stackhpc_pulp_repo_centos_stream_8_appstream_version');
    expect(out).toContain('# (synced: 20220817T082321 -> 20220916T082321)');
    expect(out).toContain('Apply complete! Resources: 1 added, 2 changed, 0 destroyed, 1 synced.');
    expect(out).toContain('desired-state/rpm.yaml line 41: production 20220817T082321 -> 20220916T082321');
    expect(out).toContain('Apply complete! Resources: 0 added, 1 changed, 0 destroyed, 0 synced.');
    expect(out).toMatch(
      /centos-stream-8-appstream-production +http:\/\/127\.0\.0\.1:\d+\/pulp\/content\/centos\/8-stream\/AppStream\/x86_64\/os\/production\/ +\(20220916T082321\)/,
    );
    expect(out).toContain('118 container images in the registry at 127.0.0.1:');
    expect(out).toContain('pulpform demo --keep-running');
  });

  test('--keep-running serves what it made until interrupted', async () => {
    const child = spawn(process.execPath, [CLI, 'demo', '-f', 'examples/single-mirror', '--no-color', '--keep-running'], {
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await new Promise<void>((resolve) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          if (/curl \S+/.test(out)) resolve();
        });
      });
      const base = /export PULP_BASE_URL=(\S+)/.exec(out)?.[1];
      const served = await fetch(`${base}/pulp/content/rocky/9/BaseOS/x86_64/os/production/repodata/repomd.xml`);
      expect(served.status).toBe(200);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});
