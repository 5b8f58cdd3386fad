/**
 * Sorts a text statement that is not in key order in the comparison's thread, in memory and
 * compactly: parsing it keeps of each line only what the merge reads, in typed arrays outside the
 * thread's heap — its key as how many characters it shares with the first key and its own bytes
 * (a day's keys share the bank's voucher prefix and the date), its amounts and status — and where
 * its record starts in the file (nothing while the records are all as long; its line number follows
 * from its place): some 20–30 bytes a line. The lines are then ordered by key (key-sort.ts) and read
 * in that order, a line's other fields read again from its record in the file when a difference asks
 * for them. A resumed read sorts again (the same order: the sort is stable) and goes on from the
 * line it had reached.
 * Not sorted here (undefined: the caller sorts on disk): a statement of more than `maxLines` lines,
 * or of 4 GiB, keys of more than 128 bytes a line of their own, a key with a character beyond one
 * byte, a record the compact readers do not take (its fields could not be read again the same way).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { LineSource, StatementTotals } from '../../domain/reconciliation/batches.ts';
import { strictDecoder } from '../../domain/reconciliation/decode.ts';
import type { StatementFormat } from '../../domain/reconciliation/format-schema.ts';
import { keyOrder, type PackedKeys } from '../../domain/reconciliation/key-sort.ts';
import { parseTextStatement } from '../../domain/reconciliation/parse-text.ts';
import {
  amountFields,
  type LineStatus,
  type StatementKind,
  type StatementLine,
} from '../../domain/reconciliation/statement.ts';
import {
  delimitedDetail,
  detailLayout,
  fixedDetail,
  isTextLine,
} from '../../domain/reconciliation/text-line.ts';
import { readFrom } from './line-files.ts';

/** Where the read of the sorted lines resumes: the index of the next line in key order. */
export interface MemoryPosition {
  next: number;
}

type TextFormat = Pick<StatementFormat, 'format' | 'encoding' | 'delimiter'>;

const statuses: readonly LineStatus[] = ['', 'accepted', 'paid', 'refunded'];

/** Room for keys: this many bytes a line on average beyond what they share with the first (a day's: under 10). */
const longestKey = 128;

/** Lines handed to the merge at a time. */
const batchLines = 2048;

interface SortedLines {
  count: number;
  order: Uint32Array;
  /** Each key: the first key's first `shared[i]` characters, then `own` from `keyStarts[i]` to `keyStarts[i + 1]`. */
  shared: Uint8Array;
  keyStarts: Uint32Array;
  /** The keys' own bytes as one text (once sorted): the arena they were sorted in is let go. */
  own: string;
  /** The first key, as text: every key begins with some of it. */
  firstKey: string;
  /** `perLine` amounts a line, in fen: 32-bit while every amount fits, 64-bit once one does not. */
  amounts: Int32Array | Float64Array;
  perLine: number;
  status: Uint8Array;
  /**
   * Where each line's record starts in the file (a file of less than 4 GiB): the first's plus a
   * record length a line while the records are all as long (fixed width), then held one a line.
   */
  firstRecord: number;
  recordLength: number;
  recordStarts?: Uint32Array;
  statement?: StatementTotals;
}

/** The statement's file in key order, or undefined when it is not one to sort here (see above). */
export async function sortInMemory(
  kind: StatementKind,
  format: TextFormat,
  file: string,
  maxLines: number,
): Promise<LineSource<MemoryPosition> | undefined> {
  const sorted = await readCompact(kind, format, file, maxLines);
  return sorted && sortedSource(kind, format, file, sorted);
}

async function readCompact(
  kind: StatementKind,
  format: TextFormat,
  file: string,
  maxLines: number,
): Promise<SortedLines | undefined> {
  const size = statSync(file).size;
  if (size >= 2 ** 32) return undefined;
  const layout = detailLayout(kind);
  // The shortest a record can be: fixed width, its length; delimited, its delimiters. A line break after it.
  const shortest = (format.format === 'fixed' ? layout.length : layout.starts.length + 2) + 1;
  const capacity = Math.min(maxLines, Math.ceil(size / shortest));
  const perLine = amountFields[kind].length;
  // Sized for the most the file can hold: the pages no line reaches are never touched, so not resident.
  const arena = Buffer.alloc(Math.min(size, capacity * longestKey));
  const keys: PackedKeys = {
    first: new Uint8Array(0),
    shared: new Uint8Array(capacity),
    arena,
    starts: new Uint32Array(capacity + 1),
  };
  const t: SortedLines = {
    count: 0,
    order: new Uint32Array(0),
    shared: keys.shared,
    keyStarts: keys.starts,
    own: '',
    firstKey: '',
    amounts: new Int32Array(capacity * perLine),
    perLine,
    status: new Uint8Array(capacity),
    firstRecord: 0,
    recordLength: 0,
  };
  const { shared, starts: keyStarts } = keys;
  const { status } = t;
  let firstKey: string | undefined;
  let n = 0;
  for await (const batch of parseTextStatement(readFrom(file), { kind, format, source: basename(file) })) {
    if (batch.totals) t.statement = batch.totals;
    const { lines, starts } = batch;
    if (n + lines.length > capacity) return undefined;
    for (let j = 0; j < lines.length; j++) {
      const line = lines[j] as StatementLine;
      // A detail's line number follows from its place: the header is line 1, no other line comes between.
      if (!isTextLine(line) || line.lineNo !== n + 2) return undefined;
      const key = line.key;
      // The first key is held whole (and checked, as every key's own bytes are): the others share with it.
      const from = firstKey ?? '';
      let p = 0;
      const most = Math.min(key.length, from.length, 255);
      while (p < most && key.charCodeAt(p) === from.charCodeAt(p)) p++;
      shared[n] = p;
      let at = keyStarts[n] as number;
      if (at + key.length - p > arena.length) return undefined;
      for (let c = p; c < key.length; c++) {
        const code = key.charCodeAt(c);
        if (code > 0xff) return undefined;
        arena[at++] = code;
      }
      keyStarts[n + 1] = at;
      firstKey ??= key;
      for (let a = 0; a < perLine; a++) {
        const fen = line.amounts[a] as number;
        if ((fen | 0) !== fen && t.amounts instanceof Int32Array) t.amounts = Float64Array.from(t.amounts);
        t.amounts[n * perLine + a] = fen;
      }
      status[n] = statuses.indexOf(line.status);
      placeRecord(t, n, starts[j] as number);
      n++;
    }
  }
  t.firstKey = firstKey ?? '';
  keys.first = Buffer.from(t.firstKey, 'latin1');
  t.count = n;
  t.order = keyOrder(keys, n);
  t.own = arena.toString('latin1', 0, keyStarts[n]);
  return t;
}

