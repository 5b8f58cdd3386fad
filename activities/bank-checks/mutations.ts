/**
 * The finance-side changes the bank checks may make, each as the exact SQL an approver reads in
 * the plan and the same statements run in one transaction. Every statement is guarded by the
 * state it expects: a retry after the commit finds the target state and changes nothing; a
 * record that moved under the run fails it with UnexpectedState, and the transaction rolls back.
 * A resend has no target state of its own (the program sends the request again and the bank
 * answers it): it is guarded by the send it replaces, and a record sent since is its repeat.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import { sqlCommand } from '../../domain/bank-checks/finance-plan.ts';
import type { FinanceMutation, MutationResult } from '../../domain/bank-checks/types.ts';
import { ErrorKind } from '../../domain/errors.ts';
import { requiresProof, sqlAction } from '../proof-actions.ts';
import { requireBank } from '../site-lookup.ts';
import type { BankCheckDeps } from './deps.ts';

type Db = Kysely<TreasuryDatabase>;
type Statement = Compilable & { execute(): Promise<unknown> };

/** Stands in for the execution instant in the plan's SQL text. */
const EXECUTED_AT = '{{executed_at}}';

/** The guarded statements of one mutation, in order, with `at` as the execution instant. */
function statements(db: Db, bank: string, m: FinanceMutation, at: string): Statement[] {
  const voucher = (voucherNo: string) =>
    db.updateTable('vouchers').where('voucher_no', '=', voucherNo).where('bank_code', '=', bank);
  // A void or a refund request the bank has not answered yet (finance sent it).
  const sentVoid = (voucherNo: string) =>
    db
      .updateTable('voucher_voids')
      .where('voucher_no', '=', voucherNo)
      .where('bank_code', '=', bank)
      .where('status', '=', 'sent');
  const refund = (refundNo: string) =>
    db.updateTable('refunds').where('refund_no', '=', refundNo).where('bank_code', '=', bank);
  const sentRefund = (refundNo: string) => refund(refundNo).where('status', '=', 'sent');
  const requeue = { status: 'pending_send', sent_at: null } as const;
  const sentAtOp = (sentAt: string | null) => (sentAt === null ? 'is' : '=');
  switch (m.kind) {
    case 'register-receipt':
      return [
        db
          .updateTable('receipts')
          .set({ registered: 1, registered_at: at, register_error: null })
          .where('receipt_no', '=', m.receiptNo)
          .where('bank_code', '=', bank)
          .where('voucher_no', '=', m.voucherNo)
          .where('registered', '=', 0),
        ...(m.markPaid
          ? [
              voucher(m.voucherNo)
                .set({ status: 'paid', paid_at: m.paidAt, updated_at: at })
                .where('status', 'in', ['sent', 'accepted']),
            ]
          : []),
      ];
    case 'record-receipt':
      return [
        db.insertInto('receipts').values({
          receipt_no: m.receiptNo,
          bank_code: bank,
          voucher_no: m.voucherNo,
          amount_fen: m.amountFen,
          paid_date: m.paidDate,
          received_at: at,
          registered: 1,
          registered_at: at,
          register_error: null,
        }),
        voucher(m.voucherNo)
          .set({ status: 'paid', paid_at: m.paidAt, updated_at: at })
          .where('status', 'in', ['sent', 'accepted'])
          .where('amount_fen', '=', m.amountFen),
      ];
    case 'confirm-void':
      return [
        sentVoid(m.voucherNo).set({
          status: 'confirmed',
          answered_at: at,
          answer_reason: `银行确认已作废（银行作废时间 ${m.bankAt}）`,
        }),
        voucher(m.voucherNo)
          .set({ status: 'voided', updated_at: at })
          .where('status', 'in', ['sent', 'accepted']),
      ];
    case 'refuse-void':
      return [sentVoid(m.voucherNo).set({ status: 'refused', answered_at: at, answer_reason: m.bankReason })];
    case 'resend-void':
      return [sentVoid(m.voucherNo).set(requeue).where('sent_at', sentAtOp(m.sentAt), m.sentAt)];
    case 'confirm-refund':
      return [
        refund(m.refundNo)
          .set({
            status: 'matched',
            notified_at: at,
            refund_date: m.refundDate,
            matched_at: at,
            match_error: null,
          })
          .where('voucher_no', '=', m.voucherNo)
          .where('status', '=', 'sent'),
        voucher(m.voucherNo).set({ status: 'refunded', updated_at: at }).where('status', '=', 'paid'),
      ];
    case 'match-refund':
      return [
        refund(m.refundNo)
          .set({
            voucher_no: m.voucherNo,
            status: 'matched',
            refund_date: m.refundDate,
            matched_at: at,
            match_error: null,
          })
          .where('status', '=', 'unmatched'),
        voucher(m.voucherNo).set({ status: 'refunded', updated_at: at }).where('status', '=', 'paid'),
      ];
    case 'refuse-refund':
      return [sentRefund(m.refundNo).set({ status: 'refused', notified_at: at, match_error: m.bankReason })];
    case 'resend-refund':
      return [sentRefund(m.refundNo).set(requeue).where('sent_at', sentAtOp(m.sentAt), m.sentAt)];
  }
}

