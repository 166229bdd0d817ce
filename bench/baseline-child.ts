import { readFileSync } from 'node:fs';
import { PulpClient } from '../src/live/client.js';
import { Secret } from '../src/model/secret.js';
import { type BaselineMode, runBaseline } from './baseline.js';
import type { Shape } from './shapes.js';

/**
 * The sequential baseline as its own process, so its time and memory are measured like
 * pulpform's: `node baseline-child.js <check|converge> <job.json>`; the records go to stdout.
 */
interface BaselineJob {
  shape: Shape;
  upstreamUrl: string;
  pollMs: number;
}

const [mode, jobFile] = process.argv.slice(2);
if ((mode !== 'check' && mode !== 'converge') || jobFile === undefined) {
  process.stderr.write(
    'usage: baseline-child.js <check|converge> <job.json>  (PULP_BASE_URL, PULP_USERNAME, PULP_PASSWORD, ARK_PASSWORD from the environment)\n',
  );
  process.exit(2);
}
const job = JSON.parse(readFileSync(jobFile, 'utf8')) as BaselineJob;
const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const client = new PulpClient({
  baseUrl: env('PULP_BASE_URL'),
  username: env('PULP_USERNAME'),
  password: new Secret(env('PULP_PASSWORD'), 'env:PULP_PASSWORD'),
});
try {
  const records = await runBaseline(client, job.shape, {
    mode: mode as BaselineMode,
    upstreamUrl: job.upstreamUrl,
    arkPassword: env('ARK_PASSWORD'),
    pollMs: job.pollMs,
  });
  process.stdout.write(JSON.stringify(records));
} finally {
  client.close();
}
