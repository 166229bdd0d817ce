import { connectionOf, DownloadError, Downloader, joinUrl, type RemoteFields, ResponseError } from '../upstream/http.js';
import { RegistryClient } from '../upstream/registry.js';
import { redactUrlCredentials as redact } from '../live/index.js';
import type { Diagnostic, JsonObject, Secret } from '../model/index.js';
import type { ProbeTarget } from './targets.js';

/**
 * Probes download what the sync downloads first, with the remote's credentials, headers,
 * proxy and TLS settings, through the same downloader as the emulator's syncs (pulpcore's
 * HttpDownloader and pulp_container's token flow): rpm `repodata/repomd.xml`, deb
 * `dists/<distribution>/Release`, file the manifest, container `/v2/<name>/tags/list`.
 * A failure becomes a diagnostic saying what was found and the fix.
 */

export interface ProbeOptions {
  /** Whole-request timeout of one probe. */
  timeoutMs: number;
}

const STAMP = /^\d{8}T\d{6}$/;

/**
 * A downloader with the remote's credentials, headers, proxy and TLS settings, for one quick
 * read: no retries, one request at a time, the whole request bounded by `timeoutMs`.
 */
export function probeDownloader(fields: JsonObject, secrets: Readonly<Record<string, Secret>>, timeoutMs: number): Downloader {
  const remote = {
    ...fields,
    ...Object.fromEntries(Object.entries(secrets).map(([field, secret]) => [field, secret.reveal()])),
  } as unknown as RemoteFields;
  return new Downloader({ ...connectionOf(remote), maxRetries: 0, downloadConcurrency: 1, totalTimeoutMs: timeoutMs });
}

export async function probe(target: ProbeTarget, options: ProbeOptions): Promise<Diagnostic[]> {
  const downloader = probeDownloader(target.fields, target.secrets, options.timeoutMs);
  const url = String(target.fields.url ?? '');
  const failures: Diagnostic[] = [];
  for (const path of probePaths(target)) {
    try {
      if (target.plugin === 'container')
        await new RegistryClient(downloader).fetch(new URL(path, url).toString(), String(target.fields.upstream_name ?? ''));
      else await downloader.fetch(path);
    } catch (error) {
      failures.push(diagnosticOf(target, error, options));
      // One rejection says it for every path of this remote.
      if (!(error instanceof ResponseError && error.status === 404)) break;
    }
  }
  return failures;
}

/** What the sync of this plugin fetches first from the remote. */
function probePaths(target: ProbeTarget): string[] {
  const url = String(target.fields.url ?? '');
  switch (target.plugin) {
    case 'rpm':
      return [joinUrl(url, 'repodata/repomd.xml')];
    case 'deb':
      return String(target.fields.distributions ?? '')
        .split(/\s+/)
        .filter((d) => d !== '')
        .map((distribution) => joinUrl(url, distribution.endsWith('/') ? `${distribution}Release` : `dists/${distribution}/Release`));
    case 'file':
      return [url];
    case 'container':
      return [`/v2/${String(target.fields.upstream_name ?? '')}/tags/list`];
  }
}

function diagnosticOf(target: ProbeTarget, error: unknown, options: ProbeOptions): Diagnostic {
  const base = {
    severity: 'error' as const,
    address: target.remote,
    ...(target.source ? { source: target.source } : {}),
  };
  const syncs = `The sync of ${target.repositories.join(', ')} would fail the same way inside its Pulp task.`;
  const url = String(target.fields.url ?? '');
  if (error instanceof ResponseError && (error.status === 401 || error.status === 403)) {
    const sources = ['username', 'password'].flatMap((field) =>
      target.secretSources[field] ? [`${field} from ${target.secretSources[field]}`] : [],
    );
    return {
      ...base,
      code: 'preflight.credentials_rejected',
      summary: `The upstream rejected the credentials of ${target.remote}`,
      detail: `${answered(error)}. ${syncs}`,
      hint:
        sources.length > 0
          ? `Check the credentials of ${target.remote}: ${sources.join(', ')}.`
          : `${target.remote} sends no credentials, and this upstream needs them: set its username and password (for example \${env:ARK_USERNAME} and \${env:ARK_PASSWORD}).`,
    };
  }
  if (error instanceof ResponseError && error.status === 404) {
    if (target.plugin === 'container') {
      const name = String(target.fields.upstream_name ?? '');
      return {
        ...base,
        code: 'preflight.not_found',
        summary: `${target.remote}: the image ${name} does not exist in the registry ${redact(new URL(url).origin)}`,
        detail: `${answered(error)}. ${syncs}`,
        hint: `Check upstream_name "${name}" (and the registry URL); remove the image from the desired state if the upstream no longer has it.`,
      };
    }
    const last = url.replace(/\/+$/, '').split('/').pop() ?? '';
    const what = STAMP.test(last) ? `snapshot ${last}` : 'this path';
    return {
      ...base,
      code: 'preflight.not_found',
      summary: `${target.remote}: ${what} does not exist upstream`,
      detail: `${answered(error)}. ${syncs}`,
      hint: STAMP.test(last)
        ? `Pin a snapshot that exists upstream (check the stamp and the path ${redact(url.replace(/\/+$/, '').slice(0, -last.length))}). Some upstreams also answer 404 rather than 401 to wrong credentials.`
        : 'Check the URL of the remote; some upstreams also answer 404 rather than 401 to wrong credentials.',
    };
  }
  if (error instanceof ResponseError) {
    return {
      ...base,
      code: 'preflight.upstream_error',
      summary: `The upstream of ${target.remote} answered ${error.status}`,
      detail: `${answered(error)}. ${syncs}`,
      hint: error.status >= 500 ? 'The upstream has a problem; try again later.' : 'Check the URL and the settings of the remote.',
    };
  }
  const { message, tls, timedOut, proxy } = noAnswer(error, target.fields);
  return {
    ...base,
    code: tls ? 'preflight.tls' : 'preflight.unreachable',
    summary: tls
      ? `TLS to the upstream of ${target.remote} failed`
      : `${target.remote}: cannot reach the upstream ${redact(originOf(url))}${proxy}`,
    detail: `${message}${timedOut ? ` (preflight waits ${Math.round(options.timeoutMs / 1000)} s)` : ''}`,
    hint: tls
      ? `Give the upstream's CA as ca_cert of ${target.remote}, or check its client_cert and client_key.`
      : `Check the URL of ${target.remote}${proxy ? ' and its proxy' : ''}. If only the Pulp server can reach the upstream, not this machine, run with --skip-preflight.`,
  };
}

/** `GET <url> answered 404 Not Found`, the reason taken from Pulp's error text (`message='Not Found'`). */
function answered(error: ResponseError): string {
  const reason = /message='([^']*)'/.exec(error.message)?.[1] ?? '';
  return `GET ${redact(error.url)} answered ${error.status}${reason ? ` ${reason}` : ''}`;
}

/**
 * A download that got no HTTP answer: its text (credentials redacted), whether TLS failed or the
 * wait ran out, and ` through the proxy …` when the remote has one.
 */
export function noAnswer(error: unknown, fields: JsonObject): { message: string; tls: boolean; timedOut: boolean; proxy: string } {
  const message = redact(error instanceof Error ? error.message : String(error));
  return {
    message,
    tls: /SSLCertVerificationError|certificate/i.test(message),
    timedOut: error instanceof DownloadError && /timed out/.test(message),
    proxy: typeof fields['proxy_url'] === 'string' && fields['proxy_url'] !== '' ? ` through the proxy ${redact(fields['proxy_url'])}` : '',
  };
}

export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
