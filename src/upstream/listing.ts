import { newestFirst, STAMP } from '../model/labels.js';

/**
 * The HTML directory listing Pulp's content app serves at `/pulp/content/<prefix>/`: one link
 * per distribution (or deeper prefix) below the prefix. Ark serves every snapshot of a
 * repository path as a distribution at `<path>/<stamp>`, so the listing of `<path>/` names the
 * snapshots it serves. Seen on real servers:
 *
 *   3.23, 3.43:  <a href="20240101T000000/">20240101T000000/</a>
 *   3.116:       <a href="./20240101T000000/">20240101T000000/</a>
 */

const HREF = /<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;

/** The snapshot stamps a listing links to, newest first, each once; other entries are ignored. */
export function parseSnapshotListing(html: string): string[] {
  const stamps = new Set<string>();
  for (const match of html.matchAll(HREF)) {
    const href = (match[1] ?? match[2] ?? match[3] ?? '').replace(/[?#].*$/, '');
    let last: string;
    try {
      last = decodeURIComponent(
        href
          .split('/')
          .filter((segment) => segment !== '' && segment !== '.')
          .at(-1) ?? '',
      );
    } catch {
      continue;
    }
    if (STAMP.test(last)) stamps.add(last);
  }
  return newestFirst([...stamps]);
}

/** `<url>/<snapshot>` (what a pinned mirror's remote syncs) → `<url>/`, the listing of its snapshots; undefined when the URL does not end with that snapshot. */
export function snapshotListingUrl(remoteUrl: string, snapshot: string): string | undefined {
  const trimmed = remoteUrl.replace(/\/+$/, '');
  if (!trimmed.endsWith(`/${snapshot}`)) return undefined;
  return trimmed.slice(0, -snapshot.length);
}
