/**
 * The catalog of data fixes (错误数据处理): each a named, parameterised repair of the treasury
 * database — the rows it looks at (a query, as data the treasury connector runs on SQLite and
 * Oracle alike), and what each row becomes. A fix names the columns it changes and never a
 * payee's account number or name; preview.ts adds the rules every fix obeys (a paid voucher's
 * amount and payee are never changed). Pure.
 */
import { z } from 'zod';
import type { Bilingual } from '../approvals/gate-types.ts';
import { uniqueList, voucherNo } from '../runbooks/input-fields.ts';
import type { FixTable, Row, Scalar } from './fix-tables.ts';

/** What a fix is told besides its parameters: its id (written into the rows it marks) and its instant. */
export interface FixContext {
  fixId: string;
  /** The change's instant, fixed when the fix is planned, so preview and change agree to the byte. */
  at: string;
}

/** The new values of the columns a row's change sets, or why the fix cannot change that row. */
export type RowChange = { set: Row } | { problem: string };

export interface DataFixDefinition<P> {
  title: Bilingual;
  table: FixTable;
  params: z.ZodType<P>;
  /** The rows the fix looks at: those whose `column` holds one of `values`. */
  query(p: P): { column: string; values: Scalar[] };
  /** Input that found nothing: each problem names its field (bad input, before anything is recorded). */
  missing(p: P, rows: readonly Row[]): string[];
  /** Why the fix as a whole cannot go on (none: it can). */
  problems?(p: P, rows: readonly Row[]): string[];
  /** What one row becomes; undefined: the fix leaves it as it is. */
  change(row: Row, p: P, rows: readonly Row[], ctx: FixContext): RowChange | undefined;
  /** The statement as approvers read it (the rows themselves are in the preview). */
  sql(p: P): string;
  /** What the fix is about, for its workflow id: a voucher, a payee account. */
  subject(p: P): string;
}

/** Voucher statuses a stuck voucher may be fixed out of, and into which. */
export const stuckTransitions = {
  sent: ['timed_out', 'accepted'],
  pending_send: ['draft'],
  timed_out: ['draft'],
  rejected: ['draft'],
} as const;
type StuckFrom = keyof typeof stuckTransitions;
const stuckFrom = Object.keys(stuckTransitions) as [StuckFrom, ...StuckFrom[]];
const stuckTo = ['timed_out', 'accepted', 'draft'] as const;

const voucherStatusParams = z
  .object({
    voucherNos: uniqueList(voucherNo, 100),
    from: z.enum(stuckFrom),
    to: z.enum(stuckTo),
  })
  .strict()
  .superRefine((p, ctx) => {
    const allowed: readonly string[] = stuckTransitions[p.from];
    if (!allowed.includes(p.to))
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `a voucher stuck in ${p.from} is fixed to ${allowed.join(' or ')}, not ${p.to}`,
      });
  });
type VoucherStatusParams = z.output<typeof voucherStatusParams>;

const setByTarget = (to: VoucherStatusParams['to'], ctx: FixContext, from: string): Row => {
  const note = `错误数据处理 ${ctx.fixId}：${from} → ${to}`;
  if (to === 'accepted')
    return { status: to, accepted_at: ctx.at, failure_code: null, failure_reason: null, updated_at: ctx.at };
  if (to === 'draft')
    return {
      status: to,
      submitted_at: null,
      sent_at: null,
      serial_no: null,
      failure_code: null,
      failure_reason: null,
      updated_at: ctx.at,
    };
  return { status: to, failure_code: null, failure_reason: note, updated_at: ctx.at };
};

/** 凭证状态卡滞: vouchers stuck in a status the bank's word (or its silence) says is wrong. */
const voucherStatus: DataFixDefinition<VoucherStatusParams> = {
  title: { zh: '凭证状态卡滞修正', en: 'Voucher stuck in a status' },
  table: 'vouchers',
  params: voucherStatusParams,
  query: (p) => ({ column: 'voucher_no', values: p.voucherNos }),
  missing: (p, rows) => {
    const found = new Set(rows.map((r) => r.voucher_no));
    return p.voucherNos.flatMap((no, i) =>
      found.has(no) ? [] : [`input.params.voucherNos[${i}]: no voucher ${no} in the treasury database`],
    );
  },
  change: (row, p, _rows, ctx) =>
    row.status === p.from
      ? { set: setByTarget(p.to, ctx, p.from) }
      : { problem: `凭证 ${String(row.voucher_no)} 当前状态为 ${String(row.status)}，不是 ${p.from}` },
  sql: (p) =>
    `UPDATE vouchers SET ${Object.keys(setByTarget(p.to, { fixId: '', at: '' }, p.from))
      .map((c) => `${c} = :${c}`)
      .join(', ')} WHERE voucher_no IN (:voucherNos) AND status = '${p.from}'`,
  subject: (p) =>
    p.voucherNos.length > 1 ? `${p.voucherNos[0]}+${p.voucherNos.length - 1}` : String(p.voucherNos[0]),
};

