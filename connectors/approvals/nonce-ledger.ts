/**
 * The nonce ledger: every nonce the front door signs (approval decisions, start assertions,
 * claims, hand decisions) is bound, on its first use, to the run that used it — namespace, workflow id, run id —
 * and a use by any other run is refused as reused. It lives in the audit store's database (its
 * own table, created here when the store opens for writing), so every worker zone that acts on
 * approvals shares one ledger across runs, resets and restarts. SQLite and Oracle alike.
 */
import { sql, type Kysely } from 'kysely';
import type { RunRef } from '../../domain/approvals/proof.ts';
import type { AuditDb } from '../audit/database.ts';
import { isSqlite, retryWhileBusy } from '../audit/migrations.ts';

export type NonceKind = 'decision' | 'start' | 'claim' | 'hand';

interface ApprovalNoncesTable {
  nonce: string;
  kind: NonceKind;
  namespace: string;
  workflow_id: string;
  run_id: string;
  first_used_at: string;
}

type LedgerDb = Kysely<{ approval_nonces: ApprovalNoncesTable }>;

export interface NonceBinding {
  nonce: string;
  /** The run the nonce was bound to at its first use. */
  boundTo: RunRef;
}

export interface BindResult {
  /** Nonces bound now, by this call: their first use. */
  fresh: string[];
  /** The first nonce already bound to another run, when there is one. */
  reused?: NonceBinding;
}

export interface NonceLedger {
  /**
   * Binds each nonce to `run` unless already bound; one bound to a run other than `run` (or one
   * of the `sameRunIds`, e.g. the run's original run id across a reset) is reported as reused.
   */
  bind(run: RunRef, nonces: { nonce: string; kind: NonceKind }[], sameRunIds?: string[]): Promise<BindResult>;
  /** Where a nonce is bound, if anywhere. */
  lookup(nonce: string): Promise<NonceBinding | undefined>;
}

/** The ledger in the audit store's database, its table created when missing. */
export async function openNonceLedger(db: AuditDb, now?: () => Date): Promise<NonceLedger> {
  await createNonceLedgerSchema(db);
  return createNonceLedger(db, now);
}

async function createNonceLedgerSchema(db: AuditDb): Promise<void> {
  const ledger = db as unknown as LedgerDb;
  const sqlite = isSqlite(db);
  const text = (n: number) =>
    sqlite ? sql`varchar(${sql.raw(String(n))})` : sql`varchar2(${sql.raw(String(n))} char)`;
  const table = ledger.schema
    .createTable('approval_nonces')
    .addColumn('nonce', text(32), (c) => c.notNull())
    .addColumn('kind', text(16), (c) => c.notNull())
    .addColumn('namespace', text(255), (c) => c.notNull())
    .addColumn('workflow_id', text(255), (c) => c.notNull())
    .addColumn('run_id', text(64), (c) => c.notNull())
    .addColumn('first_used_at', text(32), (c) => c.notNull())
    .addPrimaryKeyConstraint('approval_nonces_pk', ['nonce']);
  if (sqlite) return retryWhileBusy(() => table.ifNotExists().execute());
  try {
    await table.execute();
  } catch (err) {
    // Oracle before 23ai has no IF NOT EXISTS: an existing table (ORA-00955) means done.
    if (!/ORA-00955/.test(String((err as Error).message))) throw err;
  }
}

function createNonceLedger(db: AuditDb, now: () => Date = () => new Date()): NonceLedger {
  const ledger = db as unknown as LedgerDb;
  const write = <T>(fn: () => Promise<T>) => (isSqlite(db) ? retryWhileBusy(fn) : fn());

  const lookup = async (nonce: string): Promise<NonceBinding | undefined> => {
    const row = await ledger
      .selectFrom('approval_nonces')
      .select(['namespace', 'workflow_id', 'run_id'])
      .where('nonce', '=', nonce)
      .executeTakeFirst();
    return (
      row && { nonce, boundTo: { namespace: row.namespace, workflowId: row.workflow_id, runId: row.run_id } }
    );
  };

  return {
    lookup,
    async bind(run, nonces, sameRunIds = []) {
      const same = (b: RunRef) =>
        b.namespace === run.namespace &&
        b.workflowId === run.workflowId &&
        (b.runId === run.runId || sameRunIds.includes(b.runId));
      const fresh: string[] = [];
      for (const { nonce, kind } of nonces) {
        let bound = await lookup(nonce);
        if (!bound) {
          try {
            // In a transaction: Oracle commits nothing outside one.
            await write(() =>
              ledger.transaction().execute((trx) =>
                trx
                  .insertInto('approval_nonces')
                  .values({
                    nonce,
                    kind,
                    namespace: run.namespace,
                    workflow_id: run.workflowId,
                    run_id: run.runId,
                    first_used_at: now().toISOString(),
                  })
                  .execute(),
              ),
            );
            fresh.push(nonce);
            continue;
          } catch (err) {
            // Another activity bound it meanwhile (primary key): judge that binding.
            bound = await lookup(nonce);
            if (!bound) throw err;
          }
        }
        if (!same(bound.boundTo)) return { fresh, reused: bound };
      }
      return { fresh };
    },
  };
}
