import { type Command, InvalidArgumentError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

interface ConformanceFlags {
  url?: string;
  against?: string;
  registry?: string;
  images?: string;
  dir: string;
  scenario: string[];
  username: string;
  passwordFile?: string;
  pollMs: number;
  prime: boolean;
}

function positiveInteger(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError(`--poll-ms needs a whole number > 0, got '${value}'.`);
  return Number(value);
}

export function registerConformanceCommand(program: Command): void {
  program
    .command('conformance')
    .description('Replay the recorded Pulp transcripts against a server (default: a fresh emulator per scenario) and report differences')
    .option('--url <url>', 'base URL of the Pulp server to check, e.g. http://pulp.example:24817')
    .option(
      '--against <url>',
      'differential mode: send the same requests to this real Pulp and to an emulator of its version, and compare the answers',
    )
    .option(
      '--registry <host:port>',
      'differential mode: the plain-HTTP registry holding tiny/hello, for the container scenarios (default: $PULP_E2E_REGISTRY)',
    )
    .option(
      '--images <dir>',
      'differential mode: the OCI layouts of the test images to push (real-pulp images/)',
      join('..', 'shared', 'real-pulp', 'images'),
    )
    .option('--dir <path>', 'conformance directory holding transcripts/ and upstreams/', join('..', 'shared', 'pulp', 'conformance'))
    .option('--scenario <name...>', 'only these scenarios (file name or scenario name, e.g. 05_rpm_sync or rpm_sync)', [])
    .option('--username <name>', 'API user', 'admin')
    .option('--password-file <path>', 'file holding the API password (default: $PULP_PASSWORD, else "password")')
    .option('--poll-ms <n>', 'task polling interval', positiveInteger, 200)
    .option(
      '--prime',
      'first sync the rpm and file fixtures into throwaway repositories (conformance-prime-*), as the recording server had their artifacts; always done for the emulator',
      false,
    )
    .action(async (flags: ConformanceFlags, command: Command) => {
      // Loaded when run: the conformance suite and the emulator are code plan and apply need none of.
      const { formatDifferential, runDifferential } = await import('../../conformance/differential-run.js');
      const { formatScenarioResult, primeServer, replayTranscript, serveUpstreams } = await import('../../conformance/replay.js');
      const { loadTranscript, transcriptFiles } = await import('../../conformance/transcript.js');
      const { startEmulator } = await import('../../emulator/index.js');
      const dir = resolve(flags.dir);
      if (flags.against) {
        const password = flags.passwordFile
          ? readFileSync(flags.passwordFile, 'utf8').trim()
          : (process.env['PULP_PASSWORD'] ?? 'password');
        const registry = flags.registry ?? process.env['PULP_E2E_REGISTRY'];
        const result = await runDifferential({
          url: flags.against.replace(/\/+$/, ''),
          username: flags.username,
          password,
          conformanceDir: dir,
          ...(registry ? { registry } : {}),
          ...(flags.images && existsSync(flags.images) ? { images: resolve(flags.images) } : {}),
          ...(flags.scenario.length > 0 ? { only: flags.scenario } : {}),
          onScenario: (r) =>
            process.stderr.write(
              `${r.scenario}: ${r.requests} requests, ${r.differences.length} difference(s)${r.error ? ' (error)' : ''}\n`,
            ),
        });
        process.stdout.write(`${formatDifferential(result)}\n`);
        if (result.unexpected.length > 0 || result.unused.length > 0 || result.reports.some((r) => r.error)) process.exitCode = 1;
        return;
      }
      let files: string[];
      try {
        files = transcriptFiles(join(dir, 'transcripts'));
      } catch {
        return command.error(
          `error: no transcripts/ directory under ${dir}; point --dir at the conformance directory (the one with transcripts/ and upstreams/).`,
        );
      }
      if (flags.scenario.length > 0) {
        files = files.filter((f) =>
          flags.scenario.some((s) => basename(f, '.json') === s || basename(f, '.json').replace(/^\d+_/, '') === s),
        );
        if (files.length === 0) return command.error(`error: no transcript matches --scenario ${flags.scenario.join(' ')}`);
      }
      const password = flags.passwordFile ? readFileSync(flags.passwordFile, 'utf8').trim() : (process.env['PULP_PASSWORD'] ?? 'password');
      const upstreams = await serveUpstreams(dir);
      let failed = 0;
      try {
        for (const file of files) {
          // The transcripts were recorded on pulpcore 3.23.24.
          const emulator = flags.url
            ? undefined
            : await startEmulator({ pulpVersion: '3.23', taskMs: 2, username: flags.username, password });
          const baseUrl = flags.url ?? (emulator?.url as string);
          try {
            if (emulator || (flags.prime && file === files[0])) {
              await primeServer({
                baseUrl,
                upstreams: upstreams.upstreams,
                username: flags.username,
                password,
                pollIntervalMs: emulator ? 2 : flags.pollMs,
              });
            }
            const result = await replayTranscript(loadTranscript(file), {
              baseUrl,
              upstreams: upstreams.upstreams,
              username: flags.username,
              password,
              pollIntervalMs: emulator ? 2 : flags.pollMs,
              strictKeyOrder: emulator !== undefined,
            });
            failed += result.failed;
            process.stdout.write(`${formatScenarioResult(result)}\n`);
          } finally {
            await emulator?.close();
          }
        }
      } finally {
        await upstreams.close();
      }
      if (failed > 0) process.exitCode = 1;
    });
}
