/**
 * The treasury tables a data fix may touch, as the fixes read them: each table's key, the columns a
 * row is compared and digested by (in this order), and the columns that hold personal data — a
 * payee's account number and name — which are shown masked and which no fix ever changes. A row's
 * digest covers every listed column, so a row that moved in any of them no longer matches what a
 * preview saw. Pure: workflows, activities and the inbox share it.
 */
import { planDigest } from '../approvals/decision.ts';
import { maskAccount, maskName } from '../display.ts';

export type Scalar = string | number | null;
/** One row as read: each listed column's value. */
export type Row = Record<string, Scalar>;

interface TableShape {
  key: string;
  columns: readonly string[];
  /** Personal columns and how each is masked when shown. */
  personal: Readonly<Record<string, 'account' | 'name'>>;
}

export const fixTables = {
  vouchers: {
    key: 'voucher_no',
    columns: [
      'voucher_no',
      'fiscal_year',
      'bank_code',
      'pay_type',
      'amount_fen',
      'payee_account_id',
      'budget_unit_code',
      'subject_code',
      'status',
      'business_date',
      'submitted_at',
      'sent_at',
      'accepted_at',
      'paid_at',
      'serial_no',
      'failure_code',
      'failure_reason',
      'updated_at',
    ],
    personal: {},
  },
  payee_accounts: {
    key: 'id',
    columns: ['id', 'account_no', 'account_name', 'bank_name', 'version'],
    personal: { account_no: 'account', account_name: 'name' },
  },
  receipts: {
    key: 'receipt_no',
    columns: [
      'receipt_no',
      'bank_code',
      'voucher_no',
      'amount_fen',
      'paid_date',
      'received_at',
      'registered',
      'registered_at',
      'register_error',
    ],
    personal: {},
  },
} as const satisfies Record<string, TableShape>;

export type FixTable = keyof typeof fixTables;
export const fixTableNames = Object.keys(fixTables) as FixTable[];

/** The row with exactly the table's columns, numbers as numbers (drivers may hand back bigints). */
export function rowOf(table: FixTable, raw: Record<string, unknown>): Row {
  const row: Row = {};
  for (const column of fixTables[table].columns) {
    const v = raw[column];
    row[column] = typeof v === 'bigint' ? Number(v) : v === undefined ? null : (v as Scalar);
  }
  return row;
}

/** The SHA-256 of the row's values, column by column: equal rows, equal digests. */
export function rowDigest(table: FixTable, row: Row): string {
  return planDigest([table, ...fixTables[table].columns.map((c) => row[c] ?? null)]);
}

export function rowKey(table: FixTable, row: Row): string {
  return String(row[fixTables[table].key]);
}

export function isPersonal(table: FixTable, column: string): boolean {
  return column in fixTables[table].personal;
}

/** The row as a person may see it: personal columns masked (`****1234`, `张**`). */
export function shownRow(table: FixTable, row: Row): Row {
  const personal: Readonly<Record<string, 'account' | 'name'>> = fixTables[table].personal;
  return Object.fromEntries(
    Object.entries(row).map(([column, value]) => {
      const mask = personal[column];
      if (!mask || value === null) return [column, value];
      return [column, mask === 'account' ? maskAccount(String(value)) : maskName(String(value))];
    }),
  );
}
