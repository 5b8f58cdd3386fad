/**
 * DDL pieces shared by the tables of requests finance puts to a bank through the send/receive
 * program (void requests, base-data pushes, status queries, refunds): the state columns such a
 * request carries from queued to answered, and the index the program polls them by.
 */
import type { CreateTableBuilder, Kysely } from 'kysely';
import type { TreasuryDatabase } from './schema.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- DDL runs before the typed tables exist
export type DdlDb = Kysely<TreasuryDatabase> | Kysely<any>;

export const varchar = (n: number) => `varchar(${n})` as const;

/** status, requested_at, sent_at, answered_at and answer_reason, in that order, after a table's own columns. */
export function answeredRequestColumns<TB extends string, C extends string>(
  table: CreateTableBuilder<TB, C>,
) {
  return table
    .addColumn('status', varchar(16), (c) => c.notNull())
    .addColumn('requested_at', varchar(32), (c) => c.notNull())
    .addColumn('sent_at', varchar(32))
    .addColumn('answered_at', varchar(32))
    .addColumn('answer_reason', varchar(400));
}

/** The `<table>_bank_status` index: the program and the runbooks look requests up by bank and status. */
export async function createBankStatusIndex(db: DdlDb, table: string): Promise<void> {
  await db.schema
    .createIndex(`${table}_bank_status`)
    .ifNotExists()
    .on(table)
    .columns(['bank_code', 'status'])
    .execute();
}
