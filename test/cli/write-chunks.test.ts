import { describe, expect, test } from '@jest/globals';
import { writeChunks } from '../../src/cli/common.js';

function recorder(): { writes: string[]; stream: NodeJS.WritableStream } {
  const writes: string[] = [];
  const stream = {
    write: (text: string) => {
      writes.push(text);
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  return { writes, stream };
}

describe('writeChunks', () => {
  test('writes many small pieces in a few writes of at least 64 KB, the last one the rest', () => {
    const pieces = Array.from({ length: 20_000 }, (_, i) => `  # remote/rpm/mirror-${i} will be created\n\n`);
    const { writes, stream } = recorder();
    writeChunks(stream, pieces);
    expect(writes.join('')).toBe(pieces.join(''));
    expect(writes.length).toBeLessThan(20);
    for (const write of writes.slice(0, -1)) expect(write.length).toBeGreaterThanOrEqual(65_536);
  });

  test('writes nothing for no text', () => {
    const { writes, stream } = recorder();
    writeChunks(stream, ['', '']);
    expect(writes).toEqual([]);
  });
});
