import { redactUrlCredentials as redact } from '../live/index.js';
import type { Address, DesiredResource, DesiredState, Diagnostic, JsonObject, Secret, SourceLocation } from '../model/index.js';
import { ResponseError } from '../upstream/http.js';
import { parseSnapshotListing, snapshotListingUrl } from '../upstream/listing.js';
import { noAnswer, originOf, probeDownloader } from './probe.js';

/**
 * Reading which snapshots an upstream serves for a pinned package mirror: the content app's
 * directory listing of the mirror's path (`<url><content_path><path>/`), fetched the way the
 * preflight probes (the remote's credentials, headers, proxy and TLS settings, no retries).
 */

/** One pinned mirror's listing to read. */
export interface ListingTarget {
  /** The mirror's name (its repository's). */
  mirror: string;
  /** Its repository. */
  address: Address;
  /** The snapshot the repository syncs (the mirror's `snapshot:`). */
  snapshot: string;
  /** `<url><content_path><path>/`, without credentials. */
  listingUrl: string;
  /** The remote's fields with the listing URL: what the downloader needs. */
  fields: JsonObject;
  /** Its write-only fields, resolved. */
  secrets: Record<string, Secret>;
  source?: SourceLocation;
}

export type ListingRead = { snapshots: string[] } | { error: Diagnostic };

/** The listing of a package mirror's repository, or undefined when it is not pinned to a snapshot (nothing to compare). */
export function listingTarget(state: DesiredState, repository: DesiredResource): ListingTarget | undefined {
  const snapshot = repository.sync?.marker;
  const remote =
    repository.refs.remote === undefined ? undefined : state.resources.find((resource) => resource.address === repository.refs.remote);
  const remoteUrl = remote?.fields.url;
  if (snapshot === undefined || remote === undefined || typeof remoteUrl !== 'string') return undefined;
  const listingUrl = snapshotListingUrl(remoteUrl, snapshot);
  if (listingUrl === undefined) return undefined;
  const secrets = Object.fromEntries(
    Object.entries(remote.secrets).flatMap(([field, secret]) => (secret === null ? [] : [[field, secret]])),
  );
  return {
    mirror: repository.name,
    address: repository.address,
    snapshot,
    listingUrl: redact(listingUrl),
    fields: { ...remote.fields, url: listingUrl },
    secrets,
    ...(repository.source !== undefined ? { source: repository.source } : {}),
  };
}

/** Fetches and parses one listing; every failure is a diagnostic naming the mirror, the URL and the fix. */
export async function readListing(target: ListingTarget, options: { timeoutMs: number }): Promise<ListingRead> {
  const downloader = probeDownloader(target.fields, target.secrets, options.timeoutMs);
  let html: string;
  try {
    html = (await downloader.fetch(String(target.fields.url))).body.toString('utf8');
  } catch (error) {
    return { error: failure(target, error, options) };
  }
  const snapshots = parseSnapshotListing(html);
  if (snapshots.length > 0) return { snapshots };
  return {
    error: {
      ...base(target),
      code: 'outdated.no_snapshots',
      summary: `${target.mirror}: the upstream lists no snapshots at ${target.listingUrl}`,
      detail: 'The page answered, but links to no entry named like a snapshot (YYYYMMDDTHHMMSS, e.g. 20240816T002610).',
      hint: "Check the mirror's path: it is the path of the repository under the upstream's content path, without the snapshot.",
    },
  };
}

function base(target: ListingTarget): Pick<Diagnostic, 'severity' | 'address' | 'source'> {
  return { severity: 'error', address: target.address, ...(target.source !== undefined ? { source: target.source } : {}) };
}

function failure(target: ListingTarget, error: unknown, options: { timeoutMs: number }): Diagnostic {
  const where = `GET ${target.listingUrl}`;
  if (error instanceof ResponseError && (error.status === 401 || error.status === 403)) {
    const sources = ['username', 'password'].flatMap((field) =>
      target.secrets[field] !== undefined ? [`${field} from ${target.secrets[field]!.source}`] : [],
    );
    return {
      ...base(target),
      code: 'outdated.credentials_rejected',
      summary: `The upstream rejected the credentials of ${target.mirror}`,
      detail: `${where} answered ${error.status}.`,
      hint:
        sources.length > 0
          ? `Check the upstream's credentials: ${sources.join(', ')}.`
          : 'The upstream sends no credentials, and this upstream needs them: set its username and password (for example ${env:ARK_USERNAME} and ${env:ARK_PASSWORD}).',
    };
  }
  if (error instanceof ResponseError && error.status === 404) {
    return {
      ...base(target),
      code: 'outdated.not_found',
      summary: `${target.mirror}: the upstream serves nothing at ${target.listingUrl}`,
      detail: `${where} answered 404.`,
      hint: "Check the mirror's path and the upstream's url and content_path; some upstreams also answer 404 rather than 401 to wrong credentials.",
    };
  }
  if (error instanceof ResponseError) {
    return {
      ...base(target),
      code: 'outdated.upstream_error',
      summary: `The upstream of ${target.mirror} answered ${error.status}`,
      detail: `${where} answered ${error.status}.`,
      hint: error.status >= 500 ? 'The upstream has a problem; try again later.' : "Check the upstream's url and the mirror's path.",
    };
  }
  const { message, tls, timedOut, proxy } = noAnswer(error, target.fields);
  return {
    ...base(target),
    code: tls ? 'outdated.tls' : 'outdated.unreachable',
    summary: tls
      ? `TLS to the upstream of ${target.mirror} failed`
      : `${target.mirror}: cannot reach the upstream ${originOf(target.listingUrl)}${proxy}`,
    detail: timedOut ? `GET ${target.listingUrl} got no answer within ${Math.round(options.timeoutMs / 1000)} s.` : message,
    hint: tls
      ? "Give the upstream's CA as its ca_cert, or check its client_cert and client_key (or tls_validation)."
      : `Check the upstream's url${proxy ? ' and its proxy' : ''}, and that this machine can reach it${timedOut ? '; a slow upstream needs a longer --request-timeout' : ''}.`,
  };
}
