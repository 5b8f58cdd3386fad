/** 日报清单检查 — the daily report and list check's catalog entry (see shared/runbook-definition.ts). */
import { dailyReportCheckInputSchema } from '../domain/runbooks/daily-report-check.types.ts';
import { dailyReportCheck } from './daily-report-check.ts';
import { defineRunbook } from './shared/runbook-definition.ts';
import { bankDayProblems, bankRunLabels } from './shared/start-checks.ts';

export { dailyReportCheck };

export const dailyReportCheckRunbook = defineRunbook({
  id: 'daily-report-check',
  workflow: dailyReportCheck,
  input: dailyReportCheckInputSchema,
  example: { bank: 'RCB', requestedBy: 'zhang.san', date: '2026-11-26', waitSeconds: 1800 },
  fields: {
    ...bankRunLabels,
    date: '业务日期（默认上一个工作日）',
    reports: {
      label: '检查的报表',
      options: { daily_report: '日报', payment_list: '清单', recon_file: '对账文件' },
    },
    waitSeconds: '等待银行重发（秒）',
  },
  // By the business day it checks: the working day before today unless the input names one.
  workflowId: (input, day) =>
    `daily-report-check/${input.bank}/${input.date ?? day.workingDayBefore(day.today)}`,
  siteProblems: bankDayProblems,
  // It asks the bank to resend what is missing, and changes no record.
  changes: false,
  zones: ['db'],
  fixes: {
    findings: [
      'DAILY_REPORT_MISSING',
      'DAILY_REPORT_SURPLUS',
      'PAYMENT_LIST_MISSING',
      'PAYMENT_LIST_SURPLUS',
    ],
    // A missing report is due for its own business day, which the finding carries.
    input: (finding, run) => ({
      bank: finding.bank,
      date: String(finding.evidence.date),
      requestedBy: run.requestedBy,
      reason: run.reason,
    }),
  },
});
