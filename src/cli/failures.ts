import { ForeignLockError, LockHeldError } from '../apply/lock.js';
import { PinEditError } from '../config/pins.js';
import { DesiredStateError } from '../engine.js';
import { ClientSetupError, PulpApiError } from '../live/errors.js';
import { PlanFileError } from '../plan/planfile.js';
import { ConnectionError } from './connection.js';
import { ProfileError } from './profile.js';

/** A command's own refusal (a selector matching nothing, ...), with the code and hint the result line carries. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
  constructor(readonly code: string, message: string, readonly hint?: string) {
    super(message);
  }
}

/** `pin`, `promote` or `outdated` cannot do what was asked of the YAML (the message says why and what would). */
export class PinRefusedError extends Error {
  override readonly name = 'PinRefusedError';
}

export interface Failure {
  code: string;
  message: string;
  hint?: string;
  /** An error pulpform expects and explains; anything else is an internal error. */
  known: boolean;
}

/** What the text and the JSON output say of an error that ended a command: the one list of errors pulpform explains. */
export function describeFailure(error: unknown): Failure {
  const message = error instanceof Error ? error.message : String(error);
  const withHint = (code: string, hint: string | undefined): Failure => ({ code, message, ...(hint ? { hint } : {}), known: true });
  if (error instanceof DesiredStateError) {
    const first = error.diagnostics.find((d) => d.severity === 'error');
    return { code: first?.code ?? 'config.invalid', message, hint: 'fix the diagnostics above', known: true };
  }
  if (error instanceof PulpApiError) return withHint(`pulp.${error.code}`, error.hint);
  if (error instanceof LockHeldError || error instanceof ForeignLockError) return withHint('lock.held', error.hint);
  if (error instanceof ConnectionError || error instanceof ClientSetupError || error instanceof ProfileError) return withHint('connection', error.hint);
  if (error instanceof CommandFailure) return withHint(error.code, error.hint);
  if (error instanceof PlanFileError) return withHint('planfile', undefined);
  if (error instanceof PinRefusedError || error instanceof PinEditError) return withHint('pin.refused', undefined);
  return { code: 'internal', message: `internal error: ${message}`, known: false };
}
