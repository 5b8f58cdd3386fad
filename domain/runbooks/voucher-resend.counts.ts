/**
 * A voucher resend's vouchers counted by outcome across its batches, and what the counts say:
 * how many are left for people, and how a run ended once its resend was approved. Pure.
 */
import type {
  BatchResult,
  BatchSummary,
  VoucherOutcome,
  VoucherResendOutcome,
} from './voucher-resend.types.ts';

export type Counts<K extends string = VoucherOutcome> = Partial<Record<K, number>>;

export const sumOf = (counts: Counts<string>): number =>
  Object.values(counts).reduce((t: number, k) => t + (k ?? 0), 0);

export function addUp<K extends string>(all: Counts<K>[]): Counts<K> {
  const out: Counts<K> = {};
  for (const one of all)
    for (const [k, n] of Object.entries(one) as [K, number][]) out[k] = (out[k] ?? 0) + n;
  return out;
}

/** The vouchers neither resent and accepted nor brought in line with the bank: left for people. */
export const leftForPeople = (counts: Counts): number =>
  sumOf(counts) - (counts.accepted ?? 0) - (counts.aligned ?? 0);

/** How an approved resend ended: done when nothing is left, with holds when some is, held when nothing took. */
export function resentOutcome(counts: Counts): VoucherResendOutcome {
  const left = leftForPeople(counts);
  if (left === 0) return 'completed';
  return left < sumOf(counts) ? 'completed-with-holds' : 'held';
}

/** A batch that needs no execution: its holds, as counts. */
export function heldOnly(s: BatchSummary): BatchResult {
  const held = sumOf(s.holds);
  return {
    batch: s.batch,
    counts: held ? { held } : {},
    fen: held ? { held: s.fen - s.resend.fen - s.align.fen } : {},
    results: [],
  };
}
