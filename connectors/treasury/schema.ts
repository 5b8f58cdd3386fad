/**
 * The canonical treasury payment database, as the engine reads and writes it. The same tables
 * exist in a bureau's Oracle schema and in the sandbox's SQLite file; every access goes through
 * Kysely, so one activity serves both. Dates are 'YYYY-MM-DD' text, instants ISO-8601 text,
 * amounts integer fen.
 */
import type { Generated } from 'kysely';
import type { BaseDataKind } from '../../domain/base-data.ts';
import type { AccessTables } from './schema-access.ts';
import type { DataFixTables } from './schema-data-fix.ts';
import type { EstateTables } from './schema-estate.ts';
import type { FiscalYearTables } from './schema-fiscal-year.ts';
import type { UpgradeTables } from './schema-upgrade.ts';
import type { ReconciliationTable } from './schema-reconciliation.ts';

export const voucherStatuses = [
  'draft',
  'pending_send',
  'sent',
  'accepted',
  'paid',
  'rejected',
  'timed_out',
  'voided',
  'refunded',
] as const;
export type VoucherStatus = (typeof voucherStatuses)[number];

export const payTypes = ['direct', 'authorized'] as const;
export type PayType = (typeof payTypes)[number];

/** Message kinds exchanged with an agent bank, as recorded in message_log. */
export const messageKinds = [
  'direct_payment',
  'authorized_payment',
  'quota_notice',
  'voucher_ack',
  'receipt',
  'daily_report',
  'payment_list',
  'recon_file',
  'base_data',
  'base_data_ack',
  'status_query',
  'status_answer',
  'void_request',
  'void_answer',
  'refund_request',
  'refund_notice',
  'quota_cancel',
  'quota_restore',
  'quota_year_answer',
] as const;
export type MessageKind = (typeof messageKinds)[number];

export interface AgentBankTable {
  code: string;
  name: string;
  active: number;
  created_at: string;
}

export interface BudgetUnitTable {
  code: string;
  name: string;
  version: number;
}

export interface PayeeAccountTable {
  id: string;
  account_no: string;
  account_name: string;
  bank_name: string;
  version: number;
}

/**
 * The payee-field normalisations a runbook made, each filed under its approved step's key in the
 * transaction that changed the record: a retried step that finds a value in place tells its own
 * earlier write (a row here) from someone else's (none).
 */
export interface PayeeFixTable {
  /** `<step key>/<payee id>/<field>`. */
  fix_key: string;
  payee_id: string;
  field: string;
  applied_at: string;
}

export interface BudgetSubjectTable {
  code: string;
  name: string;
  version: number;
}

/** Which version of each kind of base data a bank has been sent and has acknowledged. */
export interface BaseDataVersionTable {
  bank_code: string;
  kind: BaseDataKind;
  version_current: number;
  version_sent: number;
  version_acked: number;
  updated_at: string;
}

export interface VoucherTable {
  voucher_no: string;
  fiscal_year: number;
  bank_code: string;
  pay_type: PayType;
  amount_fen: number;
  payee_account_id: string;
  budget_unit_code: string;
  subject_code: string;
  status: VoucherStatus;
  business_date: string;
  submitted_at: string | null;
  sent_at: string | null;
  accepted_at: string | null;
  paid_at: string | null;
  serial_no: number | null;
  failure_code: string | null;
  failure_reason: string | null;
  updated_at: string;
}

export interface QuotaTable {
  quota_id: string;
  fiscal_year: number;
  bank_code: string;
  budget_unit_code: string;
  subject_code: string;
  amount_fen: number;
  used_fen: number;
  status: 'active' | 'cancelled' | 'restored';
}

/** 额度通知单: the notice that tells a bank about an authorized-payment quota. */
export interface QuotaNoticeTable {
  notice_no: string;
  quota_id: string;
  bank_code: string;
  amount_fen: number;
  status: 'pending_send' | 'sent' | 'accepted' | 'rejected';
  business_date: string;
  submitted_at: string;
  sent_at: string | null;
}

export interface ReceiptTable {
  receipt_no: string;
  bank_code: string;
  voucher_no: string;
  amount_fen: number;
  paid_date: string;
  received_at: string;
  registered: number;
  registered_at: string | null;
  register_error: string | null;
}

