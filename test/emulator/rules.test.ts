import { describe, expect, test } from '@jest/globals';
import { pythonJsonError } from '../../src/emulator/python-json.js';

// Rules the emulator takes from Python and PostgreSQL rather than from Pulp's own code.

describe("Python's json error texts (what DRF puts after 'JSON parse error - ')", () => {
  // Each expected text is what Python 3.11's json.loads raised for the input.
  test.each([
    ['{"name": ', 'Expecting value: line 1 column 10 (char 9)'],
    ['{name: 1}', 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'],
    ['{"a" 1}', "Expecting ':' delimiter: line 1 column 6 (char 5)"],
    ['{"a": 1,}', 'Expecting property name enclosed in double quotes: line 1 column 9 (char 8)'],
    ['[1, 2', "Expecting ',' delimiter: line 1 column 6 (char 5)"],
    ['{"a": 1} x', 'Extra data: line 1 column 10 (char 9)'],
    ['"abc', 'Unterminated string starting at: line 1 column 1 (char 0)'],
    ['{"a": "b\\q"}', 'Invalid \\escape: line 1 column 9 (char 8)'],
    ['  ', 'Expecting value: line 1 column 3 (char 2)'],
    ['{"a":\n  [1,\n  }', 'Expecting value: line 3 column 3 (char 14)'],
    ['{"a": "x\ty"}', 'Invalid control character at: line 1 column 9 (char 8)'],
    ['{"a": 1 "b": 2}', "Expecting ',' delimiter: line 1 column 9 (char 8)"],
  ])('%j', (text, expected) => {
    expect(pythonJsonError(text)).toBe(expected);
  });
});
