// `npm run schema`: regenerates the committed JSON Schemas from the zod shapes in dist/, and docs/diagnostics.md from the catalogue of diagnostic codes.
import { writeFileSync } from 'node:fs';
import { desiredStateJsonSchemaText, JSON_SCHEMA_FILE } from '../dist/config/json-schema.js';
import { OUTPUT_SCHEMA_FILE, outputJsonSchemaText } from '../dist/render/json-lines.js';
import { DIAGNOSTICS_DOC_FILE, diagnosticsDocText } from '../dist/render/diagnostics-doc.js';

for (const [file, text] of [
  [JSON_SCHEMA_FILE, desiredStateJsonSchemaText()],
  [OUTPUT_SCHEMA_FILE, outputJsonSchemaText()],
  [DIAGNOSTICS_DOC_FILE, diagnosticsDocText()],
]) {
  writeFileSync(new URL(`../${file}`, import.meta.url), text);
  process.stdout.write(`wrote ${file}\n`);
}
