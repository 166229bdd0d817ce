import { describe, expect, test } from '@jest/globals';
import { LockHeldError } from '../../src/apply/lock.js';
import { ConnectionError } from '../../src/cli/connection.js';
import { CommandFailure, describeFailure, PinRefusedError } from '../../src/cli/failures.js';
import { DesiredStateError } from '../../src/engine.js';
import { PulpApiError } from '../../src/live/errors.js';
import { PlanFileError } from '../../src/plan/planfile.js';
import type { Diagnostic } from '../../src/model/index.js';

describe('describeFailure: what the text and the result line say of an error that ended a command', () => {
  test('every pulpform error is described by its own code and hint', () => {
    const api = new PulpApiError({
      kind: 'http',
      method: 'GET',
      path: '/pulp/api/v3/status/',
      status: 401,
      reason: 'the server rejected the credentials',
      hint: 'check PULP_PASSWORD',
      outcomeUnknown: false,
    });
    expect(describeFailure(api)).toEqual({ code: 'pulp.http', message: api.message, hint: 'check PULP_PASSWORD', known: true });
    expect(describeFailure(new ConnectionError('no server', 'pass --server'))).toEqual({
      code: 'connection',
      message: 'no server',
      hint: 'pass --server',
      known: true,
    });
    expect(describeFailure(new CommandFailure('selector.no_match', 'nothing matches', 'try status'))).toEqual({
      code: 'selector.no_match',
      message: 'nothing matches',
      hint: 'try status',
      known: true,
    });
    expect(describeFailure(new PlanFileError('not a plan'))).toEqual({ code: 'planfile', message: 'not a plan', known: true });
    expect(describeFailure(new PinRefusedError('no such mirror'))).toEqual({ code: 'pin.refused', message: 'no such mirror', known: true });
    const lock = new LockHeldError(
      { stack: 's', holder: 'h', pid: 1, host: 'x', startedAt: '2026-01-01T00:00:00Z', expiresAt: '2026-01-01T01:00:00Z' } as never,
      1000,
      undefined,
    );
    expect(describeFailure(lock)).toMatchObject({ code: 'lock.held', known: true, hint: expect.stringContaining('--lock-timeout') });
  });

  test('a desired state with errors names the code of the first error', () => {
    const warning: Diagnostic = { severity: 'warning', code: 'config.inline_secret', summary: 'w' };
    const error: Diagnostic = { severity: 'error', code: 'config.unknown_field', summary: 'e' };
    expect(describeFailure(new DesiredStateError([warning, error], new Map()))).toEqual({
      code: 'config.unknown_field',
      message: 'the desired state has 1 error',
      hint: 'fix the diagnostics above',
      known: true,
    });
  });

  test('anything else is an internal error', () => {
    expect(describeFailure(new TypeError('x is undefined'))).toEqual({
      code: 'internal',
      message: 'internal error: x is undefined',
      known: false,
    });
    expect(describeFailure('thrown string')).toEqual({ code: 'internal', message: 'internal error: thrown string', known: false });
  });
});
