import { resolve } from 'node:path';
import { addressOf, endpointOf, FIELDS, isSecret } from '../model/index.js';
import type { DesiredResource, Json, JsonObject, Plugin, Secret, ServerSettings } from '../model/index.js';
import { isPlainObject } from './issues.js';
import { itemName } from './items.js';
import { isWrittenField } from './schema.js';
import type { ConfigItem, Origin } from './section-types.js';
import { locate } from './yaml-file.js';

/**
 * The model of validated items. Only called when validation found no error, so every item
 * has its plugin and the fields its schema requires.
 */
export function toResources(items: readonly ConfigItem[]): DesiredResource[] {
  const remoteUrls = new Map(
    items.filter((item) => item.kind === 'remote').map((item) => [item.data.name as string, item.data.url as string]),
  );
  return items.map((item) => {
    const plugin = item.plugin as Plugin;
    const data = item.data;
    const generated = item.generated ?? {};
    const endpoint =
      item.kind === 'publication' && data.verbatim === true ? endpointOf('publication', plugin, 'verbatim') : endpointOf(item.kind, plugin);
    const resource: DesiredResource = {
      address: addressOf(item.kind, plugin, itemName(item) as string),
      kind: item.kind,
      plugin,
      name: (item.kind === 'publication' ? data.repository : data.name) as string,
      endpoint,
      fields: managedFields(endpoint, data),
      refs: {},
      secrets: {},
      labels: isPlainObject(data.labels) ? (data.labels as Record<string, string>) : {},
      adopt: data.adopt === true,
      protect: data.protect === true,
      source: locate(item.origin.file, item.origin.path),
    };
    for (const [field, spec] of Object.entries(FIELDS[endpoint] ?? {})) {
      if (spec.secret && Object.hasOwn(data, field)) resource.secrets[field] = isSecret(data[field]) ? data[field] : null;
    }
    if (data.secret_version !== undefined) resource.secretVersion = String(data.secret_version);
    if (generated.snapshot !== undefined) resource.snapshot = generated.snapshot;
    if (generated.followsSync) resource.followsSync = true;
    if (generated.retain !== undefined) resource.retain = generated.retain;
    if (generated.image !== undefined) resource.image = generated.image;
    if (generated.consumer !== undefined) resource.consumer = generated.consumer;
    const reference = (field: 'remote' | 'repository' | 'publication'): void => {
      if (typeof data[field] === 'string') resource.refs[field] = addressOf(field, plugin, data[field]);
    };
    switch (item.kind) {
      case 'repository': {
        reference('remote');
        const sync = data.sync;
        if (sync === true || isPlainObject(sync)) {
          resource.sync = {
            marker: generated.marker ?? (remoteUrls.get(data.remote as string) as string),
            options: sync === true ? {} : (sync as JsonObject),
          };
        }
        break;
      }
      case 'publication':
        reference('repository');
        break;
      case 'distribution':
        reference('publication');
        reference('repository');
        break;
      case 'remote':
        break;
    }
    return resource;
  });
}

/** Every written field with a known default, overridden by what the YAML sets (see DesiredResource.fields). */
function managedFields(endpoint: string, data: Record<string, unknown>): JsonObject {
  const fields: JsonObject = {};
  for (const [name, spec] of Object.entries(FIELDS[endpoint] ?? {})) {
    if (spec.secret || !isWrittenField(spec)) continue;
    if (Object.hasOwn(data, name)) fields[name] = data[name] as Json;
    else if (spec.default !== undefined) fields[name] = spec.default;
  }
  return fields;
}

export function toServerSettings(server: { value: Record<string, unknown>; origin: Origin } | undefined): ServerSettings {
  if (server === undefined) return {};
  const { value, origin } = server;
  const settings: ServerSettings = { source: locate(origin.file, origin.path) };
  if (typeof value.url === 'string') settings.url = value.url;
  if (typeof value.username === 'string') settings.username = value.username;
  if (isSecret(value.password)) settings.password = value.password as Secret;
  if (typeof value.ca_cert === 'string') settings.caCert = resolve(origin.file.source.dir, value.ca_cert);
  if (typeof value.insecure === 'boolean') settings.insecure = value.insecure;
  return settings;
}
