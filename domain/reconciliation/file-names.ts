/**
 * Statement file names as they sit in a bank's exchange folder: `<BANK>_<kind>_<YYYYMMDD>.txt`
 * for a text statement, `<BANK>_<kind>_<YYYYMMDD>_<CurPackNo>of<ChildPackNum>.xml` per package.
 */
import { compactDate, type StatementFormatName } from './format.ts';
import { statementKinds, type StatementKind } from './statement.ts';

export function statementFileName(
  bank: string,
  kind: StatementKind,
  date: string,
  format: StatementFormatName,
  pack?: { no: number; of: number },
): string {
  const base = `${bank}_${kind}_${compactDate(date)}`;
  if (format !== 'xml') return `${base}.txt`;
  if (!pack) throw new RangeError('an XML package name needs its number');
  return `${base}_${pack.no}of${pack.of}.xml`;
}

export interface ParsedFileName {
  bank: string;
  kind: StatementKind;
  date: string;
  pack?: { no: number; of: number };
}

export function parseStatementFileName(name: string): ParsedFileName | undefined {
  const m = /^([A-Z][A-Z0-9]{1,11})_([a-z-]+)_(\d{4})(\d{2})(\d{2})(?:_(\d+)of(\d+)\.xml|\.txt)$/.exec(name);
  const kind = statementKinds.find((k) => k === m?.[2]);
  if (!m || !kind) return undefined;
  const pack = m[6] ? { no: Number(m[6]), of: Number(m[7]) } : undefined;
  return { bank: m[1] as string, kind, date: `${m[3]}-${m[4]}-${m[5]}`, ...(pack && { pack }) };
}

/** Package numbers 1..of that are not among `present`. */
export function missingPackages(present: readonly number[], of: number): number[] {
  const have = new Set(present);
  return Array.from({ length: of }, (_, i) => i + 1).filter((n) => !have.has(n));
}
