/**
 * What the bank-side checks (receipts, voids, refunds) exchange between their workflows and
 * their db-zone activities besides the questions put to a bank (domain/bank-questions.ts): the
 * finance-side records they look at (payee data already masked), and the finance-side changes a
 * runbook may apply. Pure types: safe in the workflow bundle.
 */

/** A finance-side voucher as a plan may show it. */
export interface VoucherSnapshot {
  voucherNo: string;
  bank: string;
  amountFen: number;
  businessDate: string;
  status: string;
  paidAt: string | null;
  /** Masked, e.g. 县*******. */
  payeeName: string;
  /** Masked, e.g. ****1234. */
  payeeAccount: string;
  /** The receipt already registered against it, if any. */
  registeredReceipt: string | null;
}

/**
 * A change to the finance side's records, applied in one transaction, guarded by the state it
 * expects (so a retry changes nothing twice, and a record that moved under it is left alone).
 */
export type FinanceMutation =
  | {
      kind: 'register-receipt';
      receiptNo: string;
      voucherNo: string;
      /** When the bank paid (its status answer); set on a voucher not yet marked paid. */
      paidAt: string;
      /** False when the voucher is already marked paid: only the receipt is registered. */
      markPaid: boolean;
    }
  /**
   * The bank's status answer proves the payment and names its receipt, which never reached
   * finance: the receipt recorded as registered, the voucher marked paid.
   */
  | {
      kind: 'record-receipt';
      receiptNo: string;
      voucherNo: string;
      amountFen: number;
      /** The bank's paid day (site zone) and instant. */
      paidDate: string;
      paidAt: string;
    }
  | { kind: 'confirm-void'; voucherNo: string; bankAt: string }
  | { kind: 'refuse-void'; voucherNo: string; bankReason: string }
  /**
   * A resend names the send it replaces (`sentAt` as the plan saw it): the statement is guarded
   * by it, and a record sent since then proves a repeat after the commit, not a move.
   */
  | { kind: 'resend-void'; voucherNo: string; sentAt: string | null }
  | { kind: 'confirm-refund'; refundNo: string; voucherNo: string; refundDate: string }
  | { kind: 'match-refund'; refundNo: string; voucherNo: string; refundDate: string }
  | { kind: 'refuse-refund'; refundNo: string; bankReason: string }
  | { kind: 'resend-refund'; refundNo: string; sentAt: string | null };

/** What applying one mutation did. */
export interface MutationResult {
  /** The statements as run (executed_at filled in). */
  statements: string[];
  /** Rows changed per statement. */
  rows: number[];
  /** Already in the target state (a retry after the commit): nothing changed. */
  alreadyDone: boolean;
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}
