import type { JsonObject } from '../model/json.js';
import { excerptOf } from './errors.js';

export interface ProgressReport {
  message: string;
  code: string;
  state: string;
  done: number;
  total: number | null;
}

export interface TaskProgress {
  taskHref: string;
  state: string;
  elapsedMs: number;
  reports: ProgressReport[];
}

export function progressReportsOf(task: JsonObject): ProgressReport[] {
  const reports = task['progress_reports'];
  if (!Array.isArray(reports)) return [];
  return reports.flatMap((report) => {
    if (report === null || typeof report !== 'object' || Array.isArray(report)) return [];
    return [
      {
        message: typeof report['message'] === 'string' ? report['message'] : '',
        code: typeof report['code'] === 'string' ? report['code'] : '',
        state: typeof report['state'] === 'string' ? report['state'] : '',
        done: typeof report['done'] === 'number' ? report['done'] : 0,
        total: typeof report['total'] === 'number' ? report['total'] : null,
      },
    ];
  });
}

/** `Downloading Metadata Files 3/5, Parsed Packages 120` */
export function describeProgress(reports: ProgressReport[]): string | undefined {
  if (reports.length === 0) return undefined;
  return reports.map((r) => `${r.message} ${r.done}${r.total !== null ? `/${r.total}` : ''}`).join(', ');
}

export function taskErrorDescription(task: JsonObject, state: string): string {
  const error = task['error'];
  if (error !== null && typeof error === 'object' && !Array.isArray(error)) {
    const description = error['description'] ?? error['reason'];
    if (typeof description === 'string' && description) return excerptOf(description);
  }
  return state === 'canceled' ? 'the task was canceled' : 'the task gave no error description';
}
