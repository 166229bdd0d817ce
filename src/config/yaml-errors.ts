import type { YAMLError } from 'yaml';
import type { Diagnostic, SourceLocation } from '../model/index.js';

/** The parser reports one slip several ways (13 for one misindented line): the first of each line says it. */
export function firstPerLine(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<number>();
  return diagnostics.filter((diagnostic) => {
    const line = diagnostic.source?.line ?? 0;
    if (seen.has(line)) return false;
    seen.add(line);
    return true;
  });
}

const INDENTATION_CODES = new Set(['MISSING_CHAR', 'BAD_INDENT', 'BLOCK_AS_IMPLICIT_KEY', 'MULTILINE_IMPLICIT_KEY', 'UNEXPECTED_TOKEN']);

/**
 * In plain words, when the line of a parse error is indented differently from every line that
 * could hold it: the usual cause of the parser's "implicit key" and "sequence item" errors.
 */
export function misindented(text: string, error: YAMLError, at: (offset: number) => SourceLocation): Diagnostic | undefined {
  if (!INDENTATION_CODES.has(error.code)) return undefined;
  const source = at(Math.max(0, Math.min(error.pos[0], text.trimEnd().length - 1)));
  const lines = text.split('\n');
  const here = lines[source.line - 1] ?? '';
  const indent = /^ */.exec(here)![0].length;
  const previous = lines
    .slice(0, source.line - 1)
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line.trim() !== '' && !line.trim().startsWith('#'));
  const last = previous.at(-1);
  if (last === undefined) return undefined;
  // A key's indentation; for "- key:" the column of the key after the dash.
  const keyIndent = (line: string): number =>
    /^( *)(- +)?/
      .exec(line)!
      .slice(1)
      .reduce((n, part) => n + (part?.length ?? 0), 0);
  const open = new Set(previous.map(({ line }) => keyIndent(line)));
  if (open.has(indent)) return undefined;
  const lastIndent = keyIndent(last.line);
  return {
    severity: 'error',
    code: 'config.yaml_indentation',
    summary: 'Line indented wrongly',
    detail: `Line ${source.line} is indented by ${indent} space${indent === 1 ? '' : 's'}, and the line before it by ${lastIndent}. YAML reads nesting from indentation, so this line belongs to no map: ${here.trim().split(':')[0]} is not read as part of the item above.`,
    hint: `Indent it by ${lastIndent} spaces, like "${last.line.trim()}" on line ${last.number} (or by the indentation of the map it belongs to).`,
    source: { ...source, column: indent + 1 },
  };
}

export function yamlErrorDiagnostic(
  error: YAMLError,
  severity: 'error' | 'warning',
  text: string,
  at: (offset: number) => SourceLocation,
): Diagnostic {
  const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
  // Errors found at the end of the text (an unclosed quote or bracket) point at its last character instead.
  const source = at(Math.max(0, Math.min(error.pos[0], text.trimEnd().length - 1)));
  switch (error.code) {
    case 'DUPLICATE_KEY': {
      const key = /^["']?([^"':\s]+)/.exec(text.slice(error.pos[0]))?.[1] ?? '';
      return {
        severity,
        code: 'config.duplicate_key',
        summary: 'Duplicate key',
        source,
        value: key,
        detail: `The key "${key}" appears twice in the same map; YAML keeps only one of them.`,
        hint: `Remove or rename one of the two "${key}" keys.`,
      };
    }
    case 'MULTIPLE_DOCS':
      return {
        severity,
        code: 'config.multiple_documents',
        summary: 'More than one YAML document in a file',
        source,
        detail: 'This file holds several documents separated by "---"; pulpform reads one document per file.',
        hint: 'Split the documents into separate files in the same directory.',
      };
    case 'RESOURCE_EXHAUSTION':
      return {
        severity,
        code: 'config.too_deep',
        summary: 'YAML too large or nested too deeply',
        source,
        detail: `The YAML parser gave up: ${message}.`,
        hint: 'Remove the extra nesting: items are maps inside the top-level lists (remotes, repositories, publications, distributions).',
      };
    case 'TAB_AS_INDENT':
      return {
        severity,
        code: 'config.yaml_syntax',
        summary: 'Tab used for indentation',
        source,
        detail: message,
        hint: 'Indent with spaces; YAML does not allow tabs.',
      };
    default:
      return {
        severity,
        code: severity === 'error' ? 'config.yaml_syntax' : 'config.yaml_warning',
        summary: severity === 'error' ? 'Invalid YAML' : 'YAML warning',
        detail: `${message.replace(/\.$/, '')}.`,
        hint:
          severity === 'error'
            ? 'Fix the YAML syntax at this position: check indentation, colons after keys, and quotes around values with ": " or " #".'
            : 'Check the value at this position.',
        source,
      };
  }
}
