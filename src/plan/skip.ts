import type { Diagnostic, PlanAction } from '../model/index.js';

/**
 * Leaves out every replacement and what waits for it, reporting each as a warning: watch
 * mode without --prune must never delete, and a replacement deletes first. The protect
 * error of a skipped replacement goes too, since nothing is replaced.
 */
export function skipReplacements(actions: PlanAction[], diagnostics: Diagnostic[]): { actions: PlanAction[]; diagnostics: Diagnostic[] } {
  const replacements = actions.filter((action) => action.type === 'replace');
  if (replacements.length === 0) return { actions, diagnostics };
  const skipped = new Set<string>();
  const notes = replacements.map((replacement): Diagnostic => {
    const dependents = dependentsOf(replacement.id, actions);
    for (const id of [replacement.id, ...dependents]) skipped.add(id);
    return {
      severity: 'warning',
      code: 'plan.replace_skipped',
      summary: `${replacement.address} must be replaced; skipped because replacing deletes it first`,
      detail: `Why: ${replacement.reason}.${dependents.length > 0 ? `\nAlso skipped, because they wait for it:\n${dependents.join('\n')}` : ''}`,
      hint: 'Run with --prune to allow replacements, or apply this change with "pulpform apply".',
      address: replacement.address,
      ...(replacement.source ? { source: replacement.source } : {}),
    };
  });
  const replaced = new Set(replacements.map((action) => action.address));
  return {
    actions: actions.filter((action) => !skipped.has(action.id)),
    diagnostics: [
      ...diagnostics.filter((d) => !(d.code === 'plan.protected' && d.address !== undefined && replaced.has(d.address))),
      ...notes,
    ],
  };
}

/** Actions that wait for `id`, directly or through others. */
function dependentsOf(id: string, actions: PlanAction[]): string[] {
  const found = new Set<string>();
  const visit = (target: string): void => {
    for (const action of actions) {
      if (found.has(action.id) || !action.dependsOn.includes(target)) continue;
      found.add(action.id);
      visit(action.id);
    }
  };
  visit(id);
  return [...found].sort();
}
