/** A task progress report exactly as Pulp's task API shows it. */
export interface ProgressReport {
  message: string;
  code: string;
  state: 'waiting' | 'running' | 'completed' | 'failed' | 'canceled';
  total: number | null;
  done: number;
  suffix: null;
}

/**
 * The progress reports of one task. Reports are created running, finished as completed; when
 * the task fails the report being worked on becomes failed and the others still running become
 * canceled, as pulpcore's pipeline leaves them. Every change is passed to `onChange`.
 */
export class Progress {
  readonly reports: ProgressReport[] = [];
  readonly #onChange: ((reports: ProgressReport[]) => void) | undefined;

  constructor(onChange?: (reports: ProgressReport[]) => void) {
    this.#onChange = onChange;
  }

  start(message: string, code: string, total: number | null = null): ProgressReport {
    const report: ProgressReport = { message, code, state: 'running', total, done: 0, suffix: null };
    this.reports.push(report);
    this.changed();
    return report;
  }

  /** A report that is complete as soon as it is made. */
  record(message: string, code: string, total: number | null, done: number): void {
    this.reports.push({ message, code, state: 'completed', total, done, suffix: null });
    this.changed();
  }

  increment(report: ProgressReport, by = 1): void {
    report.done += by;
    this.changed();
  }

  finish(report: ProgressReport): void {
    report.state = 'completed';
    this.changed();
  }

  /** Marks `culprit` failed and every other unfinished report canceled. */
  fail(culprit: ProgressReport | null): void {
    for (const report of this.reports) {
      if (report.state !== 'running') continue;
      report.state = report === culprit ? 'failed' : 'canceled';
    }
    this.changed();
  }

  snapshot(): ProgressReport[] {
    return this.reports.map((r) => ({ ...r }));
  }

  changed(): void {
    this.#onChange?.(this.snapshot());
  }
}
