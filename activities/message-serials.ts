/**
 * Application message serial activities (db zone), for sequence resync's `serials` scope: what
 * the treasury database says finance has numbered and sent to a bank, a status query that asks
 * the bank for its own last accepted serial (filed in `bank_queries`; the send/receive program
 * carries it out of band and files the answer), and the guarded realignment of finance's serial.
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { readConsistently, type TreasuryDb } from '../connectors/treasury/database.ts';
import { ErrorKind } from '../domain/errors.ts';
import { serialsSql } from '../domain/runbooks/sequence-resync.plan.ts';
import type { BankSerialAnswer, SerialsState } from '../domain/runbooks/sequence-resync.types.ts';
import type { SiteConfig } from '../temporal.config.ts';
import { requiresProof, sqlAction } from './proof-actions.ts';
import { requireBank } from './site-lookup.ts';

const serialRefusal = 'E_SERIAL';

export function createMessageSerialActivities({
  db,
  site,
  now = () => new Date(),
}: {
  db: TreasuryDb;
  site: SiteConfig;
  now?: () => Date;
}) {
  const serialOut = async (bank: string) =>
    (
      await db
        .selectFrom('message_serials')
        .select('last_serial')
        .where('bank_code', '=', bank)
        .where('direction', '=', 'out')
        .executeTakeFirst()
    )?.last_serial;

  return {
    async readSerials({ bank }: { bank: string }): Promise<SerialsState> {
      requireBank(site, bank);
      return readConsistently(db, async (trx) => {
        const serial = await trx
          .selectFrom('message_serials')
          .select('last_serial')
          .where('bank_code', '=', bank)
          .where('direction', '=', 'out')
          .executeTakeFirst();
        // max(id) rather than ORDER BY … LIMIT: the same SQL on SQLite and Oracle.
        const last = await trx
          .selectFrom('message_log')
          .select(['serial_no', 'kind', 'ref_no', 'created_at'])
          .where('id', '=', (eb) =>
            eb
              .selectFrom('message_log')
              .select((m) => m.fn.max('id').as('id'))
              .where('bank_code', '=', bank)
              .where('direction', '=', 'out')
              .where('serial_no', '>', 0),
          )
          .executeTakeFirst();
        const vouchers = await trx
          .selectFrom('vouchers')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('bank_code', '=', bank)
          .where('status', '=', 'sent')
          .executeTakeFirstOrThrow();
        const notices = await trx
          .selectFrom('quota_notices')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('bank_code', '=', bank)
          .where('status', '=', 'sent')
          .executeTakeFirstOrThrow();
        const refused = await trx
          .selectFrom('vouchers')
          .select('voucher_no')
          .where('bank_code', '=', bank)
          .where('status', '=', 'rejected')
          .where('failure_code', '=', serialRefusal)
          .orderBy('voucher_no')
          .execute();
        return {
          bank,
          financeOut: serial?.last_serial ?? 0,
          ...(last && {
            lastSent: {
              serial: Number(last.serial_no),
              kind: last.kind,
              refNo: last.ref_no,
              at: last.created_at,
            },
          }),
          inFlight: Number(vouchers.n) + Number(notices.n),
          refusedForSerial: { count: refused.length, sample: refused.slice(0, 5).map((r) => r.voucher_no) },
        };
      });
    },

    /**
     * Files a status query about the last voucher finance sent the bank (any query will do: every
     * answer carries the bank's last accepted serial, and this one also says whether the bank has
     * that voucher). Keyed: asking again with the same key files nothing new.
     */
    async askBankSerial({
      bank,
      key,
    }: {
      bank: string;
      key: string;
    }): Promise<{ queryId: string; askedAbout: string }> {
      requireBank(site, bank);
      const queryId = `sr-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
      const existing = await db
        .selectFrom('bank_queries')
        .select('ref_no')
        .where('query_id', '=', queryId)
        .executeTakeFirst();
      if (existing) return { queryId, askedAbout: existing.ref_no };
      const lastVoucher = await db
        .selectFrom('message_log')
        .select('ref_no')
        .where('id', '=', (eb) =>
          eb
            .selectFrom('message_log')
            .select((m) => m.fn.max('id').as('id'))
            .where('bank_code', '=', bank)
            .where('direction', '=', 'out')
            .where('kind', 'in', ['direct_payment', 'authorized_payment'])
            .where('ref_no', 'is not', null),
        )
        .executeTakeFirst();
      const voucherNo = lastVoucher?.ref_no ?? 'NONE';
      await db
        .insertInto('bank_queries')
        .values({
          query_id: queryId,
          bank_code: bank,
          subject: 'voucher',
          ref_no: voucherNo,
          body: JSON.stringify({ voucherNo, queryId }),
          status: 'pending_send',
          requested_at: now().toISOString(),
          sent_at: null,
          answered_at: null,
          answer: null,
        })
        .execute();
      return { queryId, askedAbout: voucherNo };
    },

    /** The bank's answer to a query filed by askBankSerial, or null while there is none. */
    async readBankSerialAnswer({ queryId }: { queryId: string }): Promise<BankSerialAnswer | null> {
      const row = await db
        .selectFrom('bank_queries')
        .select(['ref_no', 'status', 'answered_at', 'answer'])
        .where('query_id', '=', queryId)
        .executeTakeFirst();
      if (!row || row.status !== 'answered' || !row.answer) return null;
      const answer = JSON.parse(row.answer) as { lastSerialAccepted?: unknown };
      if (typeof answer.lastSerialAccepted !== 'number') {
        throw ApplicationFailure.create({
          type: ErrorKind.UnexpectedState,
          nonRetryable: true,
          message: `the bank's answer to ${queryId} carries no lastSerialAccepted`,
        });
      }
      return {
        queryId,
        askedAbout: row.ref_no,
        lastSerialAccepted: answer.lastSerialAccepted,
        answeredAt: row.answered_at ?? '',
      };
    },

    /**
     * Sets finance's last outgoing serial for the bank from `from` to `to`, only if it is still
     * `from` (the statement shown in the plan). A repeat after a lost reply finds `to` and counts
     * as done; any other value means the serial moved since the plan, and nothing is changed.
     */
    realignOutgoingSerial: requiresProof(
      ({ bank, from, to }: { bank: string; from: number; to: number }) => [
        sqlAction(serialsSql(bank, from, to)),
      ],
      async ({ bank, from, to }): Promise<{ changed: boolean; before: number; after: number }> => {
        requireBank(site, bank);
        const at = now().toISOString();
        const result = await db
          .updateTable('message_serials')
          .set({ last_serial: to, updated_at: at })
          .where('bank_code', '=', bank)
          .where('direction', '=', 'out')
          .where('last_serial', '=', from)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) return { changed: true, before: from, after: to };
        const current = await serialOut(bank);
        if (current === to) return { changed: false, before: to, after: to };
        if (current === undefined && from === 0) {
          await db
            .insertInto('message_serials')
            .values({ bank_code: bank, direction: 'out', last_serial: to, updated_at: at })
            .execute();
          return { changed: true, before: 0, after: to };
        }
        throw ApplicationFailure.create({
          type: ErrorKind.UnexpectedState,
          nonRetryable: true,
          message: `message_serials(${bank}, out) is ${String(current)} now, not ${from} as planned; nothing changed`,
          details: [current ?? null],
        });
      },
    ),
  };
}
