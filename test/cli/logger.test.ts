import { describe, expect, test } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/cli/logger.js';
import { Secret } from '../../src/model/secret.js';

/** A stream that resolves `firstLine` once the logger has written a line to it. */
function capture(): { stream: Writable; firstLine: Promise<string> } {
  let resolveLine: (line: string) => void = () => {};
  const firstLine = new Promise<string>((resolve) => (resolveLine = resolve));
  const stream = new Writable({
    write(chunk, _enc, done) {
      resolveLine(String(chunk));
      done();
    },
  });
  return { stream, firstLine };
}

describe('createLogger', () => {
  test('masks Secret objects and known secret strings in messages and metadata', async () => {
    const out = capture();
    const logger = createLogger({ level: 'info', format: 'json', stream: out.stream, secrets: () => ['hunter2'] });
    logger.info('password is hunter2', { password: new Secret('hunter2', 'env:P'), nested: { url: 'http://u:hunter2@h' } });
    const line = await out.firstLine;
    expect(line).not.toContain('hunter2');
    expect(line).toContain('(sensitive)');
    expect(JSON.parse(line.trim())).toMatchObject({ level: 'info', message: 'password is (sensitive)' });
  });

  test('human format is one line with key=value metadata', async () => {
    const out = capture();
    const logger = createLogger({ level: 'info', format: 'human', stream: out.stream });
    logger.info('applied', { action: 'create remote/rpm/x' });
    expect(await out.firstLine).toMatch(/info applied action=create remote\/rpm\/x\n$/);
  });

  test('entries below the level are dropped before the secrets are even looked up', async () => {
    const out = capture();
    let lookups = 0;
    const logger = createLogger({
      level: 'warn',
      format: 'json',
      stream: out.stream,
      secrets: () => {
        lookups++;
        return ['hunter2', 'hunter2'];
      },
    });
    for (let i = 0; i < 100; i++) logger.info(`step ${i} with hunter2`);
    logger.warn('warned about hunter2');
    const line = await out.firstLine;
    expect(JSON.parse(line.trim())).toMatchObject({ level: 'warn', message: 'warned about (sensitive)' });
    expect(lookups).toBe(1);
  });
});
