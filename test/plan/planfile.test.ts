import { describe, expect, test } from '@jest/globals';
import { LABELS, PLAN_FORMAT_VERSION, type Plan } from '../../src/model/index.js';
import { buildPlan } from '../../src/plan/build.js';
import { parsePlan, PlanFileError, serializePlan } from '../../src/plan/planfile.js';
import { desired, desiredState, live, liveState, mirror, NOW, secret } from '../builders.js';

const SECRET_VALUES = ['pw-Zr4k9-first', 'pw-Zr4k9-rotated', 'proxy-Zr4k9', 'key-Zr4k9'];

/** A plan touching secrets every way: sent on create, re-sent on rotation, unset. */
function planWithSecrets(): Plan {
  const resources = [
    ...mirror('rpm', 'created').map((r) =>
      r.kind === 'remote' ? { ...r, secrets: { password: secret(SECRET_VALUES[0] as string, 'env:ARK_PASSWORD') } } : r,
    ),
    desired('remote/rpm/rotated', {
      secretVersion: '2',
      secrets: {
        password: secret(SECRET_VALUES[1] as string, 'file:/run/secrets/ark'),
        proxy_password: secret(SECRET_VALUES[2] as string),
        client_key: secret(SECRET_VALUES[3] as string, 'inline:desired-state/ark.yaml:7'),
      },
    }),
    desired('remote/rpm/cleared'),
  ];
  const current = [
    live('remote/rpm/rotated', {
      secretsSet: { password: true, proxy_password: true, client_key: true },
      labels: { ...live('remote/rpm/rotated').labels, [LABELS.secretVersion]: '1' },
    }),
    live('remote/rpm/cleared', { secretsSet: { password: true } }),
  ];
  return buildPlan(desiredState(resources), liveState(current), { now: NOW });
}

describe('plan file', () => {
  test('a plan survives serialise → parse unchanged', () => {
    const plan = planWithSecrets();
    expect(parsePlan(serializePlan(plan))).toEqual(plan);
    expect(plan.formatVersion).toBe(PLAN_FORMAT_VERSION);
  });

  test('a plan built from secrets holds their sources, never their values, in the file and in --json', () => {
    const plan = planWithSecrets();
    const text = serializePlan(plan);
    for (const value of SECRET_VALUES) expect(text).not.toContain(value);
    expect(text).toContain('"source": "file:/run/secrets/ark"');
    expect(text).toContain('"source": "unset"');
    expect(
      plan.waves
        .flat()
        .filter((a) => a.secrets !== undefined)
        .map((a) => a.id)
        .sort(),
    ).toEqual(['create remote/rpm/created', 'update remote/rpm/cleared', 'update remote/rpm/rotated']);
  });

  test('a Secret that slipped into any value still serialises as its mask', () => {
    const plan = planWithSecrets();
    const leaky = structuredClone(plan);
    const action = leaky.waves[0]?.[0];
    if (action === undefined) throw new Error('plan has no actions');
    Object.assign(action, { body: { ...action.body, password: secret('pw-slipped-through') } });
    Object.assign(leaky.diagnostics, [{ severity: 'warning', code: 'x', summary: 'x', value: secret('pw-in-a-diagnostic') }]);
    const text = serializePlan(leaky);
    expect(text).not.toMatch(/pw-slipped-through|pw-in-a-diagnostic/);
    expect(text).toContain('"sensitive": true');
  });

  test('a newer minor version is read; keys this version does not know are ignored', () => {
    const data = JSON.parse(serializePlan(planWithSecrets())) as Record<string, unknown> & { waves: Record<string, unknown>[][] };
    data.formatVersion = '1.9';
    data.comesWithAFutureMinor = { anything: true };
    (data.waves[0]?.[0] as Record<string, unknown>).retryPolicy = 'later';
    const plan = parsePlan(JSON.stringify(data));
    expect(plan.formatVersion).toBe('1.9');
    expect(plan).not.toHaveProperty('comesWithAFutureMinor');
    expect(plan.waves[0]?.[0]).not.toHaveProperty('retryPolicy');
  });

  test('another major version is refused, naming both versions', () => {
    const text = serializePlan({ ...planWithSecrets(), formatVersion: '2.0' });
    expect(() => parsePlan(text, 'plan.json')).toThrow(PlanFileError);
    expect(() => parsePlan(text, 'plan.json')).toThrow('plan.json has plan format 2.0, but this pulpform reads format 1.x (it writes 1.0)');
  });

  test('not JSON, not a plan, or a damaged plan: a clear error with the fix', () => {
    expect(() => parsePlan('{"formatVersion": "1.0",', 'plan.json')).toThrow(
      /plan\.json is not a pulpform plan: it is not valid JSON .*pulpform plan --out FILE/,
    );
    expect(() => parsePlan('{"waves": []}', 'plan.json')).toThrow('plan.json is not a pulpform plan: it has no formatVersion');
    const damaged = JSON.parse(serializePlan(planWithSecrets())) as Record<string, unknown>;
    delete damaged.summary;
    expect(() => parsePlan(JSON.stringify(damaged), 'plan.json')).toThrow(
      /plan\.json is not a valid pulpform plan \(format 1\.0\):\n[\s\S]*at summary/,
    );
  });
});
