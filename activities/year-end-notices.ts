/**
 * The year-end notices to the banks (db zone): what is left of the year's authorized-payment
 * quotas, to cancel (额度注销), and what is restored into the new year (额度恢复); filing a notice
 * with finance's lines and totals — finance's quotas change with it, in the same approved step —
 * for the send/receive program to send; sending it again to a bank that has not answered; and
 * waiting a little for the bank's answer and the base-data acknowledgements that go with it.
 *
 * The notice id is the bank's idempotency key: filing it twice files it once, sending it again
 * gets the bank's first answer back and never cancels or restores twice.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { TreasuryDb } from '../connectors/treasury/database.ts';
import { chunksOf, insertAbsent } from '../connectors/treasury/portable.ts';
import { notice, noticeCommand, restoredQuotaId } from '../domain/runbooks/year-end-rollover.plan.ts';
import type { NoticeAnswer, NoticePlan, QuotaLine } from '../domain/runbooks/year-end-rollover.types.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { writes } from './activity-kinds.ts';
import { requiresProof } from './proof-actions.ts';
import { requireBank } from './site-lookup.ts';

export interface YearEndNoticeDeps {
  db: TreasuryDb;
  site: SiteConfig;
  now?: () => Date;
}

/** How long one look for an answer may wait before handing back to the workflow's timer. */
const maxWaitSeconds = 30;

export function createYearEndNoticeActivities({ db, site, now = () => new Date() }: YearEndNoticeDeps) {
  return {
    /**
     * Each bank's notice of `kind`: for a cancellation, what is left of every active quota of the
     * year; for a restoration, what was left of every quota cancelled, as a new quota of the next year.
     */
    async planQuotaNotices({
      fiscalYear,
      banks,
      kind,
    }: {
      fiscalYear: number;
      banks: string[];
      kind: NoticePlan['kind'];
    }): Promise<NoticePlan[]> {
      for (const b of banks) requireBank(site, b);
      const rows = (
        await Promise.all(
          chunksOf(banks).map((part) =>
            db
              .selectFrom('quotas')
              .selectAll()
              .where('bank_code', 'in', part)
              .where('fiscal_year', '=', fiscalYear)
              .where('status', '=', kind === 'cancellation' ? 'active' : 'cancelled')
              .orderBy('quota_id')
              .execute(),
          ),
        )
      ).flat();
      return banks.map((bank) => {
        const mine = rows.filter((q) => q.bank_code === bank);
        const left = (q: (typeof mine)[number]) => Number(q.amount_fen) - Number(q.used_fen);
        if (kind === 'cancellation')
          return notice(
            fiscalYear,
            kind,
            bank,
            mine.map((q) => lineOf(q, q.quota_id, left(q))),
          );
        const restored = mine.filter((q) => left(q) > 0);
        const lines = restored.map((q) => lineOf(q, restoredQuotaId(q.quota_id, fiscalYear + 1), left(q)));
        const restores = Object.fromEntries(restored.map((q, i) => [lines[i]?.quotaId ?? '', q.quota_id]));
        return notice(fiscalYear, kind, bank, lines, restores);
      });
    },

    /**
     * Files approved notices: finance's quotas change first (cancelled; or the new year's issued and
     * the old ones marked restored), then the notice is filed for the program to send. A notice
     * filed already is left as it is.
     */
    fileQuotaNotices: requiresProof(
      (input: { notices: NoticePlan[] }) =>
        input.notices.map((n) => ({ kind: 'message' as const, target: n.bank, command: noticeCommand(n) })),
      async (input): Promise<{ noticeId: string; bank: string; filed: boolean; quotasChanged: number }[]> => {
        const out = [];
        for (const n of input.notices) {
          requireBank(site, n.bank);
          const changed = n.kind === 'cancellation' ? await cancelQuotas(db, n) : await restoreQuotas(db, n);
          const filed = await insertAbsent(db, 'quota_year_notices', 'notice_id', [
            {
              notice_id: n.noticeId,
              kind: n.kind,
              fiscal_year: n.kind === 'cancellation' ? n.fiscalYear : n.fiscalYear + 1,
              bank_code: n.bank,
              line_count: n.lineCount,
              total_fen: n.totalFen,
              lines: JSON.stringify(n.lines),
              status: 'pending_send',
              requested_at: now().toISOString(),
              sent_at: null,
              answered_at: null,
              answer_reason: null,
              bank_line_count: null,
              bank_total_fen: null,
            },
          ]);
          out.push({ noticeId: n.noticeId, bank: n.bank, filed: filed === 1, quotasChanged: changed });
        }
        return out;
      },
    ),

    /**
     * Sends a notice the bank has not answered (or refused) once more, under its own id; and the
     * base-data pushes it has not acknowledged. Nothing new is asked of the bank: it answers a
     * notice it knows with its first answer.
     */
    remindYearEndNotice: writes(
      async ({ noticeId, pushIds }: { noticeId: string; pushIds: string[] }): Promise<{ resent: number }> => {
        const notices = await db
          .updateTable('quota_year_notices')
          .set({ status: 'pending_send', sent_at: null })
          .where('notice_id', '=', noticeId)
          .where('status', 'in', ['sent', 'refused'])
          .executeTakeFirst();
        const pushes =
          pushIds.length === 0
            ? { numUpdatedRows: 0n }
            : await db
                .updateTable('base_data_pushes')
                .set({ status: 'pending_send', sent_at: null })
                .where('push_id', 'in', pushIds)
                .where('status', '=', 'sent')
                .executeTakeFirst();
        return { resent: Number(notices.numUpdatedRows) + Number(pushes.numUpdatedRows) };
      },
    ),

    /** The notice and its pushes as they stand, looked at every second for up to `waitSeconds` until settled. */
    async awaitYearEndAnswer({
      noticeId,
      pushIds,
      waitSeconds,
    }: {
      noticeId: string;
      pushIds: string[];
      waitSeconds: number;
    }): Promise<NoticeAnswer> {
      const deadline = Date.now() + Math.min(waitSeconds, maxWaitSeconds) * 1000;
      for (;;) {
        const answer = await readAnswer(db, noticeId, pushIds);
        const settled =
          (answer.status === 'confirmed' || answer.status === 'refused' || answer.status === 'missing') &&
          answer.pushesAcked + answer.pushesRejected.length >= pushIds.length;
        if (settled || Date.now() >= deadline) return answer;
        await sleep(1000);
      }
    },
  };
}

