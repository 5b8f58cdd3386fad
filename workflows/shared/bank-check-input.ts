/**
 * The input fields every bank-side check takes (daily reports, receipts, voids, refunds), as
 * zod pieces each runbook's schema extends. Safe in the workflow bundle.
 */
import { z } from 'zod';

export const isoDate = z.string().refine(
  (d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(t) && new Date(t).toISOString().startsWith(d);
  },
  { message: 'a real calendar date as YYYY-MM-DD' },
);

export const bankCheckInputBase = {
  /** The agent bank to check (its code, e.g. ICBC). */
  bank: z.string().regex(/^[A-Z][A-Z0-9]{1,11}$/, 'a bank code such as ICBC'),
  /** Who asks for the run (user id); this person cannot approve it. */
  requestedBy: z.string().regex(/^[a-z][a-z0-9._-]{1,31}$/, 'a user id such as zhang.san'),
  /** Why, in a few words (e.g. the inspection finding); shown to approvers and in the report. */
  reason: z.string().max(500).optional(),
  /** Stop after the plan: look, ask, show what would be done, change nothing. */
  dryRun: z.boolean().default(false),
};

/** How long to wait for the bank's status answers before reporting the unanswered ones. */
export const answerWaitSeconds = z.number().int().min(5).max(3600).default(120);
