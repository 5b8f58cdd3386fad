/**
 * DDL for the audit store, created idempotently when the store opens. The same definitions serve
 * SQLite and Oracle; column types are chosen per dialect (VARCHAR2 in characters and a CLOB for
 * the payload on Oracle), and lengths stay within what VARCHAR2 holds. A store made before
 * records were signed gets the signature columns added.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, SqliteAdapter, type Kysely } from 'kysely';
import { GENESIS_HASH } from './record.ts';
import type { AuditDatabase } from './schema.ts';

export function isSqlite(db: Kysely<AuditDatabase>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

const busyWaitMs = 30_000;

/**
 * Runs `fn` again while SQLite answers SQLITE_BUSY (another connection holds the write lock).
 * The audit connection sets no busy timeout, so waiting happens here, on timers.
 */
export async function retryWhileBusy<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + busyWaitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      await sleep(Math.min(20, 2 ** attempt) * (0.5 + Math.random()));
    }
  }
}

export async function createAuditSchema(db: Kysely<AuditDatabase>): Promise<void> {
  if (isSqlite(db)) return retryWhileBusy(() => createTables(db));
  return createTables(db);
}

async function createTables(db: Kysely<AuditDatabase>): Promise<void> {
  const sqlite = isSqlite(db);
  const text = (n: number) =>
    sqlite ? sql`varchar(${sql.raw(String(n))})` : sql`varchar2(${sql.raw(String(n))} char)`;
  const bigText = sqlite ? sql`text` : sql`clob`;
  const integer = sqlite ? sql`integer` : sql`number(19)`;
  // Oracle before 23ai has no IF NOT EXISTS: there an existing object (ORA-00955) means done.
  const once = async (ddl: { ifNotExists(): { execute(): Promise<void> }; execute(): Promise<void> }) => {
    if (sqlite) return ddl.ifNotExists().execute();
    try {
      await ddl.execute();
    } catch (err) {
      if (!/ORA-00955/.test(String((err as Error).message))) throw err;
    }
  };

  await once(
    db.schema
      .createTable('audit_records')
      .addColumn('seq', integer, (c) => c.notNull())
      .addColumn('recorded_at', text(32), (c) => c.notNull())
      .addColumn('workflow_id', text(255), (c) => c.notNull())
      .addColumn('run_id', text(64))
      .addColumn('runbook', text(64), (c) => c.notNull())
      .addColumn('kind', text(16), (c) => c.notNull())
      .addColumn('actor', text(64), (c) => c.notNull())
      .addColumn('subject', text(200))
      .addColumn('payload', bigText, (c) => c.notNull())
      .addColumn('idempotency_key', text(400), (c) => c.notNull())
      .addColumn('prev_hash', text(64), (c) => c.notNull())
      .addColumn('hash', text(64), (c) => c.notNull())
      .addColumn('key_id', text(64))
      .addColumn('signature', text(128))
      .addPrimaryKeyConstraint('audit_records_pk', ['seq'])
      .addUniqueConstraint('audit_records_idem_uq', ['idempotency_key']),
  );
  await addSignatureColumns(db, text);
  await once(db.schema.createIndex('audit_records_time_ix').on('audit_records').column('recorded_at'));
  await once(db.schema.createIndex('audit_records_wf_ix').on('audit_records').column('workflow_id'));
  await once(
    db.schema
      .createTable('audit_chain_head')
      .addColumn('id', integer, (c) => c.notNull())
      .addColumn('last_seq', integer, (c) => c.notNull())
      .addColumn('last_hash', text(64), (c) => c.notNull())
      .addColumn('updated_at', text(32), (c) => c.notNull())
      .addPrimaryKeyConstraint('audit_chain_head_pk', ['id']),
  );
  await ensureChainHead(db);
}

/** Adds key_id and signature to a store created before records were signed. */
async function addSignatureColumns(
  db: Kysely<AuditDatabase>,
  text: (n: number) => ReturnType<typeof sql>,
): Promise<void> {
  const hasColumns = await db
    .selectFrom('audit_records')
    .select(['key_id', 'signature'])
    .where('seq', '=', 0)
    .execute()
    .then(
      () => true,
      () => false,
    );
  if (hasColumns) return;
  for (const [column, length] of [
    ['key_id', 64],
    ['signature', 128],
  ] as const) {
    try {
      // Oracle's ADD takes no COLUMN keyword, which Kysely's builder writes.
      if (isSqlite(db)) await db.schema.alterTable('audit_records').addColumn(column, text(length)).execute();
      else
        await sql`alter table ${sql.table('audit_records')} add (${sql.ref(column)} ${text(length)})`.execute(
          db,
        );
    } catch (err) {
      // Another process opening the store at the same moment added it first.
      if (!/duplicate column|ORA-01430/i.test(String((err as Error).message))) throw err;
    }
  }
}

/** The single head row, created with the genesis hash; two processes opening at once may race. */
async function ensureChainHead(db: Kysely<AuditDatabase>): Promise<void> {
  const exists = () => db.selectFrom('audit_chain_head').select('id').where('id', '=', 1).executeTakeFirst();
  if (await exists()) return;
  try {
    // A transaction because Oracle commits nothing outside one.
    await db
      .transaction()
      .execute((trx) =>
        trx
          .insertInto('audit_chain_head')
          .values({ id: 1, last_seq: 0, last_hash: GENESIS_HASH, updated_at: new Date().toISOString() })
          .execute(),
      );
  } catch (err) {
    if (!(await exists())) throw err;
  }
}
