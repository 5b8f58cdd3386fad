/**
 * The send/receive program refuses new vouchers for a fiscal year that is no longer open: once a
 * year is frozen (年终冻结), closing or closed, a voucher of that year still waiting to be sent is
 * not sent but refused (`E_YEAR_FROZEN`, with the year's state in the reason), so the year-end's
 * carry-over finds it; what was already sent finishes as usual.
 */
import type { ProgramContext } from './outbound.ts';

export const yearFrozenCode = 'E_YEAR_FROZEN';

const stateLabel = { frozen: '冻结', closing: '结转中', closed: '关闭' } as const;

/** Refuses this bank's waiting vouchers of years not open; returns how many. */
export async function refuseClosedYearVouchers(ctx: ProgramContext): Promise<number> {
  const years = await ctx.db
    .selectFrom('fiscal_years')
    .select(['year', 'state'])
    .where('state', '!=', 'open')
    .execute();
  let refused = 0;
  for (const { year, state } of years) {
    if (state === 'open') continue;
    const at = ctx.now().toISOString();
    const result = await ctx.db
      .updateTable('vouchers')
      .set({
        status: 'rejected',
        failure_code: yearFrozenCode,
        failure_reason: `${year} 年度已${stateLabel[state]}，收发程序不再发送该年度的新凭证`,
        updated_at: at,
      })
      .where('bank_code', '=', ctx.bank)
      .where('fiscal_year', '=', year)
      .where('status', '=', 'pending_send')
      .executeTakeFirst();
    refused += Number(result.numUpdatedRows);
  }
  if (refused > 0) ctx.log?.('warn', 'vouchers of a year no longer open refused', { refused });
  return refused;
}
