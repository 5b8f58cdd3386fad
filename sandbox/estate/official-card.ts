/**
 * Official-card repayments (公务卡还款) in the payment system: each day the reimbursed card spending
 * (`official_card_repayments`) becomes a direct-payment voucher to the card-issuing bank — the
 * card's own number as the payee account — through the ordinary voucher flow; the job follows each
 * voucher: paid → the repayment paid, rejected → rejected. A stuck repayment (fault) is one whose
 * voucher the bank books and pays while its acknowledgement and receipt are lost on the way back:
 * finance sees it sent and never paid, the state the official-card check finds. Only the masked
 * card number is kept beside the repayment, and nothing of the card or its holder is logged.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { TreasuryDatabase } from '../../connectors/treasury/schema.ts';
import type { Banks } from '../bank/banks.ts';
import { FaultInputError } from '../faults.ts';
import { retryWhenBusy } from './busy-retry.ts';
import { insertVouchers, knownBaseData, voucherStates } from './issue-vouchers.ts';
import { personName } from './people.ts';

export interface RepaymentSubmission {
  /** The card-issuing bank (default the first the site names). */
  bank?: string;
  /** Repayments that day (default 6). */
  count?: number;
  /** Business date (default today). */
  date?: string;
  /** Fault: this many of them get stuck (answers lost). */
  stuck?: number;
}

export type OfficialCard = ReturnType<typeof createOfficialCard>;

/** A card number for the repayment, the same each time it is asked (issuer prefix 6259, 公务卡). */
const cardNumber = (repayNo: string) =>
  `6259${[...repayNo]
    .reduce((n, c) => (n * 31 + c.charCodeAt(0)) % 1_000_000_000_000, 7)
    .toString()
    .padStart(12, '0')}`;

export function createOfficialCard(deps: {
  treasury: Kysely<TreasuryDatabase>;
  banks: Banks;
  /** The site's card-issuing banks (officialCard.banks). */
  cardBanks: readonly string[];
  now: () => Date;
  today: () => string;
  log?: Logger;
}) {
  const { treasury } = deps;

  async function submit(input: RepaymentSubmission = {}) {
    const bank = input.bank ?? (deps.cardBanks[0] as string);
    if (!deps.cardBanks.includes(bank))
      throw new FaultInputError(
        'bank',
        `${bank} is not a card-issuing bank here: ${deps.cardBanks.join(', ')}`,
      );
    const date = input.date ?? deps.today();
    const at = deps.now().toISOString();
    const prefix = `GWK${date.replaceAll('-', '')}${bank}`;
    const earlier = await treasury
      .selectFrom('official_card_repayments')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .where('repay_no', 'like', `${prefix}%`)
      .executeTakeFirstOrThrow();
    const rows = Array.from({ length: input.count ?? 6 }, (_, i) => {
      const repayNo = `${prefix}${String(Number(earlier.n) + i + 1).padStart(3, '0')}`;
      const card = cardNumber(repayNo);
      return {
        repay_no: repayNo,
        card_bank: bank,
        cardholder: personName(Number(earlier.n) + i + 7),
        card_no_masked: `${card.slice(0, 4)} **** **** ${card.slice(-4)}`,
        amount_fen: 12_000 + (((Number(earlier.n) + i) * 38_113) % 480_000),
        voucher_no: null,
        business_date: date,
        status: 'pending' as const,
        updated_at: at,
      };
    });
    const stuck = rows.slice(0, input.stuck ?? 0).map((r) => voucherOf(r.repay_no));
    // Armed before the vouchers exist, so not one answer gets through.
    if (stuck.length > 0) deps.banks.loseAnswersFor(bank, stuck);
    if (rows.length > 0) await treasury.insertInto('official_card_repayments').values(rows).execute();
    return { bank, date, repayments: rows.map((r) => r.repay_no), stuckVouchers: stuck };
  }

  const voucherOf = (repayNo: string) => repayNo.replace(/^GWK/, 'GK');

  async function step(): Promise<void> {
    const at = deps.now().toISOString();
    const pending = await treasury
      .selectFrom('official_card_repayments')
      .selectAll()
      .where('status', '=', 'pending')
      .orderBy('repay_no')
      .limit(200)
      .execute();
    if (pending.length > 0)
      await retryWhenBusy(() =>
        treasury.transaction().execute(async (trx) => {
          const { unit, subject } = await knownBaseData(trx, '2010102');
          for (const r of pending) {
            const voucherNo = voucherOf(r.repay_no);
            await insertVouchers(
              trx,
              [
                {
                  voucherNo,
                  bank: r.card_bank,
                  amountFen: Number(r.amount_fen),
                  payee: {
                    id: `GK${r.repay_no}`,
                    accountNo: cardNumber(r.repay_no),
                    accountName: r.cardholder,
                    bankName: `${r.card_bank} 公务卡中心`,
                  },
                  budgetUnitCode: unit,
                  subjectCode: subject,
                  businessDate: r.business_date,
                },
              ],
              at,
            );
            await trx
              .updateTable('official_card_repayments')
              .set({ status: 'issued', voucher_no: voucherNo, updated_at: at })
              .where('repay_no', '=', r.repay_no)
              .where('status', '=', 'pending')
              .execute();
          }
        }),
      );
    const issued = await treasury
      .selectFrom('official_card_repayments')
      .select(['repay_no', 'voucher_no'])
      .where('status', '=', 'issued')
      .execute();
    const states = await voucherStates(
      treasury,
      issued.map((r) => r.voucher_no as string),
    );
    for (const r of issued) {
      const status = states.get(r.voucher_no as string)?.status;
      if (status !== 'paid' && status !== 'rejected') continue;
      await treasury
        .updateTable('official_card_repayments')
        .set({ status, updated_at: at })
        .where('repay_no', '=', r.repay_no)
        .where('status', '=', 'issued')
        .execute();
      if (status === 'rejected') deps.log?.warn({ repayNo: r.repay_no }, 'official-card repayment rejected');
    }
  }

  return { cardBanks: deps.cardBanks, submit, step };
}
