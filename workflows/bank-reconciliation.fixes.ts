/**
 * The fixes a bank reconciliation may offer once its days are compared, and only these: register
 * a receipt the bank's paid line proves (the receipt repair's guarded SQL, applied with the
 * approval proof), and start the runbook that owns a class of differences (a voucher to ask the
 * bank about → voucher-resend, a refund to match → refund-tracking), each of which diagnoses again
 * and asks its own approval before it acts. Everything else is left for a person.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import type { MutationResult } from '../domain/bank-checks/types.ts';
import { withSql, type PlannedChange } from '../domain/bank-checks/finance-plan.ts';
import { dateInZone, instantAt } from '../domain/calendar/dates.ts';
import type { FixRunbook } from '../domain/reconciliation/classify.ts';
import { fixesPlan, fixFindings } from '../domain/runbooks/bank-reconciliation.plan.ts';
import type {
  BankReconciliationOutcome,
  DayReconciliation,
  DifferenceClasses,
  ProvenReceipt,
  RunbookToStart,
} from '../domain/runbooks/bank-reconciliation.types.ts';
import type { Recon } from './bank-reconciliation.day.ts';
import { owningRun } from './owning-runbook.ts';
import { applyChanges, type Applied } from './shared/bank-check-run.ts';
import { approve } from './shared/runbook-run.ts';

/** Vouchers a started voucher resend is given at most (its input's bound). */
const resendVouchersMax = 1000;

export interface Fixed {
  outcome?: BankReconciliationOutcome;
  why?: string;
  receipts: ProvenReceipt[];
  started: (RunbookToStart & { status: 'started' | 'already-running' })[];
  results: MutationResult[];
}

/** Plans the safe fixes of the compared days, asks approval, applies and starts them, verifies. */
export async function settleDifferences(c: Recon, days: DayReconciliation[]): Promise<Fixed> {
  const { run } = c;
  const none: Fixed = { receipts: [], started: [], results: [] };
  const logs = days.flatMap((d) => (d.compared?.differences ? [d.compared.differenceLog] : []));
  if (logs.length === 0) return none;
  run.step('planning');
  const classes = await Promise.all(
    logs.map((differenceLog) => c.look.differenceClasses({ differenceLog, limit: resendVouchersMax })),
  );
  const byFix = merged(classes);
  const receipts = await c.checks.findProvenReceipts({
    bank: run.bank.code,
    voucherNos: byFix['receipt-registration-repair']?.voucherNos ?? [],
  });
  const starts = runbooksToStart(c, byFix);
  if (receipts.length === 0 && starts.length === 0) return none;
  const planned = receipts.map((r) => ({
    voucher: r.voucher,
    mutation: {
      kind: 'register-receipt' as const,
      receiptNo: r.receiptNo,
      voucherNo: r.voucherNo,
      // The statement proves the payment and its day, not its minute: the start of the receipt's paid day.
      paidAt: instantAt(r.paidDate, '00:00', run.estate.timezone).toISOString(),
      markPaid: true,
    },
  }));
  const changes = withSql(
    planned,
    planned.length
      ? await c.checks.describeMutations({ bank: run.bank.code, mutations: planned.map((p) => p.mutation) })
      : [],
  );
  const total = days.reduce((n, d) => n + (d.compared?.differences ?? 0), 0);
  const settledByPlan = receipts.length + starts.reduce((n, s) => n + s.differences, 0);
  const plan = fixesPlan({
    bank: run.bank,
    receipts: changes,
    starts,
    findings: fixFindings(days, receipts, Math.max(0, total - settledByPlan)),
  });
  const approval = await approve(run, 'fix', plan);
  if (typeof approval === 'string') return { ...none, receipts, outcome: approval, why: declined(approval) };
  run.step('executing');
  const again = await c.checks.findProvenReceipts({
    bank: run.bank.code,
    voucherNos: receipts.map((r) => r.voucherNo),
  });
  const stillProven = changes.filter((ch) =>
    again.some((r) => 'receiptNo' in ch.mutation && r.receiptNo === ch.mutation.receiptNo),
  );
  const applied = await applyChanges(
    { ...run, date: dayOf(run), look: c.checks, change: c.change },
    approval,
    stillProven,
  );
  const started = await startRunbooks(starts);
  run.step('verifying');
  return { ...(await verify(c, applied, changes.length - stillProven.length)), receipts, started };
}

