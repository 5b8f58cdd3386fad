/**
 * The bank-side checks' activities (db zone): the reports, receipts, voids and refunds they look
 * at, and the guarded finance-side changes they make; their questions to a bank go through
 * activities/bank-questions.ts. Registered on the db-zone worker next to the treasury activities.
 */
import type { BankCheckDeps } from './deps.ts';
import { createMutationActivities } from './mutations.ts';
import { createRecordActivities } from './records.ts';
import { createReportCheckActivities } from './reports.ts';

export type { BankCheckDeps } from './deps.ts';

export function createBankCheckActivities(deps: BankCheckDeps) {
  return {
    ...createReportCheckActivities(deps),
    ...createRecordActivities(deps),
    ...createMutationActivities(deps),
  };
}
