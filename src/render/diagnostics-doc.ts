import { type CatalogueSeverity, DIAGNOSTIC_CODES, type DiagnosticCode } from '../model/index.js';

export const DIAGNOSTICS_DOC_FILE = 'docs/diagnostics.md';

/** The stages in pipeline order: a code's prefix, and when pulpform reports it. */
export const DIAGNOSTIC_STAGES: Readonly<Record<string, { title: string; when: string }>> = {
  config: {
    title: 'loading the desired state',
    when: 'Every command that reads the desired state (`-f`): the files, their YAML, `${env:}` and `${file:}` references, the fields of each item, and the rules across items. Nothing is read from the server.',
  },
  plan: {
    title: 'planning',
    when: '`plan`, `apply` and `watch`, comparing the desired state with the server (and `--only`, `--resync` or `--image-filter`, which narrow the plan).',
  },
  preflight: {
    title: 'probing upstreams',
    when: '`apply`, `watch` and `plan --preflight`, probing the upstream of every planned sync from this machine before anything is written (`--skip-preflight` turns it off).',
  },
  outdated: {
    title: 'snapshot listings',
    when: '`outdated`, reading the snapshot listing of each pinned mirror upstream.',
  },
  export: {
    title: 'exporting the server',
    when: "`export`, writing the server's objects as a desired state.",
  },
  client: {
    title: 'host configuration',
    when: '`client-config`, writing the dnf, apt or registry configuration of hosts from the desired state.',
  },
};

const SEVERITY_WORDS: Record<CatalogueSeverity, string> = { error: 'error', warning: 'warning', either: 'error or warning' };

/** docs/diagnostics.md: every code of the catalogue, by stage (`npm run schema` writes it). */
export function diagnosticsDocText(): string {
  const codes = Object.keys(DIAGNOSTIC_CODES) as DiagnosticCode[];
  const lines = [
    '# Diagnostics',
    '',
    '<!-- Generated from src/model/diagnostic-codes.ts by `npm run schema`; edit that file, not this one. -->',
    '',
    'Every problem pulpform finds in the desired state, the plan or an upstream is a diagnostic with a',
    'stable code: the text view shows its summary, where it is, and a hint naming the fix; `--json` prints',
    'it as a line `{"type": "diagnostic", "code": ..., "severity": ...}`. An error keeps the command from',
    'going ahead (`apply` writes nothing, `watch` applies nothing that cycle); a warning is reported and the',
    'command goes on. Later releases may add codes.',
    '',
  ];
  for (const [stage, { title, when }] of Object.entries(DIAGNOSTIC_STAGES)) {
    lines.push(`## ${stage}: ${title}`, '', when, '', '| code | severity | meaning |', '|---|---|---|');
    for (const code of codes.filter((code) => stageOf(code) === stage)) {
      const { severity, meaning } = DIAGNOSTIC_CODES[code];
      lines.push(`| \`${code}\` | ${SEVERITY_WORDS[severity]} | ${escapeMarkdown(meaning)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export function stageOf(code: DiagnosticCode): string {
  return code.slice(0, code.indexOf('.'));
}

/** Meanings are plain text: `*.yaml`, `pulpform_` and `|` must not turn into markup. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\*_|<[\]]/g, (character) => `\\${character}`);
}
