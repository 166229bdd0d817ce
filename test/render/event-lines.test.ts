import { describe, expect, test } from '@jest/globals';
import { describeApplyEvent } from '../../src/render/apply-events.js';
import { eventLine, jsonLine, OUTPUT_LINE } from '../../src/render/json-lines.js';
import { describeWatchEvent, watchEventData } from '../../src/render/watch-events.js';
import type { WatchEvent } from '../../src/watch/events.js';

const TIME = '2024-03-01T12:00:00.000Z';

describe('events as JSON lines', () => {
  test('an apply event: its words as message, right after level; its action type as actionType', () => {
    const event = {
      code: 'action.done',
      time: TIME,
      level: 'info',
      actionId: 'create remote/rpm/baseos',
      type: 'create',
      address: 'remote/rpm/baseos',
      elapsedMs: 4,
    } as const;
    const line = jsonLine(eventLine(event, describeApplyEvent(event)));
    expect(line).toBe(
      '{"code":"action.done","time":"2024-03-01T12:00:00.000Z","level":"info","message":"create remote/rpm/baseos: done","actionId":"create remote/rpm/baseos","address":"remote/rpm/baseos","elapsedMs":4,"actionType":"create","type":"event"}\n',
    );
    expect(OUTPUT_LINE.safeParse(JSON.parse(line)).success).toBe(true);
  });

  test('a watch event: time last, as the reconciler stamps it', () => {
    const event: WatchEvent = { code: 'watch.plan_blocked', level: 'error', cycle: 2, errors: 1, time: TIME };
    expect(jsonLine(eventLine(watchEventData(event), describeWatchEvent(event)))).toBe(
      '{"code":"watch.plan_blocked","level":"error","message":"the plan has 1 error; nothing is applied until the desired state or the server changes","cycle":2,"errors":1,"time":"2024-03-01T12:00:00.000Z","type":"event"}\n',
    );
  });

  test('fields only the words read stay out of the line', () => {
    const invalid: WatchEvent = {
      code: 'watch.desired_invalid',
      level: 'error',
      cycle: 3,
      errors: 1,
      applied: 'nothing',
      reread: true,
      time: TIME,
    };
    expect(JSON.parse(jsonLine(eventLine(watchEventData(invalid), describeWatchEvent(invalid))))).toEqual({
      type: 'event',
      code: 'watch.desired_invalid',
      level: 'error',
      message: 'the desired state has 1 error; nothing is applied. Waiting for a valid save',
      cycle: 3,
      errors: 1,
      applied: 'nothing',
      time: TIME,
    });
    const failed: WatchEvent = {
      code: 'watch.error',
      time: TIME,
      level: 'error',
      error: 'EMFILE',
      during: 'watching',
      path: 'desired-state',
    };
    expect(jsonLine(eventLine(watchEventData(failed), describeWatchEvent(failed)))).toBe(
      '{"code":"watch.error","time":"2024-03-01T12:00:00.000Z","level":"error","message":"watching desired-state failed: EMFILE","error":"EMFILE","type":"event"}\n',
    );
  });
});
