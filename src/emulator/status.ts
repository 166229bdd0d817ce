import { statfsSync } from 'node:fs';
import type { Json, JsonObject } from '../model/json.js';
import type { PulpState } from './calls.js';
import { isoMicros } from './clock.js';
import { jsonbOrder } from './jsonb.js';
import type { Listable } from './lists.js';
import type { PulpProfile } from './profiles.js';

export interface Worker extends Listable {
  href: string;
  name: string;
}

/** `GET status/`: versions, the workers and apps heartbeating, storage, content settings. */
export function serverStatus(pulp: PulpState, workers: readonly Worker[]): JsonObject {
  const now = pulp.store.clock.now();
  const { status } = pulp.profile;
  const app = (name: string): JsonObject => ({
    name,
    last_heartbeat: now,
    ...(status.appVersions ? { versions: componentVersions(pulp.profile) } : {}),
  });
  return {
    versions: pulp.profile.components.map((c) => ({ ...c })),
    online_workers: workers.map((w) =>
      status.workerIdentity ? { pulp_href: w.href, pulp_created: isoMicros(w.createdAt), ...app(w.name), current_task: null } : app(w.name),
    ),
    // Two of each, as the two gunicorn workers of a default deployment register themselves.
    ...(status.apiApps ? { online_api_apps: [0, 1].map((i) => app(`${process.pid + 2 + i}@localhost`)) } : {}),
    online_content_apps: [0, 1].map((i) => app(`${process.pid + 4 + i}@localhost`)),
    database_connection: { connected: true },
    redis_connection: { connected: false },
    storage: storageStats(),
    content_settings: { content_origin: pulp.options.contentOrigin, content_path_prefix: '/pulp/content/' },
    domain_enabled: false,
  };
}

export function renderWorker(pulp: PulpState, w: Worker): JsonObject {
  const value = (field: string): Json => {
    switch (field) {
      case 'pulp_href':
        return w.href;
      case 'prn':
        return `prn:core.appstatus:${w.id}`;
      case 'pulp_created':
      case 'pulp_last_updated':
        return isoMicros(w.createdAt);
      case 'name':
        return w.name;
      case 'last_heartbeat':
        return pulp.store.clock.now();
      case 'versions':
        return componentVersions(pulp.profile);
      default:
        return null;
    }
  };
  return Object.fromEntries(pulp.doc.schema('WorkerResponse').properties.map((p) => [p.name, value(p.name)]));
}

/** `{component: version}` as apps record it (a jsonb column). */
function componentVersions(profile: PulpProfile): JsonObject {
  return jsonbOrder(Object.fromEntries(profile.components.map((c) => [c.component, c.version]))) as JsonObject;
}

function storageStats(): JsonObject {
  try {
    const s = statfsSync(process.cwd());
    const total = s.blocks * s.bsize;
    const free = s.bavail * s.bsize;
    return { total, used: total - s.bfree * s.bsize, free };
  } catch {
    return { total: 0, used: 0, free: 0 };
  }
}
