/**
 * The workflow bundle and the runbook catalog: one line per runbook, its catalog entry
 * (`<id>.catalog.ts`: the workflow function and what everyone needs to know to start it),
 * then the workflows runbooks start as children.
 */
export * from './daily-inspection.catalog.ts';
export * from './channel-recovery.catalog.ts';
export * from './sequence-resync.catalog.ts';
export * from './voucher-resend.catalog.ts';
export * from './daily-report-check.catalog.ts';
export * from './receipt-registration-repair.catalog.ts';
export * from './void-status-check.catalog.ts';
export * from './refund-tracking.catalog.ts';
export * from './add-agent-bank.catalog.ts';
export * from './year-end-rollover.catalog.ts';
export * from './bank-reconciliation.catalog.ts';
export * from './version-upgrade.catalog.ts';
export * from './system-migration.catalog.ts';
export * from './program-restart.catalog.ts';
export * from './subsystem-health.catalog.ts';
export * from './data-fix.catalog.ts';
export * from './data-fix-undo.catalog.ts';
export * from './access-change.catalog.ts';
export * from './exchange-recovery.catalog.ts';
export * from './procurement-push-retry.catalog.ts';
export * from './payroll-watch.catalog.ts';
export * from './procurement-payment-check.catalog.ts';
export * from './official-card-check.catalog.ts';

export { voucherResendBatch } from './voucher-resend-batch.ts';
export { voucherDiagnoseBatch } from './voucher-resend-diagnose.ts';
export { yearEndBankNotice } from './year-end-bank-notice.ts';
export { resourceLock } from './resource-lock.ts';
