/**
 * The report of the bank checks that settle finance's open items with the bank (receipts, voids,
 * refunds): the diagnosis with its count and judgement, the runbook's own item sections, the
 * verification, why a run stopped, then the plan, the votes and each applied change with its SQL.
 * The receipt, void and refund reports (domain/runbooks/<runbook>.report.ts) give their words —
 * the report's name, outcome labels, count line and items — to `settleReport`, or for the checks
 * on open requests (voids, refunds) to `requestCheckReport`. Pure.
 */
import type { ApprovalPlan, ApprovalVote } from '../approvals/gate-types.ts';
import {
  runbookReportMarkdown,
  type ReportAction,
  type ReportRun,
  type ReportSection,
} from '../reports/runbook-report.ts';
import { mutationText, type PlannedChange } from './finance-plan.ts';
import type { SettleCheckOutcome } from './settle-result.ts';
import type { MutationResult } from './types.ts';

/** Labels of the outcomes every planning bank check can end in, whatever it repairs. */
export const planOutcomeLabel = {
  planned: '仅生成计划（演练）',
  rejected: '审批驳回',
  expired: '审批超时',
  'unexpected-state': '遇到意外状态，已停止',
  'not-verified': '已执行，但验证未通过',
} as const;

/** The outcomes every planning bank check can end in besides its own. */
export type PlanOutcome = keyof typeof planOutcomeLabel;

/** Labels of a check on open requests (voids, refunds): `nothing` names what there was none of. */
export function requestOutcomeLabel(nothing: string) {
  return {
    settled: '已与银行一致',
    'partly-settled': '部分已处理，其余需人工核查',
    'nothing-to-do': nothing,
    'report-only': '无可自动处理项，已列明原因',
    ...planOutcomeLabel,
  } as const;
}

/** One applied change: what ran, what it changed, when. */
export type AppliedChange = MutationResult & { change: PlannedChange; at: string };

/** How a settling run ended, as its report shows it. */
export interface SettleEnd<O extends string> {
  outcome: O;
  why: string;
  /** What asking the bank left open (questions unanswered). */
  askNotes: string[];
  reason?: string;
  verified: { ok: boolean; detail: string }[];
  applied?: { results: AppliedChange[]; stopped?: { message: string; details: unknown } };
  plan?: ApprovalPlan;
  planDigest?: string;
  votes: ApprovalVote[];
}

/** What a runbook adds to the frame: its title, outcome label, count line and item sections. */
export interface SettleWords {
  title: string;
  outcome: string;
  counted: string;
  items: ReportSection[];
}

export function settleCheckReport(run: ReportRun, words: SettleWords, end: SettleEnd<string>): string {
  return runbookReportMarkdown(run, {
    title: words.title,
    outcome: words.outcome,
    outcomeCode: end.outcome,
    sections: [
      {
        heading: '诊断',
        lines: [
          words.counted,
          `判断：${end.why}`,
          ...end.askNotes,
          ...(end.reason ? [`发起原因：${end.reason}`] : []),
        ],
      },
      ...words.items,
      ...(end.verified.length
        ? [{ heading: '验证', lines: end.verified.map((v) => `${v.ok ? '通过' : '未通过'}：${v.detail}`) }]
        : []),
      ...(end.applied?.stopped
        ? [
            {
              heading: '停止原因',
              lines: [end.applied.stopped.message, JSON.stringify(end.applied.stopped.details) ?? ''],
            },
          ]
        : []),
    ],
    ...(end.plan && { plan: end.plan, planDigest: end.planDigest }),
    votes: end.votes,
    actions: (end.applied?.results ?? []).map(appliedAction),
  });
}

function appliedAction(r: AppliedChange): ReportAction {
  return {
    command: r.statements.length ? r.statements.join('; ') : '（无：记录已处于目标状态）',
    target: 'treasury',
    detail: `${mutationText(r.change.mutation).zh}${r.alreadyDone ? '（已完成，未重复执行）' : `，影响行数 ${r.rows.join('/')}`}`,
    at: r.at,
  };
}

/** A decision on one open request, as far as the report tells it. */
export type ReportedDecision<I, R extends string> =
  { kind: 'act'; item: I; why: string } | { kind: 'report'; item: I; reason: R; why: string };

/** The per-request section of a void or refund check: each request, and what the bank's answer decided. */
export function decisionsSection<I, R extends string>(
  decisions: ReportedDecision<I, R>[],
  itemText: (item: I) => string,
  reasonLabel: Record<R, string>,
): ReportSection {
  return {
    heading: '逐笔判断（依据银行应答）',
    lines: decisions.map(
      (d) => `${itemText(d.item)}：${d.kind === 'act' ? d.why : `${reasonLabel[d.reason]} — ${d.why}`}`,
    ),
    empty: '没有超时未结的申请。',
  };
}

/** Where a settling check looked: the bank, and the business date it looked up to. */
export interface SettleAbout {
  bankName: string;
  date: string;
}

/** What a settling check's report says of its own: its name, outcome labels, count line and item sections. */
export interface SettleReportWords<O extends string, A extends SettleAbout, R> {
  /** The report's name (…报告); the title adds the bank and the date. */
  name: string;
  outcomeLabel: Record<O, string>;
  counted: (about: A, round: R) => string;
  items: (round: R) => ReportSection[];
}

/** A settling check's report: the shared frame in the runbook's words, for its end and last round. */
export function settleReport<O extends string, A extends SettleAbout, R>(words: SettleReportWords<O, A, R>) {
  return (run: ReportRun, about: A, end: SettleEnd<O>, round: R): string =>
    settleCheckReport(
      run,
      {
        title: `${words.name} — ${about.bankName}（截至 ${about.date}）`,
        outcome: words.outcomeLabel[end.outcome],
        counted: words.counted(about, round),
        items: words.items(round),
      },
      end,
    );
}

/** The last round of a check on open requests: the open ones, how many overdue were worked, each one's decision. */
export interface RequestRound<I, R extends string> {
  open: unknown[];
  items: number;
  decisions: ReportedDecision<I, R>[];
}

/**
 * The report of a check on open requests (voids, refunds): its items are the per-request
 * decisions; `nothing` names what there was none of, `item` tells one request.
 */
export function requestCheckReport<I, R extends string, A extends SettleAbout>(words: {
  name: string;
  nothing: string;
  counted: (about: A, round: RequestRound<I, R>) => string;
  item: (item: I) => string;
  reasonLabel: Record<R, string>;
}) {
  return settleReport<SettleCheckOutcome, A, RequestRound<I, R>>({
    name: words.name,
    outcomeLabel: requestOutcomeLabel(words.nothing),
    counted: words.counted,
    items: (round) => [decisionsSection(round.decisions, words.item, words.reasonLabel)],
  });
}
