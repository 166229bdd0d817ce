import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseParagraphs } from '../../../src/emulator/content/deb/deb822.js';
import { publishDebApt, publishDebVerbatim } from '../../../src/emulator/content/deb/publish.js';
import { syncDeb } from '../../../src/emulator/content/deb/sync.js';
import { parseManifest, publishFile, syncFile } from '../../../src/emulator/content/file.js';
import type { SyncError } from '../../../src/emulator/content/sync.js';
import { renderUnitFields } from '../../../src/emulator/content/unit-fields.js';
import { type ContentUnit, sha256Hex } from '../../../src/emulator/content/units.js';
import { listen, staticServer, type TestServer, UPSTREAMS } from './helpers.js';
import { recorded, sortedReports, substitute } from './transcripts.js';

type Task = { progress_reports: Array<{ code: string; state: string; done: number }>; error: { description: string } };
const resolvers = { unitHref: (ref: { type: string }) => `/${ref.type}/`, artifactHref: (sha: string) => `/artifacts/${sha}/` };
const stored = (dir: string, files: string[]) =>
  new Map(files.map((f) => readFileSync(path.join(UPSTREAMS, dir, f))).map((d) => [sha256Hex(d), d]));

let fileUpstream: TestServer;
let debUpstream: TestServer;
beforeAll(async () => {
  fileUpstream = await staticServer(path.join(UPSTREAMS, 'file'));
  debUpstream = await staticServer(path.join(UPSTREAMS, 'deb'));
});
afterAll(async () => {
  await fileUpstream.close();
  await debUpstream.close();
});

describe('file sync', () => {
  const fixture = stored('file', ['a.txt', 'sub/b.txt']);

  test('a mirror sync lists the recorded files and progress and publishes the upstream manifest', async () => {
    const result = await syncFile(
      { remote: { url: `${fileUpstream.url}/PULP_MANIFEST` }, present: [], artifactData: (sha) => fixture.get(sha) },
      { mirror: true },
    );
    const listed = result.units
      .map((u) => renderUnitFields(u, resolvers))
      .map((f) => ({ relative_path: f.relative_path, sha256: f.sha256 }))
      .sort((a, b) => String(a.relative_path).localeCompare(String(b.relative_path)));
    expect(listed).toEqual(recorded<{ results: unknown[] }>('12_file', 's9').results);
    expect(sortedReports(result.progressReports)).toEqual(sortedReports(recorded<Task>('12_file', 's8').progress_reports));
    const manifest = result.publication!.files.get('PULP_MANIFEST');
    expect(manifest?.kind === 'metadata' && manifest.data).toEqual(readFileSync(path.join(UPSTREAMS, 'file/PULP_MANIFEST')));
    expect(result.publication!.files.get('sub/b.txt')?.kind).toBe('artifact');
    expect(result.publication!.fields).toEqual({ manifest: 'PULP_MANIFEST' });
  });

  test('a re-sync without changes makes no version and reports as recorded', async () => {
    const first = await syncFile({ remote: { url: `${fileUpstream.url}/PULP_MANIFEST` }, present: [] }, { mirror: true });
    expect(first.progressReports.find((r) => r.code === 'sync.downloading.artifacts')?.done).toBe(2);
    const again = await syncFile({
      remote: { url: `${fileUpstream.url}/PULP_MANIFEST` },
      present: first.units,
      artifactData: (sha) => fixture.get(sha),
    });
    expect(again.changed).toBe(false);
    expect(again.publication).toBeNull();
    expect(sortedReports(again.progressReports)).toEqual(sortedReports(recorded<Task>('12_file', 's12').progress_reports));
  });

  test('a missing manifest fails with the upstream 404 and the pipeline reports canceled', async () => {
    const error = (await syncFile({ remote: { url: `${fileUpstream.url}/nope/PULP_MANIFEST` }, present: [] }).catch(
      (e: unknown) => e,
    )) as SyncError;
    expect(error.description).toBe(`404, message='File not found', url=URL('${fileUpstream.url}/nope/PULP_MANIFEST')`);
    expect(sortedReports(error.progressReports).map((r) => [r.code, r.state])).toEqual([
      ['associating.content', 'canceled'],
      ['sync.downloading.artifacts', 'canceled'],
      ['sync.downloading.metadata', 'failed'],
    ]);
  });

  test("a file whose bytes do not match the manifest fails with pulpcore's checksum text", async () => {
    const manifest = `a.txt,${sha256Hex('expected')},8\n`;
    const tampered = await listen((req, res) => res.end(req.url === '/PULP_MANIFEST' ? manifest : 'tampered'));
    try {
      const error = (await syncFile({ remote: { url: `${tampered.url}/PULP_MANIFEST`, max_retries: 0 }, present: [] }).catch(
        (e: unknown) => e,
      )) as SyncError;
      expect(error.description).toBe(
        `A file located at the url ${tampered.url}/a.txt failed validation due to checksum. Expected '${sha256Hex('expected')}', Actual '${sha256Hex('tampered')}'`,
      );
    } finally {
      await tampered.close();
    }
  });

  test('a publication lists every file with its checksum and size', () => {
    const units: ContentUnit[] = [
      {
        type: 'file.file',
        key: 'k',
        fields: { relative_path: 'x/y.txt', digest: 'ab' },
        artifacts: [{ relativePath: 'x/y.txt', sha256: 'ab', size: 3 }],
      },
    ];
    const files = publishFile(units, { manifestName: 'MANIFEST.csv' });
    const manifest = files.get('MANIFEST.csv');
    expect(manifest?.kind === 'metadata' && parseManifest(manifest.data.toString())).toEqual([
      { relativePath: 'x/y.txt', sha256: 'ab', size: 3 },
    ]);
  });
});

