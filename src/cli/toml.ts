/**
 * The part of TOML that pulp-cli's configuration files use: `[table]` headers, `key = value`
 * with strings, integers, floats, booleans and arrays of them (over several lines, with
 * comments), as `pulp config create` (tomli_w) writes them and people edit them. Constructs
 * pulp-cli never reads (dotted keys, inline tables, arrays of tables, multi-line strings,
 * dates) are refused with their position rather than misread.
 */

export type TomlValue = string | number | boolean | TomlValue[];
export type TomlTable = Record<string, TomlValue | Record<string, TomlValue>>;

export class TomlSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
    this.name = 'TomlSyntaxError';
  }
}

const BARE_KEY = /[A-Za-z0-9_-]/;
const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

export function parseToml(text: string): TomlTable {
  return new Parser(text.replace(/^\uFEFF/, '')).document();
}

class Parser {
  #at = 0;

  constructor(readonly text: string) {}

  document(): TomlTable {
    const root: TomlTable = {};
    let table: Record<string, TomlValue> = root as Record<string, TomlValue>;
    const tables = new Set<string>();
    for (;;) {
      this.skipBlankLines();
      if (this.#at >= this.text.length) return root;
      if (this.peek() === '[') {
        const start = this.#at;
        this.#at++;
        if (this.peek() === '[') this.fail('arrays of tables ([[...]]) are not used by pulp-cli and not supported', start);
        this.skipSpaces();
        const name = this.key();
        this.skipSpaces();
        if (this.peek() === '.') this.fail('dotted table names are not used by pulp-cli and not supported');
        this.expect(']');
        if (tables.has(name) || Object.hasOwn(root, name)) this.fail(`table [${name}] is defined twice`, start);
        tables.add(name);
        table = {};
        root[name] = table;
      } else {
        const start = this.#at;
        const key = this.key();
        this.skipSpaces();
        if (this.peek() === '.') this.fail('dotted keys are not used by pulp-cli and not supported');
        this.expect('=');
        this.skipSpaces();
        const value = this.value();
        if (Object.hasOwn(table, key)) this.fail(`key "${key}" is set twice in the same table`, start);
        table[key] = value;
      }
      this.endOfLine();
    }
  }

  key(): string {
    const c = this.peek();
    if (c === '"') return this.basicString();
    if (c === "'") return this.literalString();
    const start = this.#at;
    while (this.#at < this.text.length && BARE_KEY.test(this.peek() ?? '')) this.#at++;
    if (this.#at === start) this.fail(c === undefined || c === '\n' ? 'a key is missing' : `unexpected "${c}" where a key should be`);
    return this.text.slice(start, this.#at);
  }

  value(): TomlValue {
    const c = this.peek();
    if (c === '"' || c === "'") {
      if (this.text.startsWith(c.repeat(3), this.#at)) this.fail('multi-line strings are not used by pulp-cli and not supported');
      return c === '"' ? this.basicString() : this.literalString();
    }
    if (c === '[') return this.array();
    if (c === '{') this.fail('inline tables are not used by pulp-cli and not supported');
    const match = /^[^\s,\]#]+/.exec(this.text.slice(this.#at));
    if (match === null) this.fail('a value is missing');
    const word = match[0];
    const start = this.#at;
    this.#at += word.length;
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (/^[+-]?(0|[1-9](_?\d)*)$/.test(word)) return Number(word.replace(/_/g, ''));
    if (/^0x[0-9A-Fa-f](_?[0-9A-Fa-f])*$/.test(word)) return Number.parseInt(word.slice(2).replace(/_/g, ''), 16);
    if (/^[+-]?(0|[1-9](_?\d)*)(\.\d(_?\d)*)?([eE][+-]?\d(_?\d)*)?$/.test(word)) return Number(word.replace(/_/g, ''));
    if (/^[+-]?(inf|nan)$/.test(word)) return Number(word.replace('inf', 'Infinity').replace('nan', 'NaN'));
    if (/^\d{4}-\d{2}-\d{2}/.test(word)) this.fail('dates are not used by pulp-cli and not supported', start);
    // Not echoed: the value may be a password written without quotes.
    return this.fail('this is not a TOML value: write strings in double quotes, e.g. password = "..."', start);
  }

  array(): TomlValue[] {
    this.expect('[');
    const items: TomlValue[] = [];
    for (;;) {
      this.skipBlankLines();
      if (this.peek() === ']') break;
      items.push(this.value());
      this.skipBlankLines();
      if (this.peek() === ',') {
        this.#at++;
        continue;
      }
      if (this.peek() !== ']') this.fail('expected "," or "]" in the array');
      break;
    }
    this.#at++;
    return items;
  }

  basicString(): string {
    const start = this.#at;
    this.#at++;
    let result = '';
    for (;;) {
      const c = this.text[this.#at];
      if (c === undefined || c === '\n') this.fail('the string is not closed on its line', start);
      this.#at++;
      if (c === '"') return result;
      if (c !== '\\') {
        result += c;
        continue;
      }
      const e = this.text[this.#at] ?? '';
      this.#at++;
      if (e in ESCAPES) {
        result += ESCAPES[e];
      } else if (e === 'u' || e === 'U') {
        const length = e === 'u' ? 4 : 8;
        const hex = this.text.slice(this.#at, this.#at + length);
        const code = /^[0-9A-Fa-f]+$/.test(hex) && hex.length === length ? Number.parseInt(hex, 16) : Number.NaN;
        if (Number.isNaN(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) this.fail(`invalid \\${e} escape`, this.#at - 2);
        result += String.fromCodePoint(code);
        this.#at += length;
      } else {
        this.fail(`invalid escape "\\${e}" (write a backslash as \\\\)`, this.#at - 2);
      }
    }
  }

  literalString(): string {
    const start = this.#at;
    const end = this.text.indexOf("'", start + 1);
    const newline = this.text.indexOf('\n', start + 1);
    if (end < 0 || (newline >= 0 && newline < end)) this.fail('the string is not closed on its line', start);
    this.#at = end + 1;
    return this.text.slice(start + 1, end);
  }

  /** Spaces, tabs, comments and newlines. */
  skipBlankLines(): void {
    for (;;) {
      this.skipSpaces();
      const c = this.peek();
      if (c === '#') this.skipComment();
      else if (c === '\n' || c === '\r') this.#at++;
      else return;
    }
  }

  /** After a value or header: only spaces and a comment before the line ends. */
  endOfLine(): void {
    this.skipSpaces();
    if (this.peek() === '#') this.skipComment();
    if (this.peek() === '\r') this.#at++;
    const c = this.peek();
    if (c === undefined) return;
    if (c !== '\n') this.fail(`unexpected "${c}" after the value (one key = value per line)`);
    this.#at++;
  }

  skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.#at++;
  }

  skipComment(): void {
    while (this.#at < this.text.length && this.peek() !== '\n') this.#at++;
  }

  expect(c: string): void {
    if (this.peek() !== c)
      this.fail(this.peek() === undefined || this.peek() === '\n' ? `"${c}" is missing` : `expected "${c}", found "${this.peek()}"`);
    this.#at++;
  }

  peek(): string | undefined {
    return this.text[this.#at];
  }

  fail(reason: string, at: number = this.#at): never {
    const before = this.text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new TomlSyntaxError(line, column, reason);
  }
}
