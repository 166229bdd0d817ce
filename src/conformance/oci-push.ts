import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `skopeo copy oci:<layout>:<tag> docker://<registry>/<name>:<tag>` without skopeo: the Docker
 * registry push protocol over plain HTTP with Pulp's token flow. Each blob is checked with HEAD
 * and uploaded when missing (layers first, then the config, as skopeo does), then the manifest
 * is PUT under the tag.
 */
export interface PushTarget {
  /** `http://127.0.0.1:24927` (Pulp serves its registry on the API port). */
  registry: string;
  username: string;
  password: string;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export async function pushOciImage(target: PushTarget, layout: string, name: string, tag: string): Promise<{ digest: string }> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const top = index.manifests[0];
  if (!top) throw new Error(`${layout}/index.json lists no manifest`);
  const blob = (digest: string) => readFile(join(layout, 'blobs', ...digest.split(':')));
  const manifestBytes = await blob(top.digest);
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as { config: Descriptor; layers: Descriptor[] };
  const token = await bearerToken(target, name);
  const headers = { Authorization: `Bearer ${token}` };
  const url = (path: string) => new URL(path, target.registry).toString();
  for (const descriptor of [...manifest.layers, manifest.config]) {
    const head = await fetch(url(`/v2/${name}/blobs/${descriptor.digest}`), { method: 'HEAD', headers });
    if (head.status === 200) continue;
    const started = await fetch(url(`/v2/${name}/blobs/uploads/`), { method: 'POST', headers });
    const location = started.headers.get('location');
    if (started.status !== 202 || !location)
      throw new Error(`starting the upload of ${descriptor.digest} to ${name}: ${started.status} ${await started.text()}`);
    // A chunk, then the digest in an empty PUT: what docker and skopeo send, and what every pulp_container accepts.
    const data = await blob(descriptor.digest);
    const patched = await fetch(new URL(location, target.registry), {
      method: 'PATCH',
      headers: { ...headers, 'Content-Type': 'application/octet-stream', 'Content-Range': `0-${data.length - 1}` },
      body: data,
    });
    const next = patched.headers.get('location') ?? location;
    if (patched.status !== 202 && patched.status !== 204)
      throw new Error(`uploading ${descriptor.digest} to ${name}: ${patched.status} ${await patched.text()}`);
    const finish = new URL(next, target.registry);
    finish.searchParams.set('digest', descriptor.digest);
    const put = await fetch(finish, { method: 'PUT', headers });
    if (put.status !== 201) throw new Error(`finishing the upload of ${descriptor.digest} to ${name}: ${put.status} ${await put.text()}`);
  }
  const put = await fetch(url(`/v2/${name}/manifests/${tag}`), {
    method: 'PUT',
    headers: { ...headers, 'Content-Type': top.mediaType },
    body: manifestBytes,
  });
  if (put.status !== 201) throw new Error(`putting the manifest of ${name}:${tag}: ${put.status} ${await put.text()}`);
  return { digest: top.digest };
}

async function bearerToken(target: PushTarget, name: string): Promise<string> {
  const challenge = (await fetch(new URL('/v2/', target.registry))).headers.get('www-authenticate') ?? '';
  const param = (key: string) => new RegExp(`${key}="([^"]*)"`).exec(challenge)?.[1];
  const realm = param('realm');
  if (!realm) throw new Error(`${target.registry}/v2/ sent no Bearer challenge: ${challenge}`);
  const tokenUrl = new URL(realm);
  tokenUrl.searchParams.set('service', param('service') ?? '');
  tokenUrl.searchParams.set('scope', `repository:${name}:pull,push`);
  const answer = await fetch(tokenUrl, {
    headers: { Authorization: `Basic ${Buffer.from(`${target.username}:${target.password}`).toString('base64')}` },
  });
  const body = (await answer.json()) as { token?: string };
  if (!body.token) throw new Error(`${tokenUrl} gave no token: ${answer.status} ${JSON.stringify(body)}`);
  return body.token;
}
