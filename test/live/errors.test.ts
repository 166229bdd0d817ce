import { describe, expect, test } from '@jest/globals';
import { ClientSetupError, PulpApiError, TaskFailedError, TaskTimeoutError, TaskWaitAbandonedError } from '../../src/live/errors.js';
import { PulpformError } from '../../src/model/errors.js';

describe("live's errors are pulpform errors with a code and a hint", () => {
  test('PulpApiError: its kind, and the code apply and the CLI report, pulp.<kind>', () => {
    const error = new PulpApiError({
      kind: 'connection_refused',
      method: 'GET',
      path: '/pulp/api/v3/status/',
      reason: 'connection refused by http://localhost',
      hint: 'is Pulp running?',
      outcomeUnknown: false,
    });
    expect(error).toBeInstanceOf(PulpformError);
    expect(error.kind).toBe('connection_refused');
    expect(error.code).toBe('pulp.connection_refused');
    expect(error.hint).toBe('is Pulp running?');
  });

  test('the task errors and ClientSetupError carry the codes apply and the CLI report for them', () => {
    const setup = new ClientSetupError("the server URL 'ftp://x' must use http or https", 'e.g. https://pulp.example.com');
    const failed = new TaskFailedError('/pulp/api/v3/tasks/1/', 'sync', 'failed', 'boom');
    const timedOut = new TaskTimeoutError('/pulp/api/v3/tasks/1/', 'sync', 'running', 12_000, undefined, undefined);
    const abandoned = new TaskWaitAbandonedError('/pulp/api/v3/tasks/1/');
    expect([setup, failed, timedOut, abandoned].map((error) => [error instanceof PulpformError, error.code])).toEqual([
      [true, 'connection'],
      [true, 'task.failed'],
      [true, 'task.timeout'],
      [true, 'task.abandoned'],
    ]);
    expect(setup.hint).toBe('e.g. https://pulp.example.com');
    expect(failed.hint).toBeUndefined();
    // Codes belong to the classes: no new own property shows in inspect or JSON.
    expect(Object.keys(failed)).not.toContain('code');
    expect(Object.keys(failed)).not.toContain('hint');
  });
});
