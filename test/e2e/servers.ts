/**
 * The real Pulp servers of `npm run test:e2e`: PULP_E2E_SERVERS (comma-separated base URLs),
 * admin/password unless PULP_E2E_USERNAME / PULP_E2E_PASSWORD, and the plain-HTTP registry
 * of PULP_E2E_REGISTRY. Each is asked for its versions once, when the suite loads, so every
 * test name can say which server failed.
 */

export interface RealServer {
  url: string;
  /** `pulpcore 3.43.1`, the prefix of every test name on this server. */
  label: string;
  /** Component → version, from `/status/`. */
  versions: Record<string, string>;
  username: string;
  password: string;
}

export const E2E_USERNAME = process.env.PULP_E2E_USERNAME ?? 'admin';
export const E2E_PASSWORD = process.env.PULP_E2E_PASSWORD ?? 'password';
/** `127.0.0.1:24950`, or undefined when no registry was given. */
export const E2E_REGISTRY = process.env.PULP_E2E_REGISTRY?.trim() || undefined;

async function describeServer(url: string): Promise<RealServer> {
  const base = url.replace(/\/+$/, '');
  let status: { versions?: Array<{ component: string; version: string }> };
  try {
    const response = await fetch(`${base}/pulp/api/v3/status/`);
    status = (await response.json()) as typeof status;
  } catch (error) {
    throw new Error(
      `PULP_E2E_SERVERS names ${base}, which does not answer /pulp/api/v3/status/ (${String(error)}); start it with ../shared/real-pulp/start.sh`,
    );
  }
  const versions = Object.fromEntries((status.versions ?? []).map((entry) => [entry.component, entry.version]));
  if (versions['core'] === undefined) throw new Error(`${base}/pulp/api/v3/status/ names no pulpcore version`);
  return { url: base, label: `pulpcore ${versions['core']}`, versions, username: E2E_USERNAME, password: E2E_PASSWORD };
}

const urls = (process.env.PULP_E2E_SERVERS ?? '')
  .split(',')
  .map((url) => url.trim())
  .filter(Boolean);
if (urls.length === 0) throw new Error('PULP_E2E_SERVERS is not set: run the suite with npm run test:e2e, which says how to set it');

export const SERVERS: RealServer[] = await Promise.all(urls.map(describeServer));

/** `describe.each` rows: the label first, so it names the test. */
export const EACH_SERVER: Array<[string, RealServer]> = SERVERS.map((server) => [server.label, server]);
