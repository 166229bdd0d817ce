import { type OutdatedMirror, summarizeOutdated } from '../plan/outdated.js';
import { plural } from './diagnostics.js';
import { palette } from './style.js';

/**
 * `pulpform outdated` for a terminal, one block per mirror:
 *
 *   Rocky Linux 9 - BaseOS  development 20240816T002610, production 20240816T002610
 *     newer: 20241001T000000, 20240901T000000
 *     pulpform pin 'Rocky Linux 9 - BaseOS' 20241001T000000
 */
export function renderOutdatedText(
  mirrors: readonly OutdatedMirror[],
  options: { color: boolean /** `-f` as given, when not the default: the pin line needs it too. */; file?: string },
): string {
  const p = palette(options.color);
  if (mirrors.length === 0) return 'No pinned package mirror to check (package_mirrors: with a snapshot:).\n';
  const lines: string[] = [];
  for (const mirror of mirrors) {
    const pins = Object.entries(mirror.pins).sort(([a], [b]) => environmentOrder(a) - environmentOrder(b) || (a < b ? -1 : 1));
    const pinText =
      pins.length > 0 ? pins.map(([environment, snapshot]) => `${environment} ${snapshot}`).join(', ') : `snapshot ${mirror.snapshot}`;
    lines.push(`${p.bold(mirror.mirror)}  ${pinText}`);
    if (mirror.error !== undefined) {
      lines.push(`  ${p.red('could not check:')} ${mirror.error.summary}`);
      if (mirror.error.detail !== undefined) lines.push(`    ${mirror.error.detail}`);
      if (mirror.error.hint !== undefined) lines.push(`    ${p.bold('Hint:')} ${mirror.error.hint}`);
    } else if (mirror.newer.length === 0) {
      lines.push(`  ${p.green('up to date')}: ${mirror.snapshot} is the newest snapshot the upstream lists`);
    } else {
      lines.push(`  newer: ${mirror.newer.map((stamp, index) => (index === 0 ? p.yellow(stamp) : stamp)).join(', ')}`);
      lines.push(`  ${pinCommand(mirror.mirror, mirror.newer[0]!, options.file)}`);
    }
  }
  const summary = summarizeOutdated(mirrors);
  const parts = [
    `${summary.outdated} ${summary.outdated === 1 ? 'has' : 'have'} newer snapshots`,
    `${summary.upToDate} up to date`,
    ...(summary.failed > 0 ? [`${summary.failed} could not be checked`] : []),
  ];
  lines.push('', `${plural(summary.mirrors, 'mirror')} checked: ${parts.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}

/** The command that pins development to `snapshot`, quoted for a POSIX shell. */
export function pinCommand(mirror: string, snapshot: string, file?: string): string {
  return `pulpform pin ${shellQuote(mirror)} ${snapshot}${file !== undefined ? ` -f ${/^[\w./-]+$/.test(file) ? file : shellQuote(file)}` : ''}`;
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** development first, production second, others after. */
function environmentOrder(environment: string): number {
  return environment === 'development' ? 0 : environment === 'production' ? 1 : 2;
}
