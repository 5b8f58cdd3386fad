/**
 * Writing a run's report: the runbook's report module (domain/runbooks/<runbook>.report.ts) turns
 * the run into Markdown, stamped with the moment it finished; the control activity writes it and
 * its HTML page under reports/<runbook>/<day the run started>/, on the record profile.
 */
import type { createControlActivities } from '../../activities/control.ts';
import type { ReportRun } from '../../domain/reports/runbook-report.ts';
import type { InspectionReportFiles } from '../../domain/runbooks/daily-inspection.types.ts';
import { recordActivities } from './retry-profiles.ts';

type Control = ReturnType<typeof createControlActivities>;

/** The run a report is about, less the moment it finished (taken as the report is written). */
export type RunToReport = Omit<ReportRun, 'finishedAt'> & { runbook: string };

export function writeRunReport(
  run: RunToReport,
  markdown: (run: ReportRun) => string,
): Promise<InspectionReportFiles> {
  const { runbook, ...about } = run;
  return recordActivities<Control>().writeRunbookReport({
    runbook,
    workflowId: run.workflowId,
    startedAt: run.startedAt,
    markdown: markdown({ ...about, finishedAt: new Date().toISOString() }),
  });
}
