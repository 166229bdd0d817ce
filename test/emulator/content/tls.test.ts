import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { syncFile } from '../../../src/emulator/content/file.js';
import type { SyncError } from '../../../src/emulator/content/sync.js';

// A self-signed test-only certificate for 127.0.0.1 (valid until 2126).
const CERT = `-----BEGIN CERTIFICATE-----
MIIBkDCCATagAwIBAgIULzPKHdXPj9kr8vCgVz9JiD8PQvgwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyNTAyMDMyNFoYDzIxMjYxMTAx
MDIwMzI0WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATzifpoHZTXKpXVVHr6olSFzpEAqTW91aj3L9/gYBa3qTPHcpSAWtOs
kRjlGct+toPWpIFr7gWDojQGfAzZzraPo2QwYjAdBgNVHQ4EFgQUbDUVFk5S3m3O
Y6pbP6MeilzNd2YwHwYDVR0jBBgwFoAUbDUVFk5S3m3OY6pbP6MeilzNd2YwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC
IQDza3FINIyDUWt7SxFKrXnMiJkvvNHszE4jhLL8V3yv6gIgU9Y5DPu60KThBqQV
+TpWFk1MmlAH6eG4JKPWFf7bwZ0=
-----END CERTIFICATE-----`;
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgtvt2YpQRR8qvUR10
hWMuiXpLuAKwCZaX8x9hw7mx/ZahRANCAATzifpoHZTXKpXVVHr6olSFzpEAqTW9
1aj3L9/gYBa3qTPHcpSAWtOskRjlGct+toPWpIFr7gWDojQGfAzZzraP
-----END PRIVATE KEY-----`;

const MANIFEST = `a.txt,${createHash('sha256').update('a\n').digest('hex')},2\n`;
let server: https.Server;
let url: string;
beforeAll(async () => {
  server = https.createServer({ cert: CERT, key: KEY }, (req, res) => res.end(req.url === '/PULP_MANIFEST' ? MANIFEST : 'a\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/PULP_MANIFEST`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test('an untrusted certificate fails with the verification error Pulp reports', async () => {
  const error = (await syncFile({ remote: { url, max_retries: 0 }, present: [] }).catch((e: unknown) => e)) as SyncError;
  const port = new URL(url).port;
  expect(error.description).toBe(
    `Cannot connect to host 127.0.0.1:${port} ssl:True [SSLCertVerificationError: (1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)')]`,
  );
});

test('tls_validation false or the certificate as ca_cert let the sync through', async () => {
  expect((await syncFile({ remote: { url, tls_validation: false }, present: [] })).units).toHaveLength(1);
  expect((await syncFile({ remote: { url, ca_cert: CERT }, present: [] })).units).toHaveLength(1);
});
