/**
 * The finance-side records the receipt, void and refund checks look at (db zone): unregistered
 * receipts with the vouchers they may belong to, void requests and refunds still open, and
 * vouchers by number. Payee names and accounts leave this module masked.
 */
import type { Kysely } from 'kysely';
import { firstRows } from '../../connectors/treasury/portable.ts';
import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import type { VoucherSnapshot } from '../../domain/bank-checks/types.ts';
import { maskAccount, maskName } from '../../domain/display.ts';
import type { UnregisteredReceipt } from '../../domain/runbooks/receipt-registration-repair.types.ts';
import type { ProvenReceipt } from '../../domain/runbooks/bank-reconciliation.types.ts';
import type { OpenRefund } from '../../domain/runbooks/refund-tracking.types.ts';
import type { OpenVoid } from '../../domain/runbooks/void-status-check.types.ts';
import { requireBank } from '../site-lookup.ts';
import { endOfDay, type BankCheckDeps } from './deps.ts';

type Db = Kysely<TreasuryDatabase>;

function voucherQuery(db: Db, bank: string) {
  return db
    .selectFrom('vouchers as v')
    .leftJoin('payee_accounts as p', 'p.id', 'v.payee_account_id')
    .select([
      'v.voucher_no',
      'v.bank_code',
      'v.amount_fen',
      'v.business_date',
      'v.status',
      'v.paid_at',
      'p.account_no',
      'p.account_name',
      (eb) =>
        eb
          .selectFrom('receipts as r')
          .select((x) => x.fn.min('r.receipt_no').as('receipt_no'))
          .whereRef('r.voucher_no', '=', 'v.voucher_no')
          .whereRef('r.bank_code', '=', 'v.bank_code')
          .where('r.registered', '=', 1)
          .as('registered_receipt'),
    ])
    .where('v.bank_code', '=', bank);
}

type VoucherRow = Awaited<ReturnType<ReturnType<typeof voucherQuery>['execute']>>[number];

function snapshotOf(r: VoucherRow): VoucherSnapshot {
  return {
    voucherNo: r.voucher_no,
    bank: r.bank_code,
    amountFen: Number(r.amount_fen),
    businessDate: r.business_date,
    status: r.status,
    paidAt: r.paid_at,
    payeeName: maskName(r.account_name ?? undefined),
    payeeAccount: maskAccount(r.account_no ?? undefined),
    registeredReceipt: r.registered_receipt ?? null,
  };
}

async function vouchersByNumber(
  db: Db,
  bank: string,
  numbers: string[],
): Promise<Map<string, VoucherSnapshot>> {
  const found = new Map<string, VoucherSnapshot>();
  const unique = [...new Set(numbers)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await voucherQuery(db, bank)
      .where('v.voucher_no', 'in', unique.slice(i, i + 500))
      .execute();
    for (const r of rows) found.set(r.voucher_no, snapshotOf(r));
  }
  return found;
}

