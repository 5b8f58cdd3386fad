/**
 * Verification of the audit trail. The hash chain: walks records in seq order and names every
 * problem with the seq it concerns — a record changed after it was written (its hash no longer
 * matches), records removed (a gap, or a chain head past the last record), records reordered (a
 * record that hashes correctly only under another record's seq), a seq present twice, a record
 * rewritten together with its hash (the next record no longer links to it). Beyond the chain,
 * which anyone who can write the store could recompute: each record's audit signature and each
 * decision's front-door signature (record-checks.ts), and the signed heads kept outside the store
 * (anchors.ts). The same walk checks a standalone range (an evidence bundle) from its anchor.
 */
import { sql, type Kysely } from 'kysely';
import { anchorProblems, legacyUntil, validAnchors } from './anchors.ts';
import type { AuditDb } from './database.ts';
import type { HeadReading } from './head-file.ts';
import { isSqlite } from './migrations.ts';
import { GENESIS_HASH, recordHash, type AuditRecord, type ChainPoint } from './record.ts';
import { RecordChecker, type TrailKeys } from './record-checks.ts';
import type { AuditDatabase } from './schema.ts';

export type AuditProblemKind =
  | 'altered'
  | 'removed'
  | 'reordered'
  | 'duplicated'
  | 'beyond-head'
  | 'truncated'
  | 'signature'
  | 'decision'
  | 'anchor';

export interface AuditProblem {
  seq: number;
  kind: AuditProblemKind;
  problem: string;
}

export interface AuditVerification {
  ok: boolean;
  records: number;
  problems: AuditProblem[];
  /** The last record walked, or the starting anchor when there were none. */
  last: ChainPoint;
  /** Records accepted without a signature because they were written before records were signed. */
  legacy: number;
  /** The signed heads the store was checked against. */
  anchored: { source: string; seq: number }[];
}

/** Within one seq, what is wrong with the chain first, then the signatures, then the decision. */
const problemOrder: AuditProblemKind[] = [
  'removed',
  'truncated',
  'altered',
  'reordered',
  'duplicated',
  'beyond-head',
  'signature',
  'decision',
  'anchor',
];

/** What the hash chain alone says. */
type ChainVerdict = Omit<AuditVerification, 'legacy' | 'anchored'>;

export interface VerifyOptions {
  keys: TrailKeys;
  /** Signed heads the store must still hold: the head file, an export's head, copies kept elsewhere. */
  anchors: HeadReading[];
}

interface Suspect {
  record: AuditRecord;
  contentOk: boolean;
  prevSeq: number;
}

// Searching for a reordered record's original seq is quadratic in the suspects; past this many
// the chain is broken wholesale and "altered" says enough.
const maxReorderSearch = 2000;

export class ChainWalker {
  private prev: ChainPoint;
  private readonly suspects: Suspect[] = [];
  private readonly problems: AuditProblem[] = [];
  private count = 0;

  constructor(start: ChainPoint = { seq: 0, hash: GENESIS_HASH }) {
    this.prev = start;
  }

  push(r: AuditRecord): void {
    this.count++;
    const contentOk = recordHash(r.prev_hash, r) === r.hash;
    if (r.seq === this.prev.seq) {
      this.problems.push({ seq: r.seq, kind: 'duplicated', problem: `seq ${r.seq} appears more than once` });
      if (!contentOk) this.suspects.push({ record: r, contentOk, prevSeq: this.prev.seq });
      return;
    }
    const gap = r.seq > this.prev.seq + 1;
    if (gap) {
      const from = this.prev.seq + 1;
      const to = r.seq - 1;
      this.problems.push({
        seq: from,
        kind: 'removed',
        problem: from === to ? `record seq ${from} is missing` : `records seq ${from}–${to} are missing`,
      });
    }
    // After a gap the link is broken by the removal itself; no second problem for it.
    if (!contentOk || (!gap && r.prev_hash !== this.prev.hash))
      this.suspects.push({ record: r, contentOk, prevSeq: this.prev.seq });
    this.prev = { seq: r.seq, hash: r.hash };
  }

  /** The verdict; `end` is where the chain should stop (the chain head, or a range's end anchor). */
  finish(end?: ChainPoint): ChainVerdict {
    const problems = [...this.problems];
    const bad = this.suspects.filter((s) => !s.contentOk);
    const seqs = bad.length <= maxReorderSearch ? bad.map((s) => s.record.seq) : [];
    const explained = new Set<number>();
    for (const { record: r } of bad) {
      const original = seqs.find((k) => k !== r.seq && recordHash(r.prev_hash, { ...r, seq: k }) === r.hash);
      if (original !== undefined) {
        problems.push({
          seq: r.seq,
          kind: 'reordered',
          problem: `seq ${r.seq} holds the record written as seq ${original} (records reordered)`,
        });
      } else {
        problems.push({
          seq: r.seq,
          kind: 'altered',
          problem: `seq ${r.seq} does not match its hash: the record was changed after it was written`,
        });
      }
      explained.add(r.seq);
    }
    for (const s of this.suspects) {
      if (!s.contentOk || explained.has(s.prevSeq)) continue;
      // This record is intact, so its prev_hash is the original: the record before it is not.
      problems.push({
        seq: s.prevSeq,
        kind: 'altered',
        problem:
          `seq ${s.prevSeq} is not the record seq ${s.record.seq} was chained to: ` +
          'it was rewritten with a recomputed hash, or replaced',
      });
      explained.add(s.prevSeq);
    }
    if (end) problems.push(...endProblems(this.prev, end));
    problems.sort((a, b) => a.seq - b.seq);
    return { ok: problems.length === 0, records: this.count, problems, last: this.prev };
  }
}

