import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Emulator } from '../../src/emulator/index.js';
import { type CliResult, runCli } from './cli.js';

/**
 * The forms a secret could leak in: as it is, URL-encoded, JSON-escaped, and inside the Basic
 * authorization header of any user name.
 */
export function secretForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
  for (const user of ['admin', '']) forms.add(Buffer.from(`${user}:${secret}`).toString('base64').replace(/=+$/, ''));
  return [...forms].filter((form) => form.length >= 4);
}

/** Where any of `secrets` appears in `text`, as `where: secret #i (form)` lines. */
export function leaksIn(where: string, text: string, secrets: readonly string[]): string[] {
  return secrets.flatMap((secret, i) =>
    secretForms(secret)
      .filter((form) => text.includes(form))
      .map((form) => `${where}: secret #${i} (${form === secret ? 'as is' : 'encoded'})`),
  );
}

/** Every regular file under `dir`, with its path relative to `dir`. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

export interface SecretSweep {
  /** Values that must never appear. */
  secrets: readonly string[];
  /** Files here that are allowed to hold them (the secret files a desired state reads, its YAML). */
  sources?: readonly string[];
  /** Directories whose every file (plan files, log files, anything written) is searched. */
  directories?: readonly string[];
  /** Its request log (methods, paths, errors) is searched. */
  emulator?: Emulator;
}

/** All the places a secret was found: outputs, files written, the server's request log. Empty means none. */
export async function sweep(outputs: Record<string, string>, options: SecretSweep): Promise<string[]> {
  const leaks = Object.entries(outputs).flatMap(([where, text]) => leaksIn(where, text, options.secrets));
  for (const dir of options.directories ?? []) {
    for (const file of await filesUnder(dir)) {
      if (options.sources?.includes(file) || (await stat(file)).size > 50 * 1024 * 1024) continue;
      leaks.push(...leaksIn(file, await readFile(file, 'latin1'), options.secrets));
    }
  }
  if (options.emulator) leaks.push(...leaksIn('the emulator request log', JSON.stringify(options.emulator.requests()), options.secrets));
  return leaks;
}

/**
 * Runs `pulpform ARGS` (test/helpers/cli.ts) and sweeps its stdout, stderr, every file in the
 * given directories and the emulator's request log for the secrets: `leaks` lists every find.
 */
export async function runCliSweeping(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string } & SecretSweep,
): Promise<CliResult & { leaks: string[] }> {
  const result = await runCli(args, options);
  const leaks = await sweep({ stdout: result.stdout, stderr: result.stderr }, options);
  return { ...result, leaks };
}
