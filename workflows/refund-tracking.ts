/**
 * 退款跟踪 — refund tracking (catalog item 7, contract 2.3.3), in both directions: refunds
 * finance asked for whose notice (退款通知) never came, and refunds the bank started whose notice
 * finance could not match to a voucher. Past their expected time, the bank is asked about each
 * refund; from its answer the finance side is brought in line under approval (SQL in the plan):
 * the refund confirmed or matched and the voucher marked refunded, a refusal recorded, a request
 * the bank never got sent again. Partial refunds and anything finance's records contradict are
 * reported for a person. Shares the lock on the bank's vouchers (lock/vouchers/<bank>).
 */
import { workflowInfo } from '@temporalio/workflow';
import type { RunbookReport } from '../activities/report/runbook-report.ts';
import { formatFen } from '../inbox/format.ts';
import { decideRefunds, overdueRefunds, sameRefund, vouchersNamed } from './refund-tracking.plan.ts';
import {
  refundTrackingInputSchema,
  type OpenRefund,
  type RefundDecision,
  type RefundTrackingInput,
  type RefundTrackingOutcome,
  type RefundTrackingResult,
} from './refund-tracking.types.ts';
import type { ApprovalPlan, GateOutcome } from './shared/approval-messages.ts';
import {
  afterApplySections,
  appliedOutcome,
  approveAndApply,
  checkUntilSettled,
  declinedWhy,
  planOutcomeLabel,
  planWithDigest,
  reasonFinding,
  reasonLine,
  resultsOf,
} from './shared/bank-check-outcome.ts';
import {
  appliedActions,
  closeBankCheckRun,
  escalate,
  notifyFailed,
  openBankCheckRun,
  type Applied,
} from './shared/bank-check-run.ts';
import { askRunBank, bankCheckGate } from './shared/bank-check-steps.ts';
import type { BankAnswer } from './shared/bank-check-types.ts';
import { queryIdFor, queryPrefix } from './shared/bank-query-ids.ts';
import { parseInput } from './shared/errors.ts';
import { financePlan, withSql, type PlannedChange } from './shared/finance-plan.ts';
import { acquireLock, type HeldLock } from './shared/locks.ts';

const runbook = 'refund-tracking';
const maxPlanRounds = 3;

const outcomeLabel: Record<RefundTrackingOutcome, string> = {
  settled: '已与银行一致',
  'partly-settled': '部分已处理，其余需人工核查',
  'nothing-to-do': '无超时未结的退款',
  'report-only': '无可自动处理项，已列明原因',
  ...planOutcomeLabel,
};

const reportReason = {
  'bank-no-answer': '银行未应答',
  'unknown-to-bank': '银行无此退款',
  'no-voucher': '无对应凭证',
  'voucher-status': '凭证状态不符',
  'amount-differs': '金额不符',
  'voucher-differs': '凭证号不符',
  duplicate: '同一凭证多笔退款',
  'not-sent': '退款申请未发出',
} as const;

const direction = { finance: '财政发起', bank: '银行发起' } as const;

