/**
 * Exchange item activities (db zone): the items the exchange client left failed in the payment
 * system's interface table (`exchange_items`, keyed by division, year, voucher type, number and
 * direction), whether each one's cause is mended, and — on an approval proof naming each page
 * (domain/runbooks/exchange-recovery.plan.ts) — setting them to be replayed. A replay changes only
 * a row still failed: run again after a retry or a crash, it finds its rows replaying or done and
 * changes nothing twice; the platform takes each key once whatever the client sends.
 */
import type { ExpressionBuilder } from 'kysely';
import type { TreasuryDb } from '../connectors/treasury/database.ts';
import type { TreasuryDatabase } from '../connectors/treasury/schema.ts';
import type { ItemKey } from '../domain/exchange-protocol.ts';
import { itemText, replayStatement } from '../domain/runbooks/exchange-recovery.plan.ts';
import type { FailedItem } from '../domain/runbooks/exchange-recovery.types.ts';
import { subsystemOfKind } from '../domain/subsystem-config.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { requiresProof, sqlAction } from './proof-actions.ts';

type Page = { subsystem: string; direction: 'up' | 'down'; keys: ItemKey[] };

export function createExchangeItemActivities({ db, site }: { db: TreasuryDb; site: SiteConfig }) {
  const divisionOf = (subsystem: string) => {
    const s = subsystemOfKind(site.subsystems, 'budget-exchange', subsystem);
    if (typeof s === 'string') throw new RangeError(s);
    return s.exchange.division;
  };
  /** The rows of `keys`, in one direction of one division. */
  const keyIs =
    (division: string, direction: 'up' | 'down', keys: readonly ItemKey[]) =>
    (eb: ExpressionBuilder<TreasuryDatabase, 'exchange_items'>) =>
      eb.and([
        eb('division', '=', division),
        eb('direction', '=', direction),
        eb.or(
          keys.map((k) =>
            eb.and([
              eb('fiscal_year', '=', k.fiscalYear),
              eb('voucher_type', '=', k.voucherType),
              eb('voucher_no', '=', k.voucherNo),
            ]),
          ),
        ),
      ]);

  return {
    /** The failed items, oldest first, at most `max`; each with whether its cause is mended now. */
    async failedExchangeItems({ subsystem, max }: { subsystem: string; max: number }) {
      const division = divisionOf(subsystem);
      const rows = await db
        .selectFrom('exchange_items')
        .select([
          'direction',
          'fiscal_year',
          'voucher_type',
          'voucher_no',
          'last_error',
          'attempts',
          'budget_unit_code',
        ])
        .where('division', '=', division)
        .where('status', '=', 'failed')
        .orderBy('updated_at')
        .orderBy('voucher_no')
        .execute();
      const units = new Set(
        (await db.selectFrom('budget_units').select('code').execute()).map((u) => u.code),
      );
      const items: FailedItem[] = rows.slice(0, max).map((r) => {
        const blocked =
          r.direction === 'up'
            ? `省级平台拒收（${r.last_error ?? '未说明'}），重送不会改变结果：须与省厅核对`
            : !units.has(r.budget_unit_code)
              ? `预算单位 ${r.budget_unit_code} 仍未同步，重放会再次失败`
              : undefined;
        return {
          direction: r.direction,
          fiscalYear: r.fiscal_year,
          voucherType: r.voucher_type as FailedItem['voucherType'],
          voucherNo: r.voucher_no,
          lastError: r.last_error,
          attempts: r.attempts,
          ...(blocked !== undefined && { blocked }),
        };
      });
      return { items, more: Math.max(0, rows.length - max) };
    },

    /** Sets one page of failed items to be replayed; rows no longer failed are left be and counted as done. */
    replayExchangeItems: requiresProof(
      (page: Page) => [sqlAction(replayStatement(divisionOf(page.subsystem), page.direction, page.keys))],
      async (page): Promise<{ replayed: number; alreadyDone: number }> => {
        const result = await db
          .updateTable('exchange_items')
          .set({ status: 'replay', updated_at: new Date().toISOString() })
          .where(keyIs(divisionOf(page.subsystem), page.direction, page.keys))
          .where('status', '=', 'failed')
          .executeTakeFirst();
        const replayed = Number(result.numUpdatedRows);
        return { replayed, alreadyDone: page.keys.length - replayed };
      },
    ),

    /** Each item's status now, by `year/type/number`. */
    async exchangeItemStates(page: Page): Promise<Record<string, string>> {
      const rows = await db
        .selectFrom('exchange_items')
        .where(keyIs(divisionOf(page.subsystem), page.direction, page.keys))
        .select(['fiscal_year', 'voucher_type', 'voucher_no', 'status'])
        .execute();
      return Object.fromEntries(
        rows.map((r) => [
          itemText({
            fiscalYear: r.fiscal_year,
            voucherType: r.voucher_type as ItemKey['voucherType'],
            voucherNo: r.voucher_no,
          }),
          r.status,
        ]),
      );
    },
  };
}
