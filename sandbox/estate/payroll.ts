/**
 * Unified payroll (工资统发) in the payment system: the payroll office submits a month's batch
 * (`payroll_batches`, `payroll_lines`); the payroll job takes it into processing and raises one
 * direct-payment voucher per line to the payroll bank through the ordinary voucher flow (the
 * send/receive program, the bank), then follows each line's voucher: paid → the line paid,
 * rejected by the bank → the line failed with the bank's reason (a malformed payee account), and
 * back to paid if a repaired voucher is paid later. A line without the payee bank's code (联行号)
 * cannot become a voucher and fails at once. A batch whose lines are all paid or failed is
 * completed. A stalled batch (fault) stops raising vouchers part-way. Payee names and accounts are
 * never logged: lines are named by batch and number.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import { retryWhenBusy } from './busy-retry.ts';
import { insertVouchers, knownBaseData, voucherStates } from './issue-vouchers.ts';
import { personName } from './people.ts';

export interface PayrollSubmission {
  /** Lines in the batch (default 12). */
  lines?: number;
  /** YYYY-MM (default the business date's month). */
  month?: string;
  /** Lines whose payee account the bank will refuse, and lines without the payee bank's code. */
  badAccounts?: number;
  missingBankCodes?: number;
  /** Fault: the batch stalls once this many lines have vouchers. */
  stallAfter?: number;
}

export type Payroll = ReturnType<typeof createPayroll>;

/** The salary subject (行政运行) when the treasury has it. */
const salarySubject = '2010101';