const payeeBankParams = z
  .object({
    payeeAccountId: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'a payee account id such as PA000012'),
    bankName: z.string().trim().min(2).max(100),
  })
  .strict();
type PayeeBankParams = z.output<typeof payeeBankParams>;

/** 收款人开户行错误: the payee's bank recorded wrongly, found before its vouchers went to the bank. */
const payeeBank: DataFixDefinition<PayeeBankParams> = {
  title: { zh: '收款人开户行更正（未发送凭证）', en: 'Wrong payee bank on unsent vouchers' },
  table: 'payee_accounts',
  params: payeeBankParams,
  query: (p) => ({ column: 'id', values: [p.payeeAccountId] }),
  missing: (p, rows) =>
    rows.length > 0 ? [] : [`input.params.payeeAccountId: no payee account ${p.payeeAccountId}`],
  change: (row, p) =>
    row.bank_name === p.bankName
      ? { problem: `收款账户 ${p.payeeAccountId} 的开户行已是 ${p.bankName}，无需修改` }
      : { set: { bank_name: p.bankName } },
  sql: (p) => `UPDATE payee_accounts SET bank_name = :bankName WHERE id = '${p.payeeAccountId}'`,
  subject: (p) => p.payeeAccountId,
};

const receiptDuplicateParams = z.object({ voucherNo }).strict();
type ReceiptDuplicateParams = z.output<typeof receiptDuplicateParams>;

/** A voucher's registered receipts, the one to keep first (registered earliest, then by number). */
const registered = (rows: readonly Row[]) =>
  rows
    .filter((r) => r.registered === 1)
    .sort(
      (a, b) =>
        String(a.registered_at).localeCompare(String(b.registered_at)) ||
        String(a.receipt_no).localeCompare(String(b.receipt_no)),
    );

/** 回单重复登记: one payment's receipt registered twice (the bank sent it again under a new number). */
const receiptDuplicate: DataFixDefinition<ReceiptDuplicateParams> = {
  title: { zh: '回单重复登记撤销', en: 'Duplicated receipt registration' },
  table: 'receipts',
  params: receiptDuplicateParams,
  query: (p) => ({ column: 'voucher_no', values: [p.voucherNo] }),
  missing: (p, rows) =>
    rows.length > 0 ? [] : [`input.params.voucherNo: no receipt of voucher ${p.voucherNo}`],
  problems: (p, rows) => {
    const done = registered(rows);
    if (done.length < 2) return [`凭证 ${p.voucherNo} 的已登记回单只有 ${done.length} 张：没有重复登记`];
    const amounts = new Set(done.map((r) => r.amount_fen));
    return amounts.size > 1 ? [`凭证 ${p.voucherNo} 的已登记回单金额不同：不是重复登记，需人工核对`] : [];
  },
  change: (row, _p, rows, ctx) => {
    const [keep] = registered(rows);
    if (row.registered !== 1 || !keep || row.receipt_no === keep.receipt_no) return undefined;
    return {
      set: {
        registered: 0,
        registered_at: null,
        register_error: `重复登记，保留回单 ${String(keep.receipt_no)}（错误数据处理 ${ctx.fixId}）`,
      },
    };
  },
  sql: () =>
    'UPDATE receipts SET registered = 0, registered_at = NULL, register_error = :note WHERE receipt_no IN (:duplicates)',
  subject: (p) => p.voucherNo,
};

export const dataFixes = {
  'voucher-status': voucherStatus,
  'payee-bank': payeeBank,
  'receipt-duplicate': receiptDuplicate,
} as const;

export type DataFixName = keyof typeof dataFixes;
export const dataFixNames = Object.keys(dataFixes) as [DataFixName, ...DataFixName[]];

/** The fix by name, with its parameters' type erased: its own schema checks them before use. */
export function dataFix(name: DataFixName): DataFixDefinition<unknown> {
  return dataFixes[name] as DataFixDefinition<unknown>;
}
