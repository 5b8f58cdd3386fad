import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { upsertSchedules } from '../../scripts/lib/schedules.ts';
import { makeTestSite, type TestSite } from '../support/site.ts';
import { testTemporal, type TestTemporal } from '../support/temporal.ts';

let temporal: TestTemporal;
let ts: TestSite;
let client: Client;
const scheduleId = `daily-inspection-test-${process.pid}-${Date.now()}`;

before(async () => {
  temporal = await testTemporal();
  ts = await makeTestSite({
    temporalAddress: temporal.address,
    ...(temporal.tls && { temporalTls: temporal.tls }),
    edit: (raw) => {
      raw.schedules = [
        { id: scheduleId, runbook: 'daily-inspection', cron: ['30 8 * * *', '30 16 * * *'], input: {} },
      ];
    },
  });
  client = new Client({ connection: await Connection.connect(temporal.connectionOptions()) });
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
