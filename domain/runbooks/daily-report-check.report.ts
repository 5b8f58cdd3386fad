/**
 * The daily report and list check's report (日报清单检查报告): each report of the day, received
 * (when, lines, total in yuan) or missing, the judgement, the resend requests and the bank's
 * answers, and the second look after the wait. Pure.
 */
import type { BankAnswer } from '../bank-questions.ts';
import { formatFen } from '../display.ts';
import {
  reportTime,
  runbookReportMarkdown,
  type ReportAction,
  type ReportRun,
  type ReportSection,
} from '../reports/runbook-report.ts';
import { reportLabel, waitText } from './daily-report-check.plan.ts';
import type {
  DailyReportCheckOutcome,
  DailyReportCheckResult,
  ReportPresence,
} from './daily-report-check.types.ts';

export const dailyReportCheckOutcomeLabel: Record<DailyReportCheckOutcome, string> = {
  complete: '报表齐全，无需处理',
  'received-after-resend': '已请求补发并收到',
  escalated: '补发后仍缺失，已升级',
  planned: '仅检查（演练），未请求补发',
  'not-a-working-day': '非工作日，无报表',
  'unexpected-state': '遇到意外状态，已停止',
};

export type DailyReportCheckReportFacts = Pick<
  DailyReportCheckResult,
  'date' | 'outcome' | 'why' | 'before' | 'after' | 'requested'
> & {
  bankName: string;
  reason?: string;
  waitSeconds: number;
  actions: ReportAction[];
};

export function dailyReportCheckReport(run: ReportRun, r: DailyReportCheckReportFacts): string {
  const at = (iso: string) => reportTime(iso, run.timeZone);
  const line = (p: ReportPresence) =>
    p.present
      ? `${reportLabel[p.kind]}：已收到（${p.receivedAt ? at(p.receivedAt) : '时间未知'}，${p.lineCount ?? 0} 行，合计 ${formatFen(p.totalFen ?? 0)}）`
      : `${reportLabel[p.kind]}：缺失`;
  const answered = (a: BankAnswer | undefined) =>
    a
      ? a.resent
        ? `银行已应答并补发（${at(a.answeredAt)}）`
        : `银行已应答，未补发（${at(a.answeredAt)}）`
      : '银行未应答';
  const afterRequest: ReportSection[] = r.requested.length
    ? [
        {
          heading: '补发请求与银行应答',
          lines: r.requested.map((q) => `${reportLabel[q.kind]}：${answered(q.answer)}`),
        },
        { heading: `等待 ${waitText(r.waitSeconds)}后复查`, lines: r.after.map(line) },
      ]
    : [];
  return runbookReportMarkdown(run, {
    title: `日报清单检查报告 — ${r.bankName} ${r.date}`,
    outcome: dailyReportCheckOutcomeLabel[r.outcome],
    outcomeCode: r.outcome,
    sections: [
      {
        heading: '检查结果',
        lines: [...r.before.map(line), `判断：${r.why}`, ...(r.reason ? [`发起原因：${r.reason}`] : [])],
      },
      ...afterRequest,
    ],
    actions: r.actions,
  });
}
