/**
 * Input and result of the daily report and list check (日报清单检查). Pure types and zod
 * schemas: safe in the workflow bundle, shared with the CLI registry and the tests.
 */
import { z } from 'zod';
import { bankCheckInputBase } from '../bank-checks/input-fields.ts';
import type { BankAnswer, ReportKind } from '../bank-questions.ts';
import type { InspectionReportFiles } from './daily-inspection.types.ts';
import { businessDate, uniqueList } from './input-fields.ts';

export const reportKinds = [
  'daily_report',
  'payment_list',
  'recon_file',
] as const satisfies readonly ReportKind[];

export const dailyReportCheckInputSchema = z
  .object({
    ...bankCheckInputBase,
    /** The business day whose reports to check; default the working day before today. */
    date: businessDate.optional(),
    /** Which reports to check; default all three. */
    reports: uniqueList(z.enum(reportKinds), reportKinds.length).default([...reportKinds]),
    /** How long to wait for the resent reports before escalating (durably; 2 days at most). */
    waitSeconds: z.number().int().min(5).max(172_800).default(1800),
  })
  .strict();
export type DailyReportCheckInput = z.input<typeof dailyReportCheckInputSchema>;

export interface ReportPresence {
  kind: ReportKind;
  present: boolean;
  receivedAt?: string;
  lineCount?: number;
  totalFen?: number;
  digest?: string;
}

export type DailyReportCheckOutcome =
  'complete' | 'received-after-resend' | 'escalated' | 'planned' | 'not-a-working-day' | 'unexpected-state';

export interface DailyReportCheckResult {
  runbook: 'daily-report-check';
  workflowId: string;
  bank: string;
  date: string;
  outcome: DailyReportCheckOutcome;
  why: string;
  before: ReportPresence[];
  after: ReportPresence[];
  /** The reports asked for again, and what the bank answered. */
  requested: { kind: ReportKind; queryId: string; answer?: BankAnswer }[];
  report: InspectionReportFiles;
}
