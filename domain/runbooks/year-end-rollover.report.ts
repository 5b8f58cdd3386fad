/**
 * The year-end rollover's report (年终结转报告): when the year froze and the next opened, the
 * pre-checks, each bank's quota cancellation and restoration with finance's and the bank's totals
 * and how it was confirmed, the vouchers carried over or returned, the new year's serials and
 * base data, then both plans with their digests and every approval. Pure.
 */
import type { ApprovalPlan, ApprovalVote, GateOutcome } from '../approvals/gate-types.ts';
import { formatFen } from '../display.ts';
import {
  runbookReportMarkdown,
  reportTime,
  type ReportRun,
  type ReportSection,
} from '../reports/runbook-report.ts';
import type {
  CarryOverItem,
  NewYearBank,
  NoticeOutcome,
  PreCheckRound,
  YearEndOutcome,
  YearEndTimes,
} from './year-end-rollover.types.ts';

export const yearEndOutcomeLabel: Record<YearEndOutcome, string> = {
  'rolled-over': '年终结转完成',
  planned: '已出方案（未执行）',
  rejected: '审批驳回',
  expired: '审批超时',
};

/** A plan the run showed at a gate. */
export interface ShownPlanFacts {
  step: string;
  plan: ApprovalPlan;
  planDigest: string;
}

export interface YearEndFacts {
  fiscalYear: number;
  banks: string[];
  outcome: YearEndOutcome;
  times: YearEndTimes;
  preChecks: PreCheckRound[];
  cancellations: NoticeOutcome[];
  carryOver: CarryOverItem[];
  newYear: NewYearBank[];
  restorations: NoticeOutcome[];
  plans: ShownPlanFacts[];
  approvals: GateOutcome[];
}

const answerLabel = { confirmed: '已确认', 'totals-differ': '金额不符', refused: '拒绝' } as const;

export function yearEndReport(run: ReportRun, f: YearEndFacts): string {
  const last = f.plans.at(-1);
  const votes: ApprovalVote[] = f.approvals.flatMap((a) => a.votes);
  return runbookReportMarkdown(run, {
    title: `年终结转报告 — ${f.fiscalYear} 年度`,
    outcome: yearEndOutcomeLabel[f.outcome],
    outcomeCode: f.outcome,
    sections: [
      timesSection(f, run.timeZone),
      preCheckSection(f.preChecks, run.timeZone),
      noticeSection('额度注销（各银行确认）', f.cancellations),
      carryOverSection(f.carryOver),
      newYearSection(f.newYear),
      noticeSection('额度恢复（各银行确认）', f.restorations),
      plansSection(f.plans),
    ],
    ...(last && { plan: last.plan, planDigest: last.planDigest }),
    votes,
  });
}

function timesSection(f: YearEndFacts, timeZone: string): ReportSection {
  return {
    heading: '年度与时点',
    lines: [
      `结转年度：${f.fiscalYear}，新年度：${f.fiscalYear + 1}`,
      `参与银行：${f.banks.length} 家（${f.banks.slice(0, 20).join('、')}${f.banks.length > 20 ? ' 等' : ''}）`,
      `冻结时点：${reportTime(f.times.freezeAt, timeZone)}（${f.times.freezeFrom}）`,
      `开启时点：${reportTime(f.times.openAt, timeZone)}（${f.times.openFrom}）`,
    ],
  };
}

function preCheckSection(rounds: PreCheckRound[], timeZone: string): ReportSection {
  return {
    heading: '预检查',
    table: {
      head: ['轮次', '时间', '结果'],
      rows: rounds.map((r) => [
        String(r.round),
        reportTime(r.at, timeZone),
        r.findings.length === 0
          ? '全部通过'
          : r.findings.map((x) => `${x.bank}：${x.detail}（${x.runbook}）`).join('；'),
      ]),
    },
    empty: '未做预检查',
  };
}

function noticeSection(heading: string, answers: NoticeOutcome[]): ReportSection {
  return {
    heading,
    table: {
      head: ['银行', '通知编号', '财政笔数', '财政金额', '银行笔数', '银行金额', '结果', '重发', '升级'],
      rows: answers.map((a) => [
        a.bank,
        a.noticeId,
        String(a.expected.lineCount),
        formatFen(a.expected.totalFen),
        String(a.bankTotals?.lineCount ?? '—'),
        a.bankTotals ? formatFen(a.bankTotals.totalFen) : '—',
        `${answerLabel[a.outcome]}${a.reason ? `（${a.reason}）` : ''}`,
        String(a.reminders),
        a.escalated ? '是' : '否',
      ]),
      align: ['left', 'left', 'right', 'right', 'right', 'right'],
    },
    empty: '未发送',
  };
}

function carryOverSection(items: CarryOverItem[]): ReportSection {
  const total = items.reduce((t, i) => t + i.amountFen, 0);
  return {
    heading: '年终未支付凭证',
    lines: items.length ? [`${items.length} 张，合计 ${formatFen(total)}`] : [],
    table: {
      head: ['凭证号', '银行', '金额', '结转前状态', '处理'],
      rows: items.map((i) => [
        i.voucherNo,
        i.bank,
        formatFen(i.amountFen),
        i.status,
        i.policy === 'carry' ? '结转至新年度' : '退回预算单位',
      ]),
      align: ['left', 'left', 'right'],
    },
    empty: '无',
  };
}

function newYearSection(banks: NewYearBank[]): ReportSection {
  return {
    heading: '新年度准备（报文序号与基础资料）',
    table: {
      head: ['银行', '上年度末发出序号', '上年度末接收序号', '新年度基础资料'],
      rows: banks.map((b) => [
        b.bank,
        String(b.lastSerialOut),
        String(b.lastSerialIn),
        b.baseData.map((d) => `${d.kind} v${d.version}`).join('、'),
      ]),
      align: ['left', 'right', 'right'],
    },
    empty: '未进行',
  };
}

function plansSection(plans: ShownPlanFacts[]): ReportSection {
  return {
    heading: '审批计划',
    table: {
      head: ['审批步骤', '计划', '摘要（SHA-256）'],
      rows: plans.map((p) => [p.step, p.plan.title.zh, p.planDigest]),
    },
    empty: '无',
  };
}
