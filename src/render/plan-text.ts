import { parsePointer } from '../diff/values.js';
import type { ActionType, Diagnostic, DiagnosticCode, FieldChange, Json, Plan, PlanAction } from '../model/index.js';
import { type Palette, palette } from './style.js';

export interface PlanTextOptions {
  /** ANSI colours; the CLI decides from the TTY and NO_COLOR. */
  color: boolean;
  /** Also show hrefs, dependencies, sync requests, and every warning in full. */
  verbose?: boolean | undefined;
}

const SYMBOL: Record<ActionType, string> = { create: '+', update: '~', delete: '-', replace: '-/+', adopt: '<=', sync: '>>', trim: '-' };
const LEGEND: Record<ActionType, string> = {
  create: 'create',
  update: 'update in-place',
  delete: 'destroy',
  replace: 'destroy and then create replacement',
  adopt: 'adopt (take over an existing object)',
  sync: 'sync from the remote',
  trim: 'delete old repository versions (retain)',
};
const HEADER: Record<ActionType, string> = {
  create: 'will be created',
  update: 'will be updated in-place',
  delete: 'will be destroyed',
  replace: 'must be replaced',
  adopt: 'will be adopted',
  sync: 'will be synced',
  trim: 'will be trimmed',
};
const ORDER: ActionType[] = ['create', 'update', 'delete', 'replace', 'adopt', 'sync', 'trim'];

function paintSymbol(symbol: string, p: Palette): string {
  switch (symbol) {
    case '+':
      return p.green(symbol);
    case '~':
      return p.yellow(symbol);
    case '-':
      return p.red(symbol);
    case '-/+':
      return `${p.red('-')}/${p.green('+')}`;
    default:
      return p.cyan(symbol);
  }
}

/** Terraform-like text for a plan: legend, one block per action in apply order, summary, diagnostics. */
export function renderPlanText(plan: Plan, options: PlanTextOptions): string {
  return [...planTextChunks(plan, options)].join('');
}

/**
 * The same text in pieces (the header, then a block per action, then the rest), so a plan of
 * thousands of actions is written as it is worded instead of held whole: at 10,000 objects
 * the whole text is some 4.5 MB and its lines several times that.
 */
export function* planTextChunks(plan: Plan, options: PlanTextOptions): Generator<string> {
  const p = palette(options.color);
  const actions = plan.waves.flat();
  const errors = plan.diagnostics.filter((d) => d.severity === 'error');
  const lines: string[] = [];

  if (actions.length === 0) {
    if (errors.length === 0) lines.push(`${p.bold('No changes.')} The Pulp server matches the desired state.`);
  } else {
    lines.push(`pulpform compared stack "${plan.stack}" with the Pulp server at ${describeServer(plan)}.`, '');
    lines.push('Resource actions are indicated with the following symbols:');
    for (const type of ORDER) {
      if (actions.some((action) => action.type === type))
        lines.push(`${' '.repeat(3 - SYMBOL[type].length)}${paintSymbol(SYMBOL[type], p)} ${LEGEND[type]}`);
    }
    lines.push(
      '',
      errors.length > 0
        ? 'pulpform planned the following actions, but then encountered a problem:'
        : 'pulpform will perform the following actions, in this order:',
      '',
    );
    yield `${lines.join('\n')}\n`;
    lines.length = 0;
    for (const action of actions) yield `${renderAction(action, p, options.verbose === true).join('\n')}\n\n`;
    lines.push(summaryLine(plan, p));
    const destroyed = actions.filter((action) => action.type === 'delete' || action.type === 'replace');
    if (destroyed.length > 0) {
      lines.push(
        `Destroys: ${destroyed.map((action) => `${action.address}${action.type === 'replace' ? ' (replaced)' : ''}`).join(', ')}.`,
      );
    }
  }
  const diagnostics = renderDiagnostics(plan.diagnostics, p, options.verbose === true);
  if (diagnostics.length > 0) lines.push('', ...diagnostics);
  yield `${lines.join('\n')}\n`;
}

function summaryLine(plan: Plan, p: Palette): string {
  const { add, change, destroy, sync } = plan.summary;
  const versions = plan.waves
    .flat()
    .filter((action) => action.type === 'trim')
    .reduce((n, action) => n + action.changes.length, 0);
  const trim = versions > 0 ? `, ${versions} old version${versions === 1 ? '' : 's'} to delete` : '';
  return `${p.bold('Plan:')} ${add} to add, ${change} to change, ${destroy} to destroy${sync > 0 ? `, ${sync} to sync` : ''}${trim}.`;
}

function describeServer(plan: Plan): string {
  const versions = Object.entries(plan.server.versions).sort(([a], [b]) => (a === 'core' ? -1 : b === 'core' ? 1 : a < b ? -1 : 1));
  return `${redactUrl(plan.server.url)}${versions.length > 0 ? ` (${versions.map(([component, version]) => `${component} ${version}`).join(', ')})` : ''}`;
}