/** Daily report (日报), payment list (清单) and reconciliation file (对账文件) received from a bank. */
export interface BankReportTable {
  bank_code: string;
  kind: 'daily_report' | 'payment_list' | 'recon_file';
  business_date: string;
  received_at: string;
  line_count: number;
  total_fen: number;
  content_digest: string;
}

export interface MessageLogTable {
  id: Generated<number>;
  bank_code: string;
  direction: 'out' | 'in';
  kind: MessageKind;
  business_date: string;
  serial_no: number;
  ref_no: string | null;
  msg_id: string;
  created_at: string;
}

/** The application message serial number (报文序号) per bank and direction. */
export interface MessageSerialTable {
  bank_code: string;
  direction: 'out' | 'in';
  last_serial: number;
  updated_at: string;
}

/** 作废申请: finance's request that a bank void a voucher it has not paid, and the bank's answer. */
export interface VoucherVoidTable {
  voucher_no: string;
  bank_code: string;
  reason: string;
  status: 'pending_send' | 'sent' | 'confirmed' | 'refused';
  requested_at: string;
  sent_at: string | null;
  answered_at: string | null;
  answer_reason: string | null;
}

/**
 * 退款: money coming back for a paid voucher, asked for by finance (a request sent to the bank)
 * or started by the bank (a notice finance must match to its voucher).
 */
export interface RefundTable {
  refund_no: string;
  bank_code: string;
  /** Null while a bank's notice names no voucher finance knows. */
  voucher_no: string | null;
  amount_fen: number;
  initiated_by: 'finance' | 'bank';
  status: 'pending_send' | 'sent' | 'matched' | 'unmatched' | 'refused';
  reason: string | null;
  requested_at: string;
  sent_at: string | null;
  notified_at: string | null;
  refund_date: string | null;
  match_error: string | null;
  matched_at: string | null;
}

/**
 * Status queries to a bank and its answers (out of band: no serial number). A runbook inserts
 * the question; the send/receive program sends it and stores the answer the bank returns.
 */
export interface BankQueryTable {
  query_id: string;
  bank_code: string;
  /** What is asked about: a voucher, a report (kind:date) or a refund. */
  subject: 'voucher' | 'report' | 'refund';
  ref_no: string;
  /** The query body as JSON text. */
  body: string;
  status: 'pending_send' | 'sent' | 'answered';
  requested_at: string;
  sent_at: string | null;
  answered_at: string | null;
  /** The bank's answer body as JSON text. */
  answer: string | null;
}

/**
 * Base-data updates (基础资料更新) a runbook asks to push to one bank: the send/receive program
 * sends each as a `base_data` message (with the next serial) and files the bank's ack here.
 */
export interface BaseDataPushTable {
  /** The runbook's idempotency key. */
  push_id: string;
  bank_code: string;
  kind: BaseDataKind;
  /** The version the bank is to apply (finance's current version of that kind). */
  version: number;
  status: 'pending_send' | 'sent' | 'acked' | 'rejected';
  requested_at: string;
  sent_at: string | null;
  answered_at: string | null;
  answer_reason: string | null;
}

/**
 * A fiscal year's state: open; frozen (no new vouchers, what is in flight finishes); closing
 * (quota cancellation and carry-over under way); closed.
 */
export interface FiscalYearTable {
  year: number;
  state: 'open' | 'frozen' | 'closing' | 'closed';
}

export interface SubsystemVersionTable {
  name: string;
  version: string;
  updated_at: string;
}

export interface TreasuryDatabase
  extends EstateTables, FiscalYearTables, UpgradeTables, DataFixTables, AccessTables {
  agent_banks: AgentBankTable;
  budget_units: BudgetUnitTable;
  payee_accounts: PayeeAccountTable;
  payee_fixes: PayeeFixTable;
  budget_subjects: BudgetSubjectTable;
  base_data_versions: BaseDataVersionTable;
  vouchers: VoucherTable;
  /** Settled vouchers moved out of `vouchers`; same columns. */
  vouchers_history: VoucherTable;
  quotas: QuotaTable;
  quota_notices: QuotaNoticeTable;
  receipts: ReceiptTable;
  bank_reports: BankReportTable;
  message_log: MessageLogTable;
  message_serials: MessageSerialTable;
  voucher_voids: VoucherVoidTable;
  refunds: RefundTable;
  bank_queries: BankQueryTable;
  base_data_pushes: BaseDataPushTable;
  fiscal_years: FiscalYearTable;
  subsystem_versions: SubsystemVersionTable;
  reconciliations: ReconciliationTable;
}
