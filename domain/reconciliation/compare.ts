/**
 * The comparison: a streaming merge of the finance side and the bank's statement, both in key
 * order, in both directions — only at finance, only at the bank, amount differs, status differs,
 * duplicate — each classified as it is found and handed to a sink (the difference file). Memory
 * stays flat: one batch per side. A bank side out of order stops the merge (`UnsortedInput`) so
 * the caller can sort it first. Progress is a position from which a new run resumes exactly.
 */
import type { LineBatch, LineSource, StatementTotals, Totals } from './batches.ts';
import { classify, differenceTypes, type Cause, type DifferenceType, type FixRunbook } from './classify.ts';
import type { ComparedLine, LineStatus, StatementKind } from './statement.ts';

export type Side = 'finance' | 'bank';

export interface SideLine {
  amounts: number[];
  status: LineStatus;
  lineNo: number;
}

export interface Difference {
  type: DifferenceType;
  /** Duplicates: the side that lists the line twice. */
  side?: Side;
  key: string;
  voucherNo: string;
  detailId: string;
  budgetUnit: string;
  unitName: string;
  subject: string;
  finance?: SideLine;
  bank?: SideLine;
  cause: Cause;
  fix: FixRunbook | null;
}

export interface DifferenceSink {
  add(d: Difference): void;
  /** Makes everything added durable; returns how much of each file is written (what a resumed run keeps). */
  flush(): Promise<number[]>;
}

/** Where one side's read stands: its last resume point and the lines taken since. */
export interface SidePosition<P> {
  from?: P;
  skip: number;
  last?: string;
}

export interface CompareState {
  totals: Record<Side, Totals>;
  counts: Record<DifferenceType, number>;
  /** The first differences, kept for the report (the sink has them all). */
  sample: Difference[];
  /** What the sink had written, per file. */
  output: number[];
}

export interface ComparePosition<F, B> {
  finance: SidePosition<F>;
  bank: SidePosition<B>;
  state: CompareState;
}

export interface CompareResult extends Omit<CompareState, 'output'> {
  differences: number;
  /** The bank statement's own totals, declared and counted. */
  statement?: StatementTotals;
  /** AllNum/AllAmt (or the trailer) agree with the lines. */
  statementTotalsAgree: boolean;
}

export interface CompareOptions<F, B> {
  kind: StatementKind;
  finance: LineSource<F, ComparedLine>;
  bank: LineSource<B, ComparedLine>;
  sink: DifferenceSink;
  /**
   * Unit names by unit code for the finance side's lines that carry none (the extract leaves them
   * out: only a difference needs one).
   */
  financeUnitNames?: ReadonlyMap<string, string>;
  /** Resume from a position given to `onProgress` by an earlier run. */
  from?: ComparePosition<F, B>;
  /** Called as the read moves on (after each bank batch); resuming from it loses nothing. */
  onProgress?(position: ComparePosition<F, B>): Promise<void>;
  sampleSize?: number;
  /** At most one progress call per this many milliseconds (default 1000). */
  progressEveryMs?: number;
}

export class UnsortedInput extends Error {
  constructor(
    readonly side: Side,
    readonly lineNo: number,
    readonly key: string,
    readonly previous: string,
  ) {
    super(`${side} side is not in key order: line ${lineNo} (${key}) comes after ${previous}`);
    this.name = 'UnsortedInput';
  }
}

class Cursor<P> {
  private batch: ComparedLine[] = [];
  private i = 0;
  private done = false;
  private base: P | undefined;
  private pending: P | undefined;
  private consumed: number;
  private skipping: number;
  last: string | undefined;
  statement: StatementTotals | undefined;
  private readonly iterator: AsyncIterator<LineBatch<P, ComparedLine>>;

  constructor(
    readonly side: Side,
    source: LineSource<P, ComparedLine>,
    at: SidePosition<P> | undefined,
    readonly totals: Totals,
    private readonly duplicate: (side: Side, line: ComparedLine) => void,
  ) {
    this.iterator = source(at?.from)[Symbol.asyncIterator]();
    this.base = at?.from;
    // Lines a resumed read skips count as taken from the base they are read after: a resumed
    // source may cut its batches elsewhere than the first read did.
    this.consumed = 0;
    this.skipping = at?.skip ?? 0;
    this.last = at?.last;
  }

  position(): SidePosition<P> {
    return { from: this.base, skip: this.consumed, last: this.last };
  }

  /** The next line to compare; undefined: refill first; null: no more lines. */
  head(): ComparedLine | undefined | null {
    while (this.i < this.batch.length) {
      const line = this.batch[this.i] as ComparedLine;
      if (this.skipping > 0) {
        this.skipping -= 1;
        this.i += 1;
        this.consumed += 1;
        continue;
      }
      if (line.key === this.last) {
        this.take(line);
        this.duplicate(this.side, line);
        continue;
      }
      return line;
    }
    return this.done ? null : undefined;
  }

  advance(line: ComparedLine): void {
    this.take(line);
    this.last = line.key;
  }

  private take(line: ComparedLine): void {
    this.i += 1;
    this.consumed += 1;
    this.totals.count += 1;
    this.totals.amountFen += line.amounts[0] ?? 0;
  }

  /** Ends the read early (the source closes its files). */
  async close(): Promise<void> {
    await this.iterator.return?.();
  }

