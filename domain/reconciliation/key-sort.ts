/**
 * The order of lines by key, stable, over keys held compactly: a day's keys share long prefixes (a
 * bank's voucher numbers and the date), so each key is held as how many of its first bytes it
 * shares with the first key, then its own bytes in one arena; a byte a character. A
 * most-significant-byte radix sort, from the first byte where the keys differ (a comparison would
 * walk the shared prefix again for every pair). Lines equal in key keep their order (duplicates).
 * Bytes compare as the characters they stand for, so the order is the merge's string order.
 */

/** Ranges this short are sorted by insertion, which is stable. */
const insertionBelow = 32;

/** The i-th key: `first`'s first `shared[i]` bytes, then `arena[starts[i]]` up to `arena[starts[i + 1]]`. */
export interface PackedKeys {
  first: Uint8Array;
  shared: Uint8Array;
  arena: Uint8Array;
  starts: Uint32Array;
}

export function keyOrder(keys: PackedKeys, count: number): Uint32Array {
  const { first, shared, arena, starts } = keys;
  const order = new Uint32Array(count);
  let common = first.length;
  for (let i = 0; i < count; i++) {
    order[i] = i;
    if ((shared[i] as number) < common) common = shared[i] as number;
  }
  const spare = new Uint32Array(count);
  /** Bucket counts, one table a depth: a range's buckets stay while the ranges below it are sorted. */
  const tables: Uint32Array[] = [];

  const lengthOf = (k: number) => (shared[k] as number) + (starts[k + 1] as number) - (starts[k] as number);
  /** Key `k`'s byte at `depth` (within its length). */
  const byteAt = (k: number, depth: number) => {
    const p = shared[k] as number;
    return (depth < p ? first[depth] : arena[(starts[k] as number) + depth - p]) as number;
  };
  /** The bucket of key `k` at byte `depth`: 0 when the key has ended, else the byte + 1. */
  const bucket = (k: number, depth: number) => (depth < lengthOf(k) ? byteAt(k, depth) + 1 : 0);

  const compareFrom = (a: number, b: number, depth: number) => {
    const endA = lengthOf(a);
    const endB = lengthOf(b);
    for (let d = depth; d < endA && d < endB; d++) {
      const x = byteAt(a, d) - byteAt(b, d);
      if (x !== 0) return x;
    }
    return endA - endB;
  };

  const insertion = (lo: number, hi: number, depth: number) => {
    for (let i = lo + 1; i < hi; i++) {
      const k = order[i] as number;
      let j = i - 1;
      while (j >= lo && compareFrom(order[j] as number, k, depth) > 0) {
        order[j + 1] = order[j] as number;
        j--;
      }
      order[j + 1] = k;
    }
  };

  const sortRange = (lo: number, from: number, hi: number) => {
    for (let depth = from; ; depth++) {
      if (hi - lo < insertionBelow) return insertion(lo, hi, depth);
      const counts = (tables[depth] ??= new Uint32Array(257));
      // Only the buckets between the least and the greatest byte seen are walked (digits: ten).
      let least = 256;
      let greatest = 0;
      for (let i = lo; i < hi; i++) {
        const b = bucket(order[i] as number, depth);
        const seen = counts[b] as number;
        counts[b] = seen + 1;
        if (seen === 0) {
          if (b < least) least = b;
          if (b > greatest) greatest = b;
        }
      }
      if (least === greatest) {
        counts[least] = 0;
        // One bucket holds the range: nothing moves; keys that all ended here are equal.
        if (least === 0) return;
        continue;
      }
      let sum = lo;
      for (let b = least; b <= greatest; b++) {
        const n = counts[b] as number;
        counts[b] = sum;
        sum += n;
      }
      for (let i = lo; i < hi; i++) {
        const k = order[i] as number;
        spare[(counts[bucket(k, depth)] as number)++] = k;
      }
      order.set(spare.subarray(lo, hi), lo);
      // counts[b] is now where bucket b ends; bucket 0 (keys ended) is in order as it stands.
      let start = least === 0 ? (counts[0] as number) : lo;
      for (let b = Math.max(least, 1); b <= greatest; b++) {
        const end = counts[b] as number;
        counts[b] = 0;
        if (end - start > 1) sortRange(start, depth + 1, end);
        start = end;
      }
      counts[0] = 0;
      return;
    }
  };

  sortRange(0, common, count);
  return order;
}