function lineOf(
  q: { budget_unit_code: string; subject_code: string },
  quotaId: string,
  amountFen: number,
): QuotaLine {
  return { quotaId, budgetUnitCode: q.budget_unit_code, subjectCode: q.subject_code, amountFen };
}

async function cancelQuotas(db: TreasuryDb, n: NoticePlan): Promise<number> {
  let changed = 0;
  for (const part of chunksOf(n.lines.map((l) => l.quotaId))) {
    const res = await db
      .updateTable('quotas')
      .set({ status: 'cancelled' })
      .where('bank_code', '=', n.bank)
      .where('fiscal_year', '=', n.fiscalYear)
      .where('quota_id', 'in', part)
      .where('status', '=', 'active')
      .executeTakeFirst();
    changed += Number(res.numUpdatedRows);
  }
  return changed;
}

async function restoreQuotas(db: TreasuryDb, n: NoticePlan): Promise<number> {
  const issued = await insertAbsent(
    db,
    'quotas',
    'quota_id',
    n.lines.map((l) => ({
      quota_id: l.quotaId,
      fiscal_year: n.fiscalYear + 1,
      bank_code: n.bank,
      budget_unit_code: l.budgetUnitCode,
      subject_code: l.subjectCode,
      amount_fen: l.amountFen,
      used_fen: 0,
      status: 'active' as const,
    })),
  );
  for (const part of chunksOf(Object.values(n.restores ?? {})))
    await db
      .updateTable('quotas')
      .set({ status: 'restored' })
      .where('bank_code', '=', n.bank)
      .where('fiscal_year', '=', n.fiscalYear)
      .where('quota_id', 'in', part)
      .where('status', '=', 'cancelled')
      .execute();
  return issued;
}

async function readAnswer(db: TreasuryDb, noticeId: string, pushIds: string[]): Promise<NoticeAnswer> {
  const row = await db
    .selectFrom('quota_year_notices')
    .select(['status', 'bank_line_count', 'bank_total_fen', 'answer_reason', 'answered_at'])
    .where('notice_id', '=', noticeId)
    .executeTakeFirst();
  const pushes =
    pushIds.length === 0
      ? []
      : await db
          .selectFrom('base_data_pushes')
          .select(['push_id', 'status', 'answer_reason'])
          .where('push_id', 'in', pushIds)
          .execute();
  return {
    status: row?.status ?? 'missing',
    bankLineCount: row?.bank_line_count ?? null,
    bankTotalFen: row?.bank_total_fen === null || row === undefined ? null : Number(row.bank_total_fen),
    reason: row?.answer_reason ?? null,
    answeredAt: row?.answered_at ?? null,
    pushesAcked: pushes.filter((p) => p.status === 'acked').length,
    pushesRejected: pushes
      .filter((p) => p.status === 'rejected')
      .map((p) => `${p.push_id}：${p.answer_reason ?? ''}`),
  };
}
