import { describe, expect, test } from '@jest/globals';
import { connectionError, DownloadError, ResponseError, timeoutError } from '../../src/upstream/download-errors.js';
import { PulpformError } from '../../src/model/errors.js';

const URL = 'https://ark.example.com/pulp/content/rocky/9/BaseOS/repodata/repomd.xml';
const TARGET = { host: 'ark.example.com', port: 443, ssl: 'default' };

function socketError(
  code: string,
  message: string,
  extra: { address?: string; port?: number } = {},
): Error & { code: string; address?: string; port?: number } {
  return Object.assign(new Error(message), { code }, extra);
}

describe("Pulp's wording of a failed download", () => {
  test('a refused connection names the address and port, as aiohttp does', () => {
    const error = connectionError(
      socketError('ECONNREFUSED', 'connect ECONNREFUSED 10.1.2.3:443', { address: '10.1.2.3', port: 443 }),
      TARGET,
      URL,
    );
    expect(error.message).toBe("Cannot connect to host ark.example.com:443 ssl:default [Connect call failed ('10.1.2.3', 443)]");
    expect(error.retryable).toBe(true);
  });

  test('an unknown host and a DNS hiccup', () => {
    expect(connectionError(socketError('ENOTFOUND', 'getaddrinfo ENOTFOUND'), TARGET, URL).message).toBe(
      'Cannot connect to host ark.example.com:443 ssl:default [Name or service not known]',
    );
    expect(connectionError(socketError('EAI_AGAIN', 'getaddrinfo EAI_AGAIN'), { ...TARGET, ssl: 'False' }, URL).message).toBe(
      'Cannot connect to host ark.example.com:443 ssl:False [Temporary failure in name resolution]',
    );
  });

  test('a reset is a server disconnect; a socket timeout is the total_timeout text', () => {
    expect(connectionError(socketError('ECONNRESET', 'read ECONNRESET'), TARGET, URL).message).toBe('Server disconnected');
    expect(connectionError(socketError('ETIMEDOUT', 'connect ETIMEDOUT'), TARGET, URL).message).toBe(timeoutError(URL).message);
    expect(timeoutError(URL).message).toBe(`Request timed out for ${URL}. Increasing the total_timeout value on the remote might help.`);
  });

  test("certificate failures read as Python's ssl module words them", () => {
    expect(connectionError(socketError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), TARGET, URL).message).toBe(
      "Cannot connect to host ark.example.com:443 ssl:True [SSLCertVerificationError: (1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate (_ssl.c:1006)')]",
    );
    expect(
      connectionError(socketError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), TARGET, URL)
        .message,
    ).toBe(
      `Cannot connect to host ark.example.com:443 ssl:True [SSLCertVerificationError: (1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for 'ark.example.com'. (_ssl.c:1006)")]`,
    );
  });

  test("anything else keeps the socket's message", () => {
    expect(connectionError(socketError('EHOSTUNREACH', 'connect EHOSTUNREACH 10.1.2.3:443'), TARGET, URL).message).toBe(
      'Cannot connect to host ark.example.com:443 ssl:default [connect EHOSTUNREACH 10.1.2.3:443]',
    );
  });

  test("an HTTP status reads as aiohttp's ClientResponseError; 5xx and 429 are retried, 4xx not", () => {
    const missing = new ResponseError(404, 'Not Found', URL, {});
    expect(missing.message).toBe(`404, message='Not Found', url=URL('${URL}')`);
    expect(missing.retryable).toBe(false);
    expect(new ResponseError(503, 'Service Unavailable', URL, {}).retryable).toBe(true);
    expect(new ResponseError(429, 'Too Many Requests', URL, {}).retryable).toBe(true);
  });
});

describe('download errors are pulpform errors with a code', () => {
  test('DownloadError and ResponseError', () => {
    const failed = timeoutError(URL);
    const answered = new ResponseError(401, 'Unauthorized', URL, {});
    expect(failed).toBeInstanceOf(PulpformError);
    expect(failed.code).toBe('upstream.download');
    expect(answered).toBeInstanceOf(DownloadError);
    expect(answered.code).toBe('upstream.http');
    expect(answered.name).toBe('ResponseError');
    // The code is the class's, not an own property: what inspect and JSON show of these errors is as before.
    expect(Object.keys(answered)).not.toContain('code');
  });
});
