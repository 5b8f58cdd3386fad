/**
 * Writes one statement into a folder the way a bank sends it — a text file, or XML packages of
 * `packageLines` lines — streaming from a line iterator, and with the file-level faults a real
 * transfer or a bank's software produces: a truncated file, totals that disagree with the lines,
 * a broken byte in one line's text, packages that never arrive.
 */
import { once } from 'node:events';
import { createWriteStream, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { statementFileName } from '../../domain/reconciliation/file-names.ts';
import type { StatementFormat } from '../../domain/reconciliation/format-schema.ts';
import type { StatementHeader, StatementLine } from '../../domain/reconciliation/statement.ts';
import { textStatementWriter } from '../../domain/reconciliation/write-text.ts';
import { xmlPackage } from '../../domain/reconciliation/write-xml.ts';

export interface FileFaults {
  /** The (last) file ends part-way through. */
  truncate?: boolean;
  /** AllNum and AllAmt (or the trailer) say one line and 1.00 more than the lines hold. */
  wrongTotals?: boolean;
  /** One line's text holds a byte that is valid in no encoding (0xFF). */
  brokenEncoding?: boolean;
  /** XML packages not sent. */
  missingPackages?: number[];
}

export interface WriteStatementOptions {
  dir: string;
  bank: string;
  /** The header; allNum and allAmtFen are the bank side's true totals. */
  header: Omit<StatementHeader, 'childPackNum' | 'curPackNo'>;
  lines: Iterable<StatementLine>;
  format: StatementFormat;
  faults?: FileFaults;
  /** Only these XML packages (a re-request of missing ones); default all. */
  onlyPackages?: number[];
}

/** Writes the statement; returns the paths written. */
export async function writeStatement(options: WriteStatementOptions): Promise<string[]> {
  const { dir, bank, format, faults = {} } = options;
  const header = {
    ...options.header,
    allNum: options.header.allNum + (faults.wrongTotals ? 1 : 0),
    allAmtFen: options.header.allAmtFen + (faults.wrongTotals ? 100 : 0),
  };
  const brokenAt = faults.brokenEncoding ? Math.max(1, Math.ceil(options.header.allNum / 2)) : -1;
  const written: string[] = [];
  const name = (pack?: { no: number; of: number }) =>
    join(dir, statementFileName(bank, header.kind, header.beginDate, format.format, pack));

  if (format.format !== 'xml') {
    const path = name();
    const w = textStatementWriter(header.kind, format);
    await writeChunks(path, function* () {
      yield w.header({ ...header, childPackNum: 1, curPackNo: 1 });
      let i = 0;
      for (const l of options.lines) {
        const bytes = w.line(l);
        yield ++i === brokenAt ? breakByte(bytes) : bytes;
      }
      yield w.trailer(header.allNum, header.allAmtFen);
    });
    written.push(path);
  } else {
    const of = Math.max(1, Math.ceil(options.header.allNum / format.packageLines));
    let no = 0;
    let batch: StatementLine[] = [];
    let first = 0;
    const flush = async () => {
      no += 1;
      const skip =
        faults.missingPackages?.includes(no) || (options.onlyPackages && !options.onlyPackages.includes(no));
      if (!skip) {
        const path = name({ no, of });
        const bytes = xmlPackage({ ...header, childPackNum: of, curPackNo: no }, batch, format.encoding);
        await writeChunks(path, function* () {
          yield brokenAt > first && brokenAt <= first + batch.length ? breakByte(bytes) : bytes;
        });
        written.push(path);
      }
      first += batch.length;
      batch = [];
    };
    for (const l of options.lines) {
      batch.push(l);
      if (batch.length === format.packageLines) await flush();
    }
    if (batch.length > 0 || no === 0) await flush();
  }
  const last = written[written.length - 1];
  if (faults.truncate && last) truncateSync(last, Math.floor(statSync(last).size * 0.6));
  return written;
}

/** The first non-ASCII byte (a character's lead byte) becomes 0xFF. */
function breakByte(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  const at = copy.findIndex((b) => b >= 0x80);
  copy[at >= 0 ? at : copy.length - 2] = 0xff;
  return copy;
}

async function writeChunks(path: string, chunks: () => Iterable<Buffer>): Promise<void> {
  const out = createWriteStream(path);
  let pending: Buffer[] = [];
  let size = 0;
  for (const chunk of chunks()) {
    pending.push(chunk);
    size += chunk.length;
    if (size >= 1 << 20) {
      if (!out.write(Buffer.concat(pending))) await once(out, 'drain');
      pending = [];
      size = 0;
    }
  }
  out.end(Buffer.concat(pending));
  await once(out, 'finish');
}
