/**
 * Subsystem work (db zone): what the treasury database holds of the work the payment system's
 * neighbours carry — procurement confirmations left failed (refused by the cloud, or never
 * reaching it), payroll batches that stopped raising vouchers and their failed lines, official-card
 * repayments whose vouchers were sent and never answered. Read only.
 */
import type { TreasuryDb } from '../connectors/treasury/database.ts';
import { pushFailureKind } from '../domain/runbooks/procurement.ts';
import type { SubsystemWork, WorkThresholds } from '../domain/runbooks/subsystem-health.types.ts';
import type { SiteConfig } from '../temporal.config.ts';

/** Failed payroll lines are told of for batches submitted within this many days. */
const payrollDays = 35;

export function createSubsystemWorkActivities({ db, site }: { db: TreasuryDb; site: SiteConfig }) {
  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

  async function procurement(): Promise<NonNullable<SubsystemWork['procurement']>> {
    const failed = await db
      .selectFrom('procurement_confirmations')
      .select(['last_error', 'updated_at'])
      .where('status', '=', 'failed')
      .execute();
    const unreached = failed.filter((f) => pushFailureKind(f.last_error) === 'unreached');
    return {
      failed: failed.length,
      refused: failed.length - unreached.length,
      unreached: unreached.length,
      oldestFailedAt: unreached.map((f) => f.updated_at).sort()[0] ?? null,
    };
  }

  async function payroll(t: WorkThresholds): Promise<NonNullable<SubsystemWork['payroll']>> {
    const stalled = await db
      .selectFrom('payroll_batches as b')
      .innerJoin('payroll_lines as l', 'l.batch_no', 'b.batch_no')
      .select(({ fn }) => ['b.batch_no', 'b.updated_at', fn.countAll<number>().as('n')])
      .where('b.status', '=', 'processing')
      .where('l.status', '=', 'pending')
      .where('b.updated_at', '<=', minutesAgo(t.stallMinutes))
      .groupBy(['b.batch_no', 'b.updated_at'])
      .orderBy('b.batch_no')
      .execute();
    const failed = await db
      .selectFrom('payroll_batches as b')
      .innerJoin('payroll_lines as l', 'l.batch_no', 'b.batch_no')
      .select(({ fn }) => ['b.batch_no', fn.countAll<number>().as('n')])
      .where('l.status', '=', 'failed')
      .where('b.submitted_at', '>=', minutesAgo(payrollDays * 1440))
      .groupBy('b.batch_no')
      .orderBy('b.batch_no')
      .execute();
    return {
      stalled: stalled.map((b) => ({ batchNo: b.batch_no, pendingLines: Number(b.n), since: b.updated_at })),
      failed: failed.map((b) => ({ batchNo: b.batch_no, lines: Number(b.n) })),
    };
  }

  async function officialCard(t: WorkThresholds): Promise<NonNullable<SubsystemWork['officialCard']>> {
    const stuck = await db
      .selectFrom('official_card_repayments as r')
      .innerJoin('vouchers as v', 'v.voucher_no', 'r.voucher_no')
      .select(({ fn }) => ['r.card_bank', fn.countAll<number>().as('n'), fn.min('v.sent_at').as('oldest')])
      .where('r.status', '=', 'issued')
      .where('v.status', '=', 'sent')
      .where('v.sent_at', '<=', minutesAgo(t.stuckMinutes))
      .groupBy('r.card_bank')
      .orderBy('r.card_bank')
      .execute();
    return {
      stuck: stuck.map((s) => ({ bank: s.card_bank, count: Number(s.n), oldestSentAt: String(s.oldest) })),
    };
  }

  return {
    /** The work of each kind the chosen subsystems carry, by subsystem id. */
    async subsystemWork({
      ids,
      thresholds,
    }: {
      ids?: string[];
      thresholds: WorkThresholds;
    }): Promise<Record<string, SubsystemWork>> {
      const work: Record<string, SubsystemWork> = {};
      for (const s of site.subsystems.filter((x) => !ids || ids.includes(x.id))) {
        if (s.kind === 'procurement-push') work[s.id] = { procurement: await procurement() };
        else if (s.kind === 'payroll') work[s.id] = { payroll: await payroll(thresholds) };
        else if (s.kind === 'official-card') work[s.id] = { officialCard: await officialCard(thresholds) };
      }
      return work;
    },
  };
}
