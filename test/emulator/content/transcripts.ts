import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UPSTREAMS } from './helpers.js';

type Step = { id: string; response?: { body?: unknown } };

const TRANSCRIPTS = path.resolve(UPSTREAMS, '../transcripts');

/** The response body of one recorded step, e.g. `recorded('05_rpm_sync', 's4')`. */
export function recorded<T = Record<string, unknown>>(scenario: string, step: string): T {
  const data = JSON.parse(readFileSync(path.join(TRANSCRIPTS, `${scenario}.json`), 'utf8')) as { steps: Step[] };
  const found = data.steps.find((s) => s.id === step);
  if (!found?.response) throw new Error(`${scenario} ${step} has no response`);
  return found.response.body as T;
}

/** Replaces the transcript's URL placeholders with the test servers' URLs. */
export function substitute<T>(value: T, placeholders: Record<string, string>): T {
  let text = JSON.stringify(value);
  for (const [name, url] of Object.entries(placeholders)) text = text.split(`{{${name}}}`).join(url);
  return JSON.parse(text) as T;
}

/** Progress reports in a stable order, so recorded and produced lists compare as multisets. */
export function sortedReports<T extends { code: string }>(reports: T[]): T[] {
  return [...reports].sort((a, b) => a.code.localeCompare(b.code));
}
