import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { publishRpm } from '../../../src/emulator/content/rpm/publish.js';
import { type RpmSyncMemo, syncRpm } from '../../../src/emulator/content/rpm/sync.js';
import { SyncError } from '../../../src/emulator/content/sync.js';
import { renderUnitFields } from '../../../src/emulator/content/unit-fields.js';
import { type ContentUnit, sha256Hex } from '../../../src/emulator/content/units.js';
import { parsePackages, parseRepomd, rpmVersionCompare } from '../../../src/emulator/content/rpm/metadata.js';
import { listen, staticServer, type TestServer, UPSTREAMS } from './helpers.js';
import { rpmRepository } from '../../../src/emulator/content/fixtures.js';
import { recorded, sortedReports, substitute } from './transcripts.js';

const RPM_DIR = path.join(UPSTREAMS, 'rpm');
const fixtureArtifacts = new Map(
  ['pulptest-hello-1.0-1.noarch.rpm', 'pulptest-world-2.1-3.noarch.rpm'].map((f) => {
    const data = readFileSync(path.join(RPM_DIR, f));
    return [sha256Hex(data), data];
  }),
);
const resolvers = { unitHref: () => '/unit/', artifactHref: (sha: string) => `/artifacts/${sha}/` };

let upstream: TestServer;
beforeAll(async () => {
  upstream = await staticServer(RPM_DIR);
});
afterAll(async () => {
  await upstream.close();
});

type Task = { progress_reports: Array<{ code: string }>; error: { description: string } };

