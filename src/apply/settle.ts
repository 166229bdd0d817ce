import type { PulpClient } from '../live/index.js';
import { TaskFailedError } from '../live/index.js';

/** Tasks of the writes an apply makes, syncs apart (a sync action waits for an earlier sync itself). */
const WRITE_TASK = /\.tasks\.base\.general_|\.tasks\.publishing\.publish/;

export interface PendingWritesOptions {
  /** Called once, before waiting, when there are tasks to wait for. */
  onWait?: (count: number) => void;
  signal?: AbortSignal;
}

/**
 * Waits for the creates, updates, deletes and publishes still queued or running on the server,
 * which an interrupted run (killed, or stopped with its task waits abandoned) may have left: a
 * plan made before they end would do their work a second time. Resolves with how many there were;
 * how each ended does not matter here (the plan made afterwards sees the result).
 */
export async function waitForPendingWrites(client: PulpClient, options: PendingWritesOptions = {}): Promise<number> {
  const pending = (await client.list('tasks/', { state__in: 'waiting,running' })).filter((task) =>
    WRITE_TASK.test(String(task['name'] ?? '')),
  );
  if (pending.length === 0) return 0;
  options.onWait?.(pending.length);
  // Waited for together: the client polls them all with one request per tick.
  await Promise.all(
    pending.map((task) =>
      client.waitForTask(String(task['pulp_href']), options.signal ? { signal: options.signal } : {}).catch((error: unknown) => {
        if (!(error instanceof TaskFailedError)) throw error;
      }),
    ),
  );
  return pending.length;
}
