import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Json } from '../model/json.js';

/** The recorded transcript format described in `pulp/conformance/README.md`. */
export interface Transcript {
  scenario: string;
  description: string;
  server: Record<string, string>;
  steps: Step[];
}

export interface RecordedResponse {
  status: number;
  headers?: Record<string, string>;
  body: Json;
}

interface StepBase {
  id: string;
  note?: string;
  volatile?: string[];
  unordered?: string[];
}

export interface RequestStep extends StepBase {
  request: {
    method: string;
    path: string;
    query?: Record<string, Json>;
    body?: Json;
    auth: 'admin' | 'none' | 'wrong';
  };
  response: RecordedResponse;
}

export interface WaitStep extends StepBase {
  wait_task: string;
  response: RecordedResponse;
}

export interface ActionStep extends StepBase {
  action: string;
  args: Record<string, Json>;
  result?: Json;
}

export type Step = RequestStep | WaitStep | ActionStep;

export function isRequest(step: Step): step is RequestStep {
  return 'request' in step;
}

export function isWait(step: Step): step is WaitStep {
  return 'wait_task' in step;
}

export function loadTranscript(path: string): Transcript {
  const t = JSON.parse(readFileSync(path, 'utf8')) as Transcript;
  if (typeof t.scenario !== 'string' || !Array.isArray(t.steps)) {
    throw new Error(`${path} is not a conformance transcript (expected {"scenario", "steps": [...]})`);
  }
  return t;
}

/** The `NN_<scenario>.json` files of a transcripts directory, in name order. */
export function transcriptFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /^\d+_.*\.json$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}
