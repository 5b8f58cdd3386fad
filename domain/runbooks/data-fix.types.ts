/**
 * Input and result of a data fix (错误数据处理) and of its undo. Pure types and zod schemas: safe
 * in the workflow bundle, shared with the CLI, the activities and the tests. Rows appear here as a
 * person may see them (payee account numbers and names masked) and as digests of the full rows.
 */
import { z } from 'zod';
import type { ApprovalPlan, GateOutcome } from '../approvals/gate-types.ts';
import type { FixTable, Row } from '../data-fixes/fix-tables.ts';
import { dataFixes, dataFixNames, type DataFixName } from '../data-fixes/fixes.ts';
import type { PreviewRow } from '../data-fixes/preview.ts';
import type { Differing } from '../row-changes.ts';
import type { InspectionReportFiles } from './daily-inspection.types.ts';
import { reason, uniqueList, userId, voucherNo } from './input-fields.ts';

/** Every fix's parameters in one object, each fix taking its own (its schema checks them). */
const paramsSchema = z
  .object({
    voucherNos: uniqueList(voucherNo, 100).optional(),
    from: z.string().max(20).optional(),
    to: z.string().max(20).optional(),
    payeeAccountId: z.string().max(32).optional(),
    bankName: z.string().max(100).optional(),
    voucherNo: voucherNo.optional(),
  })
  .strict();

export const dataFixInputSchema = z
  .object({
    /** The fix, by its name in the catalog (domain/data-fixes/fixes.ts). */
    fix: z.enum(dataFixNames),
    /** The fix's parameters: the rows it is about and what they become. */
    params: paramsSchema,
    /** Who asks for the fix (user id); this person cannot approve it. */
    requestedBy: userId,
    /** Why, in a few words (the ticket, the bank's word); shown to approvers. */
    reason: reason.min(2),
    /** Stop after the preview: read the rows and show what would change, change nothing. */
    dryRun: z.boolean().default(false),
  })
  .strict()
  .superRefine((input, ctx) => {
    const parsed = dataFixes[input.fix].params.safeParse(input.params);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys')
        for (const key of issue.keys)
          ctx.addIssue({
            code: 'custom',
            path: ['params', key],
            message: `not a parameter of the ${input.fix} fix`,
          });
      else ctx.addIssue({ code: 'custom', path: ['params', ...issue.path], message: issue.message });
    }
  });
export type DataFixInput = z.input<typeof dataFixInputSchema>;
export type DataFixParsed = z.output<typeof dataFixInputSchema>;

/** A fix's id: `DF<day>-<8 hex>`, what its undo names it by. */
export const fixIdPattern = /^DF\d{8}-[0-9a-f]{8}$/;

export const dataFixUndoInputSchema = z
  .object({
    /** The fix to undo, by the id its run reported (e.g. DF20261127-1a2b3c4d). */
    fixId: z.string().regex(fixIdPattern, 'a data fix id such as DF20261127-1a2b3c4d'),
    requestedBy: userId,
    reason: reason.min(2),
    dryRun: z.boolean().default(false),
  })
  .strict();
export type DataFixUndoInput = z.input<typeof dataFixUndoInputSchema>;
export type DataFixUndoParsed = z.output<typeof dataFixUndoInputSchema>;

/** A row that is no longer as the preview (or the fix) left it: the change does not touch it. */
export type MovedRow = Differing;

/** What applying a fix (or its undo) did, in its one transaction. */
export type FixApplied =
  | { outcome: 'applied' | 'already'; rows: number; imageDigest: string; at: string }
  | { outcome: 'moved'; moved: MovedRow[] };

/** A row's digest after the change, compared with what the change meant it to be. */
export interface FixVerification {
  ok: boolean;
  /** Rows whose digest is not the one expected. */
  differ: MovedRow[];
}

export type DataFixOutcome =
  'fixed' | 'refused' | 'moved' | 'unverified' | 'planned' | 'rejected' | 'expired';
export type DataFixUndoOutcome =
  'undone' | 'already-undone' | 'moved' | 'unverified' | 'planned' | 'rejected' | 'expired';

/** What a fix's and an undo's result share. */
export interface FixFacts {
  fixId: string;
  fix: DataFixName;
  title: string;
  table: FixTable;
  /** Every row the change touches, before and after. */
  rows: PreviewRow[];
  /** Why the fix was refused before approval (none: it was not). */
  problems: string[];
  /** Rows that moved since the preview: nothing was changed. */
  moved: MovedRow[];
  plan?: ApprovalPlan;
  planDigest?: string;
  approval?: GateOutcome;
  applied?: Extract<FixApplied, { outcome: 'applied' | 'already' }>;
  verification?: FixVerification;
}

export interface DataFixResult extends FixFacts {
  runbook: 'data-fix';
  workflowId: string;
  outcome: DataFixOutcome;
  /** Rows the fix looked at and left as they are. */
  untouched: number;
  report: InspectionReportFiles;
}

export interface DataFixUndoResult extends FixFacts {
  runbook: 'data-fix-undo';
  workflowId: string;
  outcome: DataFixUndoOutcome;
  /** The run that applied the fix. */
  fixedBy: string;
  report: InspectionReportFiles;
}

/** One row of a fix as its journal keeps it: its digests either side, and the values to put back. */
export interface JournalRow {
  key: string;
  beforeDigest: string;
  afterDigest: string;
  /** The changed columns' values before the fix (what the undo puts back). */
  restore: Row;
  /** The changed columns' values the fix set. */
  set: Row;
}

/** A fix as its journal keeps it (what its undo reads). */
export interface FixJournal {
  fixId: string;
  fix: DataFixName;
  table: FixTable;
  workflowId: string;
  appliedAt: string;
  imageDigest: string;
  rows: JournalRow[];
  undoneAt?: string;
  undoneBy?: string;
}
