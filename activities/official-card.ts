/**
 * Official-card activities (db zone): the site's official-card subsystem and its card-issuing
 * banks, and a day's card repayments as the treasury database holds them — per bank by status, and
 * the stuck ones (their vouchers sent and unanswered past the stuck time). Read only; cardholders
 * leave here masked.
 */
import type { TreasuryDb } from '../connectors/treasury/database.ts';
import { maskName } from '../domain/display.ts';
import type {
  CardLook,
  OfficialCardTarget,
  RepaymentStatus,
} from '../domain/runbooks/official-card-check.types.ts';
import { subsystemOfKind } from '../domain/subsystem-config.ts';
import type { SiteConfig } from '../temporal.config.ts';

export function createOfficialCardActivities({ db, site }: { db: TreasuryDb; site: SiteConfig }) {
  return {
    /** The subsystem and the card banks the input names; what the site lacks, as input problems. */
    async describeOfficialCard({
      subsystem,
      bank,
    }: {
      subsystem?: string;
      bank?: string;
    }): Promise<{ inputProblems: string[]; target?: OfficialCardTarget }> {
      const s = subsystemOfKind(site.subsystems, 'official-card', subsystem);
      if (typeof s === 'string') return { inputProblems: [s] };
      const cardBanks = s.officialCard.banks;
      if (bank !== undefined && !cardBanks.includes(bank))
        return {
          inputProblems: [
            `input.bank: ${bank} is not a card-issuing bank of ${s.id}; expected one of ${cardBanks.join(', ')}`,
          ],
        };
      const names = new Map(site.banks.map((b) => [b.code, b.name]));
      return {
        inputProblems: [],
        target: {
          subsystem: s.id,
          name: s.name,
          banks: (bank ? [bank] : cardBanks).map((code) => ({ code, name: names.get(code) ?? code })),
        },
      };
    },

    /** The repayments of these vouchers, with their status now. */
    async repaymentStates({
      voucherNos,
    }: {
      voucherNos: string[];
    }): Promise<{ repayNo: string; voucherNo: string; status: RepaymentStatus }[]> {
      if (voucherNos.length === 0) return [];
      const rows = await db
        .selectFrom('official_card_repayments')
        .select(['repay_no', 'voucher_no', 'status'])
        .where('voucher_no', 'in', voucherNos)
        .orderBy('repay_no')
        .execute();
      return rows.map((r) => ({ repayNo: r.repay_no, voucherNo: r.voucher_no as string, status: r.status }));
    },

    /** The day's repayments of `banks` by status, and those stuck (at most `max`), oldest sent first. */
    async lookAtRepayments({
      banks,
      date,
      stuckMinutes,
      max,
    }: {
      banks: string[];
      date: string;
      stuckMinutes: number;
      max: number;
    }): Promise<CardLook> {
      const rows = await db
        .selectFrom('official_card_repayments')
        .select(({ fn }) => [
          'card_bank',
          'status',
          fn.countAll<number>().as('n'),
          fn.sum<number>('amount_fen').as('fen'),
        ])
        .where('card_bank', 'in', banks)
        .where('business_date', '=', date)
        .groupBy(['card_bank', 'status'])
        .execute();
      const perBank = banks.map((bank) => {
        const counts: Record<RepaymentStatus, number> = { pending: 0, issued: 0, paid: 0, rejected: 0 };
        let fen = 0;
        for (const r of rows.filter((x) => x.card_bank === bank)) {
          counts[r.status] = Number(r.n);
          fen += Number(r.fen);
        }
        return { bank, counts, fen };
      });
      const before = new Date(Date.now() - stuckMinutes * 60_000).toISOString();
      const stuck = await db
        .selectFrom('official_card_repayments as r')
        .innerJoin('vouchers as v', 'v.voucher_no', 'r.voucher_no')
        .select([
          'r.repay_no',
          'r.card_bank',
          'r.voucher_no',
          'r.amount_fen',
          'r.cardholder',
          'r.card_no_masked',
          'v.status as voucher_status',
          'v.sent_at',
        ])
        .where('r.card_bank', 'in', banks)
        .where('r.business_date', '=', date)
        .where('r.status', '=', 'issued')
        .where('v.status', 'in', ['sent', 'accepted'])
        .where('v.sent_at', '<=', before)
        .orderBy('v.sent_at')
        .orderBy('r.repay_no')
        .limit(max + 1)
        .execute();
      return {
        date,
        banks: perBank,
        stuck: stuck.slice(0, max).map((r) => ({
          repayNo: r.repay_no,
          bank: r.card_bank,
          voucherNo: r.voucher_no as string,
          amountFen: Number(r.amount_fen),
          cardholder: maskName(r.cardholder),
          card: r.card_no_masked,
          voucherStatus: r.voucher_status,
          sentAt: r.sent_at,
        })),
        moreStuck: stuck.length > max,
      };
    },
  };
}
