import { describe, expect, test } from '@jest/globals';
import { editPin, PinEditError } from '../../src/config/pins.js';

// Pins edited as a person would: only the stamp changes, or one snapshot: is added; everything
// else in the file stays byte for byte.

const YAML = `# mirrors
x-rocky: &rocky
  type: rpm
  upstream: ark   # Ark

package_mirrors:
  - name: BaseOS
    <<: *rocky
    path: rocky/9/BaseOS/x86_64/os
    snapshot: 20240101T000000    # stackhpc_pulp_repo_rocky_9_baseos_version
    distributions:
      development: { name: baseos-development, base_path: baseos/development }
      production: { name: baseos-production, base_path: baseos/production, snapshot: 20240101T000000 }
  - name: AppStream
    <<: *rocky
    path: rocky/9/AppStream/x86_64/os
    snapshot: "20240101T000000"
    distributions:
      development:
        name: appstream-development
        base_path: appstream/development
      production:
        name: appstream-production
        base_path: appstream/production   # served to prod hosts
`;

const BASEOS = { file: 'm.yaml', line: 7, column: 5 };
const APPSTREAM = { file: 'm.yaml', line: 15, column: 5 };

/** The lines that differ. */
function changed(before: string, after: string): Array<[string | undefined, string | undefined]> {
  const a = before.split('\n');
  const b = after.split('\n');
  const out: Array<[string | undefined, string | undefined]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
    } else if (b.length > a.length && a[i] === b[j + 1]) {
      out.push([undefined, b[j]]);
      j++;
    } else {
      out.push([a[i], b[j]]);
      i++;
      j++;
    }
  }
  return out;
}

describe('editPin', () => {
  test("the mirror's own pin: only the stamp changes, the comment stays", () => {
    const { text, edit } = editPin(YAML, BASEOS, ['snapshot'], '20240301T000000');
    expect(changed(YAML, text)).toEqual([
      [
        '    snapshot: 20240101T000000    # stackhpc_pulp_repo_rocky_9_baseos_version',
        '    snapshot: 20240301T000000    # stackhpc_pulp_repo_rocky_9_baseos_version',
      ],
    ]);
    expect(edit).toEqual({
      line: 10,
      before: '    snapshot: 20240101T000000    # stackhpc_pulp_repo_rocky_9_baseos_version',
      after: '    snapshot: 20240301T000000    # stackhpc_pulp_repo_rocky_9_baseos_version',
      previous: '20240101T000000',
    });
  });

  test('a quoted pin keeps its quotes', () => {
    const { text } = editPin(YAML, APPSTREAM, ['snapshot'], '20240301T000000');
    expect(changed(YAML, text)).toEqual([['    snapshot: "20240101T000000"', '    snapshot: "20240301T000000"']]);
  });

  test('an environment pinned in a flow map', () => {
    const { text, edit } = editPin(YAML, BASEOS, ['distributions', 'production', 'snapshot'], '20240301T000000');
    expect(changed(YAML, text)).toEqual([
      [
        '      production: { name: baseos-production, base_path: baseos/production, snapshot: 20240101T000000 }',
        '      production: { name: baseos-production, base_path: baseos/production, snapshot: 20240301T000000 }',
      ],
    ]);
    expect(edit.previous).toBe('20240101T000000');
  });

  test('an environment that follows the mirror gets a pin of its own: in a flow map, and in a block map as a new line', () => {
    const flow = editPin(YAML, BASEOS, ['distributions', 'development', 'snapshot'], '20240101T000000');
    expect(changed(YAML, flow.text)).toEqual([
      [
        '      development: { name: baseos-development, base_path: baseos/development }',
        '      development: { name: baseos-development, base_path: baseos/development, snapshot: 20240101T000000 }',
      ],
    ]);
    const block = editPin(YAML, APPSTREAM, ['distributions', 'production', 'snapshot'], '20240101T000000');
    expect(changed(YAML, block.text)).toEqual([[undefined, '        snapshot: 20240101T000000']]);
    expect(block.edit).toEqual({ line: 25, before: '', after: '        snapshot: 20240101T000000' });
  });

  test('an alias or a missing environment is refused with the reason', () => {
    const aliased = YAML.replace('snapshot: 20240101T000000    #', 'snapshot: *stamp    #').replace(
      'x-rocky: &rocky',
      'x-stamp: &stamp 20240101T000000\nx-rocky: &rocky',
    );
    expect(() => editPin(aliased, { ...BASEOS, line: 8 }, ['snapshot'], '20240301T000000')).toThrow(PinEditError);
    expect(() => editPin(aliased, { ...BASEOS, line: 8 }, ['snapshot'], '20240301T000000')).toThrow(/is an alias \(\*stamp\)/);
    expect(() => editPin(YAML, BASEOS, ['distributions', 'staging', 'snapshot'], '20240301T000000')).toThrow(
      'm.yaml line 7: the mirror has no distributions.staging to pin',
    );
  });
});
