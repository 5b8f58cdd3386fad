/** What the statement activities (db zone) work with, and where their files go. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { TreasuryDb } from '../../connectors/treasury/database.ts';
import type { WorkingDayCalendar } from '../../domain/calendar/working-days.ts';
import { ErrorKind } from '../../domain/errors.ts';
import type { StatementKind } from '../../domain/reconciliation/statement.ts';
import type { SiteConfig } from '../../temporal.config.ts';

export interface StatementDeps {
  db: TreasuryDb;
  site: SiteConfig;
  calendar: WorkingDayCalendar;
  now?: () => Date;
}

/** The site's statement exchange; a site without one cannot reconcile (a configuration error). */
export function statementsOf(site: SiteConfig): NonNullable<SiteConfig['statements']> {
  if (site.statements) return site.statements;
  throw ApplicationFailure.create({
    type: ErrorKind.ConfigurationError,
    nonRetryable: true,
    message: 'statements: the site declares no statement exchange (statements.exchangeDir)',
  });
}

const safe = (id: string) => id.replace(/[^A-Za-z0-9._-]+/g, '_');

/** One comparison's scratch folder: the finance side's extract and the sorted runs. */
export function workFolder(site: SiteConfig, workflowId: string, kind: StatementKind, date: string): string {
  const root = statementsOf(site).workDir ?? join(tmpdir(), 'jincai-reconciliation');
  return join(root, safe(workflowId), `${kind}-${date}`);
}

/**
 * Where one run's differences of one day are kept for good, beside the reports: the CSV people
 * download and the JSON lines the reply and the next re-reconciliation read.
 */
export function differenceFiles(
  site: SiteConfig,
  at: { bank: string; kind: StatementKind; date: string; workflowId: string; runId: string },
) {
  const base = join(
    site.reports.dir,
    'bank-reconciliation',
    'differences',
    at.bank,
    at.kind,
    at.date,
    `${safe(at.workflowId)}.${safe(at.runId)}`,
  );
  return { csv: `${base}.csv`, log: `${base}.jsonl` };
}
