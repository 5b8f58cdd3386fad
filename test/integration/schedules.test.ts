import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import {
  scheduleMatchingTimes,
  scheduleSpec,
  specIsCurrent,
  upsertSchedules,
} from '../../scripts/lib/schedules.ts';
import { runbookEntry, scheduledWorkflowId } from '../../workflows/catalog.ts';
import { makeTestSite, type TestSite } from '../support/site.ts';
import { testTemporal, type TestTemporal } from '../support/temporal.ts';

let temporal: TestTemporal;
let ts: TestSite;
let client: Client;
const scheduleId = `daily-inspection-test-${process.pid}-${Date.now()}`;

before(async () => {
  temporal = await testTemporal({ schedules: true });
  ts = await makeTestSite({
    temporalAddress: temporal.address,
    temporalNamespace: temporal.namespace,
    ...(temporal.tls && { temporalTls: temporal.tls }),
    edit: (raw) => {
      raw.schedules = [
        { id: scheduleId, runbook: 'daily-inspection', cron: ['30 8 * * *', '30 16 * * *'], input: {} },
      ];
    },
  });
  client = new Client({
    connection: await Connection.connect(temporal.connectionOptions()),
    namespace: temporal.namespace,
  });
});
after(async () => {
  await client.schedule
    .getHandle(scheduleId)
    .delete()
    .catch(() => undefined);
  await client.connection.close();
  await temporal.stop();
  ts.cleanup();
});