describe('deb sync', () => {
  const remote = (distributions = 'stable') => ({
    url: `${debUpstream.url}/`,
    distributions,
    components: 'main',
    architectures: 'amd64',
    policy: 'on_demand' as const,
  });

  test('a mirror sync yields the 9 units of 7 types the transcript records, packages as listed', async () => {
    const result = await syncDeb({ remote: remote(), present: [] }, { mirror: true, latestVersionNumber: 0 });
    const counts: Record<string, number> = {};
    for (const u of result.units) counts[u.type] = (counts[u.type] ?? 0) + 1;
    const summary = recorded<{ content_summary: { added: Record<string, { count: number }> } }>('17_deb_sync', 's5').content_summary.added;
    expect(counts).toEqual(Object.fromEntries(Object.entries(summary).map(([t, v]) => [t, v.count])));
    const packages = result.units
      .filter((u) => u.type === 'deb.package')
      .map((u) => renderUnitFields(u, resolvers))
      .sort((a, b) => String(a.package).localeCompare(String(b.package)));
    const listed = recorded<{ results: Array<Record<string, unknown>> }>('17_deb_sync', 's6').results.map(
      ({ pulp_href: _href, pulp_created: _created, ...rest }) => rest,
    );
    expect(packages).toEqual(listed);
    expect(result.progressReports.map((r) => r.code).sort()).toEqual(
      recorded<Task>('17_deb_sync', 's4')
        .progress_reports.map((r) => r.code)
        .sort(),
    );
    expect(result.progressReports.find((r) => r.code === 'associating.content')?.done).toBe(9);
    expect(result.memo).not.toBeNull();
  });

  test('a mirror re-sync makes no new version', async () => {
    const first = await syncDeb({ remote: remote(), present: [] }, { mirror: true, latestVersionNumber: 0 });
    const again = await syncDeb(
      { remote: remote(), present: first.units },
      { mirror: true, latestVersionNumber: 1, lastSync: { memo: first.memo!, versionNumber: 1 } },
    );
    expect(again.changed).toBe(false);
    expect(again.memo).toBeNull();
  });

  test('an additive optimized re-sync skips the unchanged release file', async () => {
    const first = await syncDeb({ remote: remote(), present: [] }, { latestVersionNumber: 0 });
    const again = await syncDeb(
      { remote: remote(), present: first.units },
      { latestVersionNumber: 1, lastSync: { memo: first.memo!, versionNumber: 1 } },
    );
    expect(again.changed).toBe(false);
    expect(again.progressReports.map((r) => r.code)).toContain('sync.release_file.was_skipped');
  });

  test('a distribution the upstream lacks fails with the recorded text and report states', async () => {
    const error = (await syncDeb({ remote: remote('nosuchdist'), present: [] }, { mirror: true, latestVersionNumber: 1 }).catch(
      (e: unknown) => e,
    )) as SyncError;
    const expected = substitute(recorded<Task>('17_deb_sync', 's12'), { deb_upstream: debUpstream.url });
    expect(error.description).toBe(expected.error.description);
    expect(sortedReports(error.progressReports).map((r) => [r.code, r.state, r.done])).toEqual(
      sortedReports(expected.progress_reports).map((r) => [r.code, r.state, r.done]),
    );
  });

  test('verbatim republishes the upstream files; structured regenerates a Release that lists consistent indices', async () => {
    const result = await syncDeb({ remote: { ...remote(), policy: 'immediate' }, present: [] }, { latestVersionNumber: 0 });
    const verbatim = publishDebVerbatim(result.units);
    const release = verbatim.get('dists/stable/Release');
    expect(release?.kind === 'artifact' && release.artifact.data).toEqual(readFileSync(path.join(UPSTREAMS, 'deb/dists/stable/Release')));
    expect(verbatim.get('pool/main/c/cf-hello/cf-hello_1.0-1_amd64.deb')?.kind).toBe('artifact');

    const apt = publishDebApt(result.units, { structured: true });
    const text = (p: string) => {
      const f = apt.get(p);
      if (f?.kind !== 'metadata') throw new Error(`no metadata at ${p}`);
      return f.data;
    };
    const [releaseFields] = parseParagraphs(text('dists/stable/Release').toString()) as [Map<string, string>];
    expect(releaseFields.get('Components')).toBe('main');
    expect(releaseFields.get('Architectures')).toBe('amd64');
    const packagesSha = sha256Hex(text('dists/stable/main/binary-amd64/Packages'));
    expect(releaseFields.get('SHA256')).toContain(`${packagesSha}`);
    const paragraphs = parseParagraphs(text('dists/stable/main/binary-amd64/Packages').toString());
    expect(paragraphs.map((p) => p.get('Filename'))).toEqual([
      'pool/main/c/cf-hello/cf-hello_1.0-1_amd64.deb',
      'pool/main/c/cf-world/cf-world_2.1-3_amd64.deb',
    ]);
    expect(paragraphs[0]?.get('Description')).toBe('Conformance fixture package hello\n tiny test package');
    for (const p of paragraphs) expect(apt.get(p.get('Filename')!)?.kind).toBe('artifact');
  });
});

