/**
 * Voucher repair and resend's report (失败凭证修复与重发报告): what was found and why it failed,
 * what was pushed and normalised, the outcome per kind with its total in yuan, the vouchers left
 * for a person, then the plan, the votes and each resend. Amounts are integer fen, shown in yuan;
 * payees never appear here (the plan's vouchers are masked). Pure.
 */
import type { ApprovalPlan, GateOutcome } from '../approvals/gate-types.ts';
import { formatFen } from '../display.ts';
import { runbookReportMarkdown, type ReportRun, type ReportSection } from '../reports/runbook-report.ts';
import { causeLabels, ruleSetFinding } from './voucher-resend.plan.ts';
import type {
  BatchResult,
  FailureCause,
  VoucherOutcome,
  VoucherResendOutcome,
  VoucherResendResult,
} from './voucher-resend.types.ts';

export const voucherResendOutcomeLabel: Record<VoucherResendOutcome, string> = {
  'nothing-to-do': '无失败凭证',
  planned: '仅生成计划（演练）',
  rejected: '审批驳回',
  expired: '审批超时',
  completed: '已完成',
  'completed-with-holds': '已完成，部分凭证留待人工处理',
  held: '全部凭证留待人工处理',
};

export const voucherOutcomeLabel: Record<VoucherOutcome, string> = {
  accepted: '重发成功，银行已受理',
  aligned: '银行已有，已更正财政端状态',
  'rejected-again': '重发后银行再次拒绝',
  unverified: '重发后未获确认',
  held: '未处理',
};

/** Vouchers listed one by one in the report at most (the result and the audit trail hold the counts). */
const listLimit = 200;

/** Whether the run got to act on its vouchers (and so has per-voucher outcomes to report). */
export function resendActed(outcome: VoucherResendOutcome): boolean {
  return outcome === 'completed' || outcome === 'completed-with-holds' || outcome === 'held';
}

export interface VoucherResendReportFacts {
  bank: { code: string; name: string };
  outcome: VoucherResendOutcome;
  /** The business date the failures were looked for from. */
  since: string;
  found: number;
  foundFen: number;
  batches: number;
  /** The voucher rule sets and the failure causes found, once the batches were diagnosed. */
  diagnosed?: { ruleSets: string[]; causes: Partial<Record<FailureCause, number>> };
  pushed: VoucherResendResult['baseDataPushed'];
  fixesApplied: number;
  /** Each batch's last execution, in batch order. */
  done: BatchResult[];
  counts: Partial<Record<VoucherOutcome, number>>;
  fen: Partial<Record<VoucherOutcome, number>>;
  plan?: ApprovalPlan;
  planDigest?: string;
  approvals: GateOutcome[];
}

export function voucherResendReport(run: ReportRun, r: VoucherResendReportFacts): string {
  const vouchers = r.done.flatMap((b) => b.results);
  return runbookReportMarkdown(run, {
    title: `失败凭证修复与重发报告 — ${r.bank.name}`,
    outcome: voucherResendOutcomeLabel[r.outcome],
    outcomeCode: r.outcome,
    sections: [overview(r), ...(resendActed(r.outcome) ? outcomes(r) : [])],
    ...(r.plan && { plan: r.plan, planDigest: r.planDigest }),
    votes: r.approvals.flatMap((a) => a.votes),
    actions: vouchers
      .filter((v) => v.resentAt)
      .slice(0, listLimit)
      .map((v) => ({
        command: `重发 ${v.voucherNo}`,
        target: r.bank.code,
        detail: `${formatFen(v.amountFen)}：${voucherOutcomeLabel[v.outcome]}`,
        at: v.resentAt ?? '',
      })),
  });
}

function overview(r: VoucherResendReportFacts): ReportSection {
  const windows = [...new Set(r.done.flatMap((b) => (b.windowExtended ? [b.windowExtended] : [])))];
  return {
    heading: '概况',
    lines: [
      `失败凭证 ${r.found} 张，合计 ${formatFen(r.foundFen)}（业务日期自 ${r.since} 起，${r.batches} 批）`,
      ...(r.diagnosed?.ruleSets.length ? [ruleSetFinding(r.diagnosed.ruleSets).zh] : []),
      ...(Object.entries(r.diagnosed?.causes ?? {}) as [FailureCause, number][]).map(
        ([cause, k]) => `${causeLabels[cause].zh}：${k} 张`,
      ),
      ...r.pushed.map(
        (p) => `基础资料 ${p.kind} 推送至 v${p.version}：${p.acked ? '银行已确认' : '银行未确认'}`,
      ),
      ...(r.fixesApplied > 0 ? [`规范收款人要素 ${r.fixesApplied} 项`] : []),
      ...windows.map((why) => `在银行延时服务时段内重发：${why}`),
    ],
  };
}

function outcomes(r: VoucherResendReportFacts): ReportSection[] {
  const kinds = (Object.keys(voucherOutcomeLabel) as VoucherOutcome[]).filter((o) => r.counts[o]);
  const results: ReportSection = {
    heading: '处理结果',
    table: {
      head: ['结果', '张数', '合计'],
      rows: kinds.map((o) => [voucherOutcomeLabel[o], String(r.counts[o] ?? 0), formatFen(r.fen[o] ?? 0)]),
      align: ['left', 'right', 'right'],
    },
  };
  const leftOver = r.done
    .flatMap((b) => b.results)
    .filter((v) => v.outcome !== 'accepted' && v.outcome !== 'aligned');
  if (!leftOver.length) return [results];
  const held: ReportSection = {
    heading: '需人工处理的凭证',
    lines: leftOver.length > listLimit ? [`共 ${leftOver.length} 张，下列前 ${listLimit} 张`] : [],
    table: {
      head: ['凭证号', '金额', '结果', '说明'],
      rows: leftOver
        .slice(0, listLimit)
        .map((v) => [v.voucherNo, formatFen(v.amountFen), voucherOutcomeLabel[v.outcome], v.detail ?? '']),
      align: ['left', 'right'],
    },
  };
  return [results, held];
}