/** The rows a mutation touches, as they stand: its before and after in the audit trail. */
async function snapshot(db: Db, bank: string, m: FinanceMutation): Promise<Record<string, unknown>> {
  const voucherNo = 'voucherNo' in m ? m.voucherNo : undefined;
  const voucher = voucherNo
    ? await db
        .selectFrom('vouchers')
        .select(['status', 'paid_at'])
        .where('voucher_no', '=', voucherNo)
        .where('bank_code', '=', bank)
        .executeTakeFirst()
    : undefined;
  const own =
    m.kind === 'register-receipt' || m.kind === 'record-receipt'
      ? await db
          .selectFrom('receipts')
          .select(['registered', 'register_error'])
          .where('receipt_no', '=', m.receiptNo)
          .where('bank_code', '=', bank)
          .executeTakeFirst()
      : m.kind.endsWith('-void')
        ? await db
            .selectFrom('voucher_voids')
            .select(['status', 'answer_reason', 'sent_at'])
            .where('voucher_no', '=', voucherNo ?? '')
            .where('bank_code', '=', bank)
            .executeTakeFirst()
        : await db
            .selectFrom('refunds')
            .select(['status', 'voucher_no', 'match_error', 'sent_at'])
            .where('refund_no', '=', 'refundNo' in m ? m.refundNo : '')
            .where('bank_code', '=', bank)
            .executeTakeFirst();
  return { record: own ?? null, ...(voucherNo && { voucher: voucher ?? null }) };
}

/** Whether the records already stand where the mutation would put them (a retry after its commit). */
function reached(m: FinanceMutation, s: Record<string, unknown>): boolean {
  const record = s.record as Record<string, unknown> | null;
  const voucher = s.voucher as { status: string } | null | undefined;
  switch (m.kind) {
    case 'register-receipt':
      return record?.registered === 1 && (!m.markPaid || voucher?.status === 'paid');
    case 'record-receipt':
      return record?.registered === 1 && voucher?.status === 'paid';
    case 'confirm-void':
      return record?.status === 'confirmed' && voucher?.status === 'voided';
    case 'refuse-void':
      return record?.status === 'refused';
    case 'resend-void':
    case 'resend-refund':
      // Requeued, or sent again since the plan: by this mutation, as the run holds the bank's lock.
      return record !== null && (record.status === 'pending_send' || record.sent_at !== m.sentAt);
    case 'confirm-refund':
    case 'match-refund':
      return (
        record?.status === 'matched' && record.voucher_no === m.voucherNo && voucher?.status === 'refunded'
      );
    case 'refuse-refund':
      return record?.status === 'refused';
  }
}

/** A compiled statement with its parameters written in as SQL literals. */
export function inlineSql(compiled: CompiledQuery): string {
  const literal = (v: unknown): string =>
    v === null || v === undefined
      ? 'NULL'
      : typeof v === 'number' || typeof v === 'bigint'
        ? String(v)
        : typeof v === 'boolean'
          ? v
            ? '1'
            : '0'
          : `'${String(v).replaceAll("'", "''")}'`;
  const params = compiled.parameters;
  let i = 0;
  // SQLite numbers placeholders `?`, Oracle `:1`, `:2`…; both become literals, in order.
  const text = compiled.sql.replace(/\?|:(\d+)\b/g, (token, n: string | undefined) =>
    literal(n === undefined ? params[i++] : params[Number(n) - 1]),
  );
  return text.replaceAll(`'${EXECUTED_AT}'`, ':executed_at');
}

export function createMutationActivities({ db, site, now = () => new Date() }: BankCheckDeps) {
  return {
    /** The SQL each mutation will run, as the plan shows it (`:executed_at` for the instant). */
    async describeMutations({
      bank,
      mutations,
    }: {
      bank: string;
      mutations: FinanceMutation[];
    }): Promise<string[][]> {
      requireBank(site, bank);
      return mutations.map((m) => statements(db, bank, m, EXECUTED_AT).map((s) => inlineSql(s.compile())));
    },

    /** Applies one mutation in one transaction; see the module header for the guards. */
    applyMutation: requiresProof(
      ({ bank, mutation }: { bank: string; mutation: FinanceMutation }) => [
        sqlAction(sqlCommand(statements(db, bank, mutation, EXECUTED_AT).map((s) => inlineSql(s.compile())))),
      ],
      async ({ bank, mutation }): Promise<MutationResult> => {
        requireBank(site, bank);
        const at = now().toISOString();
        return db.transaction().execute(async (trx) => {
          const before = await snapshot(trx, bank, mutation);
          if (reached(mutation, before)) {
            return { statements: [], rows: [], alreadyDone: true, before, after: before };
          }
          if (mutation.kind === 'record-receipt' && before.record !== null)
            throw ApplicationFailure.create({
              type: ErrorKind.UnexpectedState,
              nonRetryable: true,
              message: `record-receipt: receipt ${mutation.receiptNo} reached finance since the plan; register it instead`,
              details: [{ mutation, before }],
            });
          const list = statements(trx, bank, mutation, at);
          const rows: number[] = [];
          for (const s of list) {
            type Changed = { numUpdatedRows?: bigint; numInsertedOrUpdatedRows?: bigint };
            const result = (await s.execute()) as Changed[] | Changed;
            const one = Array.isArray(result) ? result[0] : result;
            const n = Number(one?.numUpdatedRows ?? one?.numInsertedOrUpdatedRows ?? 0);
            rows.push(n);
            if (n !== 1) {
              throw ApplicationFailure.create({
                type: ErrorKind.UnexpectedState,
                nonRetryable: true,
                message: `${mutation.kind}: a guarded statement changed ${n} rows instead of 1; the records moved since the plan`,
                details: [{ mutation, before, statement: inlineSql(s.compile()) }],
              });
            }
          }
          const after = await snapshot(trx, bank, mutation);
          return {
            statements: list.map((s) => inlineSql(s.compile())),
            rows,
            alreadyDone: false,
            before,
            after,
          };
        });
      },
    ),
  };
}
