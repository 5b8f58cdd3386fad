/**
 * The official-card check's report (公务卡还款检查报告): the day's repayments per card bank, each
 * stuck repayment with its bank's answer and what was done (cardholders masked), the voucher
 * repairs started, the verification, then the plan and the votes (domain/reports/runbook-report.ts).
 * Pure.
 */
import { formatFen } from '../display.ts';
import { runbookReportMarkdown, type ReportRun, type ReportSection } from '../reports/runbook-report.ts';
import type {
  CardDecision,
  OfficialCardCheckOutcome,
  OfficialCardCheckResult,
} from './official-card-check.types.ts';

export const officialCardCheckOutcomeLabel: Record<OfficialCardCheckOutcome, string> = {
  'nothing-stuck': '无滞留的卡还款',
  repaired: '已补登或已转交重发',
  held: '部分留待人工处理',
  planned: '仅生成计划（演练）',
  rejected: '审批驳回',
  expired: '审批超时',
  'unexpected-state': '执行中记录已变化，已停止',
  'not-verified': '已执行，但验证未通过',
};

const decisionLabel: Record<CardDecision, string> = {
  'record-receipt': '补登回单',
  resend: '交失败凭证修复与重发',
  hold: '留待人工',
};

/** What the report shows: the run's result as far as it is known when the report is written. */
export type OfficialCardCheckFacts = Omit<OfficialCardCheckResult, 'runbook' | 'workflowId' | 'report'>;

const bankAnswer = (a: OfficialCardCheckResult['verdicts'][number]['answer']) =>
  !a
    ? '未应答'
    : !a.known
      ? '无此凭证'
      : [a.status ?? '', a.amountFen !== undefined ? formatFen(a.amountFen) : '', a.receiptNo ?? '']
          .filter(Boolean)
          .join(' ');

export function officialCardCheckReport(run: ReportRun, r: OfficialCardCheckFacts): string {
  const sections: ReportSection[] = [
    {
      heading: '当日卡还款',
      lines: [`业务日期 ${r.date}；结论：${r.why}`],
      table: {
        head: ['发卡行', '待生成凭证', '已发银行', '已支付', '被拒绝', '金额'],
        rows: r.look.banks.map((b) => [
          b.bank,
          String(b.counts.pending),
          String(b.counts.issued),
          String(b.counts.paid),
          String(b.counts.rejected),
          formatFen(b.fen),
        ]),
        align: ['left', 'right', 'right', 'right', 'right', 'right'],
      },
    },
    {
      heading: '滞留的卡还款',
      lines: r.look.moreStuck ? ['另有滞留的卡还款未列出，由下次检查处理'] : [],
      table: {
        head: ['还款号', '发卡行', '持卡人', '卡号', '金额', '凭证', '银行应答', '处理'],
        rows: r.verdicts.map((v) => [
          v.repayment.repayNo,
          v.repayment.bank,
          v.repayment.cardholder,
          v.repayment.card,
          formatFen(v.repayment.amountFen),
          v.repayment.voucherNo,
          bankAnswer(v.answer),
          `${decisionLabel[v.decision]}：${v.detail}`,
        ]),
      },
      empty: '没有滞留的卡还款',
    },
    ...(r.resends.length > 0
      ? [
          {
            heading: '转交失败凭证修复与重发',
            table: {
              head: ['发卡行', '运行', '凭证', '启动'],
              rows: r.resends.map((s) => [
                s.bank,
                s.workflowId,
                s.voucherNos.join('、'),
                s.status === 'started' ? '已启动' : '已有同一运行在进行',
              ]),
            },
          },
        ]
      : []),
    ...(r.verification ? [{ heading: '验证', lines: [r.verification.detail] }] : []),
  ];
  return runbookReportMarkdown(run, {
    title: `公务卡还款检查报告 — ${r.date}`,
    outcome: officialCardCheckOutcomeLabel[r.outcome],
    outcomeCode: r.outcome,
    sections,
    ...(r.plan && { plan: r.plan, planDigest: r.planDigest }),
    ...(r.approval && { votes: r.approval.votes }),
  });
}