describe('remote connection options', () => {
  test('a proxy receives absolute-URI requests with the proxy credentials; the remote headers are sent', async () => {
    const seen: Array<{ url: string; proxyAuth: string | undefined; custom: string | undefined }> = [];
    const proxy = await listen((req, res) => {
      seen.push({
        url: req.url ?? '',
        proxyAuth: req.headers['proxy-authorization'],
        custom: req.headers['x-custom'] as string | undefined,
      });
      void fetch(req.url ?? '').then(async (upstream) => {
        res.writeHead(upstream.status, upstream.statusText);
        res.end(Buffer.from(await upstream.arrayBuffer()));
      });
    });
    try {
      const result = await syncFile({
        remote: {
          url: `${fileUpstream.url}/PULP_MANIFEST`,
          proxy_url: proxy.url,
          proxy_username: 'squid',
          proxy_password: 'hunter2',
          headers: [{ 'X-Custom': 'yes' }],
        },
        present: [],
      });
      expect(result.units).toHaveLength(2);
      expect(seen[0]).toEqual({
        url: `${fileUpstream.url}/PULP_MANIFEST`,
        proxyAuth: `Basic ${Buffer.from('squid:hunter2').toString('base64')}`,
        custom: 'yes',
      });
      expect(seen).toHaveLength(3);
    } finally {
      await proxy.close();
    }
  });

  test("a server that never answers fails with pulpcore's timeout text after total_timeout", async () => {
    const silent = await listen(() => undefined);
    try {
      const url = `${silent.url}/PULP_MANIFEST`;
      const error = (await syncFile({ remote: { url, total_timeout: 0.05, max_retries: 0 }, present: [] }).catch(
        (e: unknown) => e,
      )) as SyncError;
      expect(error.description).toBe(`Request timed out for ${url}. Increasing the total_timeout value on the remote might help.`);
    } finally {
      await silent.close();
    }
  });

  test('retries 5xx answers up to max_retries, then reports the last one', async () => {
    let calls = 0;
    const flaky = await listen((_req, res) => {
      calls++;
      res.writeHead(503, 'Service Unavailable').end();
    });
    try {
      const error = (await syncFile({ remote: { url: `${flaky.url}/PULP_MANIFEST`, max_retries: 2 }, present: [], retryDelayMs: 1 }).catch(
        (e: unknown) => e,
      )) as SyncError;
      expect(error.description).toBe(`503, message='Service Unavailable', url=URL('${flaky.url}/PULP_MANIFEST')`);
      expect(calls).toBe(3);
    } finally {
      await flaky.close();
    }
  });
});
