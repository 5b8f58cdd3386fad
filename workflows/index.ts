/** The workflow bundle: every runbook, one file each. */
export { dailyInspection } from './daily-inspection.ts';
