import { isMap, isPair, isSeq } from 'yaml';
import type { Node, YAMLMap, YAMLSeq } from 'yaml';

/** Deeper documents are refused before conversion: the schema needs 5 levels, and yaml recurses. */
export const MAX_DEPTH = 32;

/**
 * Where a YAML text first nests collections deeper than `limit`, estimated from the text
 * alone, so that hostile nesting (`[[[[...`, `- - - - ...`, thousands of indentation levels)
 * is refused before the parser, which recurses, sees it. Block collections count by
 * indentation and compact `- ` / `? ` entries, flow collections by their brackets; quoted
 * strings, comments and block scalar bodies are skipped. Inline maps after a dash are not
 * counted, so the true depth is at most about twice the estimate: the exact check runs on the
 * parsed document.
 */
export function firstTooDeep(text: string, limit: number): number | undefined {
  const indents: number[] = [];
  let flow = 0;
  let quote: string | undefined;
  let blockScalarIndent: number | undefined;
  let lineStart = 0;
  for (const line of text.split('\n')) {
    const start = lineStart;
    lineStart += line.length + 1;
    const indent = line.length - line.trimStart().length;
    const blank = line.trim() === '' || line.trimStart().startsWith('#');
    if (blockScalarIndent !== undefined) {
      if (blank || indent > blockScalarIndent) continue;
      blockScalarIndent = undefined;
    }
    let i = indent;
    if (quote === undefined && flow === 0) {
      if (blank) continue;
      while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
      indents.push(indent);
      if (indents.length > limit) return start + i;
      while (isEntryIndicator(line, i)) {
        i += 1;
        while (line[i] === ' ') i += 1;
        if (isEntryIndicator(line, i)) {
          indents.push(i);
          if (indents.length > limit) return start + i;
        }
      }
    }
    let lastSignificant = '';
    // Without quotes or brackets the rest of the line cannot open or close anything.
    if (quote === undefined && flow === 0 && !QUOTE_OR_BRACKET.test(line)) i = line.length;
    for (; i < line.length; i++) {
      const c = line[i] as string;
      if (quote !== undefined) {
        if (quote === '"' && c === '\\') i += 1;
        else if (c === quote && quote === "'" && line[i + 1] === "'") i += 1;
        else if (c === quote) quote = undefined;
        continue;
      }
      const before = i === 0 ? ' ' : (line[i - 1] as string);
      if (c === '#' && /\s/.test(before)) break;
      // A bracket or quote opens a collection or string only where a value starts.
      const valueStart = lastSignificant === '' || ':-?,[{'.includes(lastSignificant);
      let structural = ':-?'.includes(c) || (c === ',' && flow > 0);
      if ((c === '"' || c === "'") && valueStart) {
        quote = c;
      } else if ((c === '[' || c === '{') && valueStart) {
        flow += 1;
        structural = true;
        if (indents.length + flow > limit) return start + i;
      } else if ((c === ']' || c === '}') && flow > 0) {
        flow -= 1;
        structural = true;
      }
      // Brackets and commas inside a plain scalar ("see [1], [2]") open nothing.
      if (c !== ' ' && c !== '\t') lastSignificant = structural ? c : 'a';
    }
    if (quote === undefined && flow === 0 && /(^|[\s:-])[|>][-+0-9]*\s*(#.*)?$/.test(line.slice(indent))) blockScalarIndent = indent;
  }
  return undefined;
}

const QUOTE_OR_BRACKET = /["'[\]{}]/;

/** `- ` (sequence entry) or `? ` (complex key) at `i`. */
function isEntryIndicator(line: string, i: number): boolean {
  const c = line[i];
  const next = line[i + 1];
  return (c === '-' || c === '?') && (next === undefined || next === ' ' || next === '\t' || next === '\r');
}

/** The first node deeper than MAX_DEPTH; recursion stops there, so the walk itself stays shallow. */
export function findTooDeep(node: unknown, depth: number): Node | undefined {
  if (!isMap(node) && !isSeq(node)) return undefined;
  if (depth >= MAX_DEPTH) return node;
  for (const child of childNodes(node)) {
    const found = findTooDeep(child, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function childNodes(collection: YAMLMap | YAMLSeq): unknown[] {
  return collection.items.flatMap((item) => (isPair(item) ? [item.key, item.value] : [item]));
}