const declined = (outcome: 'planned' | 'rejected' | 'expired') =>
  outcome === 'planned'
    ? '演练模式：已列出可执行的处理方案，未执行'
    : outcome === 'rejected'
      ? '审批人驳回了处理方案'
      : '审批超时，未执行';

const dayOf = (run: Recon['run']) => run.input.date ?? dateInZone(new Date(), run.estate.timezone);

function merged(classes: DifferenceClasses[]): DifferenceClasses {
  const all: DifferenceClasses = {};
  for (const c of classes)
    for (const [fix, v] of Object.entries(c) as [FixRunbook, { count: number; voucherNos: string[] }][]) {
      const into = (all[fix] ??= { count: 0, voucherNos: [] });
      into.count += v.count;
      for (const no of v.voucherNos)
        if (into.voucherNos.length < resendVouchersMax && !into.voucherNos.includes(no))
          into.voucherNos.push(no);
    }
  return all;
}

/** The owning runbooks to start: the voucher resend for vouchers the bank does not list, refund tracking for refunds. */
function runbooksToStart(c: Recon, byFix: DifferenceClasses): RunbookToStart[] {
  const { run } = c;
  const reason = `银行对账：${run.bank.name} ${run.input.kind} 对账差异`;
  const wanted: [FixRunbook, Record<string, unknown>][] = [];
  const resend = byFix['voucher-resend'];
  if (resend?.count) wanted.push(['voucher-resend', { voucherNos: resend.voucherNos }]);
  // Both hold lock/vouchers/<bank>: refund tracking waits for a later run once the resend is done.
  else if (byFix['refund-tracking']?.count) wanted.push(['refund-tracking', {}]);
  const today = dateInZone(new Date(), run.estate.timezone);
  return wanted.map(([id, extra]) => ({
    ...owningRun(
      id,
      { bank: run.bank.code, requestedBy: run.requestedBy(), reason, ...extra },
      'bank reconciliation',
      today,
    ),
    runbook: id,
    differences: byFix[id]?.count ?? 0,
  }));
}

/** Each as an independent run (it outlives this one); one already running is left be. */
async function startRunbooks(starts: RunbookToStart[]): Promise<Fixed['started']> {
  const started: Fixed['started'] = [];
  for (const s of starts) {
    try {
      await startChild(s.workflowType, {
        workflowId: s.workflowId,
        args: [s.input],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      started.push({ ...s, status: 'started' });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      started.push({ ...s, status: 'already-running' });
    }
  }
  return started;
}

/** The registered receipts' vouchers read back: paid, with their receipt. */
async function verify(
  c: Recon,
  applied: Applied,
  moved: number,
): Promise<Pick<Fixed, 'outcome' | 'why' | 'results'>> {
  const results = applied.results.map(({ change: _c, at: _a, ...r }) => r);
  if (applied.stopped)
    return {
      outcome: 'unexpected-state',
      why: `执行中发现记录已变化，已停止：${applied.stopped.message}`,
      results,
    };
  const done = applied.results.map(
    (r) => r.change.mutation as PlannedChange['mutation'] & { voucherNo: string },
  );
  const after = await c.checks.readVouchers({
    bank: c.run.bank.code,
    voucherNos: done.map((m) => m.voucherNo),
  });
  const unverified = done.filter(
    (m) => !after.some((v) => v.voucherNo === m.voucherNo && v.status === 'paid' && v.registeredReceipt),
  );
  if (unverified.length > 0)
    return {
      outcome: 'not-verified',
      why: `登记后复核未通过：${unverified.map((m) => m.voucherNo).join('、')}`,
      results,
    };
  return {
    outcome: 'fixes-applied',
    why: `已登记回单 ${done.length} 张${moved ? `（另 ${moved} 张审批后已不在待登记状态，未动）` : ''}`,
    results,
  };
}
