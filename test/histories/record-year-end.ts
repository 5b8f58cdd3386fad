/**
 * Records, for test/histories/replay.test.ts, the year-end rollover as today's code runs it in
 * compressed time on the sandbox: waiting at its freeze gate, half-way (the old year frozen and
 * its quotas cancelled, asleep until the opening — a deployment mid-rollover), to its end, and one
 * bank's wait for its answer (the child workflow). Run it by hand when the rollover changes on
 * purpose (see record.ts):
 *   node --import tsx test/histories/record-year-end.ts
 */
import { localDate } from '../../sandbox/calendar.ts';
import { addTestUsers, decide, quietHistoryLength, signedBy, waitForGate } from '../support/approvals.ts';
import { startTestEstate } from '../support/estate.ts';
import { openAllDay, workingTodayCalendar } from '../support/open-all-day.ts';
import { startRollover, trafficSettled, waitForStep } from '../support/year-end.ts';
import { saveAtGate, saveEnded, saveHistory, useRecordingKey } from './recording.ts';

useRecordingKey();
const calendar = workingTodayCalendar();
const estate = await startTestEstate({
  banks: ['ICBC', 'ABC'],
  edit: openAllDay(calendar.file, 'year-end-rollover'),
});
try {
  await addTestUsers(estate.site);
  await estate.startWorker();
  const { client, site } = estate;
  const year = Number(localDate(estate.sandbox.clock.now()).slice(0, 4));
  await trafficSettled(estate.sandbox, year);
  const id = `year-end-rollover/${year}/recorded`;
  const at = (s: number) => new Date(Date.now() + s * 1000).toISOString();
  const handle = await startRollover(estate, id, { fiscalYear: year, freezeAt: at(2), openAt: at(90) });
  const freeze = await saveAtGate(client, 'year-end-rollover-awaiting-approval', id);
  await decide(client, id, signedBy(site, freeze, 'wang', { reason: '同意' }));
  await waitForStep(client, id, 'awaiting-opening');
  await quietHistoryLength(client, id);
  await saveHistory(client, 'year-end-rollover-awaiting-opening', id);
  const open = await waitForGate(client, id);
  await decide(client, id, signedBy(site, open, 'wang', { reason: '同意' }));
  await saveEnded(client, 'year-end-rollover', handle, 'rolled-over');
  await saveHistory(client, 'year-end-rollover-bank-notice', `${id}/YE${year}-HF-ICBC`);
} finally {
  await estate.stop();
  calendar.remove();
}
