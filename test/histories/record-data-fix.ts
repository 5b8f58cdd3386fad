/**
 * Records, for test/histories/replay.test.ts, a data fix and its undo as today's code runs them on
 * the sandbox: each waiting at its approval gate (a deployment mid-run), then to its end — vouchers
 * stuck in `sent` fixed, and the fix undone. Run it by hand when they change on purpose (see
 * record.ts):
 *   node --import tsx test/histories/record-data-fix.ts
 */
import type { DataFixResult } from '../../domain/runbooks/data-fix.types.ts';
import { decide, signedBy } from '../support/approvals.ts';
import { startDataFixEstate } from '../support/data-fix.ts';
import { saveAtGate, saveEnded, useRecordingKey } from './recording.ts';

useRecordingKey();
const estate = await startDataFixEstate();
try {
  await estate.startWorker();
  const { client, site } = estate;
  const run = async (type: string, id: string, input: object, name: string, outcome: string) => {
    const handle = await client.workflow.start(type, {
      taskQueue: site.temporal.taskQueues.runbooks,
      workflowId: id,
      args: [{ requestedBy: 'eng', reason: '工单 1127-03', ...input }],
    });
    const gate = await saveAtGate(client, `${name}-awaiting-approval`, id);
    await decide(client, id, signedBy(site, gate, 'wang', { reason: '同意' }));
    await saveEnded(client, name, handle, outcome);
    return handle;
  };
  const stuck = await estate.sandbox.faults.inject({ fault: 'voucher-unpaid-at-close', bank: 'ICBC', count: 2 });
  const voucherNos = (stuck.details as { vouchers: string[] }).vouchers;
  const fix = await run(
    'dataFix',
    'data-fix/voucher-status/recorded',
    { fix: 'voucher-status', params: { voucherNos, from: 'sent', to: 'timed_out' } },
    'data-fix',
    'fixed',
  );
  const { fixId } = (await fix.result()) as DataFixResult;
  await run('dataFixUndo', 'data-fix-undo/recorded', { fixId }, 'data-fix-undo', 'undone');
} finally {
  await estate.stop();
}
