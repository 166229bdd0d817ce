import { describe, expect, test } from '@jest/globals';
import type { Diagnostic } from '../../src/model/index.js';
import { loadInline } from './helpers.js';

interface Mistake {
  title: string;
  files: Record<string, string>;
  env?: NodeJS.ProcessEnv;
  target?: string;
  code: string;
  /** file, line, column of the diagnostic */
  at?: [string, number, number];
  path?: string;
  hint: string;
  value?: unknown;
  severity?: 'error' | 'warning';
}

const RPM_REMOTE = '  - name: el9\n    type: rpm\n    url: https://ark.example.com/el9\n';

const MISTAKES: Mistake[] = [
  {
    title: 'YAML syntax error',
    files: { 'a.yaml': 'remotes:\n  - name: a\n    url: "unclosed\n' },
    code: 'config.yaml_syntax',
    at: ['a.yaml', 3, 18],
    hint: 'Fix the YAML syntax',
  },
  {
    title: 'duplicate key in one item',
    files: { 'a.yaml': 'remotes:\n  - name: a\n    type: rpm\n    type: deb\n' },
    code: 'config.duplicate_key',
    at: ['a.yaml', 4, 5],
    hint: 'Remove or rename one of the two "type" keys',
    value: 'type',
  },
  {
    title: 'misspelt top-level key',
    files: { 'a.yaml': `remots:\n${RPM_REMOTE}` },
    code: 'config.unknown_section',
    at: ['a.yaml', 1, 1],
    path: 'remots',
    hint: 'Rename it to "remotes".',
    value: 'remots',
  },
  {
    title: 'section that is not a list',
    files: { 'a.yaml': 'remotes:\n  name: a\n' },
    code: 'config.invalid_type',
    at: ['a.yaml', 2, 3],
    path: 'remotes',
    hint: 'Write a list',
  },
  {
    title: 'misspelt field',
    files: { 'a.yaml': `remotes:\n${RPM_REMOTE}    polcy: on_demand\n` },
    code: 'config.unknown_field',
    at: ['a.yaml', 5, 5],
    path: 'remotes[0].polcy',
    hint: 'Rename it to "policy".',
    value: 'polcy',
  },
  {
    title: 'field of another plugin',
    files: { 'a.yaml': `remotes:\n${RPM_REMOTE}    upstream_name: library/busybox\n` },
    code: 'config.unknown_field',
    at: ['a.yaml', 5, 5],
    hint: '"upstream_name" applies to container remotes only; remove it.',
  },
  {
    title: 'number written as a string',
    files: { 'a.yaml': 'repositories:\n  - name: el9\n    type: rpm\n    retain_repo_versions: "3"\n' },
    code: 'config.invalid_type',
    at: ['a.yaml', 4, 27],
    path: 'repositories[0].retain_repo_versions',
    hint: 'Write 3 without quotes.',
    value: '3',
  },
  {
    title: 'tag read as a number',
    files: {
      'a.yaml':
        'remotes:\n  - name: ceph/haproxy\n    type: container\n    url: https://quay.io\n    upstream_name: ceph/haproxy\n    include_tags: [2.6]\n',
    },
    code: 'config.invalid_type',
    at: ['a.yaml', 6, 20],
    path: 'remotes[0].include_tags[0]',
    hint: 'Quote it: "2.6"',
    value: 2.6,
  },
  {
    title: 'yes instead of true',
    files: { 'a.yaml': `remotes:\n${RPM_REMOTE}    tls_validation: yes\n` },
    code: 'config.invalid_type',
    at: ['a.yaml', 5, 21],
    hint: 'Write true or false',
  },
  {
    title: 'enum value with a typo',
    files: { 'a.yaml': `remotes:\n${RPM_REMOTE}    policy: on-demand\n` },
    code: 'config.invalid_value',
    at: ['a.yaml', 5, 13],
    hint: 'Use "on_demand".',
    value: 'on-demand',
  },
  {
    title: 'enum value unlike any',
    files: { 'a.yaml': `remotes:\n${RPM_REMOTE}    policy: lazy\n` },
    code: 'config.invalid_value',
    at: ['a.yaml', 5, 13],
    hint: 'Use one of: immediate, on_demand, streamed.',
  },
  {
    title: 'invalid value in settings merged from an anchor',
    files: {
      'a.yaml': 'x-ark: &ark\n  type: rpm\n  policy: lazy\nremotes:\n  - <<: *ark\n    name: el9\n    url: https://ark.example.com/el9\n',
    },
    code: 'config.invalid_value',
    at: ['a.yaml', 3, 11],
    path: 'remotes[0].policy',
    hint: 'Use one of',
  },
  {
    title: 'value below the minimum',
    files: { 'a.yaml': `remotes:\n${RPM_REMOTE}    download_concurrency: 0\n` },
    code: 'config.below_minimum',
    at: ['a.yaml', 5, 27],
    hint: 'Use 1 or more, or null for the server default.',
    value: 0,
  },
  {
    title: 'deb remote without distributions',
    files: { 'a.yaml': 'remotes:\n  - name: jammy\n    type: deb\n    url: https://ark.example.com/ubuntu\n' },
    code: 'config.missing_field',
    at: ['a.yaml', 2, 5],
    path: 'remotes[0]',
    hint: 'Add "distributions: ..." to this item.',
  },
  {
    title: 'container remote without upstream_name',
    files: { 'a.yaml': 'remotes:\n  - name: busybox\n    type: container\n    url: https://registry-1.docker.io\n' },
    code: 'config.missing_field',
    at: ['a.yaml', 2, 5],
    hint: 'Add "upstream_name: ..." to this item.',
  },
  {
    title: 'remote without a type',
    files: { 'a.yaml': 'remotes:\n  - name: el9\n    url: https://ark.example.com/el9\n' },
    code: 'config.type_missing',
    at: ['a.yaml', 2, 5],
    hint: 'Add "type: rpm"',
  },
  {
    title: 'unknown type',
    files: { 'a.yaml': 'repositories:\n  - name: el9\n    type: rpms\n' },
    code: 'config.type_unknown',
    at: ['a.yaml', 3, 11],
    path: 'repositories[0].type',
    hint: 'Use "type: rpm".',
    value: 'rpms',
  },
  {
    title: 'one name for two remotes of different plugins',
    files: { 'a.yaml': `remotes:\n${RPM_REMOTE}`, 'b.yaml': 'remotes:\n  - name: el9\n    type: file\n    url: https://h/PULP_MANIFEST\n' },
    code: 'config.duplicate_name',
    at: ['b.yaml', 2, 11],
    hint: 'Rename one of them',
    value: 'el9',
  },
  {
    title: 'two publications for one repository',
    files: { 'a.yaml': 'repositories:\n  - name: el9\n    type: rpm\npublications:\n  - repository: el9\n  - repository: el9\n' },
    code: 'config.duplicate_publication',
    at: ['a.yaml', 6, 17],
    hint: 'Remove one of the two publications',
  },
  {
    title: 'repository naming an undeclared remote',
    files: { 'a.yaml': `remotes:\n${RPM_REMOTE}repositories:\n  - name: el9\n    type: rpm\n    remote: el8\n` },
    code: 'config.dangling_reference',
    at: ['a.yaml', 8, 13],
    hint: 'Use "el9", or declare "el8" under "remotes:".',
    value: 'el8',
  },
  {
    title: 'distribution serving a remote',
    files: { 'a.yaml': `remotes:\n${RPM_REMOTE}distributions:\n  - name: d\n    base_path: el9\n    repository: el9\n` },
    code: 'config.wrong_reference_kind',
    at: ['a.yaml', 8, 17],
    hint: 'Name a repository here',
    value: 'el9',
  },
  {
    title: 'distribution naming a repository without a publication',
    files: {
      'a.yaml': 'repositories:\n  - name: el9\n    type: rpm\ndistributions:\n  - name: d\n    base_path: el9\n    publication: el9\n',
    },
    code: 'config.dangling_reference',
    at: ['a.yaml', 7, 18],
    hint: 'Add "- repository: el9" under "publications:", or serve the repository with "repository: el9".',
  },
  {
    title: 'repository using a remote of another plugin',
    files: { 'a.yaml': `remotes:\n${RPM_REMOTE}repositories:\n  - name: el9\n    type: file\n    remote: el9\n` },
    code: 'config.reference_plugin_mismatch',
    at: ['a.yaml', 8, 13],
    hint: 'Name a file remote, or give both the same type.',
  },
  {
    title: 'distribution whose type disagrees with what it serves',
    files: {
      'a.yaml':
        'repositories:\n  - name: el9\n    type: rpm\ndistributions:\n  - name: d\n    type: deb\n    base_path: el9\n    repository: el9\n',
    },
    code: 'config.reference_plugin_mismatch',
    at: ['a.yaml', 6, 11],
    hint: 'Remove "type"',
  },
  {
    title: 'distribution serving both a publication and a repository',
    files: {
      'a.yaml':
        'repositories:\n  - name: el9\n    type: rpm\npublications:\n  - repository: el9\ndistributions:\n  - name: d\n    base_path: el9\n    publication: el9\n    repository: el9\n',
    },
    code: 'config.distribution_target_conflict',
    at: ['a.yaml', 10, 5],
    hint: 'Remove "publication:" or "repository:".',
  },
  {
    title: 'distribution serving nothing',
    files: { 'a.yaml': 'distributions:\n  - name: d\n    type: file\n    base_path: files\n' },
    code: 'config.distribution_serves_nothing',
    severity: 'warning',
    at: ['a.yaml', 2, 5],
    hint: 'Add "publication: REPOSITORY" or "repository: REPOSITORY"',
  },
  {
    title: 'publication of a container repository',
    files: { 'a.yaml': 'repositories:\n  - name: busybox\n    type: container\npublications:\n  - repository: busybox\n' },
    code: 'config.container_publication',
    at: ['a.yaml', 5, 17],
    hint: 'serve the repository from a distribution with "repository: busybox"',
  },
  {
    title: 'container distribution serving a publication',
    files: {
      'a.yaml':
        'repositories:\n  - name: busybox\n    type: container\ndistributions:\n  - name: busybox\n    type: container\n    base_path: busybox\n    publication: busybox\n',
    },
    code: 'config.unknown_field',
    at: ['a.yaml', 8, 5],
    hint: 'Container distributions serve a repository: use "repository: NAME" instead.',
  },
  {
    title: 'sync without a remote',
    files: { 'a.yaml': 'repositories:\n  - name: el9\n    type: rpm\n    sync: true\n' },
    code: 'config.sync_without_remote',
    at: ['a.yaml', 4, 5],
    hint: 'Add "remote: NAME" to the repository, or remove "sync".',
  },
  {
    title: 'mirror option on an rpm sync',
    files: {
      'a.yaml': `remotes:\n${RPM_REMOTE}repositories:\n  - name: el9\n    type: rpm\n    remote: el9\n    sync:\n      mirror: true\n`,
    },
    code: 'config.unknown_field',
    at: ['a.yaml', 10, 7],
    path: 'repositories[0].sync.mirror',
    hint: 'rpm repositories take "sync_policy: mirror_complete"',
  },
  {
    title: 'sync options Pulp refuses together',
    files: {
      'a.yaml': `remotes:\n${RPM_REMOTE}repositories:\n  - name: el9\n    type: rpm\n    remote: el9\n    sync: {sync_policy: mirror_complete, skip_types: [srpm]}\n`,
    },
    code: 'config.sync_option_conflict',
    at: ['a.yaml', 9, 54],
    hint: 'Remove skip_types',
  },
  {
    title: 'verbatim publication with apt options',
    files: {
      'a.yaml':
        'repositories:\n  - name: jammy\n    type: deb\npublications:\n  - repository: jammy\n    verbatim: true\n    structured: true\n',
    },
    code: 'config.verbatim_options',
    at: ['a.yaml', 7, 5],
    hint: 'Remove "structured", or remove "verbatim: true".',
  },
  {
    title: 'two distributions on one base path',
    files: {
      'a.yaml': 'distributions:\n  - name: a\n    type: file\n    base_path: isos\n  - name: b\n    type: file\n    base_path: isos\n',
    },
    code: 'config.duplicate_base_path',
    at: ['a.yaml', 7, 16],
    hint: 'Give each distribution its own base path.',
    value: 'isos',
  },
  {
    title: 'nested base paths',
    files: {
      'a.yaml': 'distributions:\n  - name: a\n    type: rpm\n    base_path: rocky/9\n',
      'b.yaml': 'distributions:\n  - name: b\n    type: rpm\n    base_path: rocky/9/BaseOS\n',
    },
    code: 'config.overlapping_base_path',
    at: ['b.yaml', 4, 16],
    hint: 'Move one of them',
  },
  {
    title: 'base path with a leading slash',
    files: { 'a.yaml': 'distributions:\n  - name: a\n    type: rpm\n    base_path: /rocky/9/\n' },
    code: 'config.invalid_base_path',
    at: ['a.yaml', 4, 16],
    hint: 'Write it as "rocky/9".',
  },
  {
    title: 'container base path with capitals',
    files: { 'a.yaml': 'distributions:\n  - name: a\n    type: container\n    base_path: Ceph/Ceph\n' },
    code: 'config.invalid_base_path',
    at: ['a.yaml', 4, 16],
    hint: 'Write it as "ceph/ceph".',
  },
  {
    title: 'label key with a slash',
    files: { 'a.yaml': `remotes:\n${RPM_REMOTE}    labels:\n      team/name: infra\n` },
    code: 'config.invalid_label',
    at: ['a.yaml', 6, 7],
    path: 'remotes[0].labels.team/name',
    hint: 'Rename it to "team_name".',
  },
  {
    title: 'label key with a hyphen, which only pulpcore 3.105 and later accept',
    files: { 'a.yaml': `remotes:\n${RPM_REMOTE}    labels:\n      team-name: infra\n` },
    code: 'config.label_needs_newer_pulp',
    severity: 'warning',
    at: ['a.yaml', 6, 7],
    path: 'remotes[0].labels.team-name',
    hint: 'Rename it to "team_name", which every supported Pulp accepts.',
  },
  {
    title: 'label value with parentheses',
    files: { 'a.yaml': `remotes:\n${RPM_REMOTE}    labels: {owner: "infra (ops)"}\n` },
    code: 'config.invalid_label',
    at: ['a.yaml', 5, 21],
    hint: 'e.g. "infra ops"',
  },
  {
    title: 'label key reserved for pulpform',
    files: { 'a.yaml': `remotes:\n${RPM_REMOTE}    labels: {pulpform_stack: other}\n` },
    code: 'config.reserved_label',
    at: ['a.yaml', 5, 14],
    hint: 'Rename the label',
  },
  {
    title: 'credentials in a URL',
    files: { 'a.yaml': 'remotes:\n  - name: el9\n    type: rpm\n    url: https://ark:hunter2@ark.example.com/el9\n' },
    code: 'config.url_credentials',
    at: ['a.yaml', 4, 10],
    hint: 'set username and password',
    value: 'https://(sensitive)@ark.example.com/el9',
  },
  {
    title: 'unknown reference function',
    files: { 'a.yaml': `remotes:\n${RPM_REMOTE}    password: \${vault:ark}\n` },
    code: 'config.unknown_function',
    at: ['a.yaml', 5, 15],
    hint: 'Write ${env:NAME} or ${file:PATH}',
    value: '${vault:ark}',
  },
  {
    title: 'missing environment variable',
    files: { 'a.yaml': 'remotes:\n  - name: el9\n    type: rpm\n    url: https://${env:ARK_HOST}/el9\n' },
    code: 'config.env_missing',
    at: ['a.yaml', 4, 10],
    hint: 'Set ARK_HOST in the environment',
    value: '${env:ARK_HOST}',
  },
  {
    title: 'missing secret file',
    files: { 'a.yaml': `remotes:\n${RPM_REMOTE}    password: \${file:secrets/ark}\n` },
    code: 'config.file_missing',
    at: ['a.yaml', 5, 15],
    hint: 'Create the file or correct the path',
  },
  {
    title: 'secret mixing text and a reference',
    files: { 'a.yaml': `remotes:\n${RPM_REMOTE}    password: pre-\${env:ARK_PASSWORD}\n` },
    env: { ARK_PASSWORD: 'x' },
    code: 'config.secret_template',
    at: ['a.yaml', 5, 15],
    hint: 'Put the whole secret in the environment variable or the file.',
  },
  {
    title: 'stack that is not a valid label value',
    files: { 'a.yaml': 'stack: seed (prod)\n' },
    code: 'config.invalid_stack',
    at: ['a.yaml', 1, 8],
    hint: 'e.g. "seed-prod"',
  },
  {
    title: 'two files with different stacks',
    files: { 'a.yaml': 'stack: seed\n', 'b.yaml': 'stack: prod\n' },
    code: 'config.conflicting_stack',
    at: ['b.yaml', 1, 8],
    hint: 'Declare "stack:" in one file only',
  },
  {
    title: 'two files with different server blocks',
    files: { 'a.yaml': 'server:\n  url: http://127.0.0.1:24817\n', 'b.yaml': 'server:\n  url: http://127.0.0.1:8080\n' },
    code: 'config.conflicting_server',
    at: ['b.yaml', 1, 1],
    hint: 'Declare "server:" in one file only',
  },
  {
    title: 'server URL with credentials in it',
    files: { 'a.yaml': 'server:\n  url: https://admin:s3cret@pulp.example.com\n' },
    code: 'config.url_credentials',
    at: ['a.yaml', 2, 8],
    hint: 'set server.username and server.password',
  },
  {
    title: 'server URL that is not a URL',
    files: { 'a.yaml': 'server:\n  url: pulp.example.com\n' },
    code: 'config.invalid_url',
    at: ['a.yaml', 2, 8],
    hint: "Write the server's base URL, e.g. https://pulp.example.com.",
  },
  {
    title: 'unknown key in the server block',
    files: { 'a.yaml': 'server:\n  uri: http://127.0.0.1:24817\n' },
    code: 'config.unknown_field',
    at: ['a.yaml', 2, 3],
    path: 'server.uri',
    hint: 'Rename it to "url".',
  },
  {
    title: 'several documents in one file',
    files: { 'a.yaml': 'stack: a\n---\nstack: b\n' },
    code: 'config.multiple_documents',
    at: ['a.yaml', 2, 1],
    hint: 'Split the documents into separate files',
  },
  {
    title: 'directory without YAML files',
    files: { 'notes.txt': 'nothing here\n' },
    code: 'config.no_files',
    hint: 'Add a .yaml file to the directory',
  },
  {
    title: 'path that does not exist',
    files: {},
    target: 'missing-dir',
    code: 'config.path_not_found',
    hint: 'Pass the YAML file or the directory holding it with -f PATH',
  },
  {
    title: 'one misindented line: one error in plain words',
    files: { 'a.yaml': 'remotes:\n  - name: el9\n    type: rpm\n   url: https://ark.example.com/el9\n' },
    code: 'config.yaml_indentation',
    at: ['a.yaml', 4, 4],
    hint: 'Indent it by 4 spaces, like "type: rpm" on line 3',
  },
  {
    title: 'a misspelt required key: one "did you mean", no missing-field error',
    files: { 'a.yaml': 'remotes:\n  - name: el9\n    type: rpm\n    ulr: https://ark.example.com/el9\n' },
    code: 'config.unknown_field',
    at: ['a.yaml', 4, 5],
    hint: 'Rename it to "url", which this item needs.',
  },
  {
    title: "an environment written beside the mirror's fields instead of under distributions:",
    files: {
      'a.yaml':
        'upstreams:\n  - { name: ark, url: "https://ark.example.com" }\npackage_mirrors:\n  - name: m\n    type: rpm\n    upstream: ark\n    path: p\n    development: { name: d, base_path: d }\n',
    },
    code: 'config.unknown_field',
    at: ['a.yaml', 8, 5],
    hint: '"development" looks like an environment: move it under "distributions:"',
  },
  {
    title: 'empty desired state',
    files: { 'a.yaml': 'stack: seed\nremotes: []\n' },
    code: 'config.empty',
    severity: 'warning',
    at: ['a.yaml', 1, 1],
    hint: 'Add items under "remotes:"',
  },
];

