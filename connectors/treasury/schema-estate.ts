/**
 * Tables of the payment system's neighbours that live in (or beside) its database: the
 * budget-integration exchange client's item queue, procurement contracts and the confirmations
 * pushed to the procurement cloud, unified payroll batches and lines, and official-card
 * repayments. Each links to the vouchers it became.
 */

/** One item the exchange client moves, keyed as the province keys it: division, year, voucher type, number. */
export interface ExchangeItemTable {
  division: string;
  fiscal_year: number;
  voucher_type: string;
  voucher_no: string;
  /** `up`: payment data to the province (上行); `down`: vouchers from it (下行). */
  direction: 'up' | 'down';
  /**
   * up: pending → delivered (failed when the platform refuses the item); down: received → confirmed |
   * failed; `replay`: to be processed again.
   */
  status: 'pending' | 'delivered' | 'received' | 'confirmed' | 'failed' | 'replay';
  budget_unit_code: string;
  amount_fen: number;
  attempts: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface ProcurementContractTable {
  contract_no: string;
  budget_unit_code: string;
  supplier_name: string;
  amount_fen: number;
  fiscal_year: number;
  signed_on: string;
}

/** A procurement confirmation (确认书): a payment made against a contract, pushed to the cloud. */
export interface ProcurementConfirmationTable {
  confirmation_no: string;
  contract_no: string;
  voucher_no: string;
  amount_fen: number;
  status: 'pending' | 'pushed' | 'failed';
  attempts: number;
  last_error: string | null;
  pushed_at: string | null;
  updated_at: string;
}

export interface PayrollBatchTable {
  batch_no: string;
  /** YYYY-MM */
  month: string;
  bank_code: string;
  budget_unit_code: string;
  line_count: number;
  total_fen: number;
  status: 'submitted' | 'processing' | 'completed';
  submitted_at: string;
  updated_at: string;
}

export interface PayrollLineTable {
  batch_no: string;
  line_no: number;
  payee_name: string;
  account_no: string;
  /** The payee bank's code (联行号); a line without one cannot become a voucher. */
  bank_no: string | null;
  amount_fen: number;
  voucher_no: string | null;
  status: 'pending' | 'issued' | 'paid' | 'failed';
  failure_reason: string | null;
}

/** An official-card (公务卡) repayment to the card-issuing bank. */
export interface OfficialCardRepaymentTable {
  repay_no: string;
  card_bank: string;
  cardholder: string;
  card_no_masked: string;
  amount_fen: number;
  voucher_no: string | null;
  business_date: string;
  status: 'pending' | 'issued' | 'paid' | 'rejected';
  updated_at: string;
}

export interface EstateTables {
  exchange_items: ExchangeItemTable;
  procurement_contracts: ProcurementContractTable;
  procurement_confirmations: ProcurementConfirmationTable;
  payroll_batches: PayrollBatchTable;
  payroll_lines: PayrollLineTable;
  official_card_repayments: OfficialCardRepaymentTable;
}
