/**
 * How the inbox (and the CLI) shows values to a person: money in yuan from integer fen, payee
 * data masked again at the last moment (plans should carry it masked already; a slip in a runbook
 * must still not put an account number on a screen), instants in the site's time zone.
 */
import { dateInZone, timeInZone } from './calendar/dates.ts';

/** Integer fen as yuan with thousands separators: 123456 → ¥1,234.56. */
export function formatFen(fen: number): string {
  if (!Number.isSafeInteger(fen)) return '¥?';
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.trunc(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${yuan}.${String(abs % 100).padStart(2, '0')}`;
}

/** `****1234`: at most the last four characters stay readable. */
export function maskAccount(account: string | undefined): string {
  if (!account) return '';
  const tail = account.replace(/\s+/g, '').slice(-4).replace(/^\*+/, '');
  return `****${tail}`;
}

/** `张**`: only the first character of a name stays readable. */
export function maskName(name: string | undefined): string {
  if (!name) return '';
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  return `${chars[0]}${'*'.repeat(Math.max(1, chars.length - 1))}`;
}

/** The first 12 hex digits of a digest: enough for a person to compare two screens. */
export function shortDigest(digest: string): string {
  return digest.slice(0, 12);
}

/** `2026-11-27 14:30` in the given IANA time zone. */
export function formatInstant(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${dateInZone(date, timeZone)} ${timeInZone(date, timeZone)}`;
}

/** A size in bytes as people read it: 1.5 MB, 980 KB, 12 B (1024 to a step). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Columns of a data change's rows that hold personal data, and how each is masked. */
const personalColumns: Record<string, (value: string) => string> = {
  account_no: maskAccount,
  account_name: maskName,
  user_name: maskName,
};

/** The row with its personal columns masked (again: a plan should carry them masked already). */
export function maskedRow(
  row: Readonly<Record<string, string | number | null>>,
): Record<string, string | number | null> {
  return Object.fromEntries(
    Object.entries(row).map(([c, v]) => {
      const mask = personalColumns[c];
      return [c, mask && v !== null ? mask(String(v)) : v];
    }),
  );
}

/** A row of a data change as one line: `column=value；…` (null as NULL), personal columns masked. */
export function rowText(row: Readonly<Record<string, string | number | null>>): string {
  const parts = Object.entries(maskedRow(row)).map(([c, v]) => `${c}=${v === null ? 'NULL' : String(v)}`);
  return parts.length > 0 ? parts.join('；') : '（已不存在）';
}
