import { describe, expect, test } from '@jest/globals';
import { PUSH_REPOSITORY_ENDPOINT } from '../../src/model/fields.js';
import { LiveIndex, repositoryHrefOf, versionNumber } from '../../src/plan/live-index.js';
import { live, liveState } from '../builders.js';

const PUSH_HREF = `/pulp/api/v3/${PUSH_REPOSITORY_ENDPOINT}/0001/`;
const MIRROR_HREF = '/pulp/api/v3/repositories/container/container/0002/';

describe('LiveIndex', () => {
  test('a name two objects of one kind share (two types) finds the one with the smaller href, whatever order the server listed them in', () => {
    const mirror = live('repository/container/ceph', { href: MIRROR_HREF });
    const pushed = live('repository/container/ceph', { type: 'container-push', href: PUSH_HREF });
    for (const objects of [
      [mirror, pushed],
      [pushed, mirror],
    ]) {
      const index = new LiveIndex(liveState(objects));
      expect(index.get('repository', 'ceph')).toBe(pushed);
      expect(index.named.size).toBe(1);
      expect(index.byHref.size).toBe(2);
    }
  });

  test('every map iterates in href order', () => {
    const objects = ['c', 'a', 'b'].map((name) => live(`remote/file/${name}`, { href: `/pulp/api/v3/remotes/file/file/${name}/` }));
    const index = new LiveIndex(liveState(objects));
    expect([...index.byHref.keys()]).toEqual(['a', 'b', 'c'].map((name) => `/pulp/api/v3/remotes/file/file/${name}/`));
    expect([...index.named.values()].map((object) => object.name)).toEqual(['a', 'b', 'c']);
  });

  test('at() finds the object of that kind and name whatever the plugin in the address (Pulp names are unique per kind), and nothing for a publication or a malformed address', () => {
    const remote = live('remote/rpm/baseos');
    const publication = live('publication/rpm/baseos', { versionHref: '/pulp/api/v3/repositories/rpm/rpm/r1/versions/1/' });
    const index = new LiveIndex(liveState([remote, publication]));
    expect(index.at('remote/rpm/baseos')).toBe(remote);
    expect(index.at('remote/file/baseos')).toBe(remote);
    expect(index.at('repository/rpm/baseos')).toBeUndefined();
    expect(index.at('publication/rpm/baseos')).toBeUndefined();
    expect(index.at('not-an-address')).toBeUndefined();
  });

  test('publications are found by the version they publish; one without a version is in byHref only', () => {
    const version = '/pulp/api/v3/repositories/rpm/rpm/r1/versions/2/';
    const older = live('publication/rpm/p1', { href: '/pulp/api/v3/publications/rpm/rpm/p1/', versionHref: version });
    const newer = live('publication/rpm/p2', { href: '/pulp/api/v3/publications/rpm/rpm/p2/', versionHref: version });
    const orphan = live('publication/rpm/p3', { href: '/pulp/api/v3/publications/rpm/rpm/p3/' });
    const index = new LiveIndex(liveState([newer, orphan, older]));
    expect(index.publicationsByVersion.get(version)).toEqual([older, newer]);
    expect([...index.publicationsByVersion.keys()]).toEqual([version]);
    expect(index.byHref.get(orphan.href)).toBe(orphan);
    expect(index.named.size).toBe(0);
  });

  test("known versions: each repository's latest, each published one, and every listed one", () => {
    const repository = live('repository/rpm/r1', {
      href: '/pulp/api/v3/repositories/rpm/rpm/r1/',
      versionHref: '/pulp/api/v3/repositories/rpm/rpm/r1/versions/5/',
    });
    const publication = live('publication/rpm/p', { versionHref: '/pulp/api/v3/repositories/rpm/rpm/r1/versions/3/' });
    const state = {
      ...liveState([repository, publication]),
      versions: [{ href: '/pulp/api/v3/repositories/rpm/rpm/r1/versions/1/', repository: repository.href, number: 1 }],
    };
    const index = new LiveIndex(state);
    expect([...index.knownVersions].sort()).toEqual([1, 3, 5].map((n) => `/pulp/api/v3/repositories/rpm/rpm/r1/versions/${n}/`));
  });

  test('served publications and push distributions come from the distributions', () => {
    const pushed = live('repository/container/ceph', { type: 'container-push', href: PUSH_HREF });
    const mirror = live('repository/container/nova', { href: MIRROR_HREF });
    const pushDistribution = live('distribution/container/ceph', { fields: { repository: PUSH_HREF } });
    const mirrorDistribution = live('distribution/container/nova', { fields: { repository: MIRROR_HREF } });
    const served = live('distribution/rpm/baseos', { fields: { publication: '/pulp/api/v3/publications/rpm/rpm/p1/' } });
    const index = new LiveIndex(liveState([pushed, mirror, pushDistribution, mirrorDistribution, served]));
    expect([...index.pushDistributions]).toEqual([[PUSH_HREF, pushDistribution]]);
    expect([...index.servedPublications]).toEqual(['/pulp/api/v3/publications/rpm/rpm/p1/']);
  });
});

describe('version hrefs', () => {
  test('versionNumber reads the number of a version href and nothing else', () => {
    expect(versionNumber('/pulp/api/v3/repositories/rpm/rpm/r1/versions/12/')).toBe(12);
    expect(versionNumber('/pulp/api/v3/repositories/rpm/rpm/r1/')).toBeUndefined();
    expect(versionNumber('/pulp/api/v3/repositories/rpm/rpm/r1/versions/12')).toBeUndefined();
    expect(versionNumber(undefined)).toBeUndefined();
  });

  test('repositoryHrefOf strips the version', () => {
    expect(repositoryHrefOf('/pulp/api/v3/repositories/rpm/rpm/r1/versions/12/')).toBe('/pulp/api/v3/repositories/rpm/rpm/r1/');
  });
});
