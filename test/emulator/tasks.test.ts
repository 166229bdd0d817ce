import { afterEach, describe, expect, test } from '@jest/globals';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import type { JsonObject } from '../../src/model/json.js';
import { apiClient } from './client.js';

// Tasks that hold a worker for a minute never finish during a test: their states can be observed
// without racing the clock, and cancel() ends them.
const LONG_TASK_MS = 60_000;

describe('emulator tasks', () => {
  let emulator: Emulator | undefined;

  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  async function start(taskMs: number) {
    emulator = await startEmulator({ pulpVersion: '3.23', taskMs });
    return apiClient(emulator.url);
  }

  async function taskState(api: ReturnType<typeof apiClient>, href: string): Promise<string> {
    return ((await api.call('GET', href)).body as JsonObject)['state'] as string;
  }

  /** Waits until the runner has looked at a new task (it leaves `waiting` unless something blocks it). */
  async function settled(api: ReturnType<typeof apiClient>, href: string, blocked: boolean): Promise<string> {
    for (;;) {
      const state = await taskState(api, href);
      if (blocked || state !== 'waiting') return state;
    }
  }

  test('a distribution appears only when its task runs, and a canceled task changes nothing', async () => {
    const api = await start(LONG_TASK_MS);
    const answer = await api.call('POST', '/pulp/api/v3/distributions/rpm/rpm/', { name: 'later', base_path: 'later' });
    expect(answer.status).toBe(202);
    const task = (answer.body as JsonObject)['task'] as string;
    expect(['waiting', 'running']).toContain(await taskState(api, task));
    expect(((await api.call('GET', '/pulp/api/v3/distributions/?name=later')).body as JsonObject)['count']).toBe(0);
    const cancel = await api.call('PATCH', task, { state: 'canceled' });
    expect(cancel.status).toBe(200);
    expect((cancel.body as JsonObject)['state']).toBe('canceling');
    expect(await api.waitTask(task)).toMatchObject({ state: 'canceled', created_resources: [] });
    expect(((await api.call('GET', '/pulp/api/v3/distributions/?name=later')).body as JsonObject)['count']).toBe(0);
  });

  test('tasks on one resource run in order; tasks on different resources run in parallel', async () => {
    const api = await start(LONG_TASK_MS);
    const remote = async (name: string) =>
      ((await api.call('POST', '/pulp/api/v3/remotes/file/file/', { name, url: 'http://example.invalid/' })).body as JsonObject)[
        'pulp_href'
      ] as string;
    const a = await remote('lock-a');
    const b = await remote('lock-b');
    const patch = async (href: string) =>
      ((await api.call('PATCH', href, { url: 'http://example.invalid/2/' })).body as JsonObject)['task'] as string;
    const first = await patch(a);
    expect(await settled(api, first, false)).toBe('running');
    const sameResource = await patch(a);
    const otherResource = await patch(b);
    expect(await settled(api, otherResource, false)).toBe('running');
    expect(await settled(api, sameResource, true)).toBe('waiting');
    await api.call('PATCH', first, { state: 'canceled' });
    expect(await api.waitTask(first)).toMatchObject({ state: 'canceled' });
    expect(await settled(api, sameResource, false)).toBe('running');
  });

  test('finished tasks show timestamps, worker and reservations; canceling them is a 409 with the task', async () => {
    const api = await start(1);
    const created = (await api.call('POST', '/pulp/api/v3/remotes/rpm/rpm/', { name: 'done', url: 'http://example.invalid/' }))
      .body as JsonObject;
    const task = await api.run('DELETE', created['pulp_href'] as string);
    expect(task).toMatchObject({
      state: 'completed',
      name: 'pulpcore.app.tasks.base.general_delete',
      error: null,
      reserved_resources_record: [created['pulp_href']],
    });
    for (const field of ['pulp_created', 'started_at', 'finished_at'])
      expect(task[field]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(task['worker']).toMatch(/^\/pulp\/api\/v3\/workers\/[0-9a-f-]{36}\/$/);
    expect((task['logging_cid'] as string).length).toBe(32);
    const again = await api.call('PATCH', task['pulp_href'] as string, { state: 'canceled' });
    expect(again.status).toBe(409);
    expect(again.body).toEqual(task);
    const wrongState = await api.call('PATCH', task['pulp_href'] as string, { state: 'completed' });
    expect(wrongState).toMatchObject({ status: 400, body: ["The only acceptable value for 'state' is 'canceled'."] });
  });

  test('deleting the only version of a repository fails the task with 3.23 text', async () => {
    const api = await start(1);
    const repo = (await api.call('POST', '/pulp/api/v3/repositories/file/file/', { name: 'one-version' })).body as JsonObject;
    const task = await api.run('DELETE', `${repo['versions_href'] as string}0/`);
    expect(task).toMatchObject({
      state: 'failed',
      name: 'pulpcore.app.tasks.repository.delete_version',
      error: {
        description:
          "[ErrorDetail(string='Cannot delete repository version. Repositories must have at least one repository version.', code='invalid')]",
      },
    });
  });

  test('the task list filters by state and by the resources a task reserved', async () => {
    const api = await start(1);
    const created = (await api.call('POST', '/pulp/api/v3/remotes/rpm/rpm/', { name: 'filtered', url: 'http://example.invalid/' }))
      .body as JsonObject;
    await api.run('PATCH', created['pulp_href'] as string, { policy: 'on_demand' });
    const byResource = (await api.call('GET', `/pulp/api/v3/tasks/?reserved_resources_record=${created['pulp_href'] as string}`))
      .body as JsonObject;
    expect(byResource['count']).toBe(1);
    const failed = (await api.call('GET', '/pulp/api/v3/tasks/?state=failed')).body as JsonObject;
    expect(failed['count']).toBe(0);
  });
});