/** Notes where line `n`'s record starts: nothing while the records follow each other at one length. */
function placeRecord(t: SortedLines, n: number, start: number): void {
  if (n === 0) t.firstRecord = start;
  else if (n === 1) t.recordLength = start - t.firstRecord;
  if (t.recordStarts) t.recordStarts[n] = start;
  else if (start !== t.firstRecord + n * t.recordLength) {
    t.recordStarts = new Uint32Array(t.status.length);
    for (let i = 0; i < n; i++) t.recordStarts[i] = t.firstRecord + i * t.recordLength;
    t.recordStarts[n] = start;
  }
}

/** The sorted lines from `from`, the statement's totals on the last batch. */
function sortedSource(
  kind: StatementKind,
  format: TextFormat,
  file: string,
  t: SortedLines,
): LineSource<MemoryPosition> {
  const layout = detailLayout(kind);
  const decoder = strictDecoder(format.encoding);
  const gbk = format.encoding === 'GBK';
  return async function* (from) {
    const fd = openSync(file, 'r');
    let buf = Buffer.allocUnsafe(format.format === 'fixed' ? layout.length + 2 : 512);
    /** The k-th line read again from its record: the one the parse read, its fields all there. */
    const record = (k: number): StatementLine => {
      const at = t.recordStarts?.[k] ?? t.firstRecord + k * t.recordLength;
      let read = readSync(fd, buf, 0, buf.length, at);
      let nl = buf.subarray(0, read).indexOf(0x0a);
      while (nl < 0 && read === buf.length) {
        buf = Buffer.allocUnsafe(buf.length * 2);
        read = readSync(fd, buf, 0, buf.length, at);
        nl = buf.subarray(0, read).indexOf(0x0a);
      }
      const end = nl > 0 && buf[nl - 1] === 0x0d ? nl - 1 : nl;
      const no = k + 2;
      const line =
        end < 0
          ? undefined
          : format.format === 'fixed'
            ? fixedDetail(buf.toString('latin1', 0, end), 0, end, layout, decoder, gbk, no)
            : delimitedDetail(decoder.decode(buf.subarray(0, end)), format.delimiter, layout, no);
      if (!line) throw new Error(`${basename(file)} changed while it was compared: line ${no}`);
      return line;
    };
    try {
      let i = from?.next ?? 0;
      while (i < t.count) {
        const end = Math.min(t.count, i + batchLines);
        const lines: StatementLine[] = [];
        for (; i < end; i++) lines.push(new SortedLine(t, t.order[i] as number, record));
        yield { lines, position: { next: i }, inOrder: true };
      }
      yield { lines: [], position: { next: i }, ...(t.statement && { totals: t.statement }) };
    } finally {
      closeSync(fd);
    }
  };
}

/** A sorted line: what the merge reads at hand, the rest from its record when asked. */
class SortedLine implements StatementLine {
  readonly key: string;
  readonly amounts: number[];
  readonly status: LineStatus;
  readonly lineNo: number;
  private whole: StatementLine | undefined;

  constructor(
    t: SortedLines,
    private readonly k: number,
    private readonly record: (k: number) => StatementLine,
  ) {
    this.key = t.firstKey.slice(0, t.shared[k]) + t.own.slice(t.keyStarts[k], t.keyStarts[k + 1]);
    const a = k * t.perLine;
    this.amounts =
      t.perLine === 1 ? [t.amounts[a] as number] : Array.from(t.amounts.subarray(a, a + t.perLine));
    this.status = statuses[t.status[k] as number] as LineStatus;
    this.lineNo = k + 2;
  }

  private get line(): StatementLine {
    return (this.whole ??= this.record(this.k));
  }

  get voucherNo() {
    return this.line.voucherNo;
  }
  get detailId() {
    return this.line.detailId;
  }
  get budgetUnit() {
    return this.line.budgetUnit;
  }
  get unitName() {
    return this.line.unitName;
  }
  get fundType() {
    return this.line.fundType;
  }
  get subject() {
    return this.line.subject;
  }
  get payType() {
    return this.line.payType;
  }
}
