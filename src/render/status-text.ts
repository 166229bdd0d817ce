import type { StackStatus } from '../plan/status.js';
import { palette } from './style.js';

/** `pulpform status` for a terminal: per mirror the snapshots it holds and what each environment serves. */
export function renderStatusText(status: StackStatus, lock: string | undefined, options: { color: boolean }): string {
  const p = palette(options.color);
  const lines: string[] = [`Stack "${status.stack}"${lock !== undefined ? ` — ${lock}` : ''}`, ''];
  for (const mirror of status.mirrors) {
    lines.push(`${p.bold(mirror.name)} (${mirror.plugin})${mirror.present ? '' : p.yellow(' — not on the server yet')}`);
    if (mirror.snapshots.length > 0) {
      lines.push('  snapshots synced (each a repoint away):');
      for (const s of mirror.snapshots) {
        const state = s.present
          ? s.publication !== undefined
            ? `version ${s.version}, published`
            : `version ${s.version}, not published`
          : p.yellow(`version ${s.version} is gone`);
        lines.push(`    ${s.snapshot}  ${state}${s.last ? '  (last sync)' : ''}`);
      }
    }
    const width = Math.max(0, ...mirror.environments.map((e) => e.environment.length));
    for (const environment of mirror.environments.sort((a, b) => (a.environment < b.environment ? -1 : 1))) {
      const serves = environment.present ? (environment.serves ?? '(unrecorded)') : '(not on the server)';
      const matches = environment.present && environment.serves === environment.wanted;
      const verdict = matches
        ? p.green('as the YAML says')
        : p.yellow(`the YAML says ${environment.wanted ?? '(no pin)'}: apply to change it`);
      lines.push(`  ${environment.environment.padEnd(width)}  serves ${serves}  ${verdict}`);
    }
    lines.push('');
  }
  if (status.images.length > 0) {
    const missing = status.images.filter((image) => !image.present);
    const stale = status.images.filter((image) => image.present && image.synced !== image.wanted);
    lines.push(
      `${p.bold('Container images')}: ${status.images.length} declared, ${status.images.length - missing.length} on the server, ${stale.length} whose tag selection changed since their last sync.`,
    );
    for (const image of [...missing.slice(0, 5)]) lines.push(`  ${image.name}: not on the server yet`);
    for (const image of [...stale.slice(0, 5)])
      lines.push(`  ${image.name}: synced with ${image.synced ?? '(never)'}, the YAML selects ${image.wanted ?? '(all)'}`);
    lines.push('');
  }
  if (status.undeclared.length > 0) {
    lines.push(`${p.bold('Labelled with this stack but no longer declared')} (plan --prune deletes them):`);
    for (const address of status.undeclared) lines.push(`  ${address}`);
    lines.push('');
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
