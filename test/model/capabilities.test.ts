import { describe, expect, test } from '@jest/globals';
import { locksObject } from '../../src/live/client.js';
import {
  capabilitiesOf,
  compareVersions,
  FIELDS,
  fieldUnavailable,
  fromServerFields,
  labelProblem,
  labelRulesOfAllReleases,
  toServerBody,
} from '../../src/model/index.js';

// The component versions the real servers of the end-to-end suite report.
const V3_23 = { core: '3.23.24', rpm: '3.20.0', container: '2.14.18', deb: '2.20.4', file: '1.14.5' };
const V3_43 = { core: '3.43.1', rpm: '3.24.1', container: '2.17.0', deb: '3.1.2', file: '3.43.1' };
const V3_116 = { core: '3.116.0', rpm: '3.38.5', container: '2.29.0', deb: '3.10.0', file: '3.116.0', certguard: '3.116.0' };

describe('server releases', () => {
  test('dotted versions compare numerically', () => {
    expect(compareVersions('3.20.0', '3.23')).toBeLessThan(0);
    expect(compareVersions('3.100.1', '3.23')).toBeGreaterThan(0);
    expect(compareVersions('3.23', '3.23.0')).toBe(0);
    expect(compareVersions('3.9', '3.116')).toBeLessThan(0);
  });

  test('each tested release gets its capabilities', () => {
    expect(capabilitiesOf(V3_23)).toMatchObject({
      rpmGpgOptions: 'fields',
      rpmUpdateResetsRepoConfig: false,
      taskHrefFilter: false,
      containerTagFilters: { include: 'include_tags' },
    });
    expect(capabilitiesOf(V3_43)).toMatchObject({ rpmGpgOptions: 'repo_config', rpmUpdateResetsRepoConfig: true, taskHrefFilter: true });
    expect(capabilitiesOf(V3_116)).toMatchObject({
      rpmGpgOptions: 'repo_config',
      rpmUpdateResetsRepoConfig: false,
      containerTagFilters: { include: 'includes', exclude: 'excludes' },
    });
  });

  test('a component the server lacks takes the oldest behaviour', () => {
    expect(capabilitiesOf({ core: '3.116.0' }).rpmGpgOptions).toBe('fields');
  });

  test('a field is unavailable before its since and from its until, never when the server does not report the component', () => {
    const since = FIELDS['distributions/rpm/rpm']!['repository_version'];
    expect(fieldUnavailable(since, V3_43)).toEqual({ release: { component: 'core', version: '3.106.0' }, have: '3.43.1', removed: false });
    expect(fieldUnavailable(since, V3_116)).toBeUndefined();
    const until = FIELDS['repositories/rpm/rpm']!['sqlite_metadata'];
    expect(fieldUnavailable(until, V3_23)).toBeUndefined();
    expect(fieldUnavailable(until, V3_116)).toEqual({ release: { component: 'rpm', version: '3.25.0' }, have: '3.38.5', removed: true });
    expect(fieldUnavailable(until, {})).toBeUndefined();
  });
});

