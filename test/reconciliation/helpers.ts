/** Shared helpers for the reconciliation tests: fixtures, a generated bank-day on disk, reading a whole source. */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { textFileWriter, writeLineFile } from '../../connectors/statements/line-writer.ts';
import type { LineSource, StatementTotals } from '../../domain/reconciliation/batches.ts';
import { statementFormatSchema, type StatementFormat } from '../../domain/reconciliation/format-schema.ts';
import type { StatementKind, StatementLine } from '../../domain/reconciliation/statement.ts';
import { bankDay, type BankDayOptions } from '../../sandbox/statements/bank-day.ts';
import { writeStatement, type FileFaults } from '../../sandbox/statements/write-statement.ts';

export const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const fixture = (name: string) => join(fixtures, name);

export async function readAll<P>(
  source: LineSource<P>,
): Promise<{ lines: StatementLine[]; totals?: StatementTotals }> {
  const lines: StatementLine[] = [];
  let totals: StatementTotals | undefined;
  for await (const batch of source()) {
    lines.push(...batch.lines);
    totals = batch.totals ?? totals;
  }
  return { lines, totals };
}

export const format = (f: Partial<StatementFormat>) => statementFormatSchema.parse(f);

/** A generated bank-day written to `dir`: the finance side's line file and the bank's statement. */
export async function writeDay(
  dir: string,
  options: Partial<BankDayOptions> & { lines: number; format: StatementFormat; faults?: FileFaults },
): Promise<{ financeFile: string; statementFiles: string[]; kind: StatementKind; differences: number }> {
  mkdirSync(join(dir, 'in'), { recursive: true });
  const kind = options.kind ?? 'payment-detail';
  const day = bankDay({ bank: 'ICBC', date: '2026-11-27', seed: 7, ...options, kind });
  const financeFile = join(dir, 'finance.lines');
  await writeFinanceFile(financeFile, kind, day.financeLines());
  const totals = day.bankTotals();
  const statementFiles = await writeStatement({
    dir: join(dir, 'in'),
    bank: 'ICBC',
    header: {
      kind,
      divisionCode: '330102',
      fiscalYear: 2026,
      statementNo: 'DZ20261127ICBCD',
      clearingAccount: '1202020109000012345',
      beginDate: '2026-11-27',
      endDate: '2026-11-27',
      allNum: totals.count,
      allAmtFen: totals.amountFen,
    },
    lines: day.bankLines(),
    format: options.format,
    faults: options.faults,
  });
  return { financeFile, statementFiles, kind, differences: day.differences };
}

/**
 * Finance lines as finance-extract.ts writes the day's vouchers — voucher number, unit, subject,
 * amount, status (a line's status is the voucher status of that name), no unit name — or, for the
 * quota kind, as normalized lines.
 */
export async function writeFinanceFile(path: string, kind: StatementKind, lines: Iterable<StatementLine>) {
  if (kind === 'quota') return writeLineFile(path, lines);
  const writer = textFileWriter(path);
  let buffered = 0;
  for (const l of lines) {
    writer.append(`${l.voucherNo}\t${l.budgetUnit}\t${l.subject}\t${l.amounts[0]}\t${l.status}\n`);
    if (++buffered % 10_000 === 0) await writer.flush();
  }
  return writer.close();
}
