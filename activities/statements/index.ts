/**
 * The statement activities (db zone): the exchange with the banks (setup, arrival, requests,
 * replies), the comparison, and the standing results. Registered on the db-zone worker, which
 * reaches the treasury database and mounts the front ends' exchange folder.
 */
import { createCompareActivities } from './compare.ts';
import type { StatementDeps } from './deps.ts';
import { createExchangeActivities } from './exchange.ts';
import { createResultActivities } from './results.ts';

export type { StatementDeps } from './deps.ts';

export function createStatementActivities(deps: StatementDeps) {
  return {
    ...createExchangeActivities(deps),
    ...createCompareActivities(deps),
    ...createResultActivities(deps),
  };
}
