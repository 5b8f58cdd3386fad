/**
 * What a worker checks, holding the chain's lock, before it chains and signs a new record: that
 * the store still holds the record the signed head file anchors (nothing truncated or re-hashed
 * since), and that the record it chains onto is the head row's and carries an audit signature
 * (nothing written around the audit activity). A worker that signed on top of a tampered store
 * would vouch for it; it refuses instead, and runs wait (the `record` retry profile) until the
 * store or the head file is restored. A store without a head file yet (new, or written before
 * records were signed) is anchored where it stands before its first signed record, so from then
 * on a missing head file means a lost one.
 */
import type { Kysely } from 'kysely';
import type { SigningKey } from '../approvals/signing-keys.ts';
import { recordMessage, signatureFailure, type AuditKeyRing } from './audit-keys.ts';
import { readHeadFile, signHead, writeHeadFile } from './head-file.ts';
import { GENESIS_HASH, type ChainPoint } from './record.ts';
import type { AuditDatabase } from './schema.ts';

/** The store disagrees with the signed head or holds an unsigned tail: no record is chained on. */
export class AuditAnchorError extends Error {
  constructor(problem: string) {
    super(`Audit trail refused to grow: ${problem}`);
    this.name = 'AuditAnchorError';
  }
}

export interface AppendGuard {
  keys: AuditKeyRing;
  headFile: string;
  /** Signs the first head of a store that has none. */
  signingKey: SigningKey;
  at: Date;
}

/** Checks the store against the head file (writing the first one when there is none). */
export async function checkBeforeAppend(
  trx: Kysely<AuditDatabase>,
  row: ChainPoint,
  { keys, headFile, signingKey, at }: AppendGuard,
): Promise<void> {
  const reading = await readHeadFile(headFile, keys);
  let legacyUntil: number;
  if ('head' in reading) {
    const { head } = reading;
    if (head.seq > row.seq)
      throw new AuditAnchorError(
        `the store ends at seq ${row.seq} but the signed head in ${headFile} records seq ${head.seq}: records were removed from its end`,
      );
    const anchored = head.seq === 0 ? { hash: GENESIS_HASH } : await recordAt(trx, head.seq);
    if (anchored?.hash !== head.hash)
      throw new AuditAnchorError(
        `seq ${head.seq} is not the record the signed head in ${headFile} anchors: the trail was rewritten`,
      );
    legacyUntil = head.legacyUntil;
  } else if (reading.missing) {
    const signed = await lastSignedSeq(trx);
    if (signed !== null)
      throw new AuditAnchorError(
        `the head file ${headFile} is missing while the store holds records signed up to seq ${signed}: ` +
          'restore it (or a copy) before appending',
      );
    // A new store, or one written before records were signed: anchored where it stands.
    legacyUntil = row.seq;
    await writeHeadFile(headFile, signHead(row, legacyUntil, signingKey, at));
  } else {
    throw new AuditAnchorError(`the head file ${headFile} ${reading.problem}`);
  }
  if (row.seq > 0) {
    const last = await recordAt(trx, row.seq);
    if (last?.hash !== row.hash)
      throw new AuditAnchorError(
        `the chain head row names seq ${row.seq}, but the store's record there differs`,
      );
    const check = keys.check(recordMessage(last.hash), last.key_id, last.signature);
    if (row.seq > legacyUntil && check !== 'ok')
      throw new AuditAnchorError(
        `seq ${row.seq}, the last record, ${signatureFailure(check, last.key_id)}: it was written around the audit activity`,
      );
  }
}

async function recordAt(trx: Kysely<AuditDatabase>, seq: number) {
  return trx
    .selectFrom('audit_records')
    .select(['hash', 'key_id', 'signature'])
    .where('seq', '=', seq)
    .executeTakeFirst();
}

async function lastSignedSeq(trx: Kysely<AuditDatabase>): Promise<number | null> {
  const { seq } = await trx
    .selectFrom('audit_records')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('signature', 'is not', null)
    .executeTakeFirstOrThrow();
  return seq === null ? null : Number(seq);
}
