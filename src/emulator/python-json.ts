/**
 * Where and why Python's `json.loads` rejects a text, in its own words (DRF puts them in
 * "JSON parse error - ..."): `Expecting value: line 1 column 10 (char 9)`. The emulator parses
 * with JSON.parse and asks this scanner for the message only when that fails.
 */
export function pythonJsonError(text: string): string {
  try {
    scanDocument(text);
    // JSON.parse refused what Python takes (NaN, Infinity): the nearest Python complaint.
    return located('Expecting value', text, 0);
  } catch (e) {
    if (e instanceof PythonJsonError) return located(e.reason, text, e.position);
    throw e;
  }
}

class PythonJsonError extends Error {
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(reason);
  }
}

function located(reason: string, text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `${reason}: line ${line} column ${column} (char ${position})`;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

function skip(text: string, at: number): number {
  while (at < text.length && WHITESPACE.has(text[at] as string)) at++;
  return at;
}

function scanDocument(text: string): void {
  const end = skip(text, scanValue(text, skip(text, 0)));
  if (end !== text.length) throw new PythonJsonError('Extra data', end);
}

/** Python's `scan_once`: the end of the value at `at`, or "Expecting value" there. */
function scanValue(text: string, at: number): number {
  const c = text[at];
  if (c === '"') return scanString(text, at + 1);
  if (c === '{') return scanObject(text, at + 1);
  if (c === '[') return scanArray(text, at + 1);
  for (const word of ['null', 'true', 'false', 'NaN', 'Infinity', '-Infinity']) if (text.startsWith(word, at)) return at + word.length;
  NUMBER.lastIndex = at;
  const number = NUMBER.exec(text);
  if (number) return at + number[0].length;
  throw new PythonJsonError('Expecting value', at);
}

function scanString(text: string, begin: number): number {
  let at = begin;
  for (;;) {
    if (at >= text.length) throw new PythonJsonError('Unterminated string starting at', begin - 1);
    const c = text[at] as string;
    if (c === '"') return at + 1;
    if (c.charCodeAt(0) < 0x20) throw new PythonJsonError('Invalid control character at', at);
    if (c === '\\') {
      const escaped = text[at + 1];
      if (escaped === undefined) throw new PythonJsonError('Unterminated string starting at', begin - 1);
      if (escaped === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) throw new PythonJsonError('Invalid \\uXXXX escape', at + 1);
        at += 6;
        continue;
      }
      if (!ESCAPES.has(escaped)) throw new PythonJsonError('Invalid \\escape', at);
      at += 2;
      continue;
    }
    at++;
  }
}

function scanObject(text: string, start: number): number {
  let at = skip(text, start);
  if (text[at] === '}') return at + 1;
  if (text[at] !== '"') throw new PythonJsonError('Expecting property name enclosed in double quotes', at);
  for (;;) {
    at = skip(text, scanString(text, at + 1));
    if (text[at] !== ':') throw new PythonJsonError("Expecting ':' delimiter", at);
    at = skip(text, scanValue(text, skip(text, at + 1)));
    if (text[at] === '}') return at + 1;
    if (text[at] !== ',') throw new PythonJsonError("Expecting ',' delimiter", at);
    at = skip(text, at + 1);
    if (text[at] !== '"') throw new PythonJsonError('Expecting property name enclosed in double quotes', at);
  }
}

function scanArray(text: string, start: number): number {
  let at = skip(text, start);
  if (text[at] === ']') return at + 1;
  for (;;) {
    at = skip(text, scanValue(text, at));
    if (text[at] === ']') return at + 1;
    if (text[at] !== ',') throw new PythonJsonError("Expecting ',' delimiter", at);
    at = skip(text, at + 1);
  }
}
