import { mapBounded } from '../src/live/bounded.js';
import type { PulpClient } from '../src/live/client.js';
import { lockName } from '../src/apply/lock.js';

/** Where the benchmark's objects live, in the order they can be deleted (publications go with their repositories). */
const ENDPOINTS = [
  'distributions/rpm/rpm/',
  'distributions/container/container/',
  'repositories/rpm/rpm/',
  'repositories/container/container/',
  'remotes/rpm/rpm/',
  'remotes/container/container/',
];

/**
 * Deletes every remote, repository and distribution whose name starts with `prefix` (pulpform's
 * and the baseline's alike: the baseline labels nothing), and the stack's server lock if a
 * killed run left it. Returns how many objects it deleted.
 */
export async function deleteByPrefix(client: PulpClient, prefix: string, stack: string): Promise<number> {
  let deleted = 0;
  for (const endpoint of ENDPOINTS) {
    const objects = await client.list(endpoint, { name__startswith: prefix, fields: 'pulp_href' });
    await mapBounded(objects, 8, async (object) => {
      const answer = await client.delete(String(object['pulp_href']));
      if (answer.kind === 'task') await client.waitForTask(answer.taskHref);
    });
    deleted += objects.length;
  }
  for (const guard of await client.list('contentguards/core/content_redirect/', { name: lockName(stack) }))
    await client.delete(String(guard['pulp_href']));
  return deleted;
}