test('schedules are created in Asia/Shanghai, upserted idempotently, and an operator pause survives', async () => {
  assert.deepEqual(await upsertSchedules(client, ts.site), [
    `Schedule ${scheduleId}: created (30 8 * * *, 30 16 * * * Asia/Shanghai)`,
  ]);
  const handle = client.schedule.getHandle(scheduleId);
  let d = await handle.describe();
  assert.equal(d.spec.timezone, 'Asia/Shanghai');
  assert.equal(d.action.type, 'startWorkflow');
  assert.equal(d.action.type === 'startWorkflow' && d.action.workflowType, 'dailyInspection');
  assert.equal(d.action.type === 'startWorkflow' && d.action.taskQueue, ts.site.temporal.taskQueues.runbooks);
  assert.equal(
    d.action.type === 'startWorkflow' && d.action.workflowId,
    scheduledWorkflowId(runbookEntry('daily-inspection')!, scheduleId),
  );
  const calendars = JSON.stringify(d.spec.calendars);
  assert.match(calendars, /"hour":\[\{"start":8/);
  assert.match(calendars, /"hour":\[\{"start":16/);

  await handle.pause('bank holiday maintenance');
  const edited = { ...ts.site, schedules: ts.site.schedules.map((s) => ({ ...s, cron: ['0 9 * * *'] })) };
  assert.deepEqual(await upsertSchedules(client, edited), [
    `Schedule ${scheduleId}: updated (paused by an operator; left paused)`,
  ]);
  d = await handle.describe();
  assert.equal(d.state.paused, true);
  assert.equal(d.state.note, 'bank holiday maintenance');
  assert.match(JSON.stringify(d.spec.calendars), /"hour":\[\{"start":9/);
});

test('a schedule with bad input is refused before anything is written', async () => {
  const bad = {
    ...ts.site,
    schedules: [{ ...ts.site.schedules[0]!, id: `${scheduleId}-bad`, input: { banks: ['XYZ'] } }],
  };
  await assert.rejects(upsertSchedules(client, bad), /input\.banks\[0\]: unknown bank code "XYZ"/);
  await assert.rejects(client.schedule.getHandle(`${scheduleId}-bad`).describe(), /not found/i);
});

test('a schedule without times for a runbook that has no default times is refused before anything is written', async () => {
  const bad = {
    ...ts.site,
    schedules: [
      {
        id: `${scheduleId}-untimed`,
        runbook: 'void-status-check',
        timezone: 'Asia/Shanghai',
        input: { bank: 'CCB', requestedBy: 'zhang.san' },
      },
    ],
  };
  await assert.rejects(
    upsertSchedules(client, bad),
    /give workingDaysAt or cron; runbook void-status-check has no default times/,
  );
  await assert.rejects(client.schedule.getHandle(`${scheduleId}-untimed`).describe(), /not found/i);
});

describe("a working-day schedule at the runbook's default times, generated from the calendar", () => {
  const id = `${scheduleId}-working`;
  const times = (ds: Date[]) =>
    ds.map((d) => d.toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 16));
  const site = (calendarFiles: string[]) => ({
    ...ts.site,
    calendar: { ...ts.site.calendar, files: calendarFiles, dir: join(ts.dir, 'no-calendar-folder') },
    schedules: [
      {
        id,
        runbook: 'daily-inspection',
        timezone: 'Asia/Shanghai',
        input: {},
      },
    ],
  });
  const between = (from: string, to: string) =>
    scheduleMatchingTimes(client, id, new Date(`${from}T00:00:00+08:00`), new Date(`${to}T23:59:59+08:00`));
  after(() =>
    client.schedule
      .getHandle(id)
      .delete()
      .catch(() => undefined),
  );

  it('runs on working days through the Spring Festival of 2026: its make-up Saturdays in, the holiday out', async () => {
    assert.deepEqual(await upsertSchedules(client, site([]), new Date('2026-01-10T00:00:00Z')), [
      `Schedule ${id}: created (working days at 08:30, 16:30 Asia/Shanghai; calendar known through 2026, every day after)`,
    ]);
    const days = [...new Set(times(await between('2026-02-12', '2026-03-02')).map((t) => t.slice(0, 10)))];
    assert.deepEqual(days, [
      '2026-02-12',
      '2026-02-13',
      '2026-02-14', // Saturday, 调休上班
      '2026-02-24',
      '2026-02-25',
      '2026-02-26',
      '2026-02-27',
      '2026-02-28', // Saturday, 调休上班
      '2026-03-02',
    ]);
    assert.deepEqual(times(await between('2026-02-14', '2026-02-14')), [
      '2026-02-14 08:30',
      '2026-02-14 16:30',
    ]);
    const { spec } = await client.schedule.getHandle(id).describe();
    const comments = [...(spec.calendars ?? []), ...(spec.skip ?? [])].map((c) => c.comment);
    assert.ok(comments.includes('调休上班 2026-02-14 08:30（春节）'), comments.join('\n'));
    assert.ok(comments.includes('节假日 2026-02-16—2026-02-23（春节）'), comments.join('\n'));
  });

  it('past the last year the calendar knows it runs every day; once 2027 is declared, its working days', async () => {
    const newYear = () => between('2026-12-30', '2027-01-05');
    const everyDay = [
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
      '2027-01-03',
      '2027-01-04',
      '2027-01-05',
    ];
    const days = async () => [...new Set(times(await newYear()).map((t) => t.slice(0, 10)))];
    assert.deepEqual(await days(), everyDay);

    const declared = join(ts.dir, '2027.yaml');
    writeFileSync(
      declared,
      'year: 2027\nholidays:\n  - { name: 元旦, from: "2027-01-01", to: "2027-01-03" }\n',
    );
    const declaredSite = site([declared]);
    const handle = client.schedule.getHandle(id);
    const expected = scheduleSpec(
      declaredSite.schedules[0]!,
      declaredSite,
      new Date('2026-12-06T00:00:00Z'),
    ).spec;
    assert.equal(
      specIsCurrent((await handle.describe()).spec, expected),
      false,
      'the schedule predates 2027',
    );
    await upsertSchedules(client, declaredSite, new Date('2026-12-06T00:00:00Z'));
    assert.equal(specIsCurrent((await handle.describe()).spec, expected), true);
    assert.deepEqual(await days(), ['2026-12-30', '2026-12-31', '2027-01-04', '2027-01-05']);
  });
});
