/**
 * The payroll watch's report (工资统发跟踪报告): the batch as first and last seen, the stalls, each
 * failed line with its reason and what the repair path made of it (payees masked), and the repair
 * runs started (domain/reports/runbook-report.ts). Pure.
 */
import { formatFen } from '../display.ts';
import {
  reportTime,
  runbookReportMarkdown,
  type ReportRun,
  type ReportSection,
} from '../reports/runbook-report.ts';
import { lineStateLabel } from './payroll-watch.lines.ts';
import type { PayrollLook, PayrollWatchOutcome, PayrollWatchResult } from './payroll-watch.types.ts';
import { voucherOutcomeLabel } from './voucher-resend.report.ts';

export const payrollWatchOutcomeLabel: Record<PayrollWatchOutcome, string> = {
  'all-paid': '全部已支付',
  'lines-explained': '已支付或逐行列明原因',
  'not-finished': '跟踪时限已到，仍有在途',
  planned: '仅查看（演练），未启动修复',
};

/** What the report shows: the run's result as far as it is known when the report is written. */
export type PayrollWatchFacts = Omit<PayrollWatchResult, 'runbook' | 'workflowId' | 'report'>;

const countsLine = (label: string, l: PayrollLook) =>
  `${label}：未生成凭证 ${l.counts.pending} 行，已发银行 ${l.counts.issued} 行，已支付 ${l.counts.paid} 行（${formatFen(l.paidFen)}），失败 ${l.counts.failed} 行`;

export function payrollWatchReport(run: ReportRun, r: PayrollWatchFacts): string {
  const at = (iso: string) => reportTime(iso, run.timeZone);
  const t = r.target;
  const sections: ReportSection[] = [
    {
      heading: '批次',
      lines: [
        `批次号 ${t.batchNo}，${t.month} 月，代理银行 ${t.bank}，共 ${t.lines} 行，合计 ${formatFen(t.totalFen)}`,
        countsLine(`首次查看（${at(r.first.at)}）`, r.first),
        countsLine(`最后查看（${at(r.last.at)}）`, r.last),
        `共查看 ${r.looks} 次；结论：${r.why}`,
      ],
    },
    {
      heading: '停滞',
      table: {
        head: ['无进展起始', '通知时间', '在途行数', '恢复时间'],
        rows: r.stalls.map((s) => [
          at(s.since),
          at(s.toldAt),
          String(s.openLines),
          s.endedAt ? at(s.endedAt) : '未恢复',
        ]),
      },
      empty: '跟踪期间未停滞',
    },
    {
      heading: '失败行',
      lines: r.last.moreFailed > 0 ? [`另有 ${r.last.moreFailed} 行失败未逐行列出`] : [],
      table: {
        head: ['行号', '收款人', '账号', '金额', '支付凭证', '失败原因', '处理'],
        rows: r.explained.map((l) => [
          String(l.lineNo),
          l.payee.name,
          l.payee.account,
          formatFen(l.amountFen),
          l.voucherNo ?? '—',
          l.reason,
          [
            lineStateLabel[l.state],
            ...(l.repair?.outcome ? [voucherOutcomeLabel[l.repair.outcome]] : []),
            ...(l.repair?.detail ? [l.repair.detail] : []),
          ].join('；'),
        ]),
        align: ['right', 'left', 'left', 'right'],
      },
      empty: '没有失败行',
    },
    {
      heading: '修复流程',
      lines: r.toRepair?.length ? [`演练：将交失败凭证修复与重发的凭证 ${r.toRepair.join('、')}`] : [],
      table: {
        head: ['运行', '凭证数', '启动', '结果'],
        rows: r.repairs.map((p) => [
          p.workflowId,
          String(p.voucherNos.length),
          p.status === 'started' ? '已启动' : '已有同一运行在进行，待其结束后再交',
          p.outcome ?? (p.failed ? `失败：${p.failed}` : p.status === 'started' ? '未结束' : '—'),
        ]),
      },
      empty: '未启动修复流程',
    },
  ];
  return runbookReportMarkdown(run, {
    title: `工资统发跟踪报告 — ${t.batchNo}`,
    outcome: payrollWatchOutcomeLabel[r.outcome],
    outcomeCode: r.outcome,
    sections,
  });
}
