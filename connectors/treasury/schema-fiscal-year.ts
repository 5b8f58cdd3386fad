/**
 * Tables of the fiscal year's boundary (see migrations-fiscal-year.ts): the adjustment period of a
 * closed year, the year-end quota notices to each bank with the bank's confirmed totals, each
 * year's last serial numbers, and the quota balances view. The year's own state is
 * `fiscal_years` (schema.ts).
 */

/** 调整期: the days of early January in which items of the year before may still be booked to it. */
export interface FiscalYearAdjustmentTable {
  /** The year being adjusted (the one just closed). */
  year: number;
  adjust_from: string;
  adjust_until: string;
  updated_at: string;
}

/**
 * The year-end notices to a bank: quota cancellation (额度注销) of what is left of a year's
 * authorized-payment quotas, and restoration (额度恢复) in the new year. A runbook inserts one per
 * bank with finance's totals and the lines; the send/receive program sends it and files the
 * bank's confirmation with the bank's own totals (or its refusal). The notice id is the bank's
 * idempotency key: a notice sent again never cancels or restores twice.
 */
export interface QuotaYearNoticeTable {
  notice_id: string;
  kind: 'cancellation' | 'restoration';
  fiscal_year: number;
  bank_code: string;
  line_count: number;
  total_fen: number;
  /** JSON text: [{ quotaId, budgetUnitCode, subjectCode, amountFen }]. */
  lines: string;
  status: 'pending_send' | 'sent' | 'confirmed' | 'refused';
  requested_at: string;
  sent_at: string | null;
  answered_at: string | null;
  answer_reason: string | null;
  /** The bank's own totals, as it confirmed them. */
  bank_line_count: number | null;
  bank_total_fen: number | null;
}

/** The last application serial of a fiscal year per bank and direction, kept when the year closes. */
export interface MessageSerialYearTable {
  bank_code: string;
  direction: 'out' | 'in';
  fiscal_year: number;
  last_serial: number;
  updated_at: string;
}

/** View: authorized-payment quotas per year, bank and budget unit — issued, used, remaining, cancelled. */
export interface QuotaBalanceView {
  fiscal_year: number;
  bank_code: string;
  budget_unit_code: string;
  quota_count: number;
  issued_fen: number;
  used_fen: number;
  /** What active quotas still allow. */
  remaining_fen: number;
  /** What was left of quotas since cancelled (or restored into the next year). */
  cancelled_fen: number;
}

export interface FiscalYearTables {
  fiscal_year_adjustments: FiscalYearAdjustmentTable;
  quota_year_notices: QuotaYearNoticeTable;
  message_serial_years: MessageSerialYearTable;
  quota_balances: QuotaBalanceView;
}
