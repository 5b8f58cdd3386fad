/**
 * The standing result of a bank's statement per kind and day (the `reconciliations` table), as
 * the daily inspection and the year-end pre-check read it: read before a re-reconciliation
 * discards it, replaced once a run has compared, and what changed between the two runs'
 * differences. Delete and insert in one transaction: the same on SQLite and Oracle.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ReconciliationTable } from '../../connectors/treasury/schema-reconciliation.ts';
import type { Difference } from '../../domain/reconciliation/compare.ts';
import type { StatementKind } from '../../domain/reconciliation/statement.ts';
import type {
  DifferenceClasses,
  SinceLast,
  StandingResult,
} from '../../domain/runbooks/bank-reconciliation.types.ts';
import { writes } from '../activity-kinds.ts';
import { requireBank } from '../site-lookup.ts';
import type { StatementDeps } from './deps.ts';

/** At most this many settled and new differences are named; the rest are counted. */
const listed = 100;

type Day = { bank: string; kind: StatementKind; date: string };

export function createResultActivities({ db, site }: StatementDeps) {
  const where = (d: Day) =>
    db
      .selectFrom('reconciliations')
      .selectAll()
      .where('bank_code', '=', d.bank)
      .where('kind', '=', d.kind)
      .where('business_date', '=', d.date);
  return {
    /** The day's standing result, if the statement was reconciled before. */
    async readStandingResult(day: Day): Promise<(StandingResult & { differenceLog: string | null }) | null> {
      requireBank(site, day.bank);
      const row = await where(day).executeTakeFirst();
      return row ? { ...standingOf(row), differenceLog: row.difference_file } : null;
    },

    /** Makes `result` the day's standing result, replacing the one before (the run's outcome record keeps that one). */
    recordReconciliation: writes(
      async (input: Day & { result: StandingResult; differenceLog: string | null }): Promise<void> => {
        requireBank(site, input.bank);
        const r = input.result;
        const row: ReconciliationTable = {
          bank_code: input.bank,
          kind: input.kind,
          business_date: input.date,
          result: r.result,
          diff_num: r.diffNum,
          statement_no: r.statementNo,
          bank_count: r.bank.count,
          bank_amount_fen: r.bank.amountFen,
          finance_count: r.finance.count,
          finance_amount_fen: r.finance.amountFen,
          problem: r.problem,
          difference_file: input.differenceLog,
          workflow_id: r.workflowId,
          reconciled_at: r.reconciledAt,
        };
        await db.transaction().execute(async (trx) => {
          await trx
            .deleteFrom('reconciliations')
            .where('bank_code', '=', row.bank_code)
            .where('kind', '=', row.kind)
            .where('business_date', '=', row.business_date)
            .execute();
          await trx.insertInto('reconciliations').values(row).execute();
        });
      },
    ),

    /**
     * The differences of a day by the runbook that settles them: how many, and the first vouchers
     * (at most `limit` each) — what a plan to settle them names.
     */
    async differenceClasses(input: { differenceLog: string; limit: number }): Promise<DifferenceClasses> {
      const classes: DifferenceClasses = {};
      if (!existsSync(input.differenceLog)) return classes;
      for await (const line of createInterface({ input: createReadStream(input.differenceLog, 'utf8') })) {
        if (!line) continue;
        const d = JSON.parse(line) as Difference;
        if (!d.fix) continue;
        const c = (classes[d.fix] ??= { count: 0, voucherNos: [] });
        c.count += 1;
        if (d.voucherNo && c.voucherNos.length < input.limit && !c.voucherNos.includes(d.voucherNo))
          c.voucherNos.push(d.voucherNo);
      }
      return classes;
    },

    /** The differences settled since the previous run and those new in this one, by their type and key. */
    async changesSince(input: {
      previous: StandingResult;
      previousLog: string | null;
      currentLog: string;
    }): Promise<SinceLast> {
      const before = input.previousLog ? await keysOf(input.previousLog) : new Set<string>();
      const now = await keysOf(input.currentLog);
      const settled = [...before].filter((k) => !now.has(k));
      const appeared = [...now].filter((k) => !before.has(k));
      return {
        previous: input.previous,
        settled: settled.slice(0, listed),
        appeared: appeared.slice(0, listed),
        settledMore: Math.max(0, settled.length - listed),
        appearedMore: Math.max(0, appeared.length - listed),
      };
    },
  };
}

function standingOf(r: ReconciliationTable): StandingResult {
  return {
    result: r.result,
    diffNum: Number(r.diff_num),
    statementNo: r.statement_no,
    bank: { count: Number(r.bank_count), amountFen: Number(r.bank_amount_fen) },
    finance: { count: Number(r.finance_count), amountFen: Number(r.finance_amount_fen) },
    problem: r.problem,
    workflowId: r.workflow_id,
    reconciledAt: r.reconciled_at,
  };
}

/** `<type> <key>` of every difference in a difference log; a log no longer there has none. */
async function keysOf(path: string): Promise<Set<string>> {
  const keys = new Set<string>();
  if (!existsSync(path)) return keys;
  for await (const line of createInterface({ input: createReadStream(path, 'utf8') })) {
    if (!line) continue;
    const d = JSON.parse(line) as Difference;
    keys.add(`${d.type} ${d.key}${d.side ? ` (${d.side})` : ''}`);
  }
  return keys;
}
