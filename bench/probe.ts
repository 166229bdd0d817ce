import { writeFileSync } from 'node:fs';

/**
 * Loaded with `node --import` into every measured child process: when the process exits it
 * writes its own peak resident set size and CPU time to the file named by BENCH_PROBE_FILE.
 */
const file = process.env['BENCH_PROBE_FILE'];
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 }));
  });
}
