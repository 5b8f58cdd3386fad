/**
 * Receipt registration repair's report (回单登记修复报告): how many receipts were unregistered, the
 * judgement, each receipt that cannot be registered automatically with its reason and amount in
 * yuan, then the verification, the plan, the votes and the registrations (domain/bank-checks/
 * settle-report.ts). Pure.
 */
import { planOutcomeLabel, settleReport, type SettleAbout } from '../bank-checks/settle-report.ts';
import { formatFen } from '../display.ts';
import type { ReportSection } from '../reports/runbook-report.ts';
import { mismatchLabel } from './receipt-registration-repair.plan.ts';
import type { ReceiptMatch, ReceiptRepairOutcome } from './receipt-registration-repair.types.ts';

export const receiptRepairOutcomeLabel: Record<ReceiptRepairOutcome, string> = {
  registered: '已登记',
  'partly-registered': '部分登记，其余需人工处理',
  'nothing-to-do': '无未登记回单',
  'nothing-registrable': '无可自动登记的回单，已列明原因',
  ...planOutcomeLabel,
};

/** The last round's look: unregistered receipts found, how many were worked, each one's match. */
export interface ReceiptRound {
  found: number;
  items: number;
  matches: ReceiptMatch[];
}

export const receiptRepairReport = settleReport<ReceiptRepairOutcome, SettleAbout, ReceiptRound>({
  name: '回单登记修复报告',
  outcomeLabel: receiptRepairOutcomeLabel,
  counted: (_, round) => `未登记回单 ${round.found} 张（本次处理 ${round.items} 张）`,
  items: (round) => unmatchedSection(round.matches),
});

function unmatchedSection(matches: ReceiptMatch[]): ReportSection[] {
  const unmatched = matches.flatMap((m) => (m.kind === 'unmatched' ? [m] : []));
  if (!unmatched.length) return [];
  return [
    {
      heading: '不能自动登记的回单（需人工处理）',
      table: {
        head: ['回单号', '凭证号', '金额', '原因', '说明'],
        rows: unmatched.map((m) => [
          m.receipt.receiptNo,
          m.receipt.voucherNo,
          formatFen(m.receipt.amountFen),
          mismatchLabel[m.reason],
          m.detail,
        ]),
        align: ['left', 'left', 'right'],
      },
    },
  ];
}
