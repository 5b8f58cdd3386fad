/**
 * DDL for the base-data pushes a runbook asks of the send/receive program (see
 * BaseDataPushTable). Called from `createTreasurySchema`.
 */
import type { Kysely } from 'kysely';
import type { TreasuryDatabase } from './schema.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- DDL runs before the typed tables exist
export async function createBaseDataPushTable(db: Kysely<TreasuryDatabase> | Kysely<any>): Promise<void> {
  const text = (n: number) => `varchar(${n})` as const;
  await db.schema
    .createTable('base_data_pushes')
    .ifNotExists()
    .addColumn('push_id', text(120), (c) => c.primaryKey())
    .addColumn('bank_code', text(12), (c) => c.notNull())
    .addColumn('kind', text(20), (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', text(16), (c) => c.notNull())
    .addColumn('requested_at', text(32), (c) => c.notNull())
    .addColumn('sent_at', text(32))
    .addColumn('answered_at', text(32))
    .addColumn('answer_reason', text(400))
    .execute();
  await db.schema
    .createIndex('base_data_pushes_bank_status')
    .ifNotExists()
    .on('base_data_pushes')
    .columns(['bank_code', 'status'])
    .execute();
}
