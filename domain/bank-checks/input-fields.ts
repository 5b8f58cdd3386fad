/**
 * The input fields every bank-side check takes (daily reports, receipts, voids, refunds), as
 * zod pieces each runbook's schema extends. Safe in the workflow bundle.
 */
import { z } from 'zod';
import { bankCode, reason, userId } from '../runbooks/input-fields.ts';

export const bankCheckInputBase = {
  /** The agent bank to check (its code, e.g. ICBC). */
  bank: bankCode,
  /** Who asks for the run (user id); this person cannot approve it. */
  requestedBy: userId,
  /** Why, in a few words (e.g. the inspection finding); shown to approvers and in the report. */
  reason: reason.optional(),
  /** Stop after the plan: look, ask, show what would be done, change nothing. */
  dryRun: z.boolean().default(false),
};

/** How long to wait for the bank's status answers before reporting the unanswered ones. */
export const answerWaitSeconds = z.number().int().min(5).max(3600).default(120);
