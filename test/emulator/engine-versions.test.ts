import { describe, expect, test } from '@jest/globals';
import { runDemo } from '../../src/demo/index.js';
import { PULP_VERSIONS } from '../../src/emulator/index.js';

// The engine against every Pulp version the emulator speaks: the demo's walk (apply, an empty
// plan, a pin bump, a promotion) of a mirror with development and production, per version.

describe.each(PULP_VERSIONS.map((v) => [v]))('pulpform against the emulator speaking Pulp %s', (version) => {
  test('applies, finds nothing to change, bumps a pin and promotes it', async () => {
    let out = '';
    await runDemo({ file: 'examples/single-mirror', color: false, pulpVersion: version, write: (text) => (out += text) });
    expect(out).toContain(`(Pulp ${version})`);
    expect(out).toContain('No changes. The Pulp server matches the desired state.');
    expect(out.match(/Apply complete!/g)).toHaveLength(3);
    expect(out).toMatch(/Apply complete! Resources: 0 added, 1 changed, 0 destroyed, 0 synced\./);
  });
});
