import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CountingProxy, startCountingProxy } from '../../bench/proxy.js';

// The benchmark's proxy in front of a real Pulp also says how long Pulp's API kept requests
// waiting: the time at least one was in flight, and all their waits added up.

let pulp: Server;
let proxy: CountingProxy;
/** When above 0, Pulp answers only once this many requests wait, so they surely overlap. */
let answerTogether = 0;
let waiting: ServerResponse[] = [];

beforeAll(async () => {
  pulp = createServer((_req, res) => {
    if (answerTogether === 0) {
      setTimeout(() => res.end('{}'), 5);
      return;
    }
    waiting.push(res);
    if (waiting.length < answerTogether) return;
    for (const held of waiting) held.end('{}');
    waiting = [];
  });
  await new Promise<void>((resolve) => pulp.listen(0, '127.0.0.1', resolve));
  proxy = await startCountingProxy(`http://127.0.0.1:${(pulp.address() as AddressInfo).port}`);
});
afterAll(async () => {
  await proxy.close();
  await new Promise((resolve) => pulp.close(resolve));
});

const get = async (): Promise<void> => void (await (await fetch(`${proxy.url}/pulp/api/v3/status/`)).text());

describe('the counting proxy', () => {
  test('one request after another: the API was answering for exactly the sum of the waits', async () => {
    proxy.resetRequests();
    for (let i = 0; i < 3; i++) await get();
    const { busyMs, sumMs } = proxy.answering();
    expect(sumMs).toBeGreaterThan(0);
    expect(busyMs).toBeCloseTo(sumMs, 6);
    expect(proxy.requestCounts().byMethod).toEqual({ GET: 3 });
  });

  test('requests at once: their waits add up to more than the time the API was answering', async () => {
    proxy.resetRequests();
    answerTogether = 3;
    await Promise.all([get(), get(), get()]);
    answerTogether = 0;
    const { busyMs, sumMs } = proxy.answering();
    expect(busyMs).toBeGreaterThan(0);
    expect(sumMs).toBeGreaterThan(busyMs);
    proxy.resetRequests();
    expect(proxy.answering()).toEqual({ busyMs: 0, sumMs: 0 });
  });
});
