import type { JsonObject } from '../model/json.js';
import { type Call, type PulpState, type Reply, listRequest, pathOf } from './calls.js';
import { hrefPath } from './endpoints.js';
import { HttpError, badRequestList, notFound } from './errors.js';
import { hrefFilters, resourceAt } from './list-endpoints.js';
import { listResponse } from './lists.js';
import { isPlainObject } from './serializer.js';
import type { Task } from './tasks.js';

export function taskAt(pulp: PulpState, call: Call): Task {
  const task = pulp.tasks.get(call.path);
  if (!task) throw pulp.notFound('Task', call.match.ids[0]);
  return task;
}

export function taskList(pulp: PulpState, call: Call): JsonObject {
  // pulpcore's ReservedResources(In)Filter: a task must hold every resource named.
  const has = (pick: (t: Task) => string[]) => (value: string) => {
    const wanted = value.split(',').map(pathOf);
    return (t: Task) => wanted.every((w) => pick(t).includes(w));
  };
  // A resource is named by its lock key (an href) or by what the record shows (a PRN on 3.116).
  const exclusive = (t: Task) => [...t.exclusive, ...t.record.filter((r) => !r.startsWith('shared:'))];
  const shared = (t: Task) => [...t.shared, ...t.record.filter((r) => r.startsWith('shared:')).map((r) => r.slice('shared:'.length))];
  return listResponse(listRequest(pulp, call), {
    items: pulp.tasks.all(),
    value: (t, field) => pulp.renderTask(t)[field],
    special: hrefFilters(
      pulp,
      {
        created_resources: (value) => {
          if (pulp.profile.tasks.createdResourcesUnresolvable404 && !pulp.doc.match(hrefPath(value) ?? value)) throw notFound('Not found.');
          const href = resourceAt(pulp, value);
          return (t: Task) => t.createdResources.includes(href);
        },
        reserved_resources_record: (value) => {
          if (!pulp.doc.match(hrefPath(value) ?? value)) throw badRequestList(`URI not valid: ${value}`);
          return (t: Task) => t.record.includes(value);
        },
        reserved_resources: has((t) => [...exclusive(t), ...shared(t)]),
        reserved_resources__in: has((t) => [...exclusive(t), ...shared(t)]),
        exclusive_resources: has(exclusive),
        exclusive_resources__in: has(exclusive),
        shared_resources: has(shared),
        shared_resources__in: has(shared),
      },
      (t, field) => pulp.renderTask(t)[field] ?? null,
    ),
    render: (t) => pulp.renderTask(t),
  });
}

export function cancelTask(pulp: PulpState, call: Call): Reply {
  const task = taskAt(pulp, call);
  const body = isPlainObject(call.body) ? call.body : {};
  const refuse = (message: string) => new HttpError(400, pulp.profile.tasks.cancelErrorField ? { state: [message] } : [message]);
  // 3.116 validates with TaskCancelSerializer: a missing state is the field's required error.
  if (!('state' in body))
    throw refuse(pulp.profile.tasks.cancelErrorField ? 'This field is required.' : "'state' must be provided with the request.");
  if (body['state'] !== 'canceled') throw refuse("The only acceptable value for 'state' is 'canceled'.");
  pulp.tasks.cancel(task);
  const canceled = task.state === 'canceling' || task.state === 'canceled';
  return { status: canceled ? 200 : 409, body: pulp.renderTask(task, { createdBy: false }) };
}
