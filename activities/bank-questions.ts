/**
 * Every question a runbook puts to a bank (db zone), whatever it is about: the runbook files its
 * status queries in the treasury's `bank_queries`, the bank's send/receive program sends them out
 * of band and files each answer the bank returns against its question. Query ids come from the
 * asking run (domain/bank-questions.ts), so filing again files nothing twice, and a run counts and
 * reads its own answers by their prefix.
 */
import type { TreasuryDb } from '../connectors/treasury/database.ts';
import { insertAbsent } from '../connectors/treasury/portable.ts';
import {
  parseAnswer,
  refOf,
  statusQueryBody,
  type BankAnswer,
  type BankQuestion,
} from '../domain/bank-questions.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { writes } from './activity-kinds.ts';
import { requireBank } from './site-lookup.ts';

export interface AnswerCounts {
  filed: number;
  sent: number;
  answered: number;
}

/**
 * Files `questions` for `bank`'s send/receive program; those filed already (a retry, or the same
 * run asking again) are left as they are. Returns how many were new.
 */
export async function fileQuestions(
  db: TreasuryDb,
  bank: string,
  questions: readonly BankQuestion[],
  at: string,
): Promise<number> {
  return insertAbsent(
    db,
    'bank_queries',
    'query_id',
    questions.map((q) => ({
      query_id: q.queryId,
      bank_code: bank,
      subject: q.subject,
      ref_no: refOf(q),
      body: statusQueryBody(q),
      status: 'pending_send' as const,
      requested_at: at,
      sent_at: null,
      answered_at: null,
      answer: null,
    })),
  );
}

/**
 * The query ids under `prefix` as a range of the primary key, which its index finds: with a LIKE,
 * or with the bank in the query, SQLite without statistics scans all the bank's questions instead.
 * The bank and the status are checked on the rows found.
 */
function underPrefix(prefix: string): [from: string, to: string] {
  const last = prefix.charCodeAt(prefix.length - 1);
  return [prefix, `${prefix.slice(0, -1)}${String.fromCharCode(last + 1)}`];
}

export function createBankQuestionActivities({
  db,
  site,
  now = () => new Date(),
}: {
  db: TreasuryDb;
  site: SiteConfig;
  now?: () => Date;
}) {
  return {
    /** Files the questions for the bank's send/receive program (a bank of the estate). */
    askBank: writes(
      async ({
        bank,
        questions,
      }: {
        bank: string;
        questions: BankQuestion[];
      }): Promise<{ filed: number }> => {
        requireBank(site, bank);
        return { filed: await fileQuestions(db, bank, questions, now().toISOString()) };
      },
    ),

    /** How the questions whose id starts with `prefix` stand: filed, sent, answered. */
    async countAnswers({ bank, prefix }: { bank: string; prefix: string }): Promise<AnswerCounts> {
      const [from, to] = underPrefix(prefix);
      const rows = await db
        .selectFrom('bank_queries')
        .select(['bank_code', 'status', (eb) => eb.fn.countAll<number>().as('n')])
        .where('query_id', '>=', from)
        .where('query_id', '<', to)
        .groupBy(['bank_code', 'status'])
        .execute();
      const n = (s: string) => Number(rows.find((r) => r.bank_code === bank && r.status === s)?.n ?? 0);
      return {
        filed: n('pending_send') + n('sent') + n('answered'),
        sent: n('sent') + n('answered'),
        answered: n('answered'),
      };
    },

    /** The answers filed for the questions whose id starts with `prefix` (one that is not an answer is left out). */
    async readAnswers({ bank, prefix }: { bank: string; prefix: string }): Promise<BankAnswer[]> {
      const [from, to] = underPrefix(prefix);
      const rows = await db
        .selectFrom('bank_queries')
        .select(['query_id', 'bank_code', 'status', 'answered_at', 'answer'])
        .where('query_id', '>=', from)
        .where('query_id', '<', to)
        .orderBy('query_id')
        .execute();
      return rows.flatMap((r) =>
        r.bank_code === bank && r.status === 'answered'
          ? (parseAnswer(r.query_id, r.answered_at ?? '', r.answer ?? '') ?? [])
          : [],
      );
    },
  };
}