describe('rpm sync from the conformance fixture', () => {
  test('mirror_complete yields the two packages with the recorded fields and progress, plus a mirrored publication', async () => {
    const result = await syncRpm(
      { remote: { url: `${upstream.url}/` }, present: [], artifactData: (sha) => fixtureArtifacts.get(sha) },
      { syncPolicy: 'mirror_complete', latestVersionNumber: 0 },
    );
    expect(result.changed).toBe(true);
    const listed = recorded<{ results: unknown[] }>('05_rpm_sync', 's7').results;
    const rendered = result.units
      .map((u) => renderUnitFields(u, resolvers))
      .sort((a, b) => String(a.name).localeCompare(String(b.name)))
      .map((f) => ({
        sha256: f.sha256,
        name: f.name,
        version: f.version,
        release: f.release,
        arch: f.arch,
        pkgId: f.pkgId,
        location_href: f.location_href,
      }));
    expect(rendered).toEqual(listed);
    expect(sortedReports(result.progressReports)).toEqual(sortedReports(recorded<Task>('05_rpm_sync', 's4').progress_reports));
    const {
      pulp_href: _h,
      pulp_created: _c,
      repository_version: _v,
      repository: _r,
      ...publicationFields
    } = recorded<{ results: Array<Record<string, unknown>> }>('05_rpm_sync', 's8').results[0]!;
    expect(result.publication!.fields).toEqual(publicationFields);
    expect([...result.publication!.files.keys()].sort()).toEqual(
      [...readdirRepodata(), 'pulptest-hello-1.0-1.noarch.rpm', 'pulptest-world-2.1-3.noarch.rpm', 'repodata/repomd.xml'].sort(),
    );
  });

  test('a sync with nothing new upstream is skipped when optimized', async () => {
    const first = await syncRpm(
      { remote: { url: `${upstream.url}/` }, present: [] },
      { syncPolicy: 'mirror_complete', latestVersionNumber: 0 },
    );
    expect(first.progressReports.find((r) => r.code === 'sync.downloading.artifacts')?.done).toBe(2);
    const again = await syncRpm(
      { remote: { url: `${upstream.url}/` }, present: first.units },
      { syncPolicy: 'mirror_complete', latestVersionNumber: 1, lastSync: { memo: first.memo!, versionNumber: 1 } },
    );
    expect(again.changed).toBe(false);
    expect(again.memo).toBeNull();
    expect(again.publication).toBeNull();
    expect(again.progressReports).toEqual(recorded<Task>('05_rpm_sync', 's10').progress_reports);
  });

  test('optimize false runs an additive sync fully and changes nothing', async () => {
    const first = await syncRpm(
      { remote: { url: `${upstream.url}/` }, present: [] },
      { syncPolicy: 'mirror_complete', latestVersionNumber: 0 },
    );
    const full = await syncRpm(
      { remote: { url: `${upstream.url}/` }, present: first.units, artifactData: (sha) => fixtureArtifacts.get(sha) },
      { optimize: false, latestVersionNumber: 1, lastSync: { memo: first.memo!, versionNumber: 1 } },
    );
    expect(full.changed).toBe(false);
    expect(sortedReports(full.progressReports)).toEqual(sortedReports(recorded<Task>('05_rpm_sync', 's13').progress_reports));
    expect((full.memo as RpmSyncMemo).sync_policy).toBe('additive');
  });

  test('a policy change from additive to mirror_complete is never skipped', async () => {
    const additive = await syncRpm({ remote: { url: `${upstream.url}/` }, present: [] }, { latestVersionNumber: 0 });
    const mirrored = await syncRpm(
      { remote: { url: `${upstream.url}/` }, present: additive.units },
      { syncPolicy: 'mirror_complete', latestVersionNumber: 1, lastSync: { memo: additive.memo!, versionNumber: 1 } },
    );
    expect(mirrored.progressReports.some((r) => r.code === 'sync.was_skipped')).toBe(false);
    expect(mirrored.publication).not.toBeNull();
  });

  test('a missing path fails with the error of the mirrorlist fallback, as recorded', async () => {
    const error = await syncRpm({ remote: { url: `${upstream.url}/no/such/path/` }, present: [] }, { latestVersionNumber: 0 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SyncError);
    const expected = substitute(recorded<Task>('05_rpm_sync', 's21'), { upstream: upstream.url });
    expect((error as SyncError).description).toBe(expected.error.description);
    expect((error as SyncError).progressReports).toEqual([]);
    expect(upstream.requests.slice(-2)).toEqual(['GET /no/such/path/repodata/repomd.xml', 'GET /no/such/path']);
  });

  test("an unreachable host fails with aiohttp's connection error text", async () => {
    const error = (await syncRpm({ remote: { url: 'http://127.0.0.1:1/', max_retries: 0 }, present: [] }, { latestVersionNumber: 0 }).catch(
      (e: unknown) => e,
    )) as SyncError;
    expect(error.description).toBe("Cannot connect to host 127.0.0.1:1 ssl:default [Connect call failed ('127.0.0.1', 1)]");
  });

  test('wrong credentials fail with the 401 of the mirrorlist fallback', async () => {
    const guarded = await staticServer(RPM_DIR, { credentials: ['ark', 'secret'] });
    try {
      const ok = await syncRpm(
        { remote: { url: `${guarded.url}/`, username: 'ark', password: 'secret' }, present: [] },
        { latestVersionNumber: 0 },
      );
      expect(ok.units).toHaveLength(2);
      const error = (await syncRpm(
        { remote: { url: `${guarded.url}/`, username: 'ark', password: 'wrong' }, present: [] },
        { latestVersionNumber: 0 },
      ).catch((e: unknown) => e)) as SyncError;
      expect(error.description).toBe(`401, message='Unauthorized', url=URL('${guarded.url}')`);
      expect(error.description).not.toContain('wrong');
    } finally {
      await guarded.close();
    }
  });

  test('on_demand leaves packages without artifacts but knows where to fetch them', async () => {
    const result = await syncRpm({ remote: { url: `${upstream.url}/`, policy: 'on_demand' }, present: [] }, { latestVersionNumber: 0 });
    const [unit] = result.units as [ContentUnit];
    const fields = renderUnitFields(unit, resolvers);
    expect(fields.artifact).toBeNull();
    expect(fields.sha256).toBeNull();
    expect(fields.pkgId).toHaveLength(64);
    expect(unit.artifacts[0]?.source?.url).toMatch(/\.rpm$/);
    expect(result.progressReports.find((r) => r.code === 'sync.downloading.artifacts')?.done).toBe(0);
  });
});

test('a record type without a parser (productid) becomes a repo_metadata_file unit', async () => {
  const files = publishRpm(rpmRepository(1));
  const productid = Buffer.from('productid certificate\n');
  const metadata = (p: string) => (files.get(p) as { data: Buffer }).data;
  const repomd = metadata('repodata/repomd.xml')
    .toString()
    .replace(
      '</repomd>',
      `  <data type="productid">\n    <checksum type="sha256">${sha256Hex(productid)}</checksum>\n    <location href="repodata/productid"/>\n    <size>${productid.length}</size>\n  </data>\n</repomd>`,
    );
  const served = new Map<string, Buffer>([
    ['/repodata/repomd.xml', Buffer.from(repomd)],
    ['/repodata/productid', productid],
  ]);
  for (const [p, f] of files) if (f.kind === 'metadata' && p !== 'repodata/repomd.xml') served.set(`/${p}`, f.data);
  const custom = await listen((req, res) => {
    const body = served.get(req.url ?? '');
    res.writeHead(body ? 200 : 404).end(body);
  });
  try {
    const result = await syncRpm({ remote: { url: custom.url, policy: 'on_demand' }, present: [] }, { latestVersionNumber: 0 });
    const file = result.units.find((u) => u.type === 'rpm.repo_metadata_file')!;
    expect(file.fields).toEqual({
      relative_path: 'repodata/productid',
      data_type: 'productid',
      checksum_type: 'sha256',
      checksum: sha256Hex(productid),
    });
    expect(file.artifacts[0]!.data).toEqual(productid);
  } finally {
    await custom.close();
  }
});

describe('rpm publication', () => {
  test('repodata is consistent: repomd checksums match the files, primary lists every package at its served path', async () => {
    const synced = await syncRpm({ remote: { url: `${upstream.url}/` }, present: [] }, { latestVersionNumber: 0 });
    const files = publishRpm(synced.units);
    const data = (p: string) => {
      const f = files.get(p);
      if (f?.kind !== 'metadata') throw new Error(`no metadata at ${p}`);
      return f.data;
    };
    const repomd = parseRepomd(data('repodata/repomd.xml').toString());
    expect(repomd.records.map((r) => r.type)).toEqual(['primary', 'filelists', 'other']);
    for (const record of repomd.records) expect(sha256Hex(data(record.locationHref))).toBe(record.checksum);
    const primary = gunzipSync(data(repomd.records[0]!.locationHref)).toString();
    const reparsed = parsePackages(primary, gunzipSync(data(repomd.records[1]!.locationHref)).toString(), null);
    expect(reparsed.map((p) => p.location_href)).toEqual([
      'Packages/p/pulptest-hello-1.0-1.noarch.rpm',
      'Packages/p/pulptest-world-2.1-3.noarch.rpm',
    ]);
    for (const pkg of reparsed) expect(files.get(String(pkg.location_href))?.kind).toBe('artifact');
    expect(publishRpm(synced.units).get('repodata/repomd.xml')).toEqual(files.get('repodata/repomd.xml'));
  });
});

test('rpmvercmp orders versions like rpm', () => {
  expect(rpmVersionCompare('1.10', '1.9')).toBe(1);
  expect(rpmVersionCompare('1.0~rc1', '1.0')).toBe(-1);
  expect(rpmVersionCompare('1.0a', '1.0')).toBe(1);
  expect(rpmVersionCompare('2.01', '2.1')).toBe(0);
});

function readdirRepodata(): string[] {
  const repomd = parseRepomd(readFileSync(path.join(RPM_DIR, 'repodata/repomd.xml'), 'utf8'));
  return repomd.records.map((r) => r.locationHref);
}