/** Credentials never reach the output, even if a URL carried them. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

function renderAction(action: PlanAction, p: Palette, verbose: boolean): string[] {
  const lines = [`  ${p.bold(`# ${action.address}`)} ${HEADER[action.type]}`];
  if (action.reason !== '') lines.push(`  # (${action.reason})`);
  if (verbose) {
    if (action.guard !== undefined) lines.push(`  # href: ${action.guard.href}`);
    if (action.dependsOn.length > 0) lines.push(`  # after: ${action.dependsOn.join(', ')}`);
  }
  if (action.type === 'sync') {
    if (verbose && action.body !== undefined) lines.push(`  # request: ${formatValue(action.body as Json)}`);
    return lines;
  }
  if (action.type === 'trim') {
    lines.push(`  ${paintSymbol('-', p)} ${action.address} versions {`);
    for (const change of action.changes) {
      const number = parsePointer(change.path)[1] ?? change.path;
      lines.push(`      ${paintSymbol('-', p)} ${number}${typeof change.before === 'string' ? ` (snapshot ${change.before})` : ''}`);
    }
    lines.push('    }');
    return lines;
  }
  const symbol = SYMBOL[action.type];
  lines.push(`${' '.repeat(3 - symbol.length)}${paintSymbol(symbol, p)} ${action.address} {`);

  const unset = new Set((action.secrets ?? []).filter((s) => s.source === 'unset').map((s) => s.field));
  const fresh = action.type === 'create' || action.type === 'replace';
  const top: { name: string; symbol: string; value: string }[] = [];
  const labels: { name: string; symbol: string; value: string }[] = [];
  for (const change of action.changes) {
    const [name = '', key] = parsePointer(change.path);
    const line = describeChange(change, { fresh, unset: unset.has(name) });
    if (name === 'pulp_labels' && key !== undefined) labels.push({ name: key, ...line });
    else top.push({ name, ...line });
  }
  const width = Math.max(0, ...top.map((entry) => entry.name.length), labels.length > 0 ? 'pulp_labels'.length : 0);
  const entries = [
    ...top.map((entry) => ({ ...entry, labels: false })),
    ...(labels.length > 0 ? [{ name: 'pulp_labels', symbol: fresh ? '+' : '~', value: '', labels: true }] : []),
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (!entry.labels) {
      lines.push(`      ${paintSymbol(entry.symbol, p)} ${entry.name.padEnd(width)} = ${entry.value}`);
      continue;
    }
    lines.push(`      ${paintSymbol(entry.symbol, p)} ${entry.name.padEnd(width)} = {`);
    const labelWidth = Math.max(...labels.map((label) => label.name.length));
    for (const label of labels) lines.push(`          ${paintSymbol(label.symbol, p)} ${label.name.padEnd(labelWidth)} = ${label.value}`);
    lines.push('        }');
  }
  if (action.unchanged > 0)
    lines.push(`        ${p.dim(`# (${action.unchanged} unchanged attribute${action.unchanged === 1 ? '' : 's'} hidden)`)}`);
  lines.push('    }');
  return lines;
}

const KNOWN_AFTER = '(known after apply)';
const SENSITIVE = '(sensitive value)';

function isSet(value: Json | undefined): value is Json {
  return value !== undefined && value !== null;
}

/** The symbol and the `old -> new` text of one change; secrets never have a value to show. */
function describeChange(change: FieldChange, context: { fresh: boolean; unset: boolean }): { symbol: string; value: string } {
  if (change.sensitive) {
    if (context.unset) return { symbol: '-', value: `${SENSITIVE} -> null` };
    return { symbol: context.fresh ? '+' : '~', value: SENSITIVE };
  }
  if (change.unknown)
    return isSet(change.before)
      ? { symbol: '~', value: `${formatValue(change.before)} -> ${KNOWN_AFTER}` }
      : { symbol: '+', value: KNOWN_AFTER };
  if (!isSet(change.before)) return { symbol: '+', value: formatValue(change.after ?? null) };
  if (!isSet(change.after)) return { symbol: '-', value: `${formatValue(change.before)} -> null` };
  return { symbol: '~', value: `${formatValue(change.before)} -> ${formatValue(change.after)}` };
}

function formatValue(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${formatValue(v)}`)
      .join(', ')}}`;
  return JSON.stringify(value);
}

/** Errors first; several warnings of one kind show the first in full and name the rest (unless verbose). */
function renderDiagnostics(diagnostics: Diagnostic[], p: Palette, verbose: boolean): string[] {
  const lines: string[] = [];
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity !== 'error');
  for (const diagnostic of errors) lines.push(...renderDiagnostic(diagnostic, p), '');
  const groups = new Map<DiagnosticCode, Diagnostic[]>();
  for (const warning of warnings) groups.set(warning.code, [...(groups.get(warning.code) ?? []), warning]);
  for (const group of groups.values()) {
    const [first, ...rest] = group;
    if (first === undefined) continue;
    if (verbose) {
      for (const warning of group) lines.push(...renderDiagnostic(warning, p), '');
      continue;
    }
    lines.push(...renderDiagnostic(first, p));
    if (rest.length > 0) lines.push('', `  (and ${rest.length} more like it: ${rest.map((w) => w.address ?? w.summary).join(', ')})`);
    lines.push('');
  }
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function renderDiagnostic(diagnostic: Diagnostic, p: Palette): string[] {
  const title = diagnostic.severity === 'error' ? p.bold(p.red('Error:')) : p.bold(p.yellow('Warning:'));
  const lines = [`${title} ${p.bold(diagnostic.summary)}`];
  const body: string[] = [];
  if (diagnostic.source !== undefined)
    body.push(`on ${diagnostic.source.file} line ${diagnostic.source.line}, column ${diagnostic.source.column}`);
  if (diagnostic.value !== undefined) body.push(`value: ${formatValue(diagnostic.value)}`);
  if (diagnostic.detail !== undefined) body.push(...diagnostic.detail.split('\n'));
  if (diagnostic.hint !== undefined) body.push(`Hint: ${diagnostic.hint}`);
  if (body.length > 0) lines.push('', ...body.map((line) => `  ${line}`));
  return lines;
}
