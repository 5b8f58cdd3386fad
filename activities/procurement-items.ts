/**
 * Procurement confirmation activities (db zone): the confirmations (确认书) the payment system's
 * push job left failed in `procurement_confirmations`, and — on an approval proof naming each
 * page (domain/runbooks/procurement-push-retry.plan.ts) — setting them to be pushed again by the
 * job. A page changes only rows still failed: run again after a retry or a crash, it finds its rows
 * pending or pushed and changes nothing twice; the cloud takes each confirmation number once.
 * Also the ledger the payment check compares: the contracts and the payments against them, each
 * with its voucher (read only; supplier names masked).
 */
import type { TreasuryDb } from '../connectors/treasury/database.ts';
import { maskName } from '../domain/display.ts';
import type { ProcurementLedger } from '../domain/runbooks/procurement-payment-check.types.ts';
import { retryStatement } from '../domain/runbooks/procurement-push-retry.plan.ts';
import type { ConfirmationRow } from '../domain/runbooks/procurement-push-retry.types.ts';
import { requiresProof, sqlAction } from './proof-actions.ts';

export function createProcurementItemActivities({ db }: { db: TreasuryDb }) {
  return {
    /** The failed confirmations, oldest first, at most `max`, and how many more there are. */
    async failedConfirmations({ max }: { max: number }): Promise<{ rows: ConfirmationRow[]; more: number }> {
      const rows = await db
        .selectFrom('procurement_confirmations')
        .select([
          'confirmation_no',
          'contract_no',
          'voucher_no',
          'amount_fen',
          'last_error',
          'attempts',
          'updated_at',
        ])
        .where('status', '=', 'failed')
        .orderBy('updated_at')
        .orderBy('confirmation_no')
        .execute();
      return {
        rows: rows.slice(0, max).map((r) => ({
          confirmationNo: r.confirmation_no,
          contractNo: r.contract_no,
          voucherNo: r.voucher_no,
          amountFen: Number(r.amount_fen),
          lastError: r.last_error,
          attempts: r.attempts,
          updatedAt: r.updated_at,
        })),
        more: Math.max(0, rows.length - max),
      };
    },

    /** Sets one page of failed confirmations to be pushed again; rows no longer failed are left be and counted as done. */
    retryConfirmations: requiresProof(
      (page: { confirmationNos: string[] }) => [sqlAction(retryStatement(page.confirmationNos))],
      async (page): Promise<{ retried: number; alreadyDone: number }> => {
        const result = await db
          .updateTable('procurement_confirmations')
          .set({ status: 'pending', attempts: 0, updated_at: new Date().toISOString() })
          .where('status', '=', 'failed')
          .where('confirmation_no', 'in', page.confirmationNos)
          .executeTakeFirst();
        const retried = Number(result.numUpdatedRows);
        return { retried, alreadyDone: page.confirmationNos.length - retried };
      },
    ),

    /** Each confirmation's status and last error now, by number. */
    async confirmationStates({
      confirmationNos,
    }: {
      confirmationNos: string[];
    }): Promise<Record<string, { status: string; lastError: string | null }>> {
      if (confirmationNos.length === 0) return {};
      const rows = await db
        .selectFrom('procurement_confirmations')
        .select(['confirmation_no', 'status', 'last_error'])
        .where('confirmation_no', 'in', confirmationNos)
        .execute();
      return Object.fromEntries(
        rows.map((r) => [r.confirmation_no, { status: r.status, lastError: r.last_error }]),
      );
    },

    /** The contracts (all, or `contractNos`) and the payments against them with their vouchers, at most `max` payments. */
    async procurementLedger({
      contractNos,
      max,
    }: {
      contractNos?: string[];
      max: number;
    }): Promise<ProcurementLedger> {
      const contracts = await db
        .selectFrom('procurement_contracts')
        .selectAll()
        .$if(contractNos !== undefined, (q) => q.where('contract_no', 'in', contractNos as string[]))
        .orderBy('contract_no')
        .execute();
      const payments = await db
        .selectFrom('procurement_confirmations as c')
        .leftJoin('vouchers as v', 'v.voucher_no', 'c.voucher_no')
        .select([
          'c.confirmation_no',
          'c.contract_no',
          'c.voucher_no',
          'c.amount_fen',
          'c.status',
          'c.last_error',
          'v.amount_fen as voucher_fen',
          'v.status as voucher_status',
        ])
        .$if(contractNos !== undefined, (q) => q.where('c.contract_no', 'in', contractNos as string[]))
        .orderBy('c.contract_no')
        .orderBy('c.confirmation_no')
        .limit(max)
        .execute();
      const total = await db
        .selectFrom('procurement_confirmations')
        .select(({ fn }) => fn.countAll<number>().as('n'))
        .$if(contractNos !== undefined, (q) => q.where('contract_no', 'in', contractNos as string[]))
        .executeTakeFirstOrThrow();
      return {
        contracts: contracts.map((c) => ({
          contractNo: c.contract_no,
          supplier: maskName(c.supplier_name),
          budgetUnitCode: c.budget_unit_code,
          amountFen: Number(c.amount_fen),
          fiscalYear: c.fiscal_year,
        })),
        payments: payments.map((p) => ({
          confirmationNo: p.confirmation_no,
          contractNo: p.contract_no,
          confirmationFen: Number(p.amount_fen),
          pushStatus: p.status,
          lastError: p.last_error,
          voucherNo: p.voucher_no,
          ...(p.voucher_status !== null &&
            p.voucher_fen !== null && {
              voucher: { amountFen: Number(p.voucher_fen), status: p.voucher_status },
            }),
        })),
        morePayments: Math.max(0, Number(total.n) - max),
      };
    },
  };
}
