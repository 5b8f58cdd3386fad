/**
 * The year-end's changes to the fiscal year itself (db zone), each on the approval of the plan
 * that listed it: freezing the old year and moving it to closing, carrying over (or returning)
 * the vouchers unpaid at close, preparing the new year — its row, each bank's serials restarted
 * with the old year's last kept, a base-data push per bank and kind — and opening it with the old
 * year closed and its adjustment period (调整期). Every change is conditional on the state it
 * expects, so a retried call changes nothing twice and says it found the change made; and the
 * reads that prepare them.
 */
import type { TreasuryDb } from '../connectors/treasury/database.ts';
import { chunksOf, insertAbsent } from '../connectors/treasury/portable.ts';
import type { ProofAction } from '../domain/approvals/proof.ts';
import { baseDataKinds } from '../domain/base-data.ts';
import {
  adjustmentPeriod,
  adjustmentSql,
  baseDataCommand,
  carryOverList,
  carryOverMembership,
  carryOverSql,
  closingSql,
  freezeSql,
  newYearPushId,
  newYearRowSql,
  openSql,
  returnedCode,
  serialRestartSql,
  unpaidStatuses,
} from '../domain/runbooks/year-end-rollover.plan.ts';
import type {
  CarryOverItem,
  CarryOverPolicy,
  NewYearBank,
} from '../domain/runbooks/year-end-rollover.types.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { requiresProof } from './proof-actions.ts';
import { requireBank } from './site-lookup.ts';

export interface YearEndChangeDeps {
  db: TreasuryDb;
  site: SiteConfig;
  now?: () => Date;
}

const sql = (command: string): ProofAction => ({ kind: 'sql', target: 'treasury', command });

export function createYearEndChangeActivities({ db, site, now = () => new Date() }: YearEndChangeDeps) {
  /** Moves `year` from `from` to `to`; whether it changed, and the state it is in now. */
  const moveYear = async (year: number, from: string, to: 'frozen' | 'closing' | 'open' | 'closed') => {
    const res = await db
      .updateTable('fiscal_years')
      .set({ state: to })
      .where('year', '=', year)
      .where('state', '=', from as 'open')
      .executeTakeFirst();
    return { changed: res.numUpdatedRows === 1n, state: await stateOf(db, year) };
  };

  return {
    /** The site's policy for vouchers unpaid at close, and the vouchers of the year unpaid now. */
    async unpaidVouchers({
      fiscalYear,
      banks,
    }: {
      fiscalYear: number;
      banks: string[];
    }): Promise<{ policy: CarryOverPolicy; items: CarryOverItem[] }> {
      const policy = site.yearEnd.unpaidVouchers;
      const out: CarryOverItem[] = [];
      for (const part of chunksOf(banks)) {
        const rows = await db
          .selectFrom('vouchers')
          .select(['voucher_no', 'bank_code', 'amount_fen', 'status'])
          .where('bank_code', 'in', part)
          .where('fiscal_year', '=', fiscalYear)
          .where('status', 'in', [...unpaidStatuses])
          .orderBy('voucher_no')
          .execute();
        for (const r of rows)
          out.push({
            voucherNo: r.voucher_no,
            bank: r.bank_code,
            amountFen: Number(r.amount_fen),
            status: r.status,
            policy,
          });
      }
      return { policy, items: out };
    },

    /** The old year frozen (no new vouchers sent), then closing (its quotas being cancelled). */
    freezeFiscalYear: requiresProof(
      (input: { fiscalYear: number }) => [
        sql(freezeSql(input.fiscalYear)),
        sql(closingSql(input.fiscalYear)),
      ],
      async ({ fiscalYear }) => {
        const frozen = await moveYear(fiscalYear, 'open', 'frozen');
        const closing = await moveYear(fiscalYear, 'frozen', 'closing');
        return { alreadyDone: !frozen.changed && !closing.changed, state: closing.state };
      },
    ),

    /** Each listed voucher still unpaid: carried to the next year as a draft, or returned to its budget unit. */
    carryOverVouchers: requiresProof(
      (input: { fiscalYear: number; policy: CarryOverPolicy; items: CarryOverItem[] }) => [
        {
          ...sql(carryOverSql(input.policy, input.fiscalYear)),
          list: carryOverList,
          items: input.items.map((i) => i.voucherNo),
          membership: carryOverMembership(input.items),
        },
      ],
      async ({ fiscalYear, policy, items }) => {
        const at = now().toISOString();
        let changed = 0;
        for (const part of chunksOf(items.map((i) => i.voucherNo))) {
          const unpaid = db
            .updateTable('vouchers')
            .where('voucher_no', 'in', part)
            .where('fiscal_year', '=', fiscalYear)
            .where('status', 'in', [...unpaidStatuses]);
          const res = await (
            policy === 'carry'
              ? unpaid.set({
                  fiscal_year: fiscalYear + 1,
                  status: 'draft',
                  failure_code: null,
                  failure_reason: `年终结转：由 ${fiscalYear} 年度结转`,
                  updated_at: at,
                })
              : unpaid
                  .where((eb) =>
                    eb.or([eb('failure_code', 'is', null), eb('failure_code', '!=', returnedCode)]),
                  )
                  .set({
                    status: 'rejected',
                    failure_code: returnedCode,
                    failure_reason: `年终结转：${fiscalYear} 年度未支付，退回预算单位`,
                    updated_at: at,
                  })
          ).executeTakeFirst();
          changed += Number(res.numUpdatedRows);
        }
        return { changed, alreadyDone: changed === 0 && items.length > 0 };
      },
    ),

    /** Each bank's serials as they stand, and finance's current base data it is to confirm for the new year. */
    async newYearSetup({ banks }: { banks: string[] }): Promise<NewYearBank[]> {
      const parts = chunksOf(banks);
      const serials = (
        await Promise.all(
          parts.map((part) =>
            db.selectFrom('message_serials').selectAll().where('bank_code', 'in', part).execute(),
          ),
        )
      ).flat();
      const versions = (
        await Promise.all(
          parts.map((part) =>
            db
              .selectFrom('base_data_versions')
              .select(['bank_code', 'kind', 'version_current'])
              .where('bank_code', 'in', part)
              .execute(),
          ),
        )
      ).flat();
      return banks.map((bank) => {
        requireBank(site, bank);
        const last = (direction: 'out' | 'in') =>
          serials.find((s) => s.bank_code === bank && s.direction === direction)?.last_serial ?? 0;
        return {
          bank,
          lastSerialOut: Number(last('out')),
          lastSerialIn: Number(last('in')),
          baseData: baseDataKinds.flatMap((kind) => {
            const v = versions.find((r) => r.bank_code === bank && r.kind === kind);
            return v ? [{ kind, version: Number(v.version_current) }] : [];
          }),
        };
      });
    },

    /**
     * The new year prepared, not yet open: its row (the programs send none of its vouchers), each
     * bank's serials restarted — the old year's last kept in message_serial_years, once — and a
     * base-data push per bank and kind for the bank to confirm.
     */
    prepareNewYear: requiresProof(
      (input: { fiscalYear: number; banks: NewYearBank[] }) => [
        sql(newYearRowSql(input.fiscalYear)),
        ...input.banks.flatMap((b): ProofAction[] => [
          sql(serialRestartSql(b)),
          { kind: 'message', target: b.bank, command: baseDataCommand(b) },
        ]),
      ],
      async ({ fiscalYear, banks }) => {
        const at = now().toISOString();
        const row = await insertAbsent(db, 'fiscal_years', 'year', [
          { year: fiscalYear + 1, state: 'frozen' },
        ]);
        const restarted: { bank: string; out: number; in: number; alreadyDone: boolean }[] = [];
        for (const b of banks) {
          requireBank(site, b.bank);
          restarted.push({ bank: b.bank, ...(await restartSerials(db, b.bank, fiscalYear, at)) });
          await insertAbsent(
            db,
            'base_data_pushes',
            'push_id',
            b.baseData.map((d) => ({
              push_id: newYearPushId(fiscalYear, b.bank, d.kind),
              bank_code: b.bank,
              kind: d.kind,
              version: d.version,
              status: 'pending_send' as const,
              requested_at: at,
              sent_at: null,
              answered_at: null,
              answer_reason: null,
            })),
          );
        }
        return { yearCreated: row === 1, restarted };
      },
    ),

    /** The new year opened, the old one closed, and its adjustment period recorded. */
    openFiscalYear: requiresProof(
      (input: { fiscalYear: number; openDate: string }) => {
        const a = adjustmentPeriod(input.openDate);
        return [sql(openSql(input.fiscalYear)), sql(adjustmentSql(input.fiscalYear, a.from, a.until))];
      },
      async ({ fiscalYear, openDate }) => {
        const opened = await moveYear(fiscalYear + 1, 'frozen', 'open');
        const closed = await moveYear(fiscalYear, 'closing', 'closed');
        const a = adjustmentPeriod(openDate);
        await insertAbsent(db, 'fiscal_year_adjustments', 'year', [
          { year: fiscalYear, adjust_from: a.from, adjust_until: a.until, updated_at: now().toISOString() },
        ]);
        return { alreadyDone: !opened.changed && !closed.changed, state: opened.state };
      },
    ),
  };
}

