/**
 * What an agent bank sends at close: the daily report (日报), payment list (清单) and
 * reconciliation file (对账文件) for one business day, built from the payments in its books. The
 * seeding uses the same function, so seeded reports and live ones agree line for line.
 */
import { createHash } from 'node:crypto';
import type { ReportBody, ReportKind } from '../messages.ts';

export interface PaymentLine {
  voucher_no: string;
  amount_fen: number;
  paid_at: string;
  receipt_no: string;
}

export function buildReport(
  kind: ReportKind,
  reportDate: string,
  payments: readonly PaymentLine[],
): ReportBody {
  const lines = payments.map((p) => ({
    voucherNo: p.voucher_no,
    amountFen: p.amount_fen,
    paidAt: p.paid_at,
  }));
  const digest = createHash('sha256')
    .update(`${kind}\n${reportDate}\n${JSON.stringify(kind === 'daily_report' ? [] : lines)}`)
    .update(String(lines.reduce((s, l) => s + l.amountFen, 0)))
    .digest('hex');
  return {
    reportDate,
    lineCount: lines.length,
    totalFen: lines.reduce((s, l) => s + l.amountFen, 0),
    digest,
    // The daily report is a summary; the list and the reconciliation file carry every line.
    lines: kind === 'daily_report' ? [] : lines,
  };
}
