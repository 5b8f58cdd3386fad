/**
 * The agent banks' own books (banks.db in the sandbox data dir, never the treasury database):
 * vouchers and quota notices received, payments executed (one row per payment, so a double
 * payment would show), the last application serial accepted from finance, the base-data versions
 * each bank has applied, and which reports it has sent or is holding back.
 */
import Database from 'better-sqlite3';
import type { BaseDataVersions, ReportKind } from '../messages.ts';

export type LedgerItemKind = 'direct' | 'authorized' | 'quota_notice';
export type LedgerStatus = 'accepted' | 'paid' | 'rejected' | 'voided';

export interface LedgerItem {
  bank_code: string;
  ref_no: string;
  kind: LedgerItemKind;
  amount_fen: number;
  payee_account_no: string | null;
  status: LedgerStatus;
  business_date: string;
  received_at: string;
  paid_at: string | null;
  receipt_no: string | null;
  failure_code: string | null;
  failure_reason: string | null;
  serial_no: number;
}

export interface BankState {
  bank_code: string;
  last_serial_in: number;
  last_serial_out: number;
  bd_budget_unit: number;
  bd_payee_account: number;
  bd_subject: number;
}

export interface Payment {
  voucher_no: string;
  amount_fen: number;
  paid_at: string;
  receipt_no: string;
}

const ddl = `
CREATE TABLE IF NOT EXISTS bank_state (
  bank_code TEXT PRIMARY KEY, last_serial_in INTEGER NOT NULL, last_serial_out INTEGER NOT NULL,
  bd_budget_unit INTEGER NOT NULL, bd_payee_account INTEGER NOT NULL, bd_subject INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bank_items (
  bank_code TEXT NOT NULL, ref_no TEXT NOT NULL, kind TEXT NOT NULL, amount_fen INTEGER NOT NULL,
  payee_account_no TEXT, status TEXT NOT NULL, business_date TEXT NOT NULL, received_at TEXT NOT NULL,
  paid_at TEXT, receipt_no TEXT, failure_code TEXT, failure_reason TEXT, serial_no INTEGER NOT NULL,
  PRIMARY KEY (bank_code, ref_no));
CREATE INDEX IF NOT EXISTS bank_items_status ON bank_items (bank_code, status);
CREATE TABLE IF NOT EXISTS bank_payments (
  id INTEGER PRIMARY KEY AUTOINCREMENT, bank_code TEXT NOT NULL, voucher_no TEXT NOT NULL,
  amount_fen INTEGER NOT NULL, paid_at TEXT NOT NULL, paid_date TEXT NOT NULL, receipt_no TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS bank_payments_voucher ON bank_payments (bank_code, voucher_no);
CREATE INDEX IF NOT EXISTS bank_payments_date ON bank_payments (bank_code, paid_date);
CREATE TABLE IF NOT EXISTS bank_reports_sent (
  bank_code TEXT NOT NULL, kind TEXT NOT NULL, report_date TEXT NOT NULL, sent_at TEXT NOT NULL,
  PRIMARY KEY (bank_code, kind, report_date));
CREATE TABLE IF NOT EXISTS bank_report_holds (
  bank_code TEXT NOT NULL, kind TEXT NOT NULL, report_date TEXT NOT NULL,
  PRIMARY KEY (bank_code, kind, report_date));
`;

const versionColumn = {
  budget_unit: 'bd_budget_unit',
  payee_account: 'bd_payee_account',
  subject: 'bd_subject',
} as const;

export type BankLedger = ReturnType<typeof openBankLedger>;

