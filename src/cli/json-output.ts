import { DesiredStateError } from '../engine.js';
import type { Diagnostic, JsonObject } from '../model/index.js';
import { diagnosticLine, jsonLine, type OutputCommand, type OutputLine, OUTPUT_CONTRACT } from '../render/json-lines.js';
import { describeFailure } from './failures.js';

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
    this.line({
      type: 'result',
      contract: OUTPUT_CONTRACT,
      command: this.command,
      exitCode: 1,
      ok: false,
      summary,
      error: { code, message, ...(hint !== undefined ? { hint } : {}) },
    });
    process.exitCode = 1;
  }
}
