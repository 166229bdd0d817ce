import { PulpformError } from '../model/errors.js';

/** A command's own refusal (a selector matching nothing, ...), with the code and hint the result line carries. */
export class CommandFailure extends PulpformError {
  override readonly name = 'CommandFailure';
  constructor(
    readonly code: string,
    message: string,
    override readonly hint?: string,
  ) {
    super(message);
  }
}

/** `pin`, `promote` or `outdated` cannot do what was asked of the YAML (the message says why and what would). */
export class PinRefusedError extends PulpformError {
  override readonly name = 'PinRefusedError';
  get code(): string {
    return 'pin.refused';
  }
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
  if (error instanceof PulpformError) return { code: error.code, message, ...(error.hint ? { hint: error.hint } : {}), known: true };
  return { code: 'internal', message: `internal error: ${message}`, known: false };
}
