/**
 * The void status check's judgement, as pure functions: which void requests are overdue, and —
 * from the bank's own status answer — how the finance side is brought in line: confirm the void
 * the bank made, record the refusal (the bank had paid), or send a request the bank never got
 * again. A voucher the bank does not know, or a bank answer finance's records contradict, is
 * reported for a person, never changed.
 */
import type { BankAnswer } from '../bank-questions.ts';
import { formatInstant } from '../display.ts';
import type { OpenVoid, VoidDecision } from './void-status-check.types.ts';

/** Sent requests unanswered since before `cutoff`; requests never sent by then are stuck. */
export function overdueVoids(
  open: readonly OpenVoid[],
  cutoff: string,
): { ask: OpenVoid[]; stuck: OpenVoid[] } {
  return {
    ask: open.filter((v) => v.status === 'sent' && (v.sentAt ?? v.requestedAt) < cutoff),
    stuck: open.filter((v) => v.status === 'pending_send' && v.requestedAt < cutoff),
  };
}

const unpaid = ['sent', 'accepted'];

export function decideVoid(
  item: OpenVoid,
  answer: BankAnswer | undefined,
  timeZone = 'Asia/Shanghai',
): VoidDecision {
  const at = (iso: string | null | undefined) => (iso ? formatInstant(iso, timeZone) : '（时间未知）');
  const report = (
    reason: Extract<VoidDecision, { kind: 'report' }>['reason'],
    why: string,
  ): VoidDecision => ({
    kind: 'report',
    item,
    reason,
    why,
    ...(answer && { answer }),
  });
  const no = item.voucherNo;
  const local = item.voucher?.status;
  if (!answer) return report('bank-no-answer', `银行未在等待时间内应答凭证 ${no} 的状态查询`);
  if (!item.voucher) return report('conflict', `财政端找不到凭证 ${no}，作废申请却仍在途`);
  if (!answer.known)
    return report(
      'unknown-to-bank',
      `银行无凭证 ${no} 的记录：凭证可能尚未送达银行，财政端不能单方作废，需与银行核实`,
    );
  if (answer.void?.state === 'voided') {
    if (local && unpaid.includes(local))
      return {
        kind: 'act',
        item,
        answer,
        mutation: { kind: 'confirm-void', voucherNo: no, bankAt: answer.void.at },
        why: `银行已于 ${at(answer.void.at)} 作废凭证 ${no}，作废应答未送达财政端`,
      };
    return report('conflict', `银行称凭证 ${no} 已作废，而财政端凭证状态为 ${local ?? '未知'}，需人工核查`);
  }
  if (answer.void?.state === 'refused') {
    const reason = answer.void.reason ?? '银行拒绝作废';
    return {
      kind: 'act',
      item,
      answer,
      mutation: { kind: 'refuse-void', voucherNo: no, bankReason: reason },
      why: `银行已拒绝作废凭证 ${no}（${reason}），拒绝应答未送达财政端`,
    };
  }
  if (answer.status === 'paid') {
    const reason = `银行未收到作废申请，凭证已于 ${at(answer.paidAt)} 支付`;
    return {
      kind: 'act',
      item,
      answer,
      mutation: { kind: 'refuse-void', voucherNo: no, bankReason: reason },
      why: `${reason}，作废已不可能`,
    };
  }
  if (answer.status === 'accepted' || answer.status === 'rejected') {
    return {
      kind: 'act',
      item,
      answer,
      mutation: { kind: 'resend-void', voucherNo: no, sentAt: item.sentAt },
      why: `银行未收到凭证 ${no} 的作废申请，凭证在银行尚未支付（${answer.status}），重新发送作废申请`,
    };
  }
  return report('conflict', `银行称凭证 ${no} 状态为 ${answer.status ?? '未知'}，但无作废记录，需人工核查`);
}

/** Whether an approved void is still open exactly as the plan saw it. */
export function sameVoid(planned: OpenVoid, now: OpenVoid | undefined): boolean {
  return (
    !!now &&
    now.status === planned.status &&
    now.sentAt === planned.sentAt &&
    now.voucher?.status === planned.voucher?.status
  );
}
