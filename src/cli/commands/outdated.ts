import type { Command } from 'commander';
import { loadDesired } from '../../engine.js';
import { mapBounded } from '../../live/index.js';
import type { DesiredState } from '../../model/index.js';
import { newerSnapshots, type OutdatedMirror, summarizeOutdated } from '../../plan/outdated.js';
import { listingTarget, readListing } from '../../preflight/listing.js';
import { outdatedLine } from '../../render/json-lines.js';
import { renderOutdatedText } from '../../render/outdated-text.js';
import { addDesiredStateOption, reportError, secondsFlag, useColor } from '../common.js';
import { CommandFailure, PinRefusedError } from '../failures.js';
import { JsonOutput } from '../json-output.js';
import { currentPin, type Mirror, packageMirrors, selectMirrors } from './pin.js';

interface OutdatedOptions {
  file: string;
  json?: boolean;
  color: boolean;
  requestTimeout: number;
}

/** Listings read at once: a handful of requests to one upstream, not a burst. */
const CONCURRENCY = 4;

/** `pulpform outdated [SELECTOR]`: per pinned package mirror, the newer snapshots its upstream serves. */
export function registerOutdatedCommand(program: Command): void {
  const command = program
    .command('outdated')
    .argument('[selector]', 'only these package mirrors: a name glob ("Rocky Linux 9*") or repository/rpm/NAME')
    .description(
      "For every pinned package mirror, list the newer snapshots its upstream serves, newest first, read from the upstream's content listing of the mirror's path with its credentials and TLS settings, and the `pulpform pin` that takes the newest. Reads only the upstreams, not the Pulp server. Container mirrors, and package mirrors without a snapshot, are not checked.",
    )
    .option('--json', 'print one JSON line per mirror and a result line on stdout')
    .option('--request-timeout <seconds>', 'wait at most this long for each upstream listing', secondsFlag, 30)
    .option('--no-color', 'disable colours (NO_COLOR is honoured too)');
  addDesiredStateOption(command).action(async (selector: string | undefined, options: OutdatedOptions, self: Command) => {
    const json = options.json ? new JsonOutput('outdated') : undefined;
    try {
      const { state, warnings } = await loadDesired(options.file);
      json?.diagnostics(warnings);
      const mirrors = await checkMirrors(state, selector, options.requestTimeout * 1000);
      const summary = summarizeOutdated(mirrors);
      const exitCode = summary.failed > 0 ? 1 : 0;
      if (json) {
        json.diagnostics(mirrors.flatMap((mirror) => (mirror.error !== undefined ? [mirror.error] : [])));
        for (const mirror of mirrors) json.line(outdatedLine(mirror));
        json.result(exitCode, { ...summary });
      } else {
        const file = self.getOptionValueSource('file') === 'default' ? undefined : options.file;
        process.stdout.write(
          renderOutdatedText(mirrors, { color: useColor(process.stdout, options.color), ...(file !== undefined ? { file } : {}) }),
        );
      }
      process.exitCode = exitCode;
    } catch (error) {
      if (json)
        json.failure(
          error instanceof PinRefusedError
            ? new CommandFailure('outdated.selector', error.message, 'Run pulpform outdated without a selector to check every mirror.')
            : error,
        );
      else reportError(error, { color: useColor(process.stderr, options.color) });
      process.exitCode = 1;
    }
  });
}

/** Reads the listing of every selected pinned mirror, a few at a time; a failure stays with its mirror. */
async function checkMirrors(state: DesiredState, selector: string | undefined, timeoutMs: number): Promise<OutdatedMirror[]> {
  if (packageMirrors(state).length === 0) return [];
  const checks = selectMirrors(state, selector).flatMap((mirror) => {
    const target = listingTarget(state, mirror.repository);
    return target === undefined ? [] : [{ mirror, target }];
  });
  return mapBounded(checks, CONCURRENCY, async ({ mirror, target }): Promise<OutdatedMirror> => {
    const read = await readListing(target, { timeoutMs });
    return {
      mirror: target.mirror,
      address: target.address,
      upstream: new URL(target.listingUrl).origin,
      listingUrl: target.listingUrl,
      pins: pinsOf(mirror),
      snapshot: target.snapshot,
      newer: 'snapshots' in read ? newerSnapshots(target.snapshot, read.snapshots) : [],
      ...('error' in read ? { error: read.error } : {}),
    };
  });
}

function pinsOf(mirror: Mirror): Record<string, string> {
  return Object.fromEntries(
    [...mirror.environments.keys()].flatMap((environment) => {
      const pin = currentPin(mirror, environment);
      return pin === undefined ? [] : [[environment, pin]];
    }),
  );
}
