/**
 * Access change activities (db zone): a change's preview, worked out over the system's users and
 * roles as read; the change applied on its approval in one transaction — the preview worked out
 * again over the access as it is, and nothing changed unless every user and role is as approved and
 * an active administrator remains; and each user's and role's digest now, for the verification.
 * What crosses Temporal's history is user ids, masked names and digests; a retry after a crash
 * finds the journal written with the change and does nothing twice.
 */
import type { Kysely } from 'kysely';
import {
  findAccessJournal,
  insertAccessJournal,
  readAccess,
  writeAccess,
} from '../connectors/treasury/access-store.ts';
import type { TreasuryDb } from '../connectors/treasury/database.ts';
import { writeHolding } from '../connectors/treasury/portable.ts';
import type { TreasuryDatabase } from '../connectors/treasury/schema.ts';
import {
  accessCommand,
  accessNow,
  missingInAccess,
  previewAccess,
  type AccessPreview,
  type AccessRequest,
  type AccessSystem,
  type BoundEntity,
} from '../domain/access/access-changes.ts';
import type { AccessApplied } from '../domain/runbooks/access-change.types.ts';
import { differing, type RowNow } from '../domain/row-changes.ts';
import { heartbeating } from './heartbeats.ts';
import { requiresProof, sqlAction } from './proof-actions.ts';

/** An approved change: the system, the request, the entities it was previewed against, the run and its instant. */
interface AccessOrder {
  system: AccessSystem;
  request: AccessRequest;
  entities: BoundEntity[];
  /** `<workflow id>@<run id>`: the journal's key. */
  changeId: string;
  at: string;
}

/** The change in one transaction holding the system's users and roles (see applyAccessChange). */
async function applyHolding(
  trx: Kysely<TreasuryDatabase>,
  lock: boolean,
  o: AccessOrder,
): Promise<AccessApplied> {
  const done = await findAccessJournal(trx, o.changeId);
  if (done) return { outcome: 'already', statements: 0, at: done.applied_at };
  const state = await readAccess(trx, o.system, lock);
  const preview = previewAccess(state, o.request);
  const movedBefore = differing(
    accessNow(state),
    o.entities.map((e) => ({ key: e.key, digest: e.beforeDigest })),
  );
  const seen = new Set(movedBefore.map((m) => m.key));
  const movedAfter = differing(
    preview.entities.map((e) => ({ key: e.key, digest: e.afterDigest })),
    o.entities.filter((e) => !seen.has(e.key)).map((e) => ({ key: e.key, digest: e.afterDigest })),
  );
  const moved = [...movedBefore, ...movedAfter];
  if (moved.length > 0 || preview.problems.length > 0)
    return { outcome: 'moved', moved, problems: preview.problems };
  const statements = await writeAccess(trx, o.system, o.request, o.at);
  await insertAccessJournal(trx, {
    change_id: o.changeId,
    system: o.system,
    entities: JSON.stringify(o.entities),
    applied_at: o.at,
  });
  return { outcome: 'applied', statements, at: o.at };
}

export function createAccessActivities({ db }: { db: TreasuryDb }) {
  return {
    /** What the change would do to each user and role, or why it cannot; input naming what does not exist. */
    async previewAccessChange({
      system,
      request,
    }: {
      system: AccessSystem;
      request: AccessRequest;
    }): Promise<AccessPreview & { missing: string[] }> {
      const state = await readAccess(db, system);
      const missing = missingInAccess(state, request);
      return { ...previewAccess(state, missing.length > 0 ? { users: [], roles: [] } : request), missing };
    },

    /**
     * Applies the approved change in one transaction: unless every user and role it touches is as
     * the preview saw it, would become what was approved, and an active administrator remains,
     * nothing is changed (`moved`). Found in the journal: `already` made.
     */
    applyAccessChange: requiresProof(
      (o: AccessOrder) => [sqlAction(accessCommand(o.system, o.request, o.entities))],
      (o) => heartbeating(() => writeHolding(db, (trx, lock) => applyHolding(trx, lock, o))),
    ),

    /** Each named user's and role's digest now (null: gone), and what a person may see of it. */
    async accessNow({ system, keys }: { system: AccessSystem; keys: string[] }): Promise<RowNow[]> {
      const now = new Map(accessNow(await readAccess(db, system)).map((n) => [n.key, n]));
      return keys.map((key) => now.get(key) ?? { key, digest: null });
    },
  };
}
