import { type Call, type PulpState, type Reply, dispatch, objectAt, versionAt } from './calls.js';
import type { Endpoint } from './endpoints.js';
import { HttpError, pythonErrorRepr } from './errors.js';
import { removeVersion, servedVersions } from './lifecycle.js';
import { deserialize } from './serializer.js';
import { syncOptions, syncSerializer, syncWork } from './sync.js';
import { TaskFailure } from './tasks.js';

const PROTECTED_VERSION =
  'The repository version cannot be deleted because it (or its publications) are currently being used to distribute content. Please update the necessary distributions first.';

export function deleteVersion(pulp: PulpState, call: Call, endpoint: Endpoint): Reply {
  const version = versionAt(pulp, endpoint, call);
  const repository = version.repository;
  if (pulp.profile.repositoryVersions.protectServed && servedVersions(pulp.store, repository).has(version)) {
    throw new HttpError(400, [PROTECTED_VERSION]);
  }
  return dispatch(pulp, call, {
    name: 'pulpcore.app.tasks.repository.delete_version',
    exclusive: [repository.href],
    run: () => {
      if (!repository.versions?.has(version.number)) throw new TaskFailure('RepositoryVersion matching query does not exist.');
      if (repository.versions.size <= 1) {
        const message = 'Cannot delete repository version. Repositories must have at least one repository version.';
        // A DRF ValidationError's repr before Pulp's coded exceptions, the plain message since.
        throw new TaskFailure(pulp.profile.tasks.errorCodes ? message : pythonErrorRepr([message]));
      }
      removeVersion(pulp.store, version);
      return {};
    },
  });
}

export function sync(pulp: PulpState, call: Call, endpoint: Endpoint): Reply {
  const repository = objectAt(pulp, endpoint, call);
  const request = call.op.requestSchema;
  if (!request) throw new Error(`${call.op.id} has no request schema`);
  const data = deserialize(syncSerializer(pulp, endpoint, repository, request), call.body, 'create');
  const remote = (data['remote'] as string | undefined) ?? (repository.values['remote'] as string);
  const options = syncOptions(pulp.profile, endpoint, repository, data);
  return dispatch(pulp, call, syncWork(pulp.syncHost, endpoint, repository, remote, options));
}