export function openBankLedger(path: string) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // The banks book every message: a commit survives the sandbox's crash without waiting for the disk.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(ddl);

  const st = {
    state: db.prepare('SELECT * FROM bank_state WHERE bank_code = ?'),
    upsertState: db.prepare(
      `INSERT INTO bank_state VALUES (@bank_code, @last_serial_in, @last_serial_out, @bd_budget_unit, @bd_payee_account, @bd_subject)
       ON CONFLICT (bank_code) DO UPDATE SET last_serial_in = excluded.last_serial_in, last_serial_out = excluded.last_serial_out,
       bd_budget_unit = excluded.bd_budget_unit, bd_payee_account = excluded.bd_payee_account, bd_subject = excluded.bd_subject`,
    ),
    setSerialIn: db.prepare('UPDATE bank_state SET last_serial_in = ? WHERE bank_code = ?'),
    bumpSerialOut: db.prepare(
      'UPDATE bank_state SET last_serial_out = last_serial_out + 1 WHERE bank_code = ? RETURNING last_serial_out',
    ),
    item: db.prepare('SELECT * FROM bank_items WHERE bank_code = ? AND ref_no = ?'),
    insertItem: db.prepare(
      `INSERT OR REPLACE INTO bank_items VALUES (@bank_code, @ref_no, @kind, @amount_fen, @payee_account_no, @status, @business_date,
       @received_at, @paid_at, @receipt_no, @failure_code, @failure_reason, @serial_no)`,
    ),
    markPaid: db.prepare(
      "UPDATE bank_items SET status = 'paid', paid_at = ?, receipt_no = ? WHERE bank_code = ? AND ref_no = ? AND status = 'accepted'",
    ),
    insertPayment: db.prepare(
      'INSERT INTO bank_payments (bank_code, voucher_no, amount_fen, paid_at, paid_date, receipt_no) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    payments: db.prepare(
      'SELECT voucher_no, amount_fen, paid_at, receipt_no FROM bank_payments WHERE bank_code = ? AND voucher_no = ?',
    ),
    paidOn: db.prepare(
      'SELECT voucher_no, amount_fen, paid_at, receipt_no FROM bank_payments WHERE bank_code = ? AND paid_date = ? ORDER BY id',
    ),
    countPaidOn: db.prepare('SELECT COUNT(*) AS n FROM bank_payments WHERE bank_code = ? AND paid_date = ?'),
    due: db.prepare(
      "SELECT * FROM bank_items WHERE bank_code = ? AND status = 'accepted' AND kind != 'quota_notice' ORDER BY serial_no LIMIT ?",
    ),
    reportSent: db.prepare(
      'SELECT 1 FROM bank_reports_sent WHERE bank_code = ? AND kind = ? AND report_date = ?',
    ),
    markSent: db.prepare('INSERT OR REPLACE INTO bank_reports_sent VALUES (?, ?, ?, ?)'),
    unmarkSent: db.prepare(
      'DELETE FROM bank_reports_sent WHERE bank_code = ? AND kind = ? AND report_date = ?',
    ),
    held: db.prepare('SELECT 1 FROM bank_report_holds WHERE bank_code = ? AND kind = ? AND report_date = ?'),
    hold: db.prepare('INSERT OR IGNORE INTO bank_report_holds VALUES (?, ?, ?)'),
    release: db.prepare('DELETE FROM bank_report_holds WHERE bank_code = ? AND kind = ? AND report_date = ?'),
    holds: db.prepare('SELECT kind, report_date FROM bank_report_holds WHERE bank_code = ?'),
    countByStatus: db.prepare(
      'SELECT status, COUNT(*) AS n FROM bank_items WHERE bank_code = ? GROUP BY status',
    ),
  };

  // Bumped by every change to which reports are sent or held, for the banks' close of day to notice.
  let reportMarks = 0;
  const ledger = {
    db,
    transaction<T>(fn: () => T): T {
      return db.transaction(fn)();
    },
    state: (bank: string) => st.state.get(bank) as BankState | undefined,
    putState: (state: BankState) => void st.upsertState.run(state),
    versions(bank: string): BaseDataVersions {
      const s = ledger.state(bank);
      if (!s) throw new Error(`no ledger state for bank ${bank}`);
      return { budget_unit: s.bd_budget_unit, payee_account: s.bd_payee_account, subject: s.bd_subject };
    },
    setVersion(bank: string, kind: keyof BaseDataVersions, version: number) {
      db.prepare(`UPDATE bank_state SET ${versionColumn[kind]} = ? WHERE bank_code = ?`).run(version, bank);
    },
    setLastSerialIn: (bank: string, serial: number) => void st.setSerialIn.run(serial, bank),
    nextSerialOut(bank: string): number {
      const row = st.bumpSerialOut.get(bank) as { last_serial_out: number } | undefined;
      if (!row) throw new Error(`no ledger state for bank ${bank}`);
      return row.last_serial_out;
    },
    item: (bank: string, refNo: string) => st.item.get(bank, refNo) as LedgerItem | undefined,
    insertItem: (item: LedgerItem) => void st.insertItem.run(item),
    /** Pays an accepted voucher; returns false (and pays nothing) when it is not in status accepted. */
    pay(
      bank: string,
      voucherNo: string,
      amountFen: number,
      paidAt: string,
      paidDate: string,
      receiptNo: string,
    ) {
      return ledger.transaction(() => {
        if (st.markPaid.run(paidAt, receiptNo, bank, voucherNo).changes !== 1) return false;
        st.insertPayment.run(bank, voucherNo, amountFen, paidAt, paidDate, receiptNo);
        return true;
      });
    },
    payments: (bank: string, voucherNo: string) => st.payments.all(bank, voucherNo) as Payment[],
    paidOn: (bank: string, date: string) => st.paidOn.all(bank, date) as Payment[],
    countPaidOn: (bank: string, date: string) => (st.countPaidOn.get(bank, date) as { n: number }).n,
    dueForPayment: (bank: string, limit: number) => st.due.all(bank, limit) as LedgerItem[],
    reportSent: (bank: string, kind: ReportKind, date: string) =>
      st.reportSent.get(bank, kind, date) !== undefined,
    markReportSent(bank: string, kind: ReportKind, date: string, at: string) {
      reportMarks += 1;
      st.markSent.run(bank, kind, date, at);
    },
    unmarkReportSent(bank: string, kind: ReportKind, date: string) {
      reportMarks += 1;
      st.unmarkSent.run(bank, kind, date);
    },
    isHeld: (bank: string, kind: ReportKind, date: string) => st.held.get(bank, kind, date) !== undefined,
    holdReport(bank: string, kind: ReportKind, date: string) {
      reportMarks += 1;
      st.hold.run(bank, kind, date);
    },
    releaseReport(bank: string, kind: ReportKind, date: string) {
      reportMarks += 1;
      st.release.run(bank, kind, date);
    },
    /** How many times the sent and held reports have changed since the ledger was opened. */
    reportMarks: () => reportMarks,
    holds: (bank: string) => st.holds.all(bank) as { kind: ReportKind; report_date: string }[],
    countByStatus(bank: string): Record<string, number> {
      const rows = st.countByStatus.all(bank) as { status: string; n: number }[];
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },
    close: () => db.close(),
  };
  return ledger;
}

/** The read-only questions tests and the state endpoint ask of one bank's books. */
export interface LedgerView {
  hasVoucher(voucherNo: string): boolean;
  voucher(voucherNo: string): LedgerItem | undefined;
  /** How many times the bank has paid this voucher (must never exceed 1). */
  payCount(voucherNo: string): number;
  lastSerialAccepted(): number;
  versions(): BaseDataVersions;
  countByStatus(): Record<string, number>;
}

export function ledgerView(ledger: BankLedger, bank: string): LedgerView {
  return {
    hasVoucher: (no) => ledger.item(bank, no) !== undefined,
    voucher: (no) => ledger.item(bank, no),
    payCount: (no) => ledger.payments(bank, no).length,
    lastSerialAccepted: () => ledger.state(bank)?.last_serial_in ?? 0,
    versions: () => ledger.versions(bank),
    countByStatus: () => ledger.countByStatus(bank),
  };
}
