/**
 * Records bank reconciliation's histories for test/histories/replay.test.ts: a run whose
 * differences (a voucher the bank never got, a receipt the paid line proves) wait at the gate — a
 * deployment mid-run — then are fixed once approved; and a re-reconciliation of the same day that
 * discards that result and names what changed. Run it by hand when the runbook changes on
 * purpose (see record.ts):
 *   node --import tsx test/histories/record-bank-reconciliation.ts
 */
import { previousWorkday, localDate } from '../../sandbox/calendar.ts';
import { addTestUsers, decide, signedBy } from '../support/approvals.ts';
import { startTestEstate } from '../support/estate.ts';
import { saveAtGate, saveEnded, useRecordingKey } from './recording.ts';

useRecordingKey();
const estate = await startTestEstate({
  banks: ['ICBC', 'ABC'],
  edit: (raw) => {
    (raw.approvals as Record<string, unknown>).runbooks = {
      'bank-reconciliation': { roles: ['comm-approver'], quorum: 1 },
    };
  },
});
try {
  await addTestUsers(estate.site);
  await estate.startWorker();
  const { client, site, sandbox } = estate;
  const date = previousWorkday(localDate(new Date(), 'Asia/Shanghai'));
  const start = (workflowId: string, input: Record<string, unknown>) =>
    client.workflow.start('bankReconciliation', {
      taskQueue: site.temporal.taskQueues.runbooks,
      workflowId,
      args: [{ requestedBy: 'eng', bank: 'ABC', date, waitSeconds: 30, ...input }],
    });
  await sandbox.faults.inject({ fault: 'statement-only-at-finance', bank: 'ABC', date });
  await sandbox.faults.inject({ fault: 'statement-only-at-bank', bank: 'ABC', date });
  const id = `bank-reconciliation/ABC/payment-detail/${date}/recorded`;
  const run = await start(id, {});
  const gate = await saveAtGate(client, 'bank-reconciliation-awaiting-approval', id);
  await decide(client, id, signedBy(site, gate, 'wang', { reason: '同意' }));
  await saveEnded(client, 'bank-reconciliation', run, 'fixes-applied');
  await sandbox.faults.clear({ fault: 'statement-only-at-bank', bank: 'ABC' });
  const again = await start(`${id}/again`, { again: true, dryRun: true });
  await saveEnded(client, 'bank-reconciliation-again', again, 'differs', 'planned');
} finally {
  await estate.stop();
}
