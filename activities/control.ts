/**
 * Control activities (runbooks queue): what a workflow may not do itself because it is I/O —
 * reading the estate description from configuration, writing reports to disk.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunbookReportFile } from '../domain/reports/runbook-report.ts';
import type { InspectionReportFile } from '../domain/runbooks/daily-inspection.report.ts';
import type { InspectionReportFiles } from '../domain/runbooks/daily-inspection.types.ts';
import { temporalUiUrl, type SiteConfig } from '../temporal.config.ts';
import { records } from './activity-kinds.ts';
import { reportHtml } from './report/report-html.ts';
import { liveBanks } from './site-lookup.ts';

export interface EstateDescription {
  site: string;
  timezone: string;
  banks: { code: string; name: string }[];
  concurrency: number;
  /** Which fix runbooks the inspection starts by itself (see inspection.followUp). */
  followUp: Record<string, 'report' | 'start'>;
  thresholds: { xmitqDepthWarn: number; deadLetterDepthWarn: number };
  taskQueues: SiteConfig['temporal']['taskQueues'];
  /** Link to a run in the Temporal Web UI, without the (URL-encoded) workflow id at the end. */
  runLinkBase: string;
}

export function createControlActivities({ site }: { site: SiteConfig }) {
  return {
    async describeEstate(): Promise<EstateDescription> {
      return {
        site: site.site.name,
        timezone: site.site.timezone,
        banks: liveBanks(site).map((b) => ({ code: b.code, name: b.name })),
        concurrency: site.inspection.concurrency,
        followUp: site.inspection.followUp,
        thresholds: site.thresholds,
        taskQueues: site.temporal.taskQueues,
        runLinkBase: `${temporalUiUrl(site)}/namespaces/${encodeURIComponent(site.temporal.namespace)}/workflows/`,
      };
    },

    /** Writes the report under reports/daily-inspection/<date>/; a retry overwrites the same files. */
    writeInspectionReport: records(async (report: InspectionReportFile): Promise<InspectionReportFiles> => {
      return writeReportPair(join(site.reports.dir, 'daily-inspection', report.date), report);
    }),

    /** Writes a runbook's report under reports/<runbook>/<date>/; a retry overwrites the same files. */
    writeRunbookReport: records(async (report: RunbookReportFile): Promise<InspectionReportFiles> => {
      const date = new Date(report.startedAt).toLocaleDateString('en-CA', { timeZone: site.site.timezone });
      return writeReportPair(join(site.reports.dir, report.runbook, date), report);
    }),
  };
}

/** `<dir>/<workflow id>.md` and its page `.html`, each replaced atomically. */
async function writeReportPair(
  dir: string,
  report: { workflowId: string; markdown: string },
): Promise<InspectionReportFiles> {
  await mkdir(dir, { recursive: true });
  const base = join(dir, report.workflowId.replace(/[^A-Za-z0-9._-]+/g, '_'));
  const files = { markdown: `${base}.md`, html: `${base}.html` };
  await writeAtomically(files.markdown, report.markdown);
  await writeAtomically(files.html, reportHtml(report.markdown));
  return files;
}

async function writeAtomically(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content, 'utf8');
  await rename(tmp, path);
}