function endProblems(last: ChainPoint, end: ChainPoint): AuditProblem[] {
  if (end.seq > last.seq) {
    const from = last.seq + 1;
    return [
      {
        seq: from,
        kind: 'removed',
        problem:
          (from === end.seq
            ? `record seq ${from} is missing`
            : `records seq ${from}–${end.seq} are missing`) +
          ` at the end (the chain head records seq ${end.seq})`,
      },
    ];
  }
  if (end.seq < last.seq) {
    return [
      {
        seq: end.seq + 1,
        kind: 'beyond-head',
        problem: `records after seq ${end.seq} are not covered by the chain head (written around the audit store)`,
      },
    ];
  }
  if (end.hash !== last.hash) {
    return [
      {
        seq: end.seq,
        kind: 'altered',
        problem: `the hash of seq ${end.seq} differs from the one the chain head records`,
      },
    ];
  }
  return [];
}

/**
 * Checks records that claim to continue the chain from `start` and end at `end` (an evidence
 * range): the chain, the signatures, and the decisions (a plan outside the range is not missed).
 */
export function verifyRecords(
  records: Iterable<AuditRecord>,
  options: { keys: TrailKeys; legacyUntil: number; start?: ChainPoint; end?: ChainPoint },
): AuditVerification {
  const walker = new ChainWalker(options.start);
  const checker = new RecordChecker({
    keys: options.keys,
    legacyUntil: options.legacyUntil,
    plansKnown: false,
  });
  for (const r of records) {
    walker.push(r);
    checker.push(r);
  }
  return withProblems(walker.finish(options.end), checker.finish(), checker.legacy, []);
}

function withProblems(
  chain: ChainVerdict,
  more: AuditProblem[],
  legacy: number,
  anchored: AuditVerification['anchored'],
): AuditVerification {
  const rank = (p: AuditProblem) => problemOrder.indexOf(p.kind);
  const problems = [...chain.problems, ...more].sort((a, b) => a.seq - b.seq || rank(a) - rank(b));
  return { ...chain, ok: problems.length === 0, problems, legacy, anchored };
}

const pageSize = 1000;

/** The chain head row: the last seq and hash the store has handed out (null when the row is gone). */
export async function readChainHead(trx: Kysely<AuditDatabase>): Promise<ChainPoint | null> {
  const head = await trx
    .selectFrom('audit_chain_head')
    .select(['last_seq', 'last_hash'])
    .where('id', '=', 1)
    .executeTakeFirst();
  return head ? { seq: Number(head.last_seq), hash: head.last_hash } : null;
}

/** Verifies the whole trail, against one consistent snapshot of the store and the given heads. */
export async function verifyAuditTrail(db: AuditDb, options: VerifyOptions): Promise<AuditVerification> {
  const { anchors } = options;
  const anchoredSeqs = new Set(validAnchors(anchors).map((a) => a.head.seq));
  return readSnapshot(db, async (trx) => {
    const head = await readChainHead(trx);
    const { max } = await trx
      .selectFrom('audit_records')
      .select((eb) => eb.fn.max('seq').as('max'))
      .executeTakeFirstOrThrow();
    const walker = new ChainWalker();
    const checker = new RecordChecker({
      keys: options.keys,
      legacyUntil: legacyUntil(anchors),
      plansKnown: true,
    });
    const hashAt = new Map<number, string>();
    const until = Math.max(Number(max ?? 0), head?.seq ?? 0);
    // Pages by seq range, not LIMIT/OFFSET: the same query then runs on SQLite and Oracle.
    for (let from = 1; from <= until; from += pageSize) {
      const page = await trx
        .selectFrom('audit_records')
        .selectAll()
        .where('seq', '>=', from)
        .where('seq', '<', from + pageSize)
        .orderBy('seq')
        .orderBy('hash')
        .execute();
      for (const row of page) {
        const r = { ...row, seq: Number(row.seq) };
        walker.push(r);
        checker.push(r);
        if (anchoredSeqs.has(r.seq) && !hashAt.has(r.seq)) hashAt.set(r.seq, r.hash);
      }
    }
    const chain = walker.finish(head ?? undefined);
    const more = [...checker.finish(), ...anchorProblems(anchors, chain.last, chain.records, hashAt)];
    if (!head) more.unshift({ seq: 0, kind: 'removed', problem: 'the chain head row is missing' });
    const anchored = validAnchors(anchors).map((a) => ({ source: a.source, seq: a.head.seq }));
    return withProblems(chain, more, checker.legacy, anchored);
  });
}

/** SQLite (WAL) keeps a snapshot for a transaction's life; Oracle needs a read-only transaction. */
export async function readSnapshot<T>(
  db: AuditDb,
  fn: (trx: Kysely<AuditDatabase>) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    if (!isSqlite(db)) await sql`SET TRANSACTION READ ONLY`.execute(trx);
    return fn(trx);
  });
}
