/**
 * Checking the store against signed heads kept outside it (the head file, the head an evidence
 * export was made at, a copy on a WORM share): the store must still hold each anchored record
 * with the anchored hash. It may run ahead of a head (records appended since, or a crash between
 * a commit and the head file's rewrite) as long as what follows chains and is signed; it may not
 * end before one (truncated), nor hold another record there (rewritten and re-hashed).
 */
import type { HeadReading, SignedHead } from './head-file.ts';
import type { ChainPoint } from './record.ts';
import type { AuditProblem } from './verify.ts';

type ValidAnchor = HeadReading & { head: SignedHead };

export function validAnchors(anchors: readonly HeadReading[]): ValidAnchor[] {
  return anchors.filter((a): a is ValidAnchor => 'head' in a);
}

/** Up to which seq records may be unsigned: the strictest of the valid heads (none: every record). */
export function legacyUntil(anchors: readonly HeadReading[]): number {
  const heads = validAnchors(anchors);
  return heads.length ? Math.min(...heads.map((a) => a.head.legacyUntil)) : 0;
}

/**
 * Problems between the store and its anchors. `last` is the store's last record, `records` how
 * many it holds, `hashAt` the stored hash at each anchored seq.
 */
export function anchorProblems(
  anchors: readonly HeadReading[],
  last: ChainPoint,
  records: number,
  hashAt: ReadonlyMap<number, string>,
): AuditProblem[] {
  const problems: AuditProblem[] = [];
  for (const anchor of anchors) {
    if (!('head' in anchor)) {
      // Nothing written yet, nothing to anchor: a fresh store has no head file.
      if (anchor.missing && records === 0) continue;
      problems.push({
        seq: 0,
        kind: 'anchor',
        problem: `the head ${anchor.source} ${anchor.problem}${anchor.missing ? ` (the store holds ${records} record(s))` : ''}: truncation cannot be ruled out`,
      });
      continue;
    }
    const { head, source } = anchor;
    const signed = `the head signed in ${source} at ${head.writtenAt}`;
    if (head.seq > last.seq) {
      const from = last.seq + 1;
      problems.push({
        seq: from,
        kind: 'truncated',
        problem:
          `${from === head.seq ? `record seq ${from} is` : `records seq ${from}–${head.seq} are`} missing at the end: ` +
          `the store ends at seq ${last.seq}, ${signed} records seq ${head.seq} (truncated)`,
      });
    } else if (head.seq > 0 && hashAt.get(head.seq) !== head.hash) {
      problems.push({
        seq: head.seq,
        kind: 'altered',
        problem: `seq ${head.seq} is not the record ${signed} anchors: the trail was rewritten with recomputed hashes, or replaced`,
      });
    }
  }
  return problems;
}
