import { isAlias, isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Diagnostic, SourceLocation } from '../model/index.js';
import type { SourceFile } from './files.js';
import { childNodes, findTooDeep, firstTooDeep, MAX_DEPTH } from './nesting.js';
import { parseInChunks } from './yaml-chunks.js';
import { firstPerLine, misindented, yamlErrorDiagnostic } from './yaml-errors.js';
import { maskLines, maskLinesByPattern, maskUrlCredentials } from './yaml-masking.js';
import { PARSE_OPTIONS, spotsOf } from './yaml-spots.js';
import type { ParsedFile } from './yaml-spots.js';

export { describeLocation, formatPath, locate } from './yaml-spots.js';
export type { ParsedFile, Path, Spot } from './yaml-spots.js';

/** yaml's guard against alias bombs ("billion laughs"): expanding more aliases than this fails. */
export const MAX_ALIAS_COUNT = 100;

export interface ParseOutcome {
  parsed?: ParsedFile;
  diagnostics: Diagnostic[];
  /** The file's lines with literal secrets and URL credentials masked, for diagnostic snippets. */
  maskedLines: string[];
}

export function parseYamlFile(source: SourceFile): ParseOutcome {
  const lineCounter = new LineCounter();
  const lines = source.text.split(/\r?\n/);
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: source.display, line, column: col };
  };
  const tooDeep = (offset: number): ParseOutcome => ({
    diagnostics: [
      {
        severity: 'error',
        code: 'config.too_deep',
        summary: 'YAML nested too deeply',
        detail: `The document nests collections more than ${MAX_DEPTH} levels deep here; a desired state needs at most 5.`,
        hint: 'Remove the extra nesting: items are maps inside the top-level lists (remotes, repositories, publications, distributions).',
        source: at(offset),
      },
    ],
    maskedLines: maskLinesByPattern(lines),
  });
  const estimated = firstTooDeep(source.text, MAX_DEPTH);
  if (estimated !== undefined) {
    // The parser fills the line counter; without a parse, fill it here.
    lineCounter.addNewLine(0);
    for (const newline of source.text.matchAll(/\n/g)) lineCounter.addNewLine(newline.index + 1);
    return tooDeep(estimated);
  }

  const chunked = parseInChunks(source.text, lines);
  if (chunked !== undefined)
    return {
      parsed: { source, spots: chunked.spots, lineCounter: chunked.lineCounter, data: chunked.data },
      diagnostics: [],
      maskedLines: chunked.maskedLines,
    };

  // logLevel 'error': yaml would otherwise print its own warnings to the process's stderr.
  const doc = parseDocument(source.text, { lineCounter, prettyErrors: false, ...PARSE_OPTIONS });
  const diagnostics: Diagnostic[] = [
    ...firstPerLine(doc.errors.map((error) => misindented(source.text, error, at) ?? yamlErrorDiagnostic(error, 'error', source.text, at))),
    ...doc.warnings.map((warning) => yamlErrorDiagnostic(warning, 'warning', source.text, at)),
  ];
  if (doc.errors.length > 0) return { diagnostics, maskedLines: maskLinesByPattern(lines) };
  const deepNode = findTooDeep(doc.contents, 0);
  if (deepNode !== undefined) return tooDeep(deepNode.range?.[0] ?? 0);

  const maskedLines = [...lines];
  maskLines(maskedLines, doc.contents, lineCounter, 0);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    diagnostics.push({
      severity: 'error',
      code: 'config.yaml_aliases',
      summary: 'Too many YAML alias expansions',
      detail: `Expanding the aliases (*name) of this document would create too much data (${(error as Error).message}).`,
      hint: 'Repeat the values instead of nesting aliases of aliases; a desired state needs few aliases.',
      source: at(firstAliasOffset(doc.contents) ?? 0),
    });
    return { diagnostics, maskedLines: maskUrlCredentials(maskedLines) };
  }
  return {
    parsed: { source, spots: spotsOf(doc, doc.contents, 0, new Map()), lineCounter, data },
    diagnostics,
    maskedLines: maskUrlCredentials(maskedLines),
  };
}

function firstAliasOffset(node: unknown): number | undefined {
  if (isAlias(node)) return node.range?.[0];
  if (!isMap(node) && !isSeq(node)) return undefined;
  for (const child of childNodes(node)) {
    const found = firstAliasOffset(child);
    if (found !== undefined) return found;
  }
  return undefined;
}
