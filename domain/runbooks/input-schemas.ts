/**
 * Every startable runbook's input schema by its catalog id, importable inside the workflow bundle
 * as well as by the CLI's registry: the one place a test finds them all, to check that a schema
 * answers the same in both.
 */
import { addAgentBankInputSchema } from './add-agent-bank.types.ts';
import type { RunbookId } from './catalog.ts';
import { channelRecoveryInputSchema } from './channel-recovery.types.ts';
import { dailyInspectionInputSchema } from './daily-inspection.types.ts';
import { dailyReportCheckInputSchema } from './daily-report-check.types.ts';
import { receiptRepairInputSchema } from './receipt-registration-repair.types.ts';
import { refundTrackingInputSchema } from './refund-tracking.types.ts';
import { sequenceResyncInputSchema } from './sequence-resync.types.ts';
import { voidStatusCheckInputSchema } from './void-status-check.types.ts';
import { voucherResendInputSchema } from './voucher-resend.types.ts';

export const runbookInputSchemas = {
  'daily-inspection': dailyInspectionInputSchema,
  'channel-recovery': channelRecoveryInputSchema,
  'sequence-resync': sequenceResyncInputSchema,
  'voucher-resend': voucherResendInputSchema,
  'daily-report-check': dailyReportCheckInputSchema,
  'receipt-registration-repair': receiptRepairInputSchema,
  'void-status-check': voidStatusCheckInputSchema,
  'refund-tracking': refundTrackingInputSchema,
  'add-agent-bank': addAgentBankInputSchema,
} satisfies Partial<Record<RunbookId, unknown>>;
