import { Ajv2020 } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { OUTPUT_LINE, OUTPUT_SCHEMA_FILE, type OutputLine, type ResultLine } from '../../src/render/json-lines.js';

// The committed schema file users validate with, not only the zod shapes it is generated from.
const validateLine = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(OUTPUT_SCHEMA_FILE, 'utf8')) as object);

export interface JsonRun {
  lines: OutputLine[];
  result: ResultLine;
  ofType<T extends OutputLine['type']>(type: T): Extract<OutputLine, { type: T }>[];
}

/**
 * Parses `--json` stdout and holds it to the output contract: every line one object valid
 * against the schema, exactly one result line and it comes last, its exit code the process's.
 */
export function jsonRun(stdout: string, exitCode?: number | null): JsonRun {
  const texts = stdout.split('\n');
  if (texts.at(-1) !== '') throw new Error(`--json output does not end with a newline: ${JSON.stringify(stdout.slice(-200))}`);
  const lines = texts.slice(0, -1).map((text, index) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new Error(`line ${index + 1} of --json output is not JSON: ${text.slice(0, 200)}`);
    }
    if (!validateLine(value))
      throw new Error(
        `line ${index + 1} of --json output breaks ${OUTPUT_SCHEMA_FILE}: ${JSON.stringify(validateLine.errors)}\n${text.slice(0, 400)}`,
      );
    const parsed = OUTPUT_LINE.safeParse(value);
    if (!parsed.success)
      throw new Error(`line ${index + 1} of --json output breaks the contract: ${parsed.error.message}\n${text.slice(0, 400)}`);
    return parsed.data;
  });
  const results = lines.filter((line) => line.type === 'result');
  if (results.length !== 1 || lines.at(-1)?.type !== 'result')
    throw new Error(`--json output must end with exactly one result line; it has ${results.length}: ${stdout.slice(-400)}`);
  const result = results[0] as ResultLine;
  if (exitCode !== undefined && result.exitCode !== exitCode)
    throw new Error(`the result line says exit ${result.exitCode}, the process exited ${exitCode}`);
  return {
    lines,
    result,
    ofType: <T extends OutputLine['type']>(type: T) => lines.filter((line): line is Extract<OutputLine, { type: T }> => line.type === type),
  };
}
