import { endpointOf, PLUGINS, secretFields } from '../model/index.js';
import type { Kind } from '../model/index.js';

const secretFieldsOf = (kind: Kind): ReadonlySet<string> => new Set(PLUGINS.flatMap((plugin) => secretFields(endpointOf(kind, plugin))));

/** Write-only fields of any plugin's endpoint, per kind: their values become Secrets. */
export const SECRET_FIELDS: Record<Kind, ReadonlySet<string>> = {
  remote: secretFieldsOf('remote'),
  repository: secretFieldsOf('repository'),
  publication: secretFieldsOf('publication'),
  distribution: secretFieldsOf('distribution'),
};

/** Every write-only field name (`password`, `client_key`, ...): literal values under these keys are never shown. */
export const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set(Object.values(SECRET_FIELDS).flatMap((names) => [...names]));
