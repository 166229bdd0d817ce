import { type PulpState, V3 } from './calls.js';
import type { Endpoint } from './endpoints.js';
import type { PulpProfile } from './profiles.js';
import type { PulpObject } from './store.js';

/** The lock every distribution task takes before core 3.85 (and shared since). */
const DISTRIBUTIONS_LOCK = '/api/v3/distributions/';
/** The lock of distribution tasks that may change a base path (core 3.85+ with PRN locking). */
const BASE_PATH_LOCK = 'distribution.base_path';

/** A task's `reserved_resources_record`: exclusive then shared, with the domain shared from 3.43 on. */
export function reservedResourcesRecord(pulp: PulpState, exclusive: string[], shared: string[]): string[] {
  const domainShared = pulp.profile.tasks.record === 'hrefs' ? [] : [`${V3}domains/${pulp.domainId}/`];
  const name = (key: string): string => {
    if (pulp.profile.tasks.record !== 'prns') return key;
    if (key === DISTRIBUTIONS_LOCK) return `pdrn:${pulp.domainId}:distributions`;
    if (key === BASE_PATH_LOCK) return `pdrn:${pulp.domainId}:distribution.base_path`;
    if (key === `${V3}domains/${pulp.domainId}/`) return `prn:core.domain:${pulp.domainId}`;
    return pulp.prnOf(key);
  };
  return [
    ...exclusive.map(name),
    ...[...shared, ...domainShared.filter((d) => !exclusive.includes(d))].map((key) => `shared:${name(key)}`),
  ];
}

/** What an update or delete task reserves: the object, or what the profile's distribution tasks lock. */
export function locks(
  profile: PulpProfile,
  endpoint: Endpoint,
  obj: PulpObject,
  basePathMayChange: boolean,
): { exclusive: string[]; shared: string[] } {
  return endpoint.family === 'distributions' ? distributionLocks(profile, obj, basePathMayChange) : { exclusive: [obj.href], shared: [] };
}

/** pulpcore's distribution reservations: one lock for all, or the object plus the base-path lock when the path may change. */
export function distributionLocks(
  profile: PulpProfile,
  obj: PulpObject | undefined,
  basePathMayChange: boolean,
): { exclusive: string[]; shared: string[] } {
  if (profile.tasks.distributionLocks === 'all-distributions') return { exclusive: [DISTRIBUTIONS_LOCK], shared: [] };
  const exclusive = obj ? [obj.href] : [];
  if (basePathMayChange) exclusive.push(BASE_PATH_LOCK);
  return { exclusive, shared: [DISTRIBUTIONS_LOCK] };
}
