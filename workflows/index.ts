/** The workflow bundle: every runbook, one file each. */
export { dailyInspection } from './daily-inspection.ts';
export { channelRecovery } from './channel-recovery.ts';
export { sequenceResync } from './sequence-resync.ts';
export { voucherResend } from './voucher-resend.ts';
export { voucherResendBatch } from './voucher-resend-batch.ts';
export { voucherDiagnoseBatch } from './voucher-resend-diagnose.ts';
export { dailyReportCheck } from './daily-report-check.ts';
export { receiptRegistrationRepair } from './receipt-registration-repair.ts';
export { voidStatusCheck } from './void-status-check.ts';
export { refundTracking } from './refund-tracking.ts';
export { addAgentBank } from './add-agent-bank.ts';
export { resourceLock } from './resource-lock.ts';