describe('pulpform fields on every release', () => {
  test('rpm gpg options: their own fields on 3.23, inside repo_config later, absent meaning 0', () => {
    const fields = (raw: Record<string, unknown>, versions: Record<string, string>) =>
      fromServerFields('repositories/rpm/rpm', raw as never, { gpgcheck: (raw.gpgcheck ?? null) as never }, capabilitiesOf(versions));
    expect(fields({ gpgcheck: 1, repo_gpgcheck: 0 }, V3_23)).toEqual({ gpgcheck: 1 });
    expect(fields({ gpgcheck: null, repo_gpgcheck: null, repo_config: { gpgcheck: 1 } }, V3_43)).toEqual({ gpgcheck: 1, repo_gpgcheck: 0 });
    expect(fields({ repo_config: {} }, V3_116)).toEqual({ gpgcheck: 0, repo_gpgcheck: 0 });
  });

  test('rpm gpg options are written into repo_config, keeping its other keys', () => {
    const current = { repo_config: { sslverify: 1, gpgcheck: 0 } };
    expect(toServerBody('repositories/rpm/rpm', { gpgcheck: 1 }, capabilitiesOf(V3_23), current)).toEqual({ gpgcheck: 1 });
    expect(toServerBody('repositories/rpm/rpm', { gpgcheck: 1 }, capabilitiesOf(V3_116), current)).toEqual({
      repo_config: { sslverify: 1, gpgcheck: 1 },
    });
    expect(toServerBody('publications/rpm/rpm', { repository_version: 'v', repo_gpgcheck: 1 }, capabilitiesOf(V3_43))).toEqual({
      repository_version: 'v',
      repo_config: { repo_gpgcheck: 1 },
    });
  });

  test('on rpm 3.24 to 3.29 every repository update carries repo_config, which the update would otherwise reset', () => {
    const current = { repo_config: { gpgcheck: 1 } };
    expect(toServerBody('repositories/rpm/rpm', { pulp_labels: { a: 'b' } }, capabilitiesOf(V3_43), current)).toEqual({
      pulp_labels: { a: 'b' },
      repo_config: { gpgcheck: 1 },
    });
    expect(toServerBody('repositories/rpm/rpm', { pulp_labels: { a: 'b' } }, capabilitiesOf(V3_116), current)).toEqual({
      pulp_labels: { a: 'b' },
    });
    // A create has nothing to keep.
    expect(toServerBody('repositories/rpm/rpm', { name: 'r' }, capabilitiesOf(V3_43))).toEqual({ name: 'r' });
  });

  test('container tag filters are include_tags/exclude_tags to pulpform, includes/excludes on the wire from 2.28', () => {
    const caps = capabilitiesOf(V3_116);
    expect(fromServerFields('remotes/container/container', { includes: ['a'], excludes: null }, {}, caps)).toEqual({
      include_tags: ['a'],
      exclude_tags: null,
    });
    expect(toServerBody('remotes/container/container', { include_tags: ['a'], url: 'u' }, caps)).toEqual({ includes: ['a'], url: 'u' });
    expect(toServerBody('remotes/container/container', { include_tags: ['a'] }, capabilitiesOf(V3_43))).toEqual({ include_tags: ['a'] });
  });
});

describe('label rules by release', () => {
  test('3.23 to 3.104 accept words and spaces; 3.105 also hyphens and dots; 3.115 also commas in values', () => {
    const releases = labelRulesOfAllReleases();
    expect(releases.map((r) => r.release)).toEqual(['3.23.0', '3.105.0', '3.115.0']);
    const accepted = (key: string, value: string) =>
      releases.filter(({ rule }) => labelProblem(key, value, rule) === undefined).map((r) => r.release);
    expect(accepted('team name', 'x')).toEqual(['3.23.0', '3.105.0', '3.115.0']);
    expect(accepted('cf-env', 'x')).toEqual(['3.105.0', '3.115.0']);
    expect(accepted('env', 'a,b')).toEqual(['3.115.0']);
    expect(accepted('env', 'a(b)')).toEqual([]);
    expect(accepted('a/b', 'x')).toEqual([]);
  });
});

describe('task lock records', () => {
  const href = '/pulp/api/v3/repositories/rpm/rpm/01a24943-2aff-753e-b6f8-93e6e7b67d44/';
  test('match the object by href or by PRN, exclusive or shared', () => {
    expect(locksObject(href, href, false)).toBe(true);
    expect(locksObject(`shared:${href}`, href, true)).toBe(true);
    expect(locksObject(`shared:${href}`, href, false)).toBe(false);
    expect(locksObject('prn:rpm.rpmrepository:01a24943-2aff-753e-b6f8-93e6e7b67d44', href, false)).toBe(true);
    expect(locksObject('shared:prn:rpm.rpmrepository:01a24943-2aff-753e-b6f8-93e6e7b67d44', href, true)).toBe(true);
    expect(locksObject('prn:rpm.rpmrepository:01a24943-2aff-753e-b6f8-000000000000', href, false)).toBe(false);
    expect(locksObject(null, href, false)).toBe(false);
  });
});
