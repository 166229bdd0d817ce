import { Secret } from '../model/secret.js';

/**
 * A remote as the core stores it: Pulp's field names. Only what downloading needs is read;
 * plugin fields (upstream_name, distributions, ...) are read by each plugin's sync.
 * Secrets may be plain strings (as stored) or Secret; they are wrapped at once.
 */
export interface RemoteFields {
  url: string;
  policy?: 'immediate' | 'on_demand' | 'streamed';
  username?: string | null;
  password?: string | Secret | null;
  tls_validation?: boolean;
  ca_cert?: string | null;
  client_cert?: string | null;
  client_key?: string | Secret | null;
  proxy_url?: string | null;
  proxy_username?: string | null;
  proxy_password?: string | Secret | null;
  headers?: Array<Record<string, string>> | null;
  download_concurrency?: number | null;
  max_retries?: number | null;
  total_timeout?: number | null;
  connect_timeout?: number | null;
  sock_connect_timeout?: number | null;
  sock_read_timeout?: number | null;
  // container
  upstream_name?: string;
  include_tags?: string[] | null;
  exclude_tags?: string[] | null;
  // deb
  distributions?: string;
  components?: string | null;
  architectures?: string | null;
  sync_sources?: boolean;
  sync_udebs?: boolean;
  sync_installer?: boolean;
  ignore_missing_package_indices?: boolean;
}

/** Everything needed to fetch from a remote, secrets wrapped so they never print. */
export interface RemoteConnection {
  url: string;
  username: string | null;
  password: Secret | null;
  tlsValidation: boolean;
  caCert: string | null;
  clientCert: string | null;
  clientKey: Secret | null;
  proxyUrl: string | null;
  proxyUsername: string | null;
  proxyPassword: Secret | null;
  headers: Record<string, string>;
  maxRetries: number;
  downloadConcurrency: number;
  totalTimeoutMs: number | null;
  connectTimeoutMs: number | null;
  readTimeoutMs: number | null;
}

function wrap(value: string | Secret | null | undefined, source: string): Secret | null {
  if (value === null || value === undefined || value === '') return null;
  return value instanceof Secret ? value : new Secret(value, source);
}

const seconds = (value: number | null | undefined) => (value === null || value === undefined ? null : value * 1000);

export function connectionOf(remote: RemoteFields): RemoteConnection {
  const headers: Record<string, string> = {};
  for (const entry of remote.headers ?? []) Object.assign(headers, entry);
  return {
    url: remote.url,
    username: remote.username || null,
    password: wrap(remote.password, 'remote password'),
    tlsValidation: remote.tls_validation ?? true,
    caCert: remote.ca_cert ?? null,
    clientCert: remote.client_cert ?? null,
    clientKey: wrap(remote.client_key, 'remote client_key'),
    proxyUrl: remote.proxy_url ?? null,
    proxyUsername: remote.proxy_username || null,
    proxyPassword: wrap(remote.proxy_password, 'remote proxy_password'),
    headers,
    maxRetries: remote.max_retries ?? 3,
    downloadConcurrency: remote.download_concurrency ?? 10,
    totalTimeoutMs: seconds(remote.total_timeout),
    connectTimeoutMs: seconds(remote.connect_timeout ?? remote.sock_connect_timeout),
    readTimeoutMs: seconds(remote.sock_read_timeout),
  };
}
