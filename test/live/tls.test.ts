import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PulpClient } from '../../src/live/client.js';
import type { PulpApiError } from '../../src/live/errors.js';

// A throwaway self-signed certificate for 127.0.0.1, made for this test only (openssl req -x509, 100 years).
const certPath = fileURLToPath(new URL('./tls/self-signed-127.0.0.1.cert.pem', import.meta.url));
const cert = readFileSync(certPath, 'utf8');
const key = readFileSync(new URL('./tls/self-signed-127.0.0.1.key.pem', import.meta.url), 'utf8');

let server: https.Server;
let url: string;

beforeAll(async () => {
  server = https.createServer({ cert, key }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ versions: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('PulpClient over TLS', () => {
  test('verifies certificates by default and points at --ca-cert and --insecure when that fails', async () => {
    const client = new PulpClient({ baseUrl: url, retries: 0 });
    try {
      const error = (await client.status().then(
        () => undefined,
        (e: unknown) => e,
      )) as PulpApiError;
      expect(error.kind).toBe('tls');
      expect(error.hint).toContain('--ca-cert');
      expect(error.hint).toContain('--insecure');
    } finally {
      client.close();
    }
  });

  test('trusts a CA given as a file path or as PEM text', async () => {
    for (const caCert of [certPath, cert]) {
      const client = new PulpClient({ baseUrl: url, caCert });
      try {
        expect(await client.status()).toEqual({ versions: [] });
      } finally {
        client.close();
      }
    }
  });

  test('skips verification only when asked to', async () => {
    const client = new PulpClient({ baseUrl: url, insecure: true });
    try {
      expect(await client.status()).toEqual({ versions: [] });
    } finally {
      client.close();
    }
  });

  test('a missing CA file is a clear error', () => {
    expect(() => new PulpClient({ baseUrl: url, caCert: '/nonexistent/ca.pem' })).toThrow(
      "cannot read the CA certificate file '/nonexistent/ca.pem': ENOENT",
    );
  });
});
