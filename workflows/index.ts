/** The workflow bundle: every runbook, one file each. */
export { dailyInspection } from './daily-inspection.ts';
export { channelRecovery } from './channel-recovery.ts';
export { resourceLock } from './resource-lock.ts';
