/**
 * Rows a change compares by digest: each as it is now (its SHA-256, or none when it is gone, and what
 * a person may see of it) against the digest the change expects it to have — before a change
 * (compare-and-set), after it (verification) and before undoing it. Pure.
 */

type Scalar = string | number | null;

/** A row as it is now: its digest (null: gone) and what a person may see of it. */
export interface RowNow {
  key: string;
  digest: string | null;
  row?: Record<string, Scalar>;
}

/** A row that is not as expected: the digest it should have (null: it should not have changed), the one it has, and it now. */
export interface Differing {
  key: string;
  expected: string | null;
  found: string | null;
  now?: Record<string, Scalar>;
}

/** The rows whose digest now is not the one expected, with what they are now. */
export function differing(
  now: readonly RowNow[],
  expected: readonly { key: string; digest: string }[],
): Differing[] {
  const byKey = new Map(now.map((n) => [n.key, n]));
  return expected.flatMap((e) => {
    const found = byKey.get(e.key);
    return found?.digest === e.digest
      ? []
      : [
          {
            key: e.key,
            expected: e.digest,
            found: found?.digest ?? null,
            ...(found?.row && { now: found.row }),
          },
        ];
  });
}
