/**
 * How the payroll watch judges a look at its batch: which failed lines the repair path can take
 * (their vouchers refused or timed out, not yet handed over), which are on their way again, when
 * the batch is done — every line paid, or failed with a reason no repair will change — and each
 * failed line's explanation. Pure.
 */
import type { ExplainedLine, PayrollLook, PayrollWatchOutcome, RepairRun } from './payroll-watch.types.ts';

/** Finance's voucher states a repair can take up: the bank refused it, or it went out of the window. */
const repairableStates = new Set(['rejected', 'timed_out']);
/** A failed line's voucher in one of these is on its way again (sent again by a repair), or paid and its line about to follow. */
const movingStates = new Set(['draft', 'pending_send', 'sent', 'accepted', 'paid']);

/** Open lines: not yet a voucher, or a voucher not yet paid or refused. */
export const openLines = (look: PayrollLook) => look.counts.pending + look.counts.issued;

/** The vouchers of failed lines a repair can take and no repair run has been given. */
export function repairableVouchers(look: PayrollLook, repairs: readonly RepairRun[]): string[] {
  const handed = new Set(repairs.filter((r) => r.status === 'started').flatMap((r) => r.voucherNos));
  return look.failed.flatMap((l) =>
    l.voucherNo && l.voucherStatus && repairableStates.has(l.voucherStatus) && !handed.has(l.voucherNo)
      ? [l.voucherNo]
      : [],
  );
}

/** What changes when the batch moves: its lines by status, the money paid, the failed lines' vouchers. */
export function progressKey(look: PayrollLook): string {
  return JSON.stringify([look.counts, look.paidFen, look.failed.map((l) => [l.lineNo, l.voucherStatus])]);
}

/**
 * Done: no line is open, no failed line's voucher is on its way again, and every line a repair
 * can take was given to a repair run that has ended (or repair was not asked for).
 */
export function batchSettled(look: PayrollLook, repairs: readonly RepairRun[], repair: boolean): boolean {
  if (openLines(look) > 0) return false;
  if (look.failed.some((l) => l.voucherStatus && movingStates.has(l.voucherStatus))) return false;
  if (!repair) return true;
  return repairableVouchers(look, repairs).length === 0 && repairs.every((r) => !followed(r) || ended(r));
}

const followed = (r: RepairRun) => r.status === 'started';
const ended = (r: RepairRun) => r.outcome !== undefined || r.failed !== undefined;

/** Each failed line with why it is not paid and what the repair path made of it. */
export function explainLines(look: PayrollLook, repairs: readonly RepairRun[]): ExplainedLine[] {
  return look.failed.map((line) => {
    const run = repairs.find(
      (r) => r.status === 'started' && line.voucherNo !== null && r.voucherNos.includes(line.voucherNo),
    );
    const said = run?.vouchers?.find((v) => v.voucherNo === line.voucherNo);
    const state: ExplainedLine['state'] = !line.voucherNo
      ? 'no-voucher'
      : line.voucherStatus && movingStates.has(line.voucherStatus)
        ? 'in-repair'
        : run
          ? 'held'
          : 'not-handed';
    return {
      ...line,
      state,
      ...(run && {
        repair: {
          workflowId: run.workflowId,
          ...(said && { outcome: said.outcome }),
          ...((said?.detail ?? run.failed) !== undefined && { detail: said?.detail ?? run.failed }),
        },
      }),
    };
  });
}

export function watchOutcome(look: PayrollLook, settled: boolean): PayrollWatchOutcome {
  if (!settled) return 'not-finished';
  return look.counts.failed === 0 ? 'all-paid' : 'lines-explained';
}

export const lineStateLabel: Record<ExplainedLine['state'], string> = {
  'no-voucher': '未生成支付凭证，须工资编制单位补录收款行行号后重新报送',
  'in-repair': '修复流程已重新发送，等待银行支付',
  held: '修复流程未能重发，须人工处理',
  'not-handed': '未交修复流程（本次未要求修复，或凭证状态无须重发）',
};

/** Why the watch ended, in words. */
export function whyEnded(look: PayrollLook, outcome: PayrollWatchOutcome): string {
  const { paid, failed } = look.counts;
  switch (outcome) {
    case 'all-paid':
      return `全部 ${paid} 行已支付`;
    case 'lines-explained':
      return `已支付 ${paid} 行；${failed} 行未支付，逐行列明原因`;
    case 'not-finished':
      return `跟踪时限已到：已支付 ${paid} 行，失败 ${failed} 行，仍有 ${openLines(look)} 行在途`;
    case 'planned':
      return `演练：已支付 ${paid} 行，失败 ${failed} 行，在途 ${openLines(look)} 行；未启动修复`;
  }
}
