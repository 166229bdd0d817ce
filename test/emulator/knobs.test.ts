import { afterEach, describe, expect, test } from '@jest/globals';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../src/emulator/index.js';
import { parseFaultSpec } from '../../src/emulator/faults.js';
import type { JsonObject } from '../../src/model/json.js';
import { apiClient } from './client.js';

describe('emulator knobs: latency, faults, request log', () => {
  const running: Emulator[] = [];

  afterEach(async () => {
    await Promise.all(running.splice(0).map((e) => e.close()));
  });

  async function start(options: EmulatorOptions) {
    const emulator = await startEmulator(options);
    running.push(emulator);
    return { emulator, api: apiClient(emulator.url) };
  }

  test('latency delays every API request by at least the configured time', async () => {
    const { api } = await start({ latencyMs: 50 });
    const started = performance.now();
    await api.call('GET', '/pulp/api/v3/status/');
    await api.call('GET', '/pulp/api/v3/remotes/');
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
  });

  test('errorRate 1 answers every API request with a 500 and changes nothing; control endpoints are never faulted', async () => {
    const { emulator, api } = await start({ faults: { errorRate: 1 } });
    const answer = await api.call('POST', '/pulp/api/v3/remotes/rpm/rpm/', { name: 'never', url: 'http://example.invalid/' });
    expect(answer.status).toBe(500);
    expect(answer.body).toContain('Server Error (500)');
    expect([...emulator.pulp.store.listFamily('remotes')]).toHaveLength(0);
    const log = await fetch(`${emulator.url}/_emulator/requests`);
    expect(log.status).toBe(200);
  });

  test('resetRate 1 drops the connection without an answer', async () => {
    const { emulator, api } = await start({ faults: { resetRate: 1 } });
    await expect(api.call('GET', '/pulp/api/v3/status/')).rejects.toThrow();
    expect(emulator.requests()).toEqual([{ method: 'GET', path: '/pulp/api/v3/status/', status: 0, fault: 'reset' }]);
  });

  test('lostRate 1 makes the change but drops the connection instead of answering', async () => {
    const { emulator, api } = await start({ faults: { lostRate: 1 } });
    await expect(api.call('POST', '/pulp/api/v3/remotes/rpm/rpm/', { name: 'made', url: 'http://example.invalid/' })).rejects.toThrow();
    expect([...emulator.pulp.store.listFamily('remotes')]).toHaveLength(1);
    expect(emulator.requests()).toEqual([{ method: 'POST', path: '/pulp/api/v3/remotes/rpm/rpm/', status: 201, fault: 'lost' }]);
  });

  test('slowRate 1 makes the change at once and holds the answer back; closing does not wait for it', async () => {
    const { emulator } = await start({ faults: { slowRate: 1, slowMs: 60_000 } });
    const answer = fetch(`${emulator.url}/pulp/api/v3/remotes/rpm/rpm/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('admin:password').toString('base64')}` },
      body: JSON.stringify({ name: 'early', url: 'http://example.invalid/' }),
    });
    const made = async (): Promise<void> => {
      while (emulator.requests().length === 0) await new Promise((resolve) => setImmediate(resolve));
    };
    await made();
    expect([...emulator.pulp.store.listFamily('remotes')]).toHaveLength(1);
    expect(emulator.requests()).toEqual([{ method: 'POST', path: '/pulp/api/v3/remotes/rpm/rpm/', status: 201, fault: 'slow' }]);
    await emulator.close();
    running.splice(running.indexOf(emulator), 1);
    await expect(answer).rejects.toThrow();
  });

  test('taskFailureRate 1 fails every task without doing its work', async () => {
    const { api } = await start({ taskMs: 1, faults: { taskFailureRate: 1 } });
    const remote = (await api.call('POST', '/pulp/api/v3/remotes/rpm/rpm/', { name: 'stays', url: 'http://example.invalid/' }))
      .body as JsonObject;
    const task = await api.run('DELETE', remote['pulp_href'] as string);
    expect(task['state']).toBe('failed');
    expect((task['error'] as JsonObject)['description']).toMatch(/fault injection/);
    expect((await api.call('GET', remote['pulp_href'] as string)).status).toBe(200);
  });

  test('faults repeat exactly for the same seed and differ for another', async () => {
    const statuses = async (seed: number) => {
      const { api } = await start({ faults: { seed, errorRate: 0.5 } });
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await api.call('GET', '/pulp/api/v3/status/')).status);
      return out;
    };
    const first = await statuses(7);
    expect(await statuses(7)).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await statuses(8)).not.toEqual(first);
  });

  test('the request log counts by method and path, in process and over HTTP, and can be reset', async () => {
    const { emulator, api } = await start({});
    await api.call('GET', '/pulp/api/v3/status/');
    await api.call('GET', '/pulp/api/v3/remotes/?limit=1');
    await api.call('POST', '/pulp/api/v3/remotes/rpm/rpm/', {});
    expect(emulator.requests()).toEqual([
      { method: 'GET', path: '/pulp/api/v3/status/', status: 200 },
      { method: 'GET', path: '/pulp/api/v3/remotes/', status: 200 },
      { method: 'POST', path: '/pulp/api/v3/remotes/rpm/rpm/', status: 400 },
    ]);
    const counts = {
      byMethod: { GET: 2, POST: 1 },
      byPath: { '/pulp/api/v3/status/': 1, '/pulp/api/v3/remotes/': 1, '/pulp/api/v3/remotes/rpm/rpm/': 1 },
    };
    expect(emulator.requestCounts()).toEqual(counts);
    const overHttp = (await (await fetch(`${emulator.url}/_emulator/requests`)).json()) as JsonObject;
    expect(overHttp['counts']).toEqual(counts);
    expect((await fetch(`${emulator.url}/_emulator/requests`, { method: 'DELETE' })).status).toBe(204);
    expect(emulator.requests()).toEqual([]);
    await api.call('GET', '/pulp/api/v3/status/');
    emulator.resetRequests();
    expect(emulator.requestCounts()).toEqual({ byMethod: {}, byPath: {} });
  });

  test('the --faults spec parses shares and refuses anything else with a hint', () => {
    expect(parseFaultSpec('error=0.05, reset=0.01,task=1')).toEqual({ errorRate: 0.05, resetRate: 0.01, taskFailureRate: 1 });
    expect(parseFaultSpec('lost=0.02,slow=0.1,slow_ms=5000')).toEqual({ lostRate: 0.02, slowRate: 0.1, slowMs: 5000 });
    expect(() => parseFaultSpec('error=2')).toThrow(/share between 0 and 1/);
    expect(() => parseFaultSpec('hang=0.1')).toThrow(/error, reset, lost, slow or task/);
  });
});
