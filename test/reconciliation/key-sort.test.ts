import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyOrder, type PackedKeys } from '../../domain/reconciliation/key-sort.ts';

/** Keys packed as the in-memory sort holds them: what each shares with the first, then its own bytes. */
function packed(keys: string[]): PackedKeys {
  const first = keys[0] ?? '';
  const shared = new Uint8Array(keys.length);
  const starts = new Uint32Array(keys.length + 1);
  const arena = Buffer.alloc(keys.reduce((n, k) => n + k.length, 0));
  keys.forEach((k, i) => {
    let p = 0;
    while (p < Math.min(k.length, first.length, 255) && k[p] === first[p]) p++;
    shared[i] = p;
    arena.write(k.slice(p), starts[i] as number, 'latin1');
    starts[i + 1] = (starts[i] as number) + k.length - p;
  });
  return { first: Buffer.from(first, 'latin1'), shared, arena, starts };
}

/** The order a stable sort by JavaScript's string comparison gives (the merge's order). */
const expected = (keys: string[]) =>
  keys
    .map((k, i) => ({ k, i }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((e) => e.i);

/** A small deterministic generator: the same keys every run. */
function random(seed: number) {
  let s = seed;
  return (n: number) => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % n;
  };
}

describe('the order of keys', () => {
  it('is the string order, duplicates in the order they came, over keys sharing long prefixes', () => {
    const next = random(12);
    const keys: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const voucher = `ZZ20261127ICBC${String(next(5000)).padStart(8, '0')}`;
      // Some keys end where others go on; some differ past the shared part only.
      keys.push(next(7) === 0 ? voucher : `${voucher}/${next(12)}`);
    }
    assert.deepEqual([...keyOrder(packed(keys), keys.length)], expected(keys));
  });

  it('orders every byte as the character it stands for, the empty key first', () => {
    const next = random(5);
    const alphabet = ['', 'a', 'b', '/', '0', '9', '\u00e9', '\u00ff', '\u0001'];
    const keys: string[] = [];
    for (let i = 0; i < 3000; i++) {
      let k = '';
      const length = next(6);
      for (let j = 0; j < length; j++) k += alphabet[next(alphabet.length)];
      keys.push(k);
    }
    assert.deepEqual([...keyOrder(packed(keys), keys.length)], expected(keys));
  });

  it('leaves a few keys, one key or none as they should be', () => {
    for (const keys of [[], ['x'], ['b', 'a', 'b', 'a'], ['same', 'same', 'same']]) {
      assert.deepEqual([...keyOrder(packed(keys), keys.length)], expected(keys));
    }
  });
});
