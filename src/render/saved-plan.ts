import type { Json } from '../model/index.js';
import type { SavedPlanCheck, StaleObject } from '../plan/stale.js';
import { palette } from './style.js';

/** Why a saved plan is not applied: every stale object and what changed, or that it was applied already. */
export function renderSavedPlanCheck(
  check: Exclude<SavedPlanCheck, { state: 'fresh' }>,
  file: string,
  options: { color: boolean },
): string {
  const p = palette(options.color);
  if (check.state === 'applied') {
    return `${file} has already been applied: the server has every change it makes (${check.actions} action${check.actions === 1 ? '' : 's'}). Nothing to do.\n`;
  }
  const count = check.objects.length;
  const lines = [
    `${p.bold(p.red('Error:'))} ${file} is stale: ${count === 0 ? 'part of it' : `${count} object${count === 1 ? '' : 's'} it acts on`} changed on the server since it was made. Nothing was changed.`,
    '',
    ...check.objects.flatMap((object) => describe(object)),
  ];
  if (check.applied > 0)
    lines.push(
      '',
      `${check.applied} of its ${check.total} actions are already done on the server (an earlier apply of this plan, or the same change made another way).`,
    );
  lines.push('', `  ${p.bold('Hint:')} run "pulpform plan --out FILE" again and review the new plan.`);
  return `${lines.join('\n')}\n`;
}

function describe(object: StaleObject): string[] {
  const where = object.href ? ` (${object.href})` : '';
  if (object.how === 'gone') return [`  ${object.address}${where}: deleted since the plan was made`];
  if (object.how === 'exists') return [`  ${object.address}${where}: now exists, made by someone else; the plan would create it`];
  if (object.values.length === 0) return [`  ${object.address}${where}: changed outside the fields pulpform manages`];
  return [
    `  ${object.address}${where}:`,
    ...object.values.map((value) => `      ${value.path}: ${shown(value.planned)} -> ${shown(value.now)}`),
  ];
}

function shown(value: Json | undefined): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}
