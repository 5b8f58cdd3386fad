/**
 * The fields runbook inputs share, as zod pieces with their bounds: a bank code, a user id, a
 * reason, a business date, a list without duplicates. Pure and safe in the workflow bundle; the
 * CLI and the workflows validate with the same pieces.
 */
import { z } from 'zod';

/**
 * The first business day any treasury payment record can carry. Treasury centralised payment
 * (国库集中支付) began with the reform pilots of 2001; no voucher, receipt, report or refund in a
 * bureau's system is dated before them, so an earlier date can only be a mistake.
 */
export const recordsSince = '2001-01-01';

const realDate = (d: string) => {
  const t = Date.parse(`${d}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(t) && new Date(t).toISOString().startsWith(d);
};

/** A business day: a real calendar date, not before the system's records (not after today: see input-estate). */
export const businessDate = z
  .string()
  .superRefine((d, ctx) => {
    if (!realDate(d)) ctx.addIssue({ code: 'custom', message: 'a real calendar date as YYYY-MM-DD' });
    else if (d < recordsSince)
      ctx.addIssue({
        code: 'custom',
        message: `${d} is before the treasury payment system's records (from ${recordsSince})`,
      });
  })
  .meta({ format: 'date' });

export const bankCode = z.string().regex(/^[A-Z][A-Z0-9]{1,11}$/, 'a bank code such as ICBC');

export const voucherNo = z
  .string()
  .regex(/^[A-Z0-9]{6,32}$/, 'a voucher number: 6–32 upper-case letters and digits');

/** Who asks for a run (user id); this person cannot approve it. */
export const userId = z.string().regex(/^[a-z][a-z0-9._-]{1,31}$/, 'a user id such as zhang.san');

/** Why, in a few words; shown to approvers and in the report. */
export const reason = z.string().max(500);

/** A list of `min` (default 1) to `max` items, each at most once; a repeat is named by its place and its first. */
export function uniqueList<T extends z.ZodType>(item: T, max: number, min = 1) {
  return z
    .array(item)
    .min(min)
    .max(max)
    .superRefine((items, ctx) => {
      const first = new Map<string, number>();
      items.forEach((value, i) => {
        const key = JSON.stringify(value);
        const seen = first.get(key);
        if (seen === undefined) first.set(key, i);
        else ctx.addIssue({ code: 'custom', path: [i], message: `repeats item ${seen}; list each once` });
      });
    })
    .meta({ uniqueItems: true });
}
