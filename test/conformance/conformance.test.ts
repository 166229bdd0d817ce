import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatScenarioResult, primeServer, replayTranscript, serveUpstreams } from '../../src/conformance/replay.js';
import { loadTranscript, transcriptFiles } from '../../src/conformance/transcript.js';
import { startEmulator } from '../../src/emulator/index.js';

const conformanceDir = fileURLToPath(new URL('../../../shared/pulp/conformance', import.meta.url));

/**
 * Steps the emulator cannot answer like the recording server, with the reason, and the only
 * response path allowed to differ. The test fails on any other difference, and if one of these
 * starts to match, so the list cannot rot.
 */
const KNOWN_DIFFERENCES: Record<string, Record<string, { path: string; why: string }>> = {
  container_sync: {
    s12: {
      path: 'results.0.digest',
      why: "the recorded manifest digest belongs to the recorder's own test image, of which only the digest was recorded; the emulator pushes its own deterministic image",
    },
  },
};

describe('conformance transcripts of a real pulpcore 3.23.24 replayed against the emulator', () => {
  let upstreams: Awaited<ReturnType<typeof serveUpstreams>>;

  beforeAll(async () => {
    upstreams = await serveUpstreams(conformanceDir);
  });

  afterAll(async () => {
    await upstreams.close();
  });

  for (const file of transcriptFiles(`${conformanceDir}/transcripts`)) {
    test(`${basename(file)}: every step answers like the real server`, async () => {
      const transcript = loadTranscript(file);
      // The transcripts were recorded on pulpcore 3.23.24.
      const emulator = await startEmulator({ pulpVersion: '3.23', taskMs: 2 });
      try {
        await primeServer({ baseUrl: emulator.url, upstreams: upstreams.upstreams, pollIntervalMs: 2 });
        const result = await replayTranscript(transcript, {
          baseUrl: emulator.url,
          upstreams: upstreams.upstreams,
          pollIntervalMs: 2,
          strictKeyOrder: true,
        });
        const known = KNOWN_DIFFERENCES[transcript.scenario] ?? {};
        const knownNote = Object.keys(known).length > 0 ? ` (${Object.keys(known).join(', ')}: known difference)` : '';
        process.stderr.write(`conformance ${transcript.scenario}: ${result.passed}/${result.steps.length} steps pass${knownNote}\n`);
        const explained = (s: (typeof result.steps)[number]) => {
          const difference = known[s.id];
          return difference !== undefined && s.mismatches.every((m) => m.startsWith(`${difference.path}:`));
        };
        const unexpected = result.steps.filter((s) => !s.passed && !explained(s));
        const nowMatching = result.steps.filter((s) => s.passed && s.id in known).map((s) => s.id);
        expect(unexpected.length === 0 ? 'ok' : formatScenarioResult({ ...result, steps: unexpected })).toBe('ok');
        expect(nowMatching).toEqual([]);
      } finally {
        await emulator.close();
      }
    });
  }
});