export function createRecordActivities({ db, site }: BankCheckDeps) {
  return {
    /** Unregistered receipts of the bank paid up to `asOf`, oldest first, with their vouchers. */
    async findUnregisteredReceipts({
      bank,
      asOf,
      limit,
    }: {
      bank: string;
      asOf: string;
      limit: number;
    }): Promise<{ total: number; receipts: UnregisteredReceipt[] }> {
      requireBank(site, bank);
      const base = db
        .selectFrom('receipts')
        .where('bank_code', '=', bank)
        .where('registered', '=', 0)
        .where('paid_date', '<=', asOf);
      const { n } = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      const rows = await base
        .selectAll()
        .orderBy('received_at')
        .orderBy('receipt_no')
        .$call(firstRows(db, limit))
        .execute();
      const vouchers = await vouchersByNumber(
        db,
        bank,
        rows.map((r) => r.voucher_no),
      );
      const receipts: UnregisteredReceipt[] = [];
      for (const r of rows) {
        const voucher = vouchers.get(r.voucher_no);
        const candidates = voucher
          ? []
          : (
              await voucherQuery(db, bank)
                .where('v.amount_fen', '=', r.amount_fen)
                .where('v.business_date', '<=', r.paid_date)
                .where('v.status', 'in', ['sent', 'accepted'])
                .orderBy('v.voucher_no')
                .$call(firstRows(db, 6))
                .execute()
            )
              .map(snapshotOf)
              .filter((c) => c.registeredReceipt === null);
        receipts.push({
          receiptNo: r.receipt_no,
          voucherNo: r.voucher_no,
          amountFen: Number(r.amount_fen),
          paidDate: r.paid_date,
          receivedAt: r.received_at,
          registerError: r.register_error,
          ...(voucher && { voucher }),
          candidates,
        });
      }
      return { total: Number(n), receipts };
    },

    /** Void requests of the bank not yet answered, requested up to the end of `asOf`. */
    async findOpenVoids({ bank, asOf }: { bank: string; asOf: string }): Promise<OpenVoid[]> {
      requireBank(site, bank);
      const rows = await db
        .selectFrom('voucher_voids')
        .selectAll()
        .where('bank_code', '=', bank)
        .where('status', 'in', ['pending_send', 'sent'])
        .where('requested_at', '<', endOfDay(asOf, site.site.timezone))
        .orderBy('requested_at')
        .$call(firstRows(db, 500))
        .execute();
      const vouchers = await vouchersByNumber(
        db,
        bank,
        rows.map((r) => r.voucher_no),
      );
      return rows.map((r) => ({
        voucherNo: r.voucher_no,
        status: r.status as OpenVoid['status'],
        reason: r.reason,
        requestedAt: r.requested_at,
        sentAt: r.sent_at,
        voucher: vouchers.get(r.voucher_no) ?? null,
      }));
    },

    /** Refunds of the bank still open: finance's requests without a notice, bank notices unmatched. */
    async findOpenRefunds({ bank, asOf }: { bank: string; asOf: string }): Promise<OpenRefund[]> {
      requireBank(site, bank);
      const rows = await db
        .selectFrom('refunds')
        .selectAll()
        .where('bank_code', '=', bank)
        .where('status', 'in', ['pending_send', 'sent', 'unmatched'])
        .where('requested_at', '<', endOfDay(asOf, site.site.timezone))
        .orderBy('requested_at')
        .$call(firstRows(db, 500))
        .execute();
      const vouchers = await vouchersByNumber(
        db,
        bank,
        rows.flatMap((r) => (r.voucher_no ? [r.voucher_no] : [])),
      );
      return rows.map((r) => ({
        refundNo: r.refund_no,
        initiatedBy: r.initiated_by,
        status: r.status as OpenRefund['status'],
        amountFen: Number(r.amount_fen),
        reason: r.reason,
        requestedAt: r.requested_at,
        sentAt: r.sent_at,
        notifiedAt: r.notified_at,
        refundDate: r.refund_date,
        matchError: r.match_error,
        voucher: r.voucher_no ? (vouchers.get(r.voucher_no) ?? null) : null,
        voucherNo: r.voucher_no,
      }));
    },

    /** Vouchers of the bank by number (masked); numbers the bank has no voucher for are left out. */
    async readVouchers({
      bank,
      voucherNos,
    }: {
      bank: string;
      voucherNos: string[];
    }): Promise<VoucherSnapshot[]> {
      requireBank(site, bank);
      return [...(await vouchersByNumber(db, bank, voucherNos)).values()];
    },

    /**
     * The unregistered receipts of `voucherNos` that a bank statement's paid line proves: the
     * receipt's amount is its voucher's, it is not dated before the voucher's business day, and the
     * voucher is sent or accepted (not yet paid here).
     */
    async findProvenReceipts({
      bank,
      voucherNos,
    }: {
      bank: string;
      voucherNos: string[];
    }): Promise<ProvenReceipt[]> {
      requireBank(site, bank);
      const vouchers = await vouchersByNumber(db, bank, voucherNos);
      const open = [...vouchers.values()].filter((v) => v.status === 'sent' || v.status === 'accepted');
      const proven: ProvenReceipt[] = [];
      for (let i = 0; i < open.length; i += 500) {
        const rows = await db
          .selectFrom('receipts')
          .selectAll()
          .where('bank_code', '=', bank)
          .where('registered', '=', 0)
          .where(
            'voucher_no',
            'in',
            open.slice(i, i + 500).map((v) => v.voucherNo),
          )
          .orderBy('voucher_no')
          .orderBy('receipt_no')
          .execute();
        for (const r of rows) {
          const voucher = vouchers.get(r.voucher_no);
          if (!voucher || Number(r.amount_fen) !== voucher.amountFen || r.paid_date < voucher.businessDate)
            continue;
          if (proven.some((p) => p.voucherNo === r.voucher_no)) continue;
          proven.push({
            receiptNo: r.receipt_no,
            voucherNo: r.voucher_no,
            amountFen: Number(r.amount_fen),
            paidDate: r.paid_date,
            voucher,
          });
        }
      }
      return proven;
    },
  };
}