export function createPayroll(deps: {
  treasury: Kysely<TreasuryDatabase>;
  /** The payroll subsystem's bank (site: payroll.bank). */
  bank: string;
  now: () => Date;
  today: () => string;
  log?: Logger;
}) {
  const { treasury, bank } = deps;
  /** Batches held part-way: raise no voucher beyond this many lines. */
  const stalls = new Map<string, number>();

  async function submit(input: PayrollSubmission = {}) {
    const month = input.month ?? deps.today().slice(0, 7);
    const count = input.lines ?? 12;
    const bad = input.badAccounts ?? 0;
    const missing = input.missingBankCodes ?? 0;
    const at = deps.now().toISOString();
    return retryWhenBusy(() =>
      treasury.transaction().execute(async (trx) => {
        const { unit } = await knownBaseData(trx, salarySubject);
        const prefix = `GZ${month.replace('-', '')}${bank}`;
        const earlier = await trx
          .selectFrom('payroll_batches')
          .select(({ fn }) => fn.countAll<number>().as('n'))
          .where('batch_no', 'like', `${prefix}%`)
          .executeTakeFirstOrThrow();
        const batchNo = `${prefix}${String(Number(earlier.n) + 1).padStart(2, '0')}`;
        // The defective lines are the last ones: bad accounts, then missing bank codes.
        const lines = Array.from({ length: count }, (_, i) => {
          const lineNo = i + 1;
          const defect =
            lineNo > count - missing ? 'bank-code' : lineNo > count - missing - bad ? 'account' : undefined;
          const digits = String(
            6_222_020_000_000_000_000n + BigInt(Number(earlier.n) * 10_000 + lineNo) * 7919n,
          );
          return {
            batch_no: batchNo,
            line_no: lineNo,
            payee_name: personName(lineNo + Number(earlier.n) * 31),
            // A transcription slip the bank's format check refuses: a letter O for a zero, spaces.
            account_no:
              defect === 'account'
                ? `${digits.slice(0, 4)} ${digits.slice(4, 8)}O${digits.slice(9)}`
                : digits,
            bank_no: defect === 'bank-code' ? null : `102${String(331_000_000 + lineNo).padStart(9, '0')}`,
            amount_fen: 450_000 + ((lineNo * 104_729) % 750_000),
            voucher_no: null,
            status: 'pending' as const,
            failure_reason: null,
          };
        });
        await trx
          .insertInto('payroll_batches')
          .values({
            batch_no: batchNo,
            month,
            bank_code: bank,
            budget_unit_code: unit,
            line_count: lines.length,
            total_fen: lines.reduce((n, l) => n + l.amount_fen, 0),
            status: 'submitted',
            submitted_at: at,
            updated_at: at,
          })
          .execute();
        if (lines.length > 0) await trx.insertInto('payroll_lines').values(lines).execute();
        // Before the commit: the job cannot see the batch before it is held.
        if (input.stallAfter !== undefined) stalls.set(batchNo, input.stallAfter);
        deps.log?.info({ batchNo, lines: lines.length }, 'payroll batch submitted');
        return {
          batchNo,
          lines: lines.length,
          badAccountLines: lines.filter((l) => /\D/.test(l.account_no)).map((l) => l.line_no),
          missingBankCodeLines: lines.filter((l) => l.bank_no === null).map((l) => l.line_no),
        };
      }),
    );
  }

  async function raise(batch: { batch_no: string; budget_unit_code: string }, at: string): Promise<void> {
    const stallAfter = stalls.get(batch.batch_no);
    await retryWhenBusy(() =>
      treasury.transaction().execute(async (trx) => {
        const issued = await trx
          .selectFrom('payroll_lines')
          .select(({ fn }) => fn.countAll<number>().as('n'))
          .where('batch_no', '=', batch.batch_no)
          .where('voucher_no', 'is not', null)
          .executeTakeFirstOrThrow();
        const room = stallAfter === undefined ? 500 : stallAfter - Number(issued.n);
        if (room <= 0) return;
        const pending = await trx
          .selectFrom('payroll_lines')
          .selectAll()
          .where('batch_no', '=', batch.batch_no)
          .where('status', '=', 'pending')
          .orderBy('line_no')
          .limit(room)
          .execute();
        const { subject } = await knownBaseData(trx, salarySubject);
        for (const line of pending) {
          if (!line.bank_no) {
            await trx
              .updateTable('payroll_lines')
              .set({ status: 'failed', failure_reason: '缺少收款行行号（联行号），无法生成支付凭证' })
              .where('batch_no', '=', line.batch_no)
              .where('line_no', '=', line.line_no)
              .execute();
            continue;
          }
          const voucherNo = `${line.batch_no}${String(line.line_no).padStart(4, '0')}`;
          await insertVouchers(
            trx,
            [
              {
                voucherNo,
                bank,
                amountFen: Number(line.amount_fen),
                payee: {
                  id: `PY${voucherNo}`,
                  accountNo: line.account_no,
                  accountName: line.payee_name,
                  bankName: '中国工商银行县支行',
                },
                budgetUnitCode: batch.budget_unit_code,
                subjectCode: subject,
                businessDate: deps.today(),
              },
            ],
            at,
          );
          await trx
            .updateTable('payroll_lines')
            .set({ status: 'issued', voucher_no: voucherNo })
            .where('batch_no', '=', line.batch_no)
            .where('line_no', '=', line.line_no)
            .where('status', '=', 'pending')
            .execute();
        }
      }),
    );
  }

  /** Lines follow their vouchers: paid, or failed with the bank's reason (and paid after a repair). */
  async function follow(batchNo: string): Promise<void> {
    const lines = await treasury
      .selectFrom('payroll_lines')
      .select(['line_no', 'voucher_no', 'status'])
      .where('batch_no', '=', batchNo)
      .where('status', 'in', ['issued', 'failed'])
      .where('voucher_no', 'is not', null)
      .execute();
    const states = await voucherStates(
      treasury,
      lines.map((l) => l.voucher_no as string),
    );
    for (const line of lines) {
      const v = states.get(line.voucher_no as string);
      const next =
        v?.status === 'paid'
          ? { status: 'paid' as const, failure_reason: null }
          : v?.status === 'rejected'
            ? { status: 'failed' as const, failure_reason: `银行拒绝：${v.failure_reason ?? '未说明原因'}` }
            : undefined;
      if (!next || next.status === line.status) continue;
      await treasury
        .updateTable('payroll_lines')
        .set(next)
        .where('batch_no', '=', batchNo)
        .where('line_no', '=', line.line_no)
        .execute();
      if (next.status === 'failed') deps.log?.warn({ batchNo, lineNo: line.line_no }, 'payroll line failed');
    }
  }

  /** One round of the payroll job. */
  async function step(): Promise<void> {
    const at = deps.now().toISOString();
    const batches = await treasury
      .selectFrom('payroll_batches')
      .select(['batch_no', 'budget_unit_code', 'status'])
      .where('status', 'in', ['submitted', 'processing', 'completed'])
      .execute();
    for (const batch of batches) {
      if (batch.status === 'submitted')
        await treasury
          .updateTable('payroll_batches')
          .set({ status: 'processing', updated_at: at })
          .where('batch_no', '=', batch.batch_no)
          .execute();
      if (batch.status !== 'completed') await raise(batch, at);
      await follow(batch.batch_no);
      const open = await treasury
        .selectFrom('payroll_lines')
        .select('line_no')
        .where('batch_no', '=', batch.batch_no)
        .where('status', 'in', ['pending', 'issued'])
        .executeTakeFirst();
      if (!open && batch.status !== 'completed') {
        await treasury
          .updateTable('payroll_batches')
          .set({ status: 'completed', updated_at: at })
          .where('batch_no', '=', batch.batch_no)
          .execute();
        deps.log?.info({ batchNo: batch.batch_no }, 'payroll batch completed');
      }
    }
  }

  return {
    bank,
    submit,
    step,
    /** Fault: the batch raises no voucher beyond `afterLines` lines until resumed. */
    stall: (batchNo: string, afterLines: number) => void stalls.set(batchNo, afterLines),
    resume: (batchNo: string) => void stalls.delete(batchNo),
    stalled: () => [...stalls.keys()],
  };
}