async function stateOf(db: TreasuryDb, year: number): Promise<string> {
  const row = await db.selectFrom('fiscal_years').select('state').where('year', '=', year).executeTakeFirst();
  return row?.state ?? 'absent';
}

/**
 * A bank's serials restarted for the new year, once: the old year's last of each direction is kept
 * first (the key is bank, direction and year), and only a direction kept by this call is set to 0.
 */
async function restartSerials(
  db: TreasuryDb,
  bank: string,
  fiscalYear: number,
  at: string,
): Promise<{ out: number; in: number; alreadyDone: boolean }> {
  const last = { out: 0, in: 0 };
  let kept = 0;
  for (const direction of ['out', 'in'] as const) {
    const done = await db
      .selectFrom('message_serial_years')
      .select('last_serial')
      .where('bank_code', '=', bank)
      .where('direction', '=', direction)
      .where('fiscal_year', '=', fiscalYear)
      .executeTakeFirst();
    if (done) {
      last[direction] = Number(done.last_serial);
      continue;
    }
    const current = await db
      .selectFrom('message_serials')
      .select('last_serial')
      .where('bank_code', '=', bank)
      .where('direction', '=', direction)
      .executeTakeFirst();
    last[direction] = Number(current?.last_serial ?? 0);
    await db.transaction().execute(async (trx) => {
      // The write first: it takes the lock, and a serial taken since the read is caught here.
      const reset = await trx
        .updateTable('message_serials')
        .set({ last_serial: 0, updated_at: at })
        .where('bank_code', '=', bank)
        .where('direction', '=', direction)
        .where('last_serial', '=', last[direction])
        .executeTakeFirst();
      // Retried by the activity's profile: a plain error, read again next time.
      if (current && reset.numUpdatedRows !== 1n)
        throw new Error(
          `${bank} ${direction} serial moved past ${last[direction]} while restarting; reading again`,
        );
      await trx
        .insertInto('message_serial_years')
        .values({
          bank_code: bank,
          direction,
          fiscal_year: fiscalYear,
          last_serial: last[direction],
          updated_at: at,
        })
        .execute();
    });
    kept += 1;
  }
  return { ...last, alreadyDone: kept === 0 };
}
