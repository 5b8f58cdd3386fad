/**
 * Putting status queries to a bank and reading its answers, through the treasury database: a
 * runbook files its questions in `bank_queries`, the send/receive program sends them and files
 * each answer the bank returns against its question. Questions are keyed by a query id the
 * workflow derives from its own id, so a retried activity files nothing twice.
 */
import { z } from 'zod';
import { insertRows } from '../../connectors/treasury/portable.ts';
import type { BankAnswer, BankQuestion } from '../../domain/bank-checks/types.ts';
import { requireBank } from '../site-lookup.ts';
import type { BankCheckDeps } from './deps.ts';

const answerSchema = z.looseObject({
  queryId: z.string(),
  voucherNo: z.string().optional(),
  known: z.boolean().optional(),
  status: z.string().optional(),
  paidAt: z.string().nullable().optional(),
  amountFen: z.number().optional(),
  void: z
    .looseObject({ state: z.enum(['voided', 'refused']), at: z.string(), reason: z.string().optional() })
    .optional(),
  refund: z
    .looseObject({
      refundNo: z.string(),
      known: z.boolean(),
      state: z.enum(['refunded', 'refused']).optional(),
      voucherNo: z.string().optional(),
      amountFen: z.number().optional(),
      refundDate: z.string().optional(),
      initiatedBy: z.enum(['finance', 'bank']).optional(),
      reason: z.string().optional(),
    })
    .optional(),
  reportKind: z.enum(['daily_report', 'payment_list', 'recon_file']).optional(),
  reportDate: z.string().optional(),
  resent: z.boolean().optional(),
});

function body(q: BankQuestion): Record<string, string> {
  switch (q.subject) {
    case 'voucher':
      return { queryId: q.queryId, voucherNo: q.voucherNo };
    case 'report':
      return { queryId: q.queryId, reportKind: q.reportKind, reportDate: q.reportDate };
    case 'refund':
      return { queryId: q.queryId, refundNo: q.refundNo };
  }
}

function refOf(q: BankQuestion): string {
  return q.subject === 'voucher'
    ? q.voucherNo
    : q.subject === 'refund'
      ? q.refundNo
      : `${q.reportKind}:${q.reportDate}`;
}

export function createBankQueryActivities({ db, site, now = () => new Date() }: BankCheckDeps) {
  return {
    /** Files the questions for the bank's send/receive program; those already filed are left alone. */
    async askBank({
      bank,
      questions,
    }: {
      bank: string;
      questions: BankQuestion[];
    }): Promise<{ filed: number }> {
      requireBank(site, bank);
      if (questions.length === 0) return { filed: 0 };
      return db.transaction().execute(async (trx) => {
        const ids = questions.map((q) => q.queryId);
        const existing = new Set<string>();
        for (let i = 0; i < ids.length; i += 500) {
          const rows = await trx
            .selectFrom('bank_queries')
            .select('query_id')
            .where('query_id', 'in', ids.slice(i, i + 500))
            .execute();
          rows.forEach((r) => existing.add(r.query_id));
        }
        const at = now().toISOString();
        const rows = questions
          .filter((q) => !existing.has(q.queryId))
          .map((q) => ({
            query_id: q.queryId,
            bank_code: bank,
            subject: q.subject,
            ref_no: refOf(q),
            body: JSON.stringify(body(q)),
            status: 'pending_send' as const,
            requested_at: at,
            sent_at: null,
            answered_at: null,
            answer: null,
          }));
        for (let i = 0; i < rows.length; i += 200)
          await insertRows(trx, 'bank_queries', rows.slice(i, i + 200));
        return { filed: rows.length };
      });
    },

    /** How the questions whose id starts with `prefix` stand: filed, sent, answered. */
    async countAnswers({
      bank,
      prefix,
    }: {
      bank: string;
      prefix: string;
    }): Promise<{ filed: number; sent: number; answered: number }> {
      const rows = await db
        .selectFrom('bank_queries')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('bank_code', '=', bank)
        .where('query_id', 'like', `${prefix}%`)
        .groupBy('status')
        .execute();
      const n = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
      return {
        filed: n('pending_send') + n('sent') + n('answered'),
        sent: n('sent') + n('answered'),
        answered: n('answered'),
      };
    },

    /** The answers filed for the questions whose id starts with `prefix`. */
    async readAnswers({ bank, prefix }: { bank: string; prefix: string }): Promise<BankAnswer[]> {
      const rows = await db
        .selectFrom('bank_queries')
        .select(['query_id', 'answered_at', 'answer'])
        .where('bank_code', '=', bank)
        .where('query_id', 'like', `${prefix}%`)
        .where('status', '=', 'answered')
        .orderBy('query_id')
        .execute();
      return rows.flatMap((r) => {
        const parsed = answerSchema.safeParse(JSON.parse(r.answer ?? 'null'));
        if (!parsed.success) return [];
        const a = parsed.data;
        const answer: BankAnswer = {
          queryId: r.query_id,
          answeredAt: r.answered_at ?? '',
          ...(a.voucherNo !== undefined && { voucherNo: a.voucherNo }),
          ...(a.known !== undefined && { known: a.known }),
          ...(a.status !== undefined && { status: a.status }),
          ...(a.paidAt !== undefined && { paidAt: a.paidAt }),
          ...(a.amountFen !== undefined && { amountFen: a.amountFen }),
          ...(a.void && {
            void: { state: a.void.state, at: a.void.at, ...(a.void.reason && { reason: a.void.reason }) },
          }),
          ...(a.refund && {
            refund: {
              refundNo: a.refund.refundNo,
              known: a.refund.known,
              ...(a.refund.state && { state: a.refund.state }),
              ...(a.refund.voucherNo && { voucherNo: a.refund.voucherNo }),
              ...(a.refund.amountFen !== undefined && { amountFen: a.refund.amountFen }),
              ...(a.refund.refundDate && { refundDate: a.refund.refundDate }),
              ...(a.refund.initiatedBy && { initiatedBy: a.refund.initiatedBy }),
              ...(a.refund.reason && { reason: a.refund.reason }),
            },
          }),
          ...(a.reportKind && { reportKind: a.reportKind }),
          ...(a.reportDate && { reportDate: a.reportDate }),
          ...(a.resent !== undefined && { resent: a.resent }),
        };
        return [answer];
      });
    },
  };
}
