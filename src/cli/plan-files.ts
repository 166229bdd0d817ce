import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Plan } from '../model/plan.js';
import { parsePlan, PlanFileError, serializePlan } from '../plan/planfile.js';

/** Plan files on disk: every failure a PlanFileError saying which path and how to fix it. */

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'it does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return code ?? String(error);
}

export function readPlanFile(path: string): Plan {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PlanFileError(
      `cannot read the plan file ${path}: ${reason(error)}. Give the path of a plan saved with "pulpform plan --out FILE".`,
    );
  }
  return parsePlan(text, path);
}

/** Fails before any planning when `--out` cannot be written, rather than after it. */
export function checkPlanFileDirectory(path: string): void {
  const directory = dirname(resolve(path));
  let isDirectory = false;
  try {
    isDirectory = statSync(directory).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory)
    throw new PlanFileError(
      `cannot save the plan to ${path}: the directory ${directory} does not exist. Create it, or choose another --out path.`,
    );
}

export function writePlanFile(path: string, plan: Plan): void {
  try {
    writeFileSync(path, serializePlan(plan), { mode: 0o600 });
  } catch (error) {
    throw new PlanFileError(`cannot save the plan to ${path}: ${reason(error)}. Choose another --out path.`);
  }
}
