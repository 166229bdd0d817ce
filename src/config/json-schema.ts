import * as z from 'zod';
import { EXTENSION_PREFIX } from './document.js';
import { SECTIONS } from './sections.js';
import { serverSchema, STACK_DESCRIPTION } from './schema.js';

/** Where `npm run schema` writes the JSON Schema, relative to the package root. */
export const JSON_SCHEMA_FILE = 'schema/pulpform.schema.json';

/**
 * JSON Schema (draft-07, the dialect editors support best) of a desired-state file as written,
 * generated from the same zod shapes the loader validates with.
 */
export function desiredStateJsonSchema(): Record<string, unknown> {
  const document = z.strictObject({
    stack: z.string().min(1).optional().describe(STACK_DESCRIPTION),
    server: serverSchema('document').optional(),
    ...Object.fromEntries(
      SECTIONS.map((section) => [section.key, z.array(section.documentItemSchema()).nullable().optional().describe(section.description)]),
    ),
  });
  return {
    title: 'pulpform desired state',
    description:
      'Remotes, repositories, publications and distributions a Pulp 3 server should have. String values may use ${env:NAME} and ${file:PATH}.',
    ...z.toJSONSchema(document, { target: 'draft-7' }),
    patternProperties: {
      [`^${EXTENSION_PREFIX}`]: { description: 'Ignored by pulpform: a place for YAML anchors (&name) that items merge with <<: *name.' },
    },
  };
}

export function desiredStateJsonSchemaText(): string {
  return `${JSON.stringify(desiredStateJsonSchema(), null, 2)}\n`;
}
