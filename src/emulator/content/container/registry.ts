import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { artifactBytes } from '../source.js';
import { type ContentUnit, refId, type UnitRef, unitId } from '../units.js';

/** What a container distribution serves: the units of its repository's latest version (or its pinned version). */
export interface RegistryRepository {
  units: ContentUnit[];
  private?: boolean;
}

/** The small interface the core implements for the registry. */
export interface RegistryLookup {
  /** The repository served at this base path (`cf-src/img`), or null when no distribution has it. */
  repository(name: string): RegistryRepository | null | Promise<RegistryRepository | null>;
  /** Whether Basic credentials sent to /token/ are a valid user. */
  checkCredentials(username: string, password: string): boolean;
  /** Refuse anonymous pulls even of public repositories (an Ark serving subscribers only). */
  requireAuthentication?: boolean;
  /** Every served base path, for /v2/_catalog. */
  catalog?(): string[] | Promise<string[]>;
  /** Pushing (blob uploads and manifest PUTs); without it the registry is read-only. */
  push?: RegistryPushHandler;
}

/** What the core does with a push, one protocol step at a time. */
export interface RegistryPushHandler {
  /** An upload starts: the push repository and its distribution exist from now on. */
  start(name: string): void;
  /** Whether the repository (or its unfinished push) already holds the blob. */
  hasBlob(name: string, digest: string): boolean;
  /** A finished upload whose bytes match their digest. */
  blob(name: string, digest: string, data: Buffer): void;
  /** A manifest PUT under a tag or its digest; answers the manifest's digest, or the error for blobs it lacks. */
  manifest(name: string, reference: string, data: Buffer, mediaType: string): { digest: string } | { missingBlob: string };
}

/** Uploads in progress, by upload id. */
const uploads = new Map<string, { name: string; chunks: Buffer[] }>();

interface Access {
  type: string;
  name: string;
  actions: string[];
}

interface TokenClaims {
  sub: string;
  aud: string;
  exp: number;
  access: Access[];
}

const TOKEN_KEY = randomBytes(32);
const TOKEN_SECONDS = 300;

