/**
 * A data fix's preview: every row it changes, before and after — as a person may see them
 * (personal columns masked) and as digests of the full rows, which the change compares with what
 * it finds (compare-and-set) and the verification and the undo compare with afterwards. Also the
 * rules every fix obeys whatever it is: it never changes a payee's account number or name, nor
 * the amount or payee of a paid voucher — refused with the reason, before anyone approves. Pure.
 */
import { planDigest } from '../approvals/decision.ts';
import type { RowNow } from '../row-changes.ts';
import { dataFix, type DataFixName, type FixContext } from './fixes.ts';
import { fixTables, isPersonal, rowDigest, rowKey, shownRow, type FixTable, type Row } from './fix-tables.ts';

/** A voucher that pays to a payee account a fix would change (from the live table or its history). */
export interface PayeeVoucher {
  voucherNo: string;
  payeeAccountId: string;
  status: string;
}

/** One row a fix changes. */
export interface PreviewRow {
  key: string;
  /** The whole row as it is, personal columns masked. */
  before: Row;
  /** The columns the fix changes, with their new values (none is personal). */
  after: Row;
  beforeDigest: string;
  afterDigest: string;
}

export interface FixPreview {
  fix: DataFixName;
  table: FixTable;
  rows: PreviewRow[];
  /** Why the fix cannot go on as asked (none: it can). */
  problems: string[];
  /** Rows looked at and left as they are. */
  untouched: number;
}

/** Statuses in which the bank holds a voucher: its payee is no longer finance's to change. */
const atTheBank = new Set(['sent', 'accepted']);
/** Statuses in which money has moved. */
const settled = new Set(['paid', 'refunded']);
/** Voucher columns that say how much and to whom. */
const moneyColumns = ['amount_fen', 'payee_account_id'];

/** What the fix would do to `rows` (as read), or why it cannot. */
export function previewFix(
  name: DataFixName,
  params: unknown,
  rows: readonly Row[],
  payeeVouchers: readonly PayeeVoucher[],
  ctx: FixContext,
): FixPreview {
  const fix = dataFix(name);
  const table = fix.table;
  const problems = [...(fix.problems?.(params, rows) ?? [])];
  const changed: PreviewRow[] = [];
  for (const row of rows) {
    const change = fix.change(row, params, rows, ctx);
    if (!change) continue;
    if ('problem' in change) {
      problems.push(change.problem);
      continue;
    }
    problems.push(...guardProblems(table, row, change.set, payeeVouchers));
    const after = { ...row, ...change.set };
    changed.push({
      key: rowKey(table, row),
      before: shownRow(table, row),
      after: shownRow(table, change.set),
      beforeDigest: rowDigest(table, row),
      afterDigest: rowDigest(table, after),
    });
  }
  if (changed.length === 0 && problems.length === 0) problems.push('没有需要修改的行');
  return { fix: name, table, rows: changed, problems, untouched: rows.length - changed.length };
}

/** The rules every fix obeys, for one row's change. */
function guardProblems(
  table: FixTable,
  row: Row,
  set: Row,
  payeeVouchers: readonly PayeeVoucher[],
): string[] {
  const key = rowKey(table, row);
  const columns = Object.keys(set);
  const personal = columns.filter((c) => isPersonal(table, c));
  if (personal.length > 0) return [`${key}：错误数据处理不修改收款人账号或户名（${personal.join('、')}）`];
  if (
    table === 'vouchers' &&
    settled.has(String(row.status)) &&
    columns.some((c) => moneyColumns.includes(c))
  )
    return [`凭证 ${key} 已支付（${String(row.status)}）：错误数据处理不改变已支付凭证的金额或收款人`];
  if (table !== 'payee_accounts') return [];
  const paying = payeeVouchers.filter((v) => v.payeeAccountId === key);
  const paid = paying.filter((v) => settled.has(v.status)).map((v) => v.voucherNo);
  const sent = paying.filter((v) => atTheBank.has(v.status)).map((v) => `${v.voucherNo}（${v.status}）`);
  return [
    ...(paid.length > 0
      ? [`收款账户 ${key} 是已支付凭证 ${listed(paid)} 的收款人：错误数据处理不改变已支付凭证的收款人`]
      : []),
    ...(sent.length > 0
      ? [`收款账户 ${key} 的凭证 ${listed(sent)} 已发往银行：银行按原收款信息处理，不能在财政端更正`]
      : []),
  ];
}

const listed = (items: string[]) =>
  items.length > 5 ? `${items.slice(0, 5).join('、')} 等 ${items.length} 笔` : items.join('、');

/** The part of a row change the change itself is bound by: its key and both digests. */
export type BoundRow = Pick<PreviewRow, 'key' | 'beforeDigest' | 'afterDigest'>;

/** The digest of the rows a change is bound to, as the plan's command carries it. */
export function previewDigest(rows: readonly BoundRow[]): string {
  return planDigest(rows.map((r) => [r.key, r.beforeDigest, r.afterDigest]));
}

/** The statement as the plan shows it and the change declares it: the fix's SQL, bound to its rows. */
export function fixCommand(
  name: DataFixName,
  params: unknown,
  fixId: string,
  rows: readonly BoundRow[],
): string {
  return `${dataFix(name).sql(params)} /* ${fixId}：${rows.length} 行，预览 ${previewDigest(rows).slice(0, 16)} */`;
}

/** The statement that undoes a fix, as the undo's plan shows it and its change declares it. */
export function undoCommand(fixId: string, table: FixTable, rows: readonly BoundRow[]): string {
  return `UPDATE ${table} SET <修改前的值> WHERE ${fixTables[table].key} IN (:rows) /* 撤销 ${fixId}：${rows.length} 行，预览 ${previewDigest(rows).slice(0, 16)} */`;
}

/** Each key's row as it is now, from the rows read. */
export function rowsNow(table: FixTable, keys: readonly string[], rows: readonly Row[]): RowNow[] {
  const byKey = new Map(rows.map((row) => [rowKey(table, row), row]));
  return keys.map((key) => {
    const row = byKey.get(key);
    return row ? { key, digest: rowDigest(table, row), row: shownRow(table, row) } : { key, digest: null };
  });
}
