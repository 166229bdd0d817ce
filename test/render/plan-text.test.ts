import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { buildPlan } from '../../src/plan/build.js';
import { serializePlan } from '../../src/plan/planfile.js';
import { planTextChunks, renderPlanText } from '../../src/render/plan-text.js';
import { desired, desiredState, liveState, NOW } from '../builders.js';
import { CASES } from './cases.js';

/**
 * Golden files under test/render/golden/ pin the whole text of each case; review a change
 * there like a change to the UI. `PULPFORM_UPDATE_GOLDEN=1 npm test` rewrites them.
 */
function expectGolden(name: string, text: string): void {
  const file = new URL(`./golden/${name}`, import.meta.url);
  if (process.env.PULPFORM_UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

describe('plan text', () => {
  test.each(Object.keys(CASES) as (keyof typeof CASES)[])('%s matches its golden file', (name) => {
    expectGolden(`${name}.txt`, renderPlanText(CASES[name](), { color: false }));
  });

  test('comes in pieces: the header, one block per action, then the summary and diagnostics', () => {
    for (const name of Object.keys(CASES) as (keyof typeof CASES)[]) {
      const plan = CASES[name]();
      const chunks = [...planTextChunks(plan, { color: false })];
      const actions = plan.waves.flat();
      expect(chunks).toHaveLength(actions.length === 0 ? 1 : actions.length + 2);
      actions.forEach((action, i) => expect(chunks[i + 1]).toContain(`# ${action.address} `));
      expect(chunks.join('')).toBe(renderPlanText(plan, { color: false }));
    }
  });

  test('colours: + green, ~ yellow, - red, bold headers, dim hidden counts; none without color', () => {
    const plan = CASES.secretsAndLabels();
    const coloured = renderPlanText(plan, { color: true });
    expectGolden('secretsAndLabels.ansi.txt', coloured);
    expect(coloured).toContain('\x1b[33m~\x1b[0m policy');
    expect(coloured).toContain('\x1b[32m+\x1b[0m env');
    expect(coloured).toContain('\x1b[31m-\x1b[0m proxy_url');
    expect(coloured).toContain('\x1b[1m# remote/rpm/ark\x1b[0m will be updated in-place');
    expect(coloured).toContain('\x1b[90m# (15 unchanged attributes hidden)\x1b[0m');
    expect(renderPlanText(plan, { color: false })).not.toContain('\x1b[');
  });

  test('the summary line keeps the Terraform prefix; syncs are appended; destroyed objects are listed again', () => {
    expect(renderPlanText(CASES.pinBump(), { color: false })).toContain('\nPlan: 1 to add, 2 to change, 0 to destroy, 1 to sync.\n');
    expect(renderPlanText(CASES.withPrune(), { color: false })).toContain(
      '\nPlan: 0 to add, 0 to change, 3 to destroy.\nDestroys: distribution/rpm/old-development, repository/rpm/old, remote/rpm/old.\n',
    );
  });

  test('an empty plan says so in one line, and still shows its warnings', () => {
    expect(renderPlanText(CASES.noChanges(), { color: false })).toBe('No changes. The Pulp server matches the desired state.\n');
    expect(renderPlanText(CASES.withoutPrune(), { color: false })).toMatch(
      /^No changes\. The Pulp server matches the desired state\.\n\nWarning: /,
    );
  });

  test('a plan with only errors does not claim the server matches', () => {
    const text = renderPlanText(
      buildPlan(desiredState([desired('repository/rpm/r', { refs: { remote: 'remote/rpm/nowhere' } })]), liveState([]), { now: NOW }),
      { color: false },
    );
    expect(text).not.toContain('No changes');
    expect(text).toContain('Error: repository/rpm/r: remote refers to remote/rpm/nowhere');
  });

  test('verbose shows hrefs, dependencies, sync requests and every warning', () => {
    const text = renderPlanText(CASES.pinBump(), { color: false, verbose: true });
    expect(text).toMatch(/# href: \/pulp\/api\/v3\/remotes\/rpm\/rpm\/[0-9a-f-]+\//);
    expect(text).toContain('# after: create publication/rpm/rocky-9-baseos@20240301T000000');
    expect(text).toMatch(/# request: \{"remote": "\/pulp\/api\/v3\/remotes\/rpm\/rpm\/[0-9a-f-]+\/"\}/);
    const warnings = renderPlanText(CASES.withoutPrune(), { color: false, verbose: true });
    expect(warnings.match(/^Warning: /gm)).toHaveLength(3);
    expect(renderPlanText(CASES.withoutPrune(), { color: false }).match(/^Warning: /gm)).toHaveLength(1);
  });

  test('credentials in the server URL are never printed', () => {
    const plan = { ...CASES.firstApply(), server: { url: 'https://admin:hunter2@pulp.example.com/', versions: {} } };
    const text = renderPlanText(plan, { color: false });
    expect(text).toContain('the Pulp server at https://pulp.example.com/.');
    expect(text).not.toContain('hunter2');
  });

  test('no secret value appears in any rendering of any case', () => {
    for (const make of Object.values(CASES)) {
      const plan = make();
      for (const text of [
        renderPlanText(plan, { color: false, verbose: true }),
        renderPlanText(plan, { color: true }),
        serializePlan(plan),
      ]) {
        expect(text).not.toMatch(/correct-horse|ark-user/);
      }
    }
  });
});
