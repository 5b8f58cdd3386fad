/**
 * What a statement parser hands the comparison: lines in batches, each batch followed by where a
 * resumed read starts again (absent inside an XML package, where no resume point exists), and
 * after the last line the statement's own totals — what it declares and what its lines add up to.
 */
import type { ComparedLine, StatementHeader, StatementLine } from './statement.ts';

export interface Totals {
  count: number;
  amountFen: number;
}

export interface StatementTotals {
  header: StatementHeader;
  declared: Totals;
  counted: Totals;
}

export interface LineBatch<P, L extends ComparedLine = StatementLine> {
  lines: L[];
  /** Resume here to read what follows this batch; absent when this is no resume point. */
  position?: P;
  /** On the last batch: the statement's totals (a source without them, e.g. the finance side, has none). */
  totals?: StatementTotals;
  /** The lines are in key order by construction (a source that sorted them): the merge does not check it. */
  inOrder?: boolean;
}

/** A source of lines in batches, from the start or from a position it gave earlier. */
export type LineSource<P, L extends ComparedLine = StatementLine> = (
  from?: P,
) => AsyncIterable<LineBatch<P, L>>;
