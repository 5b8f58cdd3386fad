/**
 * Refund tracking's judgement, as pure functions. Finance's own requests past their time: the
 * bank refunded (confirm, voucher refunded), refused (record it), or never got the request
 * (send it again). The bank's notices finance could not match: the bank's status answer names
 * the voucher and amount; a voucher of this bank, paid, for exactly that amount, is matched.
 * Partial refunds, vouchers finance cannot find, or two refunds for one voucher are reported.
 */
import type { VoucherSnapshot } from '../bank-checks/types.ts';
import type { BankAnswer } from '../bank-questions.ts';
import { formatFen } from '../display.ts';
import type { OpenRefund, RefundDecision, RefundReportReason } from './refund-tracking.types.ts';

/** Refunds past `cutoff` still open; finance requests never sent by then are stuck. */
export function overdueRefunds(
  open: readonly OpenRefund[],
  cutoff: string,
): { ask: OpenRefund[]; stuck: OpenRefund[] } {
  return {
    ask: open.filter(
      (r) =>
        (r.status === 'sent' && (r.sentAt ?? r.requestedAt) < cutoff) ||
        (r.status === 'unmatched' && (r.notifiedAt ?? r.requestedAt) < cutoff),
    ),
    stuck: open.filter((r) => r.status === 'pending_send' && r.requestedAt < cutoff),
  };
}

/** The voucher each answer points to, for the activity that reads them. */
export function vouchersNamed(
  items: readonly OpenRefund[],
  answers: ReadonlyMap<string, BankAnswer>,
): string[] {
  return items.flatMap((r) => {
    const no = r.voucherNo ?? answers.get(r.refundNo)?.refund?.voucherNo;
    return no ? [no] : [];
  });
}

export function decideRefunds(
  items: readonly OpenRefund[],
  answers: ReadonlyMap<string, BankAnswer>,
  vouchers: ReadonlyMap<string, VoucherSnapshot>,
): RefundDecision[] {
  const taken = new Set<string>();
  return items.map((item) => {
    const d = decideRefund(item, answers.get(item.refundNo), vouchers);
    if (d.kind === 'act' && 'voucherNo' in d.mutation) {
      if (taken.has(d.mutation.voucherNo))
        return {
          kind: 'report',
          item,
          reason: 'duplicate' as const,
          why: `凭证 ${d.mutation.voucherNo} 在本次已有另一笔退款待处理，需人工核查`,
          answer: d.answer,
        };
      taken.add(d.mutation.voucherNo);
    }
    return d;
  });
}

export function decideRefund(
  item: OpenRefund,
  answer: BankAnswer | undefined,
  vouchers: ReadonlyMap<string, VoucherSnapshot>,
): RefundDecision {
  const report = (reason: RefundReportReason, why: string): RefundDecision => ({
    kind: 'report',
    item,
    reason,
    why,
    ...(answer && { answer }),
  });
  const no = item.refundNo;
  const refund = answer?.refund;
  if (!answer || !refund) return report('bank-no-answer', `银行未在等待时间内应答退款 ${no} 的状态查询`);

  if (item.initiatedBy === 'finance') {
    if (!refund.known)
      return item.voucher
        ? {
            kind: 'act',
            item,
            answer,
            voucher: item.voucher,
            mutation: { kind: 'resend-refund', refundNo: no, sentAt: item.sentAt },
            why: `银行未收到退款申请 ${no}，重新发送`,
          }
        : report('no-voucher', `退款申请 ${no} 所列凭证在财政端不存在`);
    if (refund.state === 'refused') {
      const reason = refund.reason ?? '银行拒绝退款';
      return {
        kind: 'act',
        item,
        answer,
        voucher: item.voucher,
        mutation: { kind: 'refuse-refund', refundNo: no, bankReason: reason },
        why: `银行已拒绝退款申请 ${no}（${reason}），通知未送达财政端`,
      };
    }
  } else if (!refund.known) {
    return report('unknown-to-bank', `银行查无退款 ${no}，而财政端收到过该退款通知，需与银行核实`);
  } else if (refund.state !== 'refunded') {
    return report('unknown-to-bank', `银行称退款 ${no} 状态为 ${refund.state ?? '未知'}，需与银行核实`);
  }

  const voucherNo = refund.voucherNo ?? item.voucherNo ?? '';
  if (item.voucherNo && refund.voucherNo && refund.voucherNo !== item.voucherNo)
    return report(
      'voucher-differs',
      `银行称退款 ${no} 对应凭证 ${refund.voucherNo}，财政端记录为 ${item.voucherNo}`,
    );
  const voucher =
    vouchers.get(voucherNo) ?? (item.voucher?.voucherNo === voucherNo ? item.voucher : undefined);
  if (!voucher) return report('no-voucher', `银行称退款 ${no} 对应凭证 ${voucherNo}，财政端无此凭证`);
  if (voucher.status !== 'paid')
    return report(
      'voucher-status',
      `凭证 ${voucherNo} 在财政端状态为 ${voucher.status}，不是已支付，不能置为已退款`,
    );
  const refunded = refund.amountFen ?? item.amountFen;
  if (refunded !== item.amountFen)
    return report(
      'amount-differs',
      `银行退款金额 ${formatFen(refunded)} 与财政端记录 ${formatFen(item.amountFen)} 不符`,
    );
  if (refunded !== voucher.amountFen)
    return report(
      'amount-differs',
      `退款金额 ${formatFen(refunded)} 与凭证 ${voucherNo} 金额 ${formatFen(voucher.amountFen)} 不符（部分退款），需人工处理`,
    );
  const refundDate = refund.refundDate ?? answer.answeredAt.slice(0, 10);
  return item.initiatedBy === 'finance'
    ? {
        kind: 'act',
        item,
        answer,
        voucher,
        mutation: { kind: 'confirm-refund', refundNo: no, voucherNo, refundDate },
        why: `银行已于 ${refundDate} 退回退款 ${no}（凭证 ${voucherNo}），退款通知未送达财政端`,
      }
    : {
        kind: 'act',
        item,
        answer,
        voucher,
        mutation: { kind: 'match-refund', refundNo: no, voucherNo, refundDate },
        why: `银行确认退款 ${no} 对应凭证 ${voucherNo}（金额 ${formatFen(refunded)}），原通知凭证号有误`,
      };
}

/** Whether an approved refund is still open exactly as the plan saw it. */
export function sameRefund(planned: OpenRefund, now: OpenRefund | undefined): boolean {
  return (
    !!now &&
    now.status === planned.status &&
    now.voucherNo === planned.voucherNo &&
    now.amountFen === planned.amountFen &&
    (now.voucher?.status ?? null) === (planned.voucher?.status ?? null)
  );
}
