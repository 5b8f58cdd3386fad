/**
 * A runbook input checked against the estate: bank codes the site knows, business days not after
 * today in the site's time zone. Pure, so the CLI runs the same checks with the site file as the
 * workflows run with the estate an activity describes.
 */
import { quoted } from '../errors.ts';

const listedCodes = 10;

/** `ICBC, ABC, …`: the first few known codes, and how many there are when not all are named. */
function expectedCodes(known: readonly string[]): string {
  const named = known.slice(0, listedCodes).join(', ');
  return known.length > listedCodes ? `${named}, … (${known.length} in all)` : named;
}

/** A problem for each code the estate does not know, at `path` (a list: `path[i]`). */
export function unknownBankProblems(
  path: string,
  codes: string | readonly string[] | undefined,
  known: readonly string[],
): string[] {
  const list = typeof codes === 'string' ? [codes] : (codes ?? []);
  return list.flatMap((code, i) =>
    known.includes(code)
      ? []
      : [
          `${typeof codes === 'string' ? path : `${path}[${i}]`}: unknown bank code ${quoted(code)}; expected one of ${expectedCodes(known)}`,
        ],
  );
}

/**
 * A path from the input must name a file inside one of the site's `dirs`: absolute, without `.`,
 * `..` or empty segments, so the folder it names is the folder it reaches.
 */
export function confinedPathProblems(field: string, path: string, dirs: readonly string[]): string[] {
  const segments = path.split('/').slice(1);
  const plain = path.startsWith('/') && segments.every((s) => s !== '' && s !== '.' && s !== '..');
  const inside = dirs.some((d) => path.startsWith(`${d.replace(/\/+$/, '')}/`));
  if (plain && inside) return [];
  const where = dirs.length > 0 ? dirs.join(', ') : 'none: the site file declares no pidDirs';
  return [`${field}: ${quoted(path, 80)} is not a plain path inside the site's folders (${where})`];
}

/** A problem for each business day after `today` (YYYY-MM-DD in the site's time zone). */
export function futureDateProblems(dates: Record<string, string | undefined>, today: string): string[] {
  return Object.entries(dates).flatMap(([field, date]) =>
    date !== undefined && date > today
      ? [`input.${field}: ${date} is after today (${today}); expected a business day up to today`]
      : [],
  );
}
