/**
 * Where the time of one `pulpform plan` goes, measured in a fresh process as the CLI would
 * spend it: Node's start-up, loading pulpform's modules, reading and validating the YAML,
 * reading the server, planning, rendering. `node phases-child.js <desired-state dir>`; the
 * server comes from PULP_BASE_URL / PULP_USERNAME / PULP_PASSWORD; JSON on stdout.
 */
const startup = performance.now();
const { loadDesired } = await import('../src/engine.js');
const { PulpClient } = await import('../src/live/client.js');
const { readLiveState } = await import('../src/live/read.js');
const { buildPlan } = await import('../src/plan/index.js');
const { renderPlanText } = await import('../src/render/plan-text.js');
const { Secret } = await import('../src/model/secret.js');
const imported = performance.now();

const dir = process.argv[2];
if (dir === undefined) {
  process.stderr.write('usage: phases-child.js <desired-state dir>\n');
  process.exit(2);
}
const desired = await loadDesired(dir);
const loaded = performance.now();
const client = new PulpClient({
  baseUrl: process.env['PULP_BASE_URL'] ?? '',
  username: process.env['PULP_USERNAME'],
  password: new Secret(process.env['PULP_PASSWORD'] ?? '', 'env:PULP_PASSWORD'),
});
const live = await readLiveState(client);
client.close();
const read = performance.now();
const plan = buildPlan(desired.state, live);
const planned = performance.now();
renderPlanText(plan, { color: false });
const rendered = performance.now();
process.stdout.write(
  JSON.stringify({
    startupMs: startup,
    importMs: imported - startup,
    loadMs: loaded - imported,
    readMs: read - loaded,
    planMs: planned - read,
    renderMs: rendered - planned,
    actions: plan.waves.flat().length,
  }),
);
