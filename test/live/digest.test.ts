import { describe, expect, test } from '@jest/globals';
import { liveStateDigest } from '../../src/live/index.js';
import { live, liveState, SERVER } from '../builders.js';

const remote = live('remote/rpm/appstream', { fields: { url: 'https://ark.example.com/a/' } });
const repository = live('repository/rpm/appstream');

describe('liveStateDigest', () => {
  test('is the same for the same objects read in another order', () => {
    expect(liveStateDigest(liveState([remote, repository]))).toBe(liveStateDigest(liveState([repository, remote])));
  });

  test('changes with an object, its content, its latest version, the repository versions and the server', () => {
    const digest = liveStateDigest(liveState([remote, repository]));
    const others = [
      liveState([remote]),
      liveState([{ ...remote, fingerprint: 'changed' }, repository]),
      liveState([remote, { ...repository, versionHref: `${repository.href}versions/1/` }]),
      { ...liveState([remote, repository]), versions: [] },
      liveState([remote, repository], { ...SERVER, versions: { ...SERVER.versions, core: '3.43.1' } }),
    ];
    for (const other of others) expect(liveStateDigest(other)).not.toBe(digest);
  });
});
