import { appendFileSync } from 'node:fs';

/**
 * Appends one JSON line of figures to the file PULPFORM_RELIABILITY_FIGURES names (set by
 * `npm run reliability`, which turns them into RELIABILITY.md); without it, does nothing.
 */
export function recordFigures(suite: string, figures: Record<string, unknown>): void {
  const file = process.env.PULPFORM_RELIABILITY_FIGURES;
  if (file) appendFileSync(file, `${JSON.stringify({ suite, ...figures })}\n`);
}
