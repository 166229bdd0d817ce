import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONTENT_TYPES, type ContentType, contentTypeAt, orderingChoices } from '../../../src/emulator/content/content-types.js';
import { renderUnitFields, unitMatchesFilter, unitOrderingValue } from '../../../src/emulator/content/unit-fields.js';
import { type ContentUnit, mergeUnit } from '../../../src/emulator/content/units.js';
import { containerRepository, rpmRepository } from '../../../src/emulator/content/fixtures.js';
import { UPSTREAMS } from './helpers.js';

interface Operation {
  parameters?: Array<{ name: string; in: string; schema?: { items?: { enum?: string[] } } }>;
  responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }>;
}
const openapiDir = path.resolve(UPSTREAMS, '../../openapi');
const spec = JSON.parse(
  readFileSync(path.join(openapiDir, readdirSync(openapiDir).find((f) => f.startsWith('pulpcore-3.23'))!), 'utf8'),
) as {
  paths: Record<string, { get: Operation }>;
  components: { schemas: Record<string, { properties: Record<string, unknown>; $ref?: string }> };
};
const CORE_PARAMETERS = [
  'limit',
  'offset',
  'ordering',
  'repository_version',
  'repository_version_added',
  'repository_version_removed',
  'fields',
  'exclude_fields',
];

describe('the content type table matches the 3.23 OpenAPI document', () => {
  for (const info of Object.values(CONTENT_TYPES)) {
    test(`${info.type} at ${info.endpoint}`, () => {
      const get = spec.paths[`/pulp/api/v3/${info.endpoint}`]!.get;
      const page = spec.components.schemas[get.responses['200']!.content['application/json']!.schema.$ref.split('/').pop()!]!;
      const itemRef = (page.properties.results as { items: { $ref: string } }).items.$ref.split('/').pop()!;
      const fields = Object.keys(spec.components.schemas[itemRef]!.properties).filter((f) => f !== 'pulp_href' && f !== 'pulp_created');
      expect(info.fields.map(([name]) => name)).toEqual(fields);
      const query = (get.parameters ?? []).filter((p) => p.in === 'query');
      expect([...info.filters].sort()).toEqual(
        query
          .map((p) => p.name)
          .filter((n) => !CORE_PARAMETERS.includes(n))
          .sort(),
      );
      expect(orderingChoices(info.type)).toEqual(query.find((p) => p.name === 'ordering')!.schema!.items!.enum);
      expect(contentTypeAt(`/pulp/api/v3/${info.endpoint}`)).toBe(info.type as ContentType);
    });
  }
});

describe('units', () => {
  const [bash, kernel] = rpmRepository([
    { name: 'bash', version: '5.1' },
    { name: 'kernel', version: '4.18.0', arch: 'x86_64' },
  ]) as [ContentUnit, ContentUnit];
  const context = { resolve: () => undefined, hrefOf: () => '' };

  test('filters apply Django lookups to unit fields', () => {
    expect(unitMatchesFilter(bash, 'name', 'bash', context)).toBe(true);
    expect(unitMatchesFilter(bash, 'name__in', 'kernel,bash', context)).toBe(true);
    expect(unitMatchesFilter(kernel, 'arch__ne', 'x86_64', context)).toBe(false);
    expect(unitMatchesFilter(kernel, 'name__startswith', 'ker', context)).toBe(true);
    expect(unitMatchesFilter(bash, 'sha256', bash.artifacts[0]!.sha256!, context)).toBe(true);
    expect(unitMatchesFilter(bash, 'nosuchfilter', 'x', context)).toBeUndefined();
    expect(unitOrderingValue(kernel, 'version')).toBe('4.18.0');
  });

  test('a tag filters on its manifest digest through the resolver', () => {
    const units = containerRepository({ latest: 'x' });
    const tag = units.find((u) => u.type === 'container.tag')!;
    const manifest = units.find((u) => u.type === 'container.manifest')!;
    const resolving = { resolve: () => manifest, hrefOf: () => '' };
    expect(unitMatchesFilter(tag, 'digest', String(manifest.fields.digest), resolving)).toBe(true);
    expect(unitMatchesFilter(tag, 'media_type', 'application/vnd.oci.image.manifest.v1+json', resolving)).toBe(true);
  });

  test('rendering resolves references and artifact-derived fields; undownloaded artifacts give nulls', () => {
    const units = containerRepository({ latest: 'x' });
    const tag = units.find((u) => u.type === 'container.tag')!;
    const resolvers = {
      unitHref: (ref: { type: string; key: string }) => `/${ref.type}/${ref.key}/`,
      artifactHref: (sha: string) => `/artifacts/${sha}/`,
    };
    expect(renderUnitFields(tag, resolvers).tagged_manifest).toMatch(/^\/container\.manifest\//);
    const deferred: ContentUnit = { ...bash, artifacts: [{ relativePath: 'bash.rpm', sha256: bash.artifacts[0]!.sha256, size: 1 }] };
    const rendered = renderUnitFields(deferred, resolvers);
    expect([rendered.artifact, rendered.sha256, rendered.md5]).toEqual([null, null, null]);
    expect(renderUnitFields(bash, resolvers).sha512).toHaveLength(128);
  });

  test('merging keeps the stored unit and gives it bytes it lacked', () => {
    const stored: ContentUnit = { ...bash, artifacts: [{ ...bash.artifacts[0]!, data: undefined }] };
    const merged = mergeUnit(stored, bash);
    expect(merged).toBe(stored);
    expect(stored.artifacts[0]!.data).toEqual(bash.artifacts[0]!.data);
  });
});
