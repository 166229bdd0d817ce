import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import type { JsonObject } from '../../src/model/json.js';
import { apiClient } from './client.js';

const COUNT = 10_000;
const name = (i: number) => `bulk-${String(i).padStart(5, '0')}`;

describe('emulator with 10,000 remotes', () => {
  let emulator: Emulator;
  let api: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    emulator = await startEmulator();
    api = apiClient(emulator.url);
    for (let i = 0; i < COUNT; i++) {
      emulator.pulp.seed('/pulp/api/v3/remotes/rpm/rpm/', {
        name: name(i),
        url: `http://example.invalid/${i}/`,
        pulp_labels: { parity: i % 2 ? 'odd' : 'even' },
      });
    }
  });

  afterAll(async () => {
    await emulator.close();
  });

  test('an exact name filter finds the one remote', async () => {
    const page = (await api.call('GET', `/pulp/api/v3/remotes/rpm/rpm/?name=${name(4242)}`)).body as JsonObject;
    expect(page['count']).toBe(1);
    expect(((page['results'] as JsonObject[])[0] as JsonObject)['url']).toBe('http://example.invalid/4242/');
  });

  test('prefix and label filters narrow the list', async () => {
    const prefixed = (await api.call('GET', '/pulp/api/v3/remotes/rpm/rpm/?name__startswith=bulk-0999&ordering=name&fields=name'))
      .body as JsonObject;
    expect(prefixed['count']).toBe(10);
    expect(prefixed['results']).toEqual(Array.from({ length: 10 }, (_, i) => ({ name: name(9990 + i) })));
    const odd = (await api.call('GET', '/pulp/api/v3/remotes/?pulp_label_select=parity%3Dodd&limit=1')).body as JsonObject;
    expect(odd['count']).toBe(COUNT / 2);
  });

  test('following next links pages through every remote once, newest first', async () => {
    const seen: string[] = [];
    let next: string | null = '/pulp/api/v3/remotes/rpm/rpm/?limit=1000&fields=name';
    let pages = 0;
    while (next) {
      const page = (await api.call('GET', next)).body as JsonObject;
      expect(page['count']).toBe(COUNT);
      seen.push(...(page['results'] as JsonObject[]).map((r) => r['name'] as string));
      next = page['next'] as string | null;
      pages++;
    }
    expect(pages).toBe(10);
    expect(seen).toEqual(Array.from({ length: COUNT }, (_, i) => name(COUNT - 1 - i)));
  });

  test('a duplicate name is still refused among 10,000', async () => {
    const answer = await api.call('POST', '/pulp/api/v3/remotes/file/file/', { name: name(1), url: 'http://example.invalid/' });
    expect(answer).toMatchObject({ status: 400, body: { name: ['This field must be unique.'] } });
  });
});
