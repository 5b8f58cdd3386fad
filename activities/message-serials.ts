/**
 * Application message serial activities (db zone), for sequence resync's `serials` scope: what
 * the treasury database says finance has numbered and sent to a bank, the voucher to ask the bank
 * about for its own last accepted serial (the question goes through activities/bank-questions.ts),
 * and the guarded realignment of finance's serial.
 */
import { ApplicationFailure } from '@temporalio/common';
import { readConsistently, type TreasuryDb } from '../connectors/treasury/database.ts';
import { ErrorKind } from '../domain/errors.ts';
import { serialsSql } from '../domain/runbooks/sequence-resync.plan.ts';
import type { SerialsState } from '../domain/runbooks/sequence-resync.types.ts';
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
     * The last voucher finance sent the bank, or null when it has sent none: what sequence resync
     * asks the bank about (every answer carries the bank's last accepted serial, and this one also
     * says whether the bank has that voucher).
     */
    async lastVoucherSent({ bank }: { bank: string }): Promise<string | null> {
      requireBank(site, bank);
      const last = await db
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
      return last?.ref_no ?? null;
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
