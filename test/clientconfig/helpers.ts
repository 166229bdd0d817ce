import { contentBackend } from '../../src/emulator/backend.js';
import { containerRepository, debRepository, fileRepository, rpmRepository, type SyncRequest } from '../../src/emulator/content/index.js';
import type { ContentUnit } from '../../src/emulator/content/units.js';
import { unitId } from '../../src/emulator/content/units.js';
import { type ContentBackend, type Emulator, startEmulator } from '../../src/emulator/index.js';
import { type CliResult, runCli } from '../helpers/cli.js';

/** What the desired states read for their upstream; the stand-in below never contacts it. */
export const ARK_ENV = { ARK_URL: 'https://ark.example.test', ARK_USERNAME: 'ark-user', ARK_PASSWORD: 'ark-s3cret' };
export const PULP_PASSWORD = 'pulp-s3cret';

/** The last segment of a snapshot URL (`.../os/20240816T002610`), else a fixed stamp. */
function stampOf(url: string): string {
  return /\/(\d{8}T\d{6})\/?$/.exec(url)?.[1] ?? '1';
}

function contentFor(request: SyncRequest): ContentUnit[] {
  const stamp = stampOf(request.remote.url);
  switch (request.plugin) {
    case 'rpm':
      return rpmRepository([{ name: 'hello', version: stamp }]);
    case 'deb': {
      const component = (request.remote.components ?? 'main').split(/\s+/)[0] as string;
      const suites = (request.remote.distributions ?? '').split(/\s+/).filter(Boolean);
      const units = suites.flatMap((distribution) =>
        debRepository({ distribution, component, packages: [{ name: 'hello', version: `1.0-${stamp}` }] }),
      );
      return [...new Map(units.map((unit) => [unitId(unit), unit])).values()];
    }
    case 'container':
      return containerRepository({ [stamp === '1' ? 'latest' : stamp]: String(request.remote.upstream_name) });
    case 'file':
      return fileRepository(1);
  }
}

/**
 * Stands in for Ark (until an Ark emulator lands): every sync gets content made for its
 * remote's URL, so a new snapshot brings new content and the same snapshot none.
 */
export const standInArk: ContentBackend = {
  sync: async (request) => {
    const units = contentFor(request);
    const before = new Set(request.present.map(unitId));
    const after = new Set(units.map(unitId));
    const added = units.filter((unit) => !before.has(unitId(unit)));
    const removed = request.present.filter((unit) => !after.has(unitId(unit)));
    return { units, changed: added.length + removed.length > 0, added, removed, progressReports: [], publication: null, memo: null };
  },
  push: contentBackend.push,
};

export function startLocalPulp(): Promise<Emulator> {
  return startEmulator({ taskMs: 1, password: PULP_PASSWORD, content: standInArk });
}

/** `pulpform ARGS` against the emulator, with Ark's and Pulp's credentials in the environment. */
export function pulpform(emulator: Emulator, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runCli([...args, '--server', emulator.url], { env: { ...ARK_ENV, PULP_PASSWORD, ...env } });
}

/** `only`: apply just these objects and what they need (apply's --only selector). */
export async function applyState(emulator: Emulator, path: string, only?: string): Promise<void> {
  // The stand-in upstream lives inside the emulator's sync: only Pulp can reach it, so no preflight.
  const applied = await pulpform(emulator, [
    'apply',
    '--auto-approve',
    '--skip-preflight',
    '-f',
    path,
    ...(only !== undefined ? ['--only', only] : []),
  ]);
  if (applied.status !== 0) throw new Error(`apply -f ${path} failed:\n${applied.stdout}\n${applied.stderr}`);
}

/** `[id]` → `key=value` of a .repo file. */
export function repoSections(text: string): Map<string, Record<string, string>> {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const line of text.split('\n')) {
    const header = /^\[(.+)\]$/.exec(line);
    if (header !== null) sections.set(header[1] as string, (current = {}));
    else if (current !== undefined && line.includes('=')) current[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
  }
  return sections;
}

export function debLines(text: string): string[] {
  return text.split('\n').filter((line) => line.startsWith('deb '));
}
