import { describe, expect, test } from '@jest/globals';
import { newerSnapshots, type OutdatedMirror, summarizeOutdated } from '../../src/plan/outdated.js';
import { pinCommand, renderOutdatedText } from '../../src/render/outdated-text.js';
import { parseSnapshotListing, snapshotListingUrl } from '../../src/upstream/listing.js';

/** The listing real Pulp's content app served for two file distributions at `pf-outdated-test/x/<stamp>`. */
function realListing(version: '3.23' | '3.43' | '3.116'): string {
  const pad = ' '.repeat(version === '3.23' ? 84 : 86);
  const href = (stamp: string): string => (version === '3.116' ? `./${stamp}/` : `${stamp}/`);
  return [
    '',
    '<html>',
    '<head><title>Index of pf-outdated-test/x/</title></head>',
    '<body bgcolor="white">',
    '<h1>Index of pf-outdated-test/x/</h1>',
    '<hr><pre><a href="../">../</a>',
    ...['20240101T000000', '20240201T000000'].map((stamp) => `<a href="${href(stamp)}">${stamp}/</a>${pad}`),
    '</pre><hr></body>',
    '</html>',
  ].join('\n');
}

describe('the upstream listing of a mirror path', () => {
  test.each(['3.23', '3.43', '3.116'] as const)('pulpcore %s: the snapshots it links to, newest first', (version) => {
    expect(parseSnapshotListing(realListing(version))).toEqual(['20240201T000000', '20240101T000000']);
  });

  test('entries that are not snapshots, repeats and odd links are left out', () => {
    const html = [
      '<a href="../">../</a>',
      '<a href="latest/">latest/</a>',
      "<a class='x' href='20230101T000000/'>x</a>",
      '<A HREF=20230301T000000/>y</A>',
      '<a href="/pulp/content/rocky/9/20230201T000000/">absolute</a>',
      '<a href="20230101T000000/">again</a>',
      '<a href="2023-01-01/">date</a>',
      '<a href="20230101T0000/">short</a>',
      '<a href="%E0%A4%A">bad escape</a>',
    ].join('\n');
    expect(parseSnapshotListing(html)).toEqual(['20230301T000000', '20230201T000000', '20230101T000000']);
    expect(parseSnapshotListing('404: Not Found')).toEqual([]);
  });

  test('the listing URL is the remote URL without its snapshot', () => {
    expect(snapshotListingUrl('https://ark.example.com/pulp/content/rocky/9/BaseOS/20240816T002610', '20240816T002610')).toBe(
      'https://ark.example.com/pulp/content/rocky/9/BaseOS/',
    );
    expect(snapshotListingUrl('https://ark.example.com/pulp/content/rocky/9/BaseOS/20240816T002610/', '20240816T002610')).toBe(
      'https://ark.example.com/pulp/content/rocky/9/BaseOS/',
    );
    expect(snapshotListingUrl('https://ark.example.com/pulp/content/rocky/9/BaseOS/', '20240816T002610')).toBeUndefined();
  });
});

describe('comparing the pin with the listing', () => {
  test('only newer snapshots, newest first, each once', () => {
    expect(
      newerSnapshots('20240816T002610', ['20240101T000000', '20240901T000000', '20240816T002610', '20241001T000000', '20240901T000000']),
    ).toEqual(['20241001T000000', '20240901T000000']);
    expect(newerSnapshots('20241001T000000', ['20240101T000000', '20241001T000000'])).toEqual([]);
  });

  const mirror = (name: string, newer: string[], error?: OutdatedMirror['error']): OutdatedMirror => ({
    mirror: name,
    address: `repository/rpm/${name}`,
    upstream: 'https://ark.example.com',
    listingUrl: `https://ark.example.com/pulp/content/${name}/`,
    pins: { production: '20240816T002610', development: '20240816T002610' },
    snapshot: '20240816T002610',
    newer,
    ...(error !== undefined ? { error } : {}),
  });

  test('the text: pins development first, the newer snapshots, the pin to run, up to date, failures with their hint, and a count', () => {
    const mirrors = [
      mirror("Bob's Packages", ['20241001T000000', '20240901T000000']),
      mirror('Rocky', []),
      mirror('Gone', [], {
        severity: 'error',
        code: 'outdated.not_found',
        summary: 'Gone: the upstream serves nothing at https://ark.example.com/pulp/content/Gone/',
        detail: 'GET https://ark.example.com/pulp/content/Gone/ answered 404.',
        hint: "Check the mirror's path.",
      }),
    ];
    expect(summarizeOutdated(mirrors)).toEqual({ mirrors: 3, outdated: 1, upToDate: 1, failed: 1 });
    expect(renderOutdatedText(mirrors, { color: false })).toBe(
      [
        "Bob's Packages  development 20240816T002610, production 20240816T002610",
        '  newer: 20241001T000000, 20240901T000000',
        "  pulpform pin 'Bob'\\''s Packages' 20241001T000000",
        'Rocky  development 20240816T002610, production 20240816T002610',
        '  up to date: 20240816T002610 is the newest snapshot the upstream lists',
        'Gone  development 20240816T002610, production 20240816T002610',
        '  could not check: Gone: the upstream serves nothing at https://ark.example.com/pulp/content/Gone/',
        '    GET https://ark.example.com/pulp/content/Gone/ answered 404.',
        "    Hint: Check the mirror's path.",
        '',
        '3 mirrors checked: 1 has newer snapshots, 1 up to date, 1 could not be checked.',
        '',
      ].join('\n'),
    );
    expect(renderOutdatedText([], { color: false })).toBe('No pinned package mirror to check (package_mirrors: with a snapshot:).\n');
  });

  test('the pin line names the desired state when it is not the default', () => {
    expect(pinCommand('Rocky Linux 9 - BaseOS', '20241001T000000')).toBe("pulpform pin 'Rocky Linux 9 - BaseOS' 20241001T000000");
    expect(pinCommand('Rocky', '20241001T000000', 'envs/prod dir')).toBe("pulpform pin 'Rocky' 20241001T000000 -f 'envs/prod dir'");
    expect(pinCommand('Rocky', '20241001T000000', 'envs/prod.yaml')).toBe("pulpform pin 'Rocky' 20241001T000000 -f envs/prod.yaml");
  });
});