export async function refundTracking(rawInput: RefundTrackingInput): Promise<RefundTrackingResult> {
  const input = parseInput(refundTrackingInputSchema, rawInput);
  const run = await openBankCheckRun(runbook, input);
  const { bank, date, look } = run;
  const gate = bankCheckGate(run, input.requestedBy);

  let open: OpenRefund[] = [];
  let overdue = 0;
  let decisions: RefundDecision[] = [];
  let changes: PlannedChange[] = [];
  let plan: ApprovalPlan | undefined;
  let approval: GateOutcome | undefined;
  let applied: Applied | undefined;
  let verified: { refundNo: string; ok: boolean; detail: string }[] = [];
  let outcome: RefundTrackingOutcome | undefined;
  let why = '';
  let askNotes: string[] = [];
  let lock: HeldLock | undefined;

  try {
    lock = await acquireLock('vouchers', bank.code);
    for (let round = 1; !outcome && round <= maxPlanRounds; round++) {
      run.step('diagnosing');
      open = await look.findOpenRefunds({ bank: bank.code, asOf: date });
      const cutoff = new Date(Date.now() - input.overdueHours * 3_600_000).toISOString();
      const { ask, stuck } = overdueRefunds(open, cutoff);
      overdue = ask.length + stuck.length;

      run.step('asking-bank');
      const prefix = queryPrefix(run.workflowId, 'refunds', round);
      const { asked, notes } = await askRunBank(
        run,
        prefix,
        ask.map((r) => ({
          queryId: queryIdFor(prefix, r.refundNo),
          subject: 'refund' as const,
          refundNo: r.refundNo,
        })),
        input.answerWaitSeconds,
      );
      askNotes = notes;
      const answers = new Map<string, BankAnswer>(
        ask.flatMap((r) => {
          const a = asked.answers.get(queryIdFor(prefix, r.refundNo));
          return a ? [[r.refundNo, a] as const] : [];
        }),
      );
      const named = await look.readVouchers({ bank: bank.code, voucherNos: vouchersNamed(ask, answers) });
      decisions = [
        ...decideRefunds(ask, answers, new Map(named.map((v) => [v.voucherNo, v]))),
        ...stuck.map((r): RefundDecision => ({
          kind: 'report',
          item: r,
          reason: 'not-sent',
          why: `退款申请自 ${r.requestedAt} 起一直未发出，请检查收发程序`,
        })),
      ];
      const acts = decisions.filter((d): d is RefundDecision & { kind: 'act' } => d.kind === 'act');
      if (overdue === 0) {
        outcome = 'nothing-to-do';
        why = `${bank.name}没有超过 ${input.overdueHours} 小时未结的退款（在途 ${open.length} 笔）`;
        break;
      }
      if (acts.length === 0) {
        outcome = 'report-only';
        why = `${overdue} 笔超时退款均不能自动处理，原因见报告`;
        break;
      }
      const sql = await look.describeMutations({ bank: bank.code, mutations: acts.map((a) => a.mutation) });
      changes = withSql(
        acts.map((a) => ({ mutation: a.mutation, voucher: a.voucher })),
        sql,
      );
      const others = decisions.length - acts.length;
      plan = financePlan({
        runbook,
        title: {
          zh: `${bank.name}退款状态与银行对齐（${acts.length} 笔）`,
          en: `Bring ${acts.length} ${bank.code} refunds in line with the bank`,
        },
        bank,
        findings: [
          {
            zh: `${overdue} 笔退款超过 ${input.overdueHours} 小时未结；已逐笔向银行查询`,
            en: `${overdue} refunds open for over ${input.overdueHours} hours; the bank was asked about each`,
          },
          ...acts.map((a) => ({ zh: a.why, en: `${a.item.refundNo}: ${a.mutation.kind}` })),
          ...(others
            ? [
                {
                  zh: `另有 ${others} 笔需人工核查，不在本计划内`,
                  en: `${others} more need a person and are not in this plan`,
                },
              ]
            : []),
          ...reasonFinding(input.reason),
        ],
        changes,
      });
      if (input.dryRun) {
        outcome = 'planned';
        why = `可处理 ${acts.length} 笔；演练模式，未执行`;
        break;
      }
      const step = await approveAndApply(run, gate, 'apply', plan, changes, async () => {
        const again = await look.findOpenRefunds({ bank: bank.code, asOf: date });
        const vouchersNow = new Map(
          (
            await look.readVouchers({
              bank: bank.code,
              voucherNos: acts.flatMap((a) => (a.voucher ? [a.voucher.voucherNo] : [])),
            })
          ).map((v) => [v.voucherNo, v]),
        );
        return acts.every(
          (a) =>
            sameRefund(
              a.item,
              again.find((r) => r.refundNo === a.item.refundNo),
            ) &&
            (!a.voucher || vouchersNow.get(a.voucher.voucherNo)?.status === a.voucher.status),
        );
      });
      approval = step.approval;
      if (step.kind === 'declined') {
        outcome = step.outcome;
        why = declinedWhy(step.outcome, '处理计划');
        break;
      }
      if (step.kind === 'moved') {
        why = '审批期间退款或凭证状态已变化，重新生成计划';
        continue;
      }
      applied = step.applied;

      run.step('verifying');
      verified = await verify(
        applied,
        new Map(acts.map((a) => [a.item.refundNo, a.item.sentAt])),
        input.verifySeconds,
      );
      ({ outcome, why } = appliedOutcome(applied, verified, others, {
        done: 'settled',
        partly: 'partly-settled',
        notVerified: '处理后复核未通过（见验证）',
        doneWhy: `已处理 ${applied.results.length} 笔`,
        othersWhy: (n) => `，另有 ${n} 笔需人工核查`,
      }));
    }
    if (!outcome) {
      outcome = 'unexpected-state';
      why = `退款记录在 ${maxPlanRounds} 轮计划中持续变化，已停止`;
    }
    const reports = decisions.filter((d) => d.kind === 'report');
    if (outcome === 'unexpected-state' || reports.length > 0) {
      await escalate(
        run,
        `退款需人工核查：${bank.name}`,
        [why, ...reports.map((d) => `${d.item.refundNo}：${d.why}`)],
        {
          why,
          reports: reports.map((d) => ({ refundNo: d.item.refundNo, reason: d.reason })),
          stopped: applied?.stopped ?? null,
        },
      );
    }
  } catch (err) {
    await notifyFailed(run, `退款跟踪失败：${bank.name}`, err);
    throw err;
  } finally {
    await lock?.release();
  }

  /** Settled changes show at once; a re-sent request is given `seconds` for the bank's notice. */
  async function verify(done: Applied, sentBefore: Map<string, string | null>, seconds: number) {
    const voucherNos = done.results.flatMap((r) => (r.change.voucher ? [r.change.voucher.voucherNo] : []));
    return checkUntilSettled(async () => {
      const stillOpen = new Map(
        (await look.findOpenRefunds({ bank: bank.code, asOf: date })).map((r) => [r.refundNo, r]),
      );
      const vouchers = new Map(
        (await look.readVouchers({ bank: bank.code, voucherNos })).map((v) => [v.voucherNo, v]),
      );
      return done.results.map((r) => {
        const m = r.change.mutation as { kind: string; refundNo: string };
        const v = r.change.voucher ? vouchers.get(r.change.voucher.voucherNo) : undefined;
        const openNow = stillOpen.get(m.refundNo);
        // A re-sent request is verified once it left the old state; settled once the bank answered.
        const ok =
          m.kind === 'confirm-refund' || m.kind === 'match-refund'
            ? !openNow && v?.status === 'refunded'
            : m.kind === 'refuse-refund'
              ? !openNow
              : !openNow ||
                openNow.status === 'pending_send' ||
                openNow.sentAt !== sentBefore.get(m.refundNo);
        const settled = m.kind !== 'resend-refund' || !openNow;
        return {
          refundNo: m.refundNo,
          ok,
          settled,
          detail: `退款 ${m.refundNo}${v ? `（凭证 ${v.voucherNo} ${formatFen(v.amountFen)}，状态 ${v.status}）` : ''}：${openNow ? `仍未结（${openNow.status}）` : '已结清'}`,
        };
      });
    }, seconds);
  }

  const report: Omit<RunbookReport, 'runbook' | 'workflowId' | 'startedAt' | 'finishedAt'> = {
    title: `退款跟踪报告 — ${bank.name}（截至 ${date}）`,
    requestedBy: input.requestedBy,
    outcome: outcomeLabel[outcome],
    outcomeCode: outcome,
    sections: [
      {
        heading: '诊断',
        lines: [
          `未结退款 ${open.length} 笔，超过 ${input.overdueHours} 小时 ${overdue} 笔`,
          `判断：${why}`,
          ...askNotes,
          ...reasonLine(input.reason),
        ],
      },
      {
        heading: '逐笔判断（依据银行应答）',
        lines: decisions.map(
          (d) =>
            `退款 ${d.item.refundNo}（${direction[d.item.initiatedBy]}，${formatFen(d.item.amountFen)}）：${d.kind === 'act' ? d.why : `${reportReason[d.reason]} — ${d.why}`}`,
        ),
      },
      ...afterApplySections(verified, applied),
    ],
    ...planWithDigest(plan),
    ...(approval && { votes: approval.votes }),
    actions: applied ? appliedActions(run, applied) : [],
  };
  const files = await closeBankCheckRun(run, report, why);
  return {
    runbook,
    workflowId: workflowInfo().workflowId,
    bank: bank.code,
    date,
    outcome,
    why,
    open: open.length,
    overdue,
    decisions: decisions.map((d) => ({
      refundNo: d.item.refundNo,
      kind: d.kind,
      ...(d.kind === 'act' ? { action: d.mutation.kind } : { reason: d.reason }),
      why: d.why,
    })),
    ...planWithDigest(plan),
    ...(approval && { approval }),
    results: resultsOf(applied),
    report: files,
  };
}
