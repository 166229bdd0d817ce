import { ForeignLockError, LockHeldError } from '../apply/lock.js';
import { DesiredStateError } from '../engine.js';
import { ClientSetupError, PulpApiError } from '../live/errors.js';
import type { Diagnostic, JsonObject } from '../model/index.js';
import { PlanFileError } from '../plan/planfile.js';
import { diagnosticLine, jsonLine, type OutputCommand, type OutputLine, OUTPUT_CONTRACT } from '../render/json-lines.js';
import { ConnectionError } from './connection.js';
import { ProfileError } from './profile.js';

/** A command's own refusal (a selector matching nothing, ...), with the code and hint the result line carries. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
  constructor(readonly code: string, message: string, readonly hint?: string) {
    super(message);
  }
}

/**
 * `--json` output of one command run: lines as they come, then exactly one result line, also
 * when the run fails before its own output (configuration, connection, lock).
 */
export class JsonOutput {
  #ended = false;

  constructor(private readonly command: OutputCommand) {}

  line(line: OutputLine): void {
    process.stdout.write(jsonLine(line));
  }

  diagnostics(diagnostics: readonly Diagnostic[]): void {
    for (const diagnostic of diagnostics) this.line(diagnosticLine(diagnostic));
  }

  /** The last line; sets the exit code. `ok`: the command did what it was asked. */
  result(exitCode: 0 | 1 | 2, summary: JsonObject, ok = exitCode !== 1): void {
    if (this.#ended) return;
    this.#ended = true;
    this.line({ type: 'result', contract: OUTPUT_CONTRACT, command: this.command, exitCode, ok, summary });
    process.exitCode = exitCode;
  }

  /** A run that failed: the error as diagnostics where it has them, then the result carrying it. */
  failure(error: unknown, summary: JsonObject = {}): void {
    if (this.#ended) return;
    this.#ended = true;
    if (error instanceof DesiredStateError) this.diagnostics(error.diagnostics);
    const { code, message, hint } = describeFailure(error);
    this.line({ type: 'result', contract: OUTPUT_CONTRACT, command: this.command, exitCode: 1, ok: false, summary, error: { code, message, ...(hint !== undefined ? { hint } : {}) } });
    process.exitCode = 1;
  }
}

function describeFailure(error: unknown): { code: string; message: string; hint?: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof DesiredStateError) {
    const first = error.diagnostics.find((d) => d.severity === 'error');
    return { code: first?.code ?? 'config.invalid', message, hint: 'fix the diagnostics above' };
  }
  if (error instanceof PulpApiError) return { code: `pulp.${error.code}`, message, ...(error.hint ? { hint: error.hint } : {}) };
  if (error instanceof LockHeldError || error instanceof ForeignLockError) return { code: 'lock.held', message, hint: error.hint };
  if (error instanceof ConnectionError || error instanceof ClientSetupError || error instanceof ProfileError) return { code: 'connection', message, ...(error.hint ? { hint: error.hint } : {}) };
  if (error instanceof PlanFileError) return { code: 'planfile', message };
  if (error instanceof CommandFailure) return { code: error.code, message, ...(error.hint !== undefined ? { hint: error.hint } : {}) };
  return { code: 'internal', message: `internal error: ${message}` };
}