function describeFound(diagnostics: Diagnostic[]): string {
  return diagnostics
    .map((d) => `${d.code} @ ${d.source ? `${d.source.file}:${d.source.line}:${d.source.column}` : '-'} ${d.hint ?? ''}`)
    .join('\n');
}

describe('loadDesiredState reports each mistake with code, position and fix', () => {
  test.each(MISTAKES)('$title', async (mistake) => {
    const { result, cleanup } = await loadInline(mistake.files, {
      env: mistake.env ?? {},
      ...(mistake.target !== undefined ? { target: mistake.target } : {}),
    });
    try {
      const found = result.diagnostics.find((d) => d.code === mistake.code);
      if (found === undefined) throw new Error(`no ${mistake.code} among:\n${describeFound(result.diagnostics)}`);
      expect(found.severity).toBe(mistake.severity ?? 'error');
      if (mistake.at !== undefined) {
        const [file, line, column] = mistake.at;
        expect(found.source).toEqual({ file, line, column });
      }
      if (mistake.path !== undefined) expect(found.path).toBe(mistake.path);
      if (mistake.value !== undefined) expect(found.value).toEqual(mistake.value);
      expect(found.hint).toContain(mistake.hint);
      expect(found.summary.length).toBeGreaterThan(0);
      // An error means no state; a warning alone does not stop loading.
      expect(result.state === undefined).toBe(result.diagnostics.some((d) => d.severity === 'error'));
      if ((mistake.severity ?? 'error') === 'error') expect(result.state).toBeUndefined();
    } finally {
      await cleanup();
    }
  });

  test('every mistake in a file is reported in one run, in file order', async () => {
    const { result, cleanup } = await loadInline({
      'a.yaml': [
        'remotes:',
        '  - name: el9',
        '    type: rpm',
        '    url: https://ark.example.com/el9',
        '    polcy: on_demand',
        '    download_concurrency: 0',
        'repositories:',
        '  - name: el9',
        '    type: rpm',
        '    remote: el8',
        'distributions:',
        '  - name: d',
        '    base_path: /el9',
        '    repository: el9',
        '',
      ].join('\n'),
    });
    try {
      expect(result.state).toBeUndefined();
      expect(result.diagnostics.map((d) => [d.code, d.source?.line])).toEqual([
        ['config.unknown_field', 5],
        ['config.below_minimum', 6],
        ['config.dangling_reference', 10],
        ['config.invalid_base_path', 13],
      ]);
      expect(result.diagnostics.find((d) => d.code === 'config.dangling_reference')?.address).toBe('repository/rpm/el9');
    } finally {
      await cleanup();
    }
  });

  test('a variable missing for many remotes is reported once, at its first use', async () => {
    const remotes = Array.from(
      { length: 50 },
      (_, i) => `  - name: r${i}\n    type: file\n    url: https://h/${i}\n    password: \${env:ARK_PASSWORD}\n`,
    ).join('');
    const { result, cleanup } = await loadInline({ 'a.yaml': `remotes:\n${remotes}` });
    try {
      expect(result.diagnostics).toEqual([
        expect.objectContaining({ code: 'config.env_missing', source: { file: 'a.yaml', line: 5, column: 15 } }),
      ]);
      expect(result.diagnostics[0]?.detail).toContain('It is referenced 49 more times after this one.');
    } finally {
      await cleanup();
    }
  });

  test('a file that does not parse stops only that file', async () => {
    const { result, cleanup } = await loadInline({
      'a.yaml': 'remotes: [\n',
      'b.yaml': 'remotes:\n  - name: el9\n    type: rpmm\n    url: https://ark.example.com/el9\n',
    });
    try {
      expect(result.diagnostics.map((d) => [d.code, d.source?.file])).toEqual([
        ['config.yaml_syntax', 'a.yaml'],
        ['config.type_unknown', 'b.yaml'],
      ]);
    } finally {
      await cleanup();
    }
  });

  test('overlapping base paths name both distributions and both locations', async () => {
    const { result, cleanup } = await loadInline({
      'a.yaml':
        'distributions:\n  - name: outer\n    type: rpm\n    base_path: rocky/9\n  - name: inner\n    type: rpm\n    base_path: rocky/9/BaseOS\n',
    });
    try {
      const overlap = result.diagnostics.find((d) => d.code === 'config.overlapping_base_path');
      expect(overlap?.detail).toContain('"inner", a.yaml line 7');
      expect(overlap?.detail).toContain('"outer", a.yaml line 4');
    } finally {
      await cleanup();
    }
  });

  test('sibling base paths sharing a prefix of characters do not overlap', async () => {
    const { result, cleanup } = await loadInline({
      'a.yaml':
        'distributions:\n  - name: a\n    type: deb\n    base_path: ubuntu/jammy/development\n  - name: b\n    type: deb\n    base_path: ubuntu/jammy-security/development\n',
    });
    try {
      expect(result.diagnostics.filter((d) => d.code !== 'config.distribution_serves_nothing')).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  test('container distributions may nest registry paths', async () => {
    const { result, cleanup } = await loadInline({
      'a.yaml':
        'distributions:\n  - name: ceph\n    type: container\n    base_path: ceph\n  - name: ceph/ceph\n    type: container\n    base_path: ceph/ceph\n',
    });
    try {
      expect(result.diagnostics.map((d) => d.code)).not.toContain('config.overlapping_base_path');
    } finally {
      await cleanup();
    }
  });
});

test('one misindented line and a misspelt required key each give exactly one error', async () => {
  const { result, cleanup } = await loadInline({
    'a.yaml': 'remotes:\n  - name: el9\n    type: rpm\n   url: https://ark.example.com/el9\n    policy: on_demand\n',
  });
  try {
    expect(result.diagnostics.map((d) => `${d.code} ${d.source?.line}`)).toEqual(['config.yaml_indentation 4']);
    expect(result.diagnostics[0]!.detail).not.toMatch(/[A-Z]{2,}_[A-Z]+/);
  } finally {
    await cleanup();
  }
  const misspelt = await loadInline({ 'a.yaml': 'remotes:\n  - name: el9\n    type: rpm\n    ulr: https://ark.example.com/el9\n' });
  try {
    expect(misspelt.result.diagnostics.map((d) => d.code)).toEqual(['config.unknown_field']);
  } finally {
    await misspelt.cleanup();
  }
});
