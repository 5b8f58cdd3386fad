/**
 * Records the histories of the runbooks that move money or a bank's books, for
 * test/histories/replay.test.ts: voucher resend to its end (the run, its diagnosis batch and its
 * execution batch, each a workflow of its own) and waiting at its approval gate; adding an agent
 * bank to its end and at its gate; the daily report check that asks the bank to resend, once
 * answered and once escalated. Run it by hand when one of these runbooks changes on purpose (see
 * record.ts):
 *   node --import tsx test/histories/record-money-runbooks.ts
 */
import { dateInZone } from '../../domain/calendar/dates.ts';
import { runTag } from '../../domain/run-tag.ts';
import type { VoucherResendResult } from '../../domain/runbooks/voucher-resend.types.ts';
import { freePort } from '../../scripts/lib/free-port.ts';
import { previousWorkday } from '../../sandbox/calendar.ts';
import { addTestUsers, decide, signedBy } from '../support/approvals.ts';
import { sandboxApi, startTestEstate } from '../support/estate.ts';
import { workingTodayCalendar } from '../support/open-all-day.ts';
import { failedVouchers, quick, resendSite } from '../support/voucher-resend.ts';
import { saveAtGate, saveEnded, saveHistory, useRecordingKey } from './recording.ts';

useRecordingKey();
const calendar = workingTodayCalendar();
const estate = await startTestEstate({
  banks: ['ICBC', 'ABC', 'BOC'],
  edit: (raw) => {
    resendSite(calendar.file)(raw);
    (raw.approvals as Record<string, unknown>).runbooks = {
      'voucher-resend': { roles: ['comm-approver'], quorum: 1 },
      'add-agent-bank': { roles: ['comm-approver'], quorum: 1 },
    };
  },
});
try {
  await addTestUsers(estate.site);
  await estate.startWorker();
  const { client, site, sandbox } = estate;
  const start = (type: string, workflowId: string, input: Record<string, unknown>) =>
    client.workflow.start(type, {
      taskQueue: site.temporal.taskQueues.runbooks,
      workflowId,
      args: [{ requestedBy: 'eng', ...input }],
    });
  const approve = async (workflowId: string, gate: Parameters<typeof signedBy>[1]) => {
    await decide(client, workflowId, signedBy(site, gate, 'wang', { reason: '已核对' }));
  };
  const today = dateInZone(new Date(), 'Asia/Shanghai');

  // Voucher resend: timed out, base data behind at the bank, a payee field to normalise — all paid once.
  {
    const { faults } = sandbox;
    await faults.inject({ fault: 'voucher-timed-out', bank: 'ICBC', count: 2 });
    const stale = (await faults.inject({ fault: 'base-data-out-of-sync', bank: 'ICBC' })).details
      .vouchers as string[];
    const malformed = (await faults.inject({ fault: 'malformed-voucher', bank: 'ICBC', count: 1 })).details
      .vouchers as string[];
    await failedVouchers(sandbox, 'ICBC', [...stale, ...malformed]);
    const id = `voucher-resend/ICBC/${today}/recorded`;
    const run = await start('voucherResend', id, { bank: 'ICBC', ...quick });
    await approve(id, await saveAtGate(client, 'voucher-resend-awaiting-approval', id));
    await saveEnded(client, 'voucher-resend', run, 'completed', 'completed-with-holds');
    const { runId } = await run.describe();
    const children = `${id}/${runTag(runId)}`;
    await saveHistory(client, 'voucher-resend-diagnose-batch', `${children}/diagnose-1`);
    await saveHistory(client, 'voucher-resend-batch', `${children}/batch-1`);
    const result: VoucherResendResult = await run.result();
    const accepted = new Set(result.vouchers.filter((v) => v.outcome === 'accepted').map((v) => v.voucherNo));
    if (![...stale, ...malformed].every((no) => accepted.has(no)))
      throw new Error(`voucher-resend: ${JSON.stringify(result.counts)}`);
  }

  // Adding an agent bank: its own side online first; one run to the end, one left at its gate.
  {
    const online = async (code: string, name: string) => {
      const port = await freePort();
      const res = await sandboxApi(estate, 'POST', '/sandbox/banks', {
        code,
        name,
        frontEnd: { host: '127.0.0.1', port },
      });
      if (res.status !== 201) throw new Error(`${code} online: ${JSON.stringify(res.json)}`);
      const { program } = res.json as { program: { pidFile: string } };
      return { code, name, frontEnd: { host: '127.0.0.1', port }, programs: [{ name: `收发程序-${code}`, pidFile: program.pidFile }] };
    };
    const id = `add-agent-bank/HXB/${today}/recorded`;
    const run = await start('addAgentBank', id, { ...(await online('HXB', '华夏银行')), waitSeconds: 60 });
    await approve(id, await saveAtGate(client, 'add-agent-bank-awaiting-approval', id));
    await saveEnded(client, 'add-agent-bank', run, 'added');
  }

  // Daily report check: a report lost on the way is resent; a report the bank holds back is escalated.
  {
    const date = previousWorkday(today);
    await sandbox.faults.inject({
      fault: 'daily-report-missing',
      bank: 'ABC',
      date,
      reports: ['daily_report', 'payment_list'],
      held: false,
    });
    const resent = await start('dailyReportCheck', `daily-report-check/ABC/${date}/recorded`, {
      bank: 'ABC',
      date,
      waitSeconds: 30,
    });
    await saveEnded(client, 'daily-report-check', resent, 'received-after-resend');
    await sandbox.faults.inject({ fault: 'daily-report-missing', bank: 'BOC', date });
    const held = await start('dailyReportCheck', `daily-report-check/BOC/${date}/recorded`, {
      bank: 'BOC',
      date,
      waitSeconds: 8,
    });
    await saveEnded(client, 'daily-report-check-escalated', held, 'escalated');
  }
} finally {
  await estate.stop();
  calendar.remove();
}
