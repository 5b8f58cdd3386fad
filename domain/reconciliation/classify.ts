/**
 * Why two sides differ, as far as the statement shows, and which runbook settles it: a receipt
 * to register (receipt-registration-repair), a voucher to ask the bank about (voucher-resend,
 * which asks first and never pays twice), a refund to match (refund-tracking). What no runbook may
 * settle — an amount, a payment finance never ordered, a line listed twice — goes to a person.
 */
import type { LineStatus, StatementKind } from './statement.ts';

export const differenceTypes = [
  'only-at-finance',
  'only-at-bank',
  'amount-differs',
  'status-differs',
  'duplicate',
] as const;
export type DifferenceType = (typeof differenceTypes)[number];

export const fixRunbooks = ['receipt-registration-repair', 'voucher-resend', 'refund-tracking'] as const;
export type FixRunbook = (typeof fixRunbooks)[number];

/** Likely causes, with what a report reader sees (zh-CN). */
export const causes = {
  'bank-has-no-record': '银行无此凭证：凭证可能未送达银行，需向银行查询',
  'paid-not-on-statement': '财政已记支付，银行对账单无此凭证：需向银行查询',
  'receipt-unregistered': '银行已支付，财政未登记回单',
  'refund-unmatched': '银行已退款，财政未匹配退款通知',
  'refund-notice-unknown': '银行退款的凭证财政无记录：退款通知待匹配',
  'finance-has-no-record': '银行有支付记录而财政无此凭证：需人工核查',
  'amount-mismatch': '金额不符：需人工核查，不得修改金额',
  'bank-not-paid': '财政已记支付而银行未支付：需人工核查',
  'status-mismatch': '状态不符：需人工核查',
  'quota-mismatch': '额度不符：需人工核查',
  'duplicate-at-bank': '银行对账单重复列示：可能重复支付，需向银行核实并重新索取对账单',
  'duplicate-at-finance': '财政当前表与历史表重复记录：需数据修正',
} as const;
export type Cause = keyof typeof causes;

export interface Classification {
  cause: Cause;
  /** The runbook that settles this class of difference; null: a person must look. */
  fix: FixRunbook | null;
}

export interface ClassifyInput {
  type: DifferenceType;
  side?: 'finance' | 'bank';
  financeStatus?: LineStatus;
  bankStatus?: LineStatus;
}

export function classify(kind: StatementKind, d: ClassifyInput): Classification {
  const manual = (cause: Cause): Classification => ({ cause, fix: null });
  if (d.type === 'duplicate') return manual(d.side === 'bank' ? 'duplicate-at-bank' : 'duplicate-at-finance');
  if (kind === 'quota') return manual('quota-mismatch');
  switch (d.type) {
    case 'only-at-finance':
      return {
        cause: d.financeStatus === 'paid' ? 'paid-not-on-statement' : 'bank-has-no-record',
        fix: 'voucher-resend',
      };
    case 'only-at-bank':
      return d.bankStatus === 'refunded'
        ? { cause: 'refund-notice-unknown', fix: 'refund-tracking' }
        : manual('finance-has-no-record');
    case 'amount-differs':
      return manual('amount-mismatch');
    case 'status-differs':
      if (d.bankStatus === 'paid' && d.financeStatus === 'accepted')
        return { cause: 'receipt-unregistered', fix: 'receipt-registration-repair' };
      if (d.bankStatus === 'refunded' && d.financeStatus === 'paid')
        return { cause: 'refund-unmatched', fix: 'refund-tracking' };
      if (d.bankStatus === 'accepted' && d.financeStatus === 'paid') return manual('bank-not-paid');
      return manual('status-mismatch');
  }
}
