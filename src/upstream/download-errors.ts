// Pulp's (aiohttp's) wording of a failed download: the texts users see in a failed sync task's
// error.description, and preflight repeats so a probe fails as the sync would.
import type http from 'node:http';
import { PulpformError } from '../model/errors.js';

/** A failure whose message is the text real Pulp puts in the failed task's error.description. */
export class DownloadError extends PulpformError {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.name = new.target.name;
    this.retryable = retryable;
  }

  get code(): string {
    return 'upstream.download';
  }
}

/** aiohttp's ClientResponseError: `404, message='Not Found', url=URL('http://...')`. */
export class ResponseError extends DownloadError {
  readonly status: number;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  constructor(status: number, reason: string, url: string, headers: http.IncomingHttpHeaders) {
    super(`${status}, message='${reason}', url=URL('${url}')`, status >= 500 || status === 429);
    this.status = status;
    this.url = url;
    this.headers = headers;
  }

  override get code(): string {
    return 'upstream.http';
  }
}

export function timeoutError(url: string): DownloadError {
  return new DownloadError(`Request timed out for ${url}. Increasing the total_timeout value on the remote might help.`, true);
}

const TLS_REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to get local issuer certificate',
  CERT_HAS_EXPIRED: 'certificate has expired',
};

/** aiohttp's wording for a request that never got an HTTP response. */
export function connectionError(
  error: Error & { code?: string; address?: string; port?: number },
  target: { host: string; port: number; ssl: string },
  url: string,
): DownloadError {
  const where = `Cannot connect to host ${target.host}:${target.port}`;
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') {
    return new DownloadError(
      `${where} ssl:${target.ssl} [Connect call failed ('${error.address ?? target.host}', ${error.port ?? target.port})]`,
      true,
    );
  }
  if (code === 'ENOTFOUND') return new DownloadError(`${where} ssl:${target.ssl} [Name or service not known]`, true);
  if (code === 'EAI_AGAIN') return new DownloadError(`${where} ssl:${target.ssl} [Temporary failure in name resolution]`, true);
  if (code === 'ECONNRESET') return new DownloadError('Server disconnected', true);
  if (code === 'ETIMEDOUT') return timeoutError(url);
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new DownloadError(
      `${where} ssl:True [SSLCertVerificationError: (1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for '${target.host}'. (_ssl.c:1006)")]`,
      true,
    );
  }
  const reason = TLS_REASONS[code];
  if (reason) {
    return new DownloadError(
      `${where} ssl:True [SSLCertVerificationError: (1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${reason} (_ssl.c:1006)')]`,
      true,
    );
  }
  return new DownloadError(`${where} ssl:${target.ssl} [${error.message}]`, true);
}
