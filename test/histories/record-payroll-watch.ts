/**
 * Records, for test/histories/replay.test.ts, the payroll watch as today's code runs it on the
 * sandbox: a batch with two payee accounts the bank refuses and a line without its bank code; the
 * watch hands the refused lines to the voucher repair it starts, and is saved while it waits for
 * that run (a deployment mid-watch); the repair claimed, one account corrected, its gates
 * approved, the watch followed to its end. Run it by hand when the runbook changes on purpose
 * (see record.ts):
 *   node --import tsx test/histories/record-payroll-watch.ts
 */
import { dateInZone } from '../../domain/calendar/dates.ts';
import {
  addTestUsers,
  claim,
  claimedBy,
  decide,
  signedBy,
  waitForClaimWait,
  waitForGate,
} from '../support/approvals.ts';
import { startTestEstate } from '../support/estate.ts';
import { openAllDay, workingTodayCalendar } from '../support/open-all-day.ts';
import { approveNext, until } from '../support/voucher-resend.ts';
import { saveEnded, saveHistory, useRecordingKey } from './recording.ts';

useRecordingKey();
const calendar = workingTodayCalendar();
const estate = await startTestEstate({ banks: ['ICBC'], edit: openAllDay(calendar.file, 'voucher-resend') });
try {
  await addTestUsers(estate.site);
  await estate.startWorker();
  const { client, site, sandbox } = estate;
  const injected = await sandbox.subsystems.faults.inject({
    fault: 'payroll-line-failures',
    lines: 6,
    badAccounts: 2,
    missingBankCodes: 1,
  });
  const batchNo = (injected.details as { batchNo: string }).batchNo;
  const lines = () =>
    sandbox.treasury.selectFrom('payroll_lines').selectAll().where('batch_no', '=', batchNo).orderBy('line_no').execute();
  await until('the bank to refuse the bad accounts', async () => (await lines()).filter((l) => l.status === 'failed').length === 3);
  const id = 'payroll-watch/recorded';
  const handle = await client.workflow.start('payrollWatch', {
    taskQueue: site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [{ batchNo, requestedBy: 'eng', checkSeconds: 5, watchHours: 1 }],
  });
  const resendId = `voucher-resend/ICBC/${dateInZone(new Date(), site.site.timezone)}`;
  const waiting = await waitForClaimWait(client, resendId);
  await saveHistory(client, 'payroll-watch-watching', id);
  await claim(client, resendId, claimedBy(site, { workflowId: resendId, runId: waiting.runId }, 'eng'));
  const ask = await fieldsGateOnceCorrected();
  await decide(client, resendId, signedBy(site, ask, 'wang', { reason: '已更正第 4 行账号' }));
  await approveNext(client, site, resendId);
  await saveEnded(client, 'payroll-watch', handle, 'lines-explained');

  /** The repair's fields gate, once line 4's account is corrected in the base data. */
  async function fieldsGateOnceCorrected() {
    const gate = await waitForGate(client, resendId);
    const line4 = (await lines())[3];
    const v = await sandbox.treasury
      .selectFrom('vouchers')
      .select('payee_account_id')
      .where('voucher_no', '=', line4?.voucher_no ?? '')
      .executeTakeFirstOrThrow();
    await sandbox.treasury
      .updateTable('payee_accounts')
      .set({ account_no: (line4?.account_no ?? '').replace(/\s/g, '').replace('O', '0') })
      .where('id', '=', v.payee_account_id)
      .execute();
    return gate;
  }
} finally {
  await estate.stop();
  calendar.remove();
}
