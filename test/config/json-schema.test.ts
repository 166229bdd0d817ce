import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { desiredStateJsonSchema, desiredStateJsonSchemaText, JSON_SCHEMA_FILE } from '../../src/config/json-schema.js';

describe('JSON Schema of the desired-state YAML', () => {
  test('the committed schema is up to date (regenerate with `npm run schema`)', () => {
    expect(readFileSync(JSON_SCHEMA_FILE, 'utf8')).toBe(desiredStateJsonSchemaText());
  });

  test("offers each plugin's remote fields with their descriptions, and no unknown keys", () => {
    const schema = desiredStateJsonSchema() as {
      $schema: string;
      additionalProperties: boolean;
      properties: Record<
        string,
        {
          anyOf?: Array<{
            items?: {
              oneOf?: Array<{ properties: Record<string, { description?: string }>; required: string[]; additionalProperties: boolean }>;
            };
          }>;
        }
      >;
    };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual([
      'stack',
      'server',
      'remotes',
      'repositories',
      'publications',
      'distributions',
      'upstreams',
      'package_mirrors',
      'container_mirrors',
    ]);
    const remotes = schema.properties.remotes?.anyOf?.[0]?.items?.oneOf ?? [];
    expect(remotes).toHaveLength(4);
    const container = remotes[3];
    expect(container?.required).toEqual(['name', 'type', 'url', 'upstream_name']);
    expect(container?.additionalProperties).toBe(false);
    expect(container?.properties.upstream_name?.description).toBe('Image name in the upstream registry, e.g. stackhpc/barbican-api.');
  });
});