function sign(claims: TokenClaims): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${createHmac('sha256', TOKEN_KEY).update(payload).digest('base64url')}`;
}

function verify(token: string, audience: string): TokenClaims | null {
  const [payload, signature] = token.split('.');
  if (!payload || !signature) return null;
  const expected = createHmac('sha256', TOKEN_KEY).update(payload).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
  return claims.aud === audience && claims.exp * 1000 > Date.now() ? claims : null;
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': data.length, ...headers });
  res.end(data);
}

function registryError(code: string, message: string, detail: Record<string, string> = {}) {
  return { errors: [{ code, message, detail }] };
}

function basicCredentials(header: string | undefined): [string, string] | null {
  if (!header?.toLowerCase().startsWith('basic ')) return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/**
 * Serves the registry API as pulp_container 2.14 does, for `/v2/...` and `/token/`. Returns
 * false for any other path (the caller handles it). The token realm and service are derived
 * from the request's Host header, like Pulp's `request.get_host()`. Pushes go to `lookup.push`.
 */
/** `body`: the request body when the caller already read it from `req`. */
export async function handleRegistryRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  lookup: RegistryLookup,
  body?: Buffer,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://registry');
  const host = req.headers.host ?? 'localhost';
  if (url.pathname === '/token/' || url.pathname === '/token') {
    await issueToken(req, res, url, host, lookup);
    return true;
  }
  if (url.pathname !== '/v2' && !url.pathname.startsWith('/v2/')) return false;
  const common = { 'Docker-Distribution-Api-Version': 'registry/2.0' };
  const method = req.method ?? 'GET';
  const route = parseRoute(url.pathname);
  const scope = route.name ? `repository:${route.name}:${method === 'GET' || method === 'HEAD' ? 'pull' : 'push'}` : null;
  const challenge = `Bearer realm="http://${host}/token/",service="${host}"${scope ? `,scope="${scope}"` : ''}`;

  const authorization = req.headers.authorization;
  const bearer = authorization?.toLowerCase().startsWith('bearer ') ? authorization.slice(7).trim() : null;
  const claims = bearer ? verify(bearer, host) : null;
  if (!claims) {
    const message = bearer
      ? 'Access to the requested resource is not authorized. The provided Bearer token is invalid.'
      : 'Authentication credentials were not provided.';
    send(res, 401, registryError('UNAUTHORIZED', message), {
      ...common,
      'WWW-Authenticate': bearer ? `${challenge},error="invalid_token"` : challenge,
    });
    return true;
  }
  const allowed = route.name
    ? claims.access.some((a) => a.type === 'repository' && a.name === route.name && a.actions.includes(scope!.split(':').pop()!))
    : route.kind === 'catalog'
      ? claims.access.some((a) => a.type === 'registry' && a.name === 'catalog')
      : claims.access.length === 0;
  if (!allowed) {
    send(res, 401, registryError('UNAUTHORIZED', 'Insufficient permissions'), {
      ...common,
      'WWW-Authenticate': `${challenge},error="insufficient_scope"`,
    });
    return true;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    if (lookup.push && route.name && (route.kind === 'upload' || route.kind === 'manifest')) {
      await receivePush(req, res, url, route, lookup.push, common, body ?? (await readAll(req)));
      return true;
    }
    send(res, 405, registryError('UNSUPPORTED', 'The operation is unsupported.'), common);
    return true;
  }
  if (lookup.push && route.kind === 'blob' && route.name && lookup.push.hasBlob(route.name, route.reference!)) {
    // A blob of an unfinished push is there for the pusher's HEAD, not yet for pulls.
    const repository = await lookup.repository(route.name);
    if (!repository?.units.some((u) => u.type === 'container.blob' && u.fields.digest === route.reference)) {
      res.writeHead(200, { ...common, 'Docker-Content-Digest': route.reference!, 'Content-Length': 0 });
      res.end();
      return true;
    }
  }
  if (route.kind === 'root') {
    send(res, 200, {}, common);
    return true;
  }
  if (route.kind === 'catalog') {
    send(res, 200, { repositories: [...((await lookup.catalog?.()) ?? [])].sort() }, common);
    return true;
  }
  if (route.kind === 'unknown' || !route.name) {
    send(res, 404, registryError('UNSUPPORTED', 'Not found.'), common);
    return true;
  }
  const repository = await lookup.repository(route.name);
  if (!repository) {
    send(res, 404, registryError('NAME_UNKNOWN', 'Repository not found.', { name: route.name }), common);
    return true;
  }
  const byId = new Map(repository.units.map((u) => [unitId(u), u]));
  if (route.kind === 'tags') {
    serveTags(res, url, route.name, repository.units, common);
    return true;
  }
  if (route.kind === 'manifest') {
    const reference = route.reference!;
    const manifest = reference.startsWith('sha256:')
      ? repository.units.find((u) => u.type === 'container.manifest' && u.fields.digest === reference)
      : (() => {
          const tag = repository.units.find((u) => u.type === 'container.tag' && u.fields.name === reference);
          return tag ? byId.get(refId(tag.fields.tagged_manifest as UnitRef)) : undefined;
        })();
    if (!manifest?.artifacts[0]) {
      send(res, 404, registryError('MANIFEST_UNKNOWN', 'Manifest not found.', { reference }), common);
    } else {
      await serveArtifact(res, method, manifest, String(manifest.fields.media_type), common);
    }
    return true;
  }
  const digest = route.reference!;
  const blob = repository.units.find((u) => u.type === 'container.blob' && u.fields.digest === digest);
  if (!blob?.artifacts[0]) {
    send(res, 404, registryError('BLOB_UNKNOWN', 'Blob not found.', { digest }), common);
  } else {
    await serveArtifact(res, method, blob, 'application/octet-stream', common);
  }
  return true;
}

async function serveArtifact(
  res: http.ServerResponse,
  method: string,
  unit: ContentUnit,
  contentType: string,
  headers: Record<string, string>,
): Promise<void> {
  const data = await artifactBytes(unit.artifacts[0]!);
  res.writeHead(200, {
    ...headers,
    'Content-Type': contentType,
    'Content-Length': data.length,
    'Docker-Content-Digest': String(unit.fields.digest),
  });
  res.end(method === 'HEAD' ? undefined : data);
}

type Route = { kind: 'root' | 'catalog' | 'tags' | 'manifest' | 'blob' | 'upload' | 'unknown'; name?: string; reference?: string };

/**
 * `/v2/<name>/tags/list`, `/v2/<name>/manifests/<ref>`, `/v2/<name>/blobs/<digest>`,
 * `/v2/<name>/blobs/uploads/[<id>]`; names may contain slashes.
 */
function parseRoute(pathname: string): Route {
  if (pathname === '/v2' || pathname === '/v2/') return { kind: 'root' };
  if (pathname === '/v2/_catalog') return { kind: 'catalog' };
  const rest = pathname.slice(4);
  const upload = /^(.+)\/blobs\/uploads\/([^/]*)$/.exec(rest);
  if (upload) return { kind: 'upload', name: upload[1]!, reference: upload[2]! };
  const tags = /^(.+)\/tags\/list$/.exec(rest);
  if (tags) return { kind: 'tags', name: tags[1]! };
  const item = /^(.+)\/(manifests|blobs)\/([^/]+)$/.exec(rest);
  if (item) return { kind: item[2] === 'manifests' ? 'manifest' : 'blob', name: item[1]!, reference: decodeURIComponent(item[3]!) };
  return { kind: 'unknown' };
}

/**
 * The push half of the registry API as pulp_container answers it: POST starts an upload
 * (202), PATCH appends a chunk (204), PUT with `?digest=` finishes it (201), and a manifest PUT
 * makes the pushed tag (201).
 */
async function receivePush(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  route: Route,
  push: RegistryPushHandler,
  common: Record<string, string>,
  body: Buffer,
): Promise<void> {
  const name = route.name!;
  const method = req.method ?? 'GET';
  const done = (status: number, headers: Record<string, string>) => {
    res.writeHead(status, { ...common, 'Content-Length': 0, ...headers });
    res.end();
  };
  if (route.kind === 'manifest') {
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const result = push.manifest(name, route.reference!, body, mediaType);
    if ('missingBlob' in result) {
      send(res, 400, registryError('BLOB_UNKNOWN', 'blob unknown to registry', { digest: result.missingBlob }), common);
      return;
    }
    done(201, { Location: `/v2/${name}/manifests/${result.digest}`, 'Docker-Content-Digest': result.digest });
    return;
  }
  if (method === 'POST' && !route.reference) {
    push.start(name);
    const id = randomUUID();
    uploads.set(id, { name, chunks: [] });
    done(202, { Location: `/v2/${name}/blobs/uploads/${id}`, 'Docker-Upload-UUID': id, Range: '0-0' });
    return;
  }
  const upload = uploads.get(route.reference ?? '');
  if (!upload || upload.name !== name) {
    send(res, 404, registryError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry'), common);
    return;
  }
  if (body.length > 0) upload.chunks.push(body);
  const size = upload.chunks.reduce((n, c) => n + c.length, 0);
  if (method === 'PATCH') {
    done(204, {
      Location: `/v2/${name}/blobs/uploads/${route.reference}`,
      'Docker-Upload-UUID': route.reference!,
      Range: `0-${Math.max(0, size - 1)}`,
    });
    return;
  }
  const digest = url.searchParams.get('digest') ?? '';
  const data = Buffer.concat(upload.chunks);
  if (method !== 'PUT' || digest !== `sha256:${createHash('sha256').update(data).digest('hex')}`) {
    send(res, 400, registryError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest }), common);
    return;
  }
  uploads.delete(route.reference!);
  push.blob(name, digest, data);
  done(201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest });
}

function readAll(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function serveTags(res: http.ServerResponse, url: URL, name: string, units: ContentUnit[], headers: Record<string, string>): void {
  let tags = units
    .filter((u) => u.type === 'container.tag')
    .map((u) => String(u.fields.name))
    .sort();
  const last = url.searchParams.get('last');
  if (last) tags = tags.filter((t) => t > last);
  const n = Number(url.searchParams.get('n') ?? '');
  const extra: Record<string, string> = {};
  if (n > 0 && tags.length > n) {
    tags = tags.slice(0, n);
    extra.Link = `</v2/${name}/tags/list?n=${n}&last=${encodeURIComponent(tags[tags.length - 1]!)}>; rel="next"`;
  }
  send(res, 200, { name, tags }, { ...headers, ...extra });
}

async function issueToken(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  host: string,
  lookup: RegistryLookup,
): Promise<void> {
  const service = url.searchParams.get('service');
  if (!service) {
    send(res, 400, { detail: 'No service name provided.' });
    return;
  }
  const credentials = basicCredentials(req.headers.authorization);
  const anonymous = !credentials || (credentials[0] === '' && credentials[1] === '');
  if (!anonymous && !lookup.checkCredentials(credentials![0], credentials![1])) {
    send(res, 401, { detail: 'Invalid username/password.' });
    return;
  }
  const access: Access[] = [];
  for (const scope of url.searchParams.getAll('scope')) {
    const [type = '', ...middle] = scope.split(':');
    const actions = (middle.pop() ?? '').split(',').filter(Boolean);
    const name = middle.join(':');
    if (!anonymous) {
      access.push({ type, name, actions });
      continue;
    }
    if (type !== 'repository' || lookup.requireAuthentication) continue;
    const repository = await lookup.repository(name);
    if (repository && !repository.private && actions.includes('pull')) access.push({ type, name, actions: ['pull'] });
  }
  const issuedAt = new Date();
  const token = sign({
    sub: anonymous ? '' : credentials![0],
    aud: host,
    exp: Math.floor(issuedAt.getTime() / 1000) + TOKEN_SECONDS,
    access,
  });
  send(res, 200, { token, expires_in: TOKEN_SECONDS, issued_at: issuedAt.toISOString() });
}
