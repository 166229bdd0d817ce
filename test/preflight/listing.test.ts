import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { DesiredState } from '../../src/model/index.js';
import { listingTarget, readListing } from '../../src/preflight/listing.js';
import { ARK_ENV, trainState } from '../releasetrain/train.js';

// The listing read of `outdated` goes through the preflight's downloader: the upstream's Basic
// credentials, its ca_cert and tls_validation.

const PATH = 'rocky/9/BaseOS/x86_64/os';
const PINNED = '20240816T002610';
const tlsDir = join(process.cwd(), 'test/live/tls');
const cert = readFileSync(join(tlsDir, 'self-signed-127.0.0.1.cert.pem'), 'utf8');
const key = readFileSync(join(tlsDir, 'self-signed-127.0.0.1.key.pem'), 'utf8');
let upstream: https.Server;
let upstreamUrl = '';

beforeAll(async () => {
  const expected = `Basic ${Buffer.from(`${ARK_ENV.ARK_USERNAME}:${ARK_ENV.ARK_PASSWORD}`).toString('base64')}`;
  upstream = https.createServer({ cert, key }, (req, res) => {
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="pulp"' });
      res.end('401: Unauthorized');
      return;
    }
    if (req.url !== `/pulp/content/${PATH}/`) {
      res.writeHead(404);
      res.end('404: Not Found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(
      ['<pre><a href="../">../</a>', PINNED, '20240901T000000', '20241001T000000']
        .map((stamp) => `<a href="./${stamp}/">${stamp}/</a>`)
        .join('\n'),
    );
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `https://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

function targetOf(state: DesiredState) {
  const repository = state.resources.find((resource) => resource.kind === 'repository')!;
  const target = listingTarget(state, repository);
  if (target === undefined) throw new Error('no listing target');
  return target;
}

const mirrorAt = (fields: Record<string, unknown>, env: Record<string, string> = ARK_ENV): DesiredState => {
  const state = trainState(upstreamUrl, { packages: [{ plugin: 'rpm', name: 'BaseOS', path: PATH, development: PINNED }] }, env);
  Object.assign(state.resources.find((resource) => resource.kind === 'remote')!.fields, fields);
  return state;
};

describe("reading a mirror's snapshot listing", () => {
  test("the listing URL is the remote's without the snapshot; with the upstream's CA and credentials it lists the snapshots newest first", async () => {
    const target = targetOf(mirrorAt({ ca_cert: cert }));
    expect(target.listingUrl).toBe(`${upstreamUrl}/pulp/content/${PATH}/`);
    expect(target.snapshot).toBe(PINNED);
    expect(await readListing(target, { timeoutMs: 5000 })).toEqual({ snapshots: ['20241001T000000', '20240901T000000', PINNED] });
  });

  test('a certificate nobody vouches for is a TLS failure naming ca_cert; tls_validation: false reads it', async () => {
    const untrusted = await readListing(targetOf(mirrorAt({})), { timeoutMs: 5000 });
    expect(untrusted).toEqual({ error: expect.objectContaining({ code: 'outdated.tls', hint: expect.stringContaining('ca_cert') }) });
    expect(await readListing(targetOf(mirrorAt({ tls_validation: false })), { timeoutMs: 5000 })).toEqual({
      snapshots: expect.arrayContaining([PINNED]),
    });
  });

  test('a rejected password names where it comes from, never its value', async () => {
    const read = await readListing(targetOf(mirrorAt({ ca_cert: cert }, { ...ARK_ENV, ARK_PASSWORD: 'wrong-secret-123' })), {
      timeoutMs: 5000,
    });
    expect(read).toEqual({
      error: expect.objectContaining({
        code: 'outdated.credentials_rejected',
        hint: "Check the upstream's credentials: username from env:ARK_USERNAME, password from env:ARK_PASSWORD.",
      }),
    });
    expect(JSON.stringify(read)).not.toContain('wrong-secret-123');
  });
});
