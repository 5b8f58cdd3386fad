/**
 * The bank-side checks' activities (db zone): status queries to a bank through the treasury
 * database, the reports, receipts, voids and refunds they look at, and the guarded finance-side
 * changes they make. Registered on the db-zone worker next to the treasury activities.
 */
import type { BankCheckDeps } from './deps.ts';
import { createMutationActivities } from './mutations.ts';
import { createBankQueryActivities } from './queries.ts';
import { createRecordActivities } from './records.ts';
import { createReportCheckActivities } from './reports.ts';

export type { BankCheckDeps } from './deps.ts';

export function createBankCheckActivities(deps: BankCheckDeps) {
  return {
    ...createBankQueryActivities(deps),
    ...createReportCheckActivities(deps),
    ...createRecordActivities(deps),
    ...createMutationActivities(deps),
  };
}