  async refill(): Promise<void> {
    if (this.pending !== undefined) {
      this.base = this.pending;
      this.consumed = 0;
      this.pending = undefined;
    }
    const next = await this.iterator.next();
    if (next.done) {
      this.done = true;
      this.batch = [];
    } else {
      this.batch = next.value.lines;
      this.pending = next.value.position;
      if (next.value.totals) this.statement = next.value.totals;
      if (!next.value.inOrder) this.checkOrder();
    }
    this.i = 0;
  }

  /**
   * Stops at a line out of key order as soon as its batch is read, not when the merge reaches it:
   * a statement in payment order is then sorted before it has been merged (and its lines reported
   * only at one side) as far as its first disorder. Lines equal in key are duplicates, in order.
   */
  private checkOrder(): void {
    let previous = this.last;
    // A resumed read's first lines were merged before it stopped: they are behind `last`.
    for (let j = Math.min(this.skipping, this.batch.length); j < this.batch.length; j++) {
      const line = this.batch[j] as ComparedLine;
      if (previous !== undefined && line.key < previous)
        throw new UnsortedInput(this.side, line.lineNo, line.key, previous);
      previous = line.key;
    }
  }
}

const emptyCounts = () =>
  Object.fromEntries(differenceTypes.map((t) => [t, 0])) as Record<DifferenceType, number>;

export async function compareStatements<F, B>(options: CompareOptions<F, B>): Promise<CompareResult> {
  const { kind, sink } = options;
  const sampleSize = options.sampleSize ?? 100;
  const state: CompareState = options.from
    ? structuredClone(options.from.state)
    : {
        totals: { finance: { count: 0, amountFen: 0 }, bank: { count: 0, amountFen: 0 } },
        counts: emptyCounts(),
        sample: [],
        output: [],
      };
  const unitNameOf = (line: ComparedLine, of: Side) => {
    const name = line.unitName;
    return name === '' && of === 'finance' ? (options.financeUnitNames?.get(line.budgetUnit) ?? '') : name;
  };
  const report = (type: DifferenceType, f?: ComparedLine, b?: ComparedLine, side?: Side) => {
    const line = (f ?? b) as ComparedLine;
    const d: Difference = {
      type,
      ...(side && { side }),
      key: own(line.key),
      voucherNo: own(line.voucherNo),
      detailId: own(line.detailId),
      budgetUnit: own(line.budgetUnit),
      unitName: own(unitNameOf(line, f ? 'finance' : 'bank')),
      subject: own(line.subject),
      ...(f && { finance: sideLine(f) }),
      ...(b && { bank: sideLine(b) }),
      ...classify(kind, { type, side, financeStatus: f?.status, bankStatus: b?.status }),
    };
    state.counts[type] += 1;
    if (state.sample.length < sampleSize) state.sample.push(d);
    sink.add(d);
  };
  const duplicate = (side: Side, l: ComparedLine) =>
    side === 'finance' ? report('duplicate', l, undefined, side) : report('duplicate', undefined, l, side);
  const fin = new Cursor('finance', options.finance, options.from?.finance, state.totals.finance, duplicate);
  const bank = new Cursor('bank', options.bank, options.from?.bank, state.totals.bank, duplicate);

  const every = options.progressEveryMs ?? 1000;
  let lastProgress = performance.now();
  let reportedAt = -1;
  const progress = async () => {
    const taken = state.totals.finance.count + state.totals.bank.count;
    if (!options.onProgress || taken === reportedAt || performance.now() - lastProgress < every) return;
    lastProgress = performance.now();
    reportedAt = taken;
    state.output = await sink.flush();
    await options.onProgress({
      finance: fin.position(),
      bank: bank.position(),
      state: structuredClone(state),
    });
  };
  try {
    await merge();
  } finally {
    await Promise.all([fin.close(), bank.close()]);
  }
  async function merge() {
    for (;;) {
      const f = fin.head();
      if (f === undefined) {
        await progress();
        await fin.refill();
        continue;
      }
      const b = bank.head();
      if (b === undefined) {
        await progress();
        await bank.refill();
        continue;
      }
      if (f === null && b === null) break;
      if (b === null || (f !== null && f.key < b.key)) {
        report('only-at-finance', f as ComparedLine);
        fin.advance(f as ComparedLine);
      } else if (f === null || b.key < f.key) {
        report('only-at-bank', undefined, b);
        bank.advance(b);
      } else {
        if (!sameAmounts(f.amounts, b.amounts)) report('amount-differs', f, b);
        else if (f.status !== b.status) report('status-differs', f, b);
        fin.advance(f);
        bank.advance(b);
      }
    }
  }
  state.output = await sink.flush();
  const statement = bank.statement;
  const { output: _output, ...rest } = state;
  return {
    ...rest,
    differences: differenceTypes.reduce((n, t) => n + state.counts[t], 0),
    statement,
    statementTotalsAgree:
      !statement ||
      (statement.declared.count === statement.counted.count &&
        statement.declared.amountFen === statement.counted.amountFen),
  };
}

function sameAmounts(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const sideLine = (l: ComparedLine): SideLine => ({
  amounts: [...l.amounts],
  status: l.status,
  lineNo: l.lineNo,
});

/** A copy of a string that does not keep the chunk it was cut from alive (V8 slices share their parent). */
const own = (s: string) => (s.length < 13 ? s : ` ${s}`.slice(1));
