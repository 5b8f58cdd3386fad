/**
 * 作废状态检查 — void status check (catalog item 7, contract 2.3.2): void requests (作废申请)
 * sent to a bank and still unanswered past their expected time. The bank is asked about each
 * voucher; from its answer the finance side is brought in line under approval (SQL in the plan):
 * the void the bank made is confirmed and the voucher voided, a void the bank refused (it had
 * paid) is recorded as refused, a request the bank never got is sent again. Vouchers the bank
 * does not know, or answers finance's records contradict, are reported for a person. Shares the
 * lock on the bank's vouchers with the resend runbook (lock/vouchers/<bank>).
 */
import { workflowInfo } from '@temporalio/workflow';
import type { RunbookReport } from '../activities/report/runbook-report.ts';
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
import { queryIdFor, queryPrefix } from './shared/bank-query-ids.ts';
import { parseInput } from './shared/errors.ts';
import { financePlan, voucherText, withSql, type PlannedChange } from './shared/finance-plan.ts';
import { acquireLock, type HeldLock } from './shared/locks.ts';
import { decideVoid, overdueVoids, sameVoid } from './void-status-check.plan.ts';
import {
  voidStatusCheckInputSchema,
  type OpenVoid,
  type VoidDecision,
  type VoidStatusCheckInput,
  type VoidStatusCheckOutcome,
  type VoidStatusCheckResult,
} from './void-status-check.types.ts';

const runbook = 'void-status-check';
const maxPlanRounds = 3;

const outcomeLabel: Record<VoidStatusCheckOutcome, string> = {
  settled: '已与银行一致',
  'partly-settled': '部分已处理，其余需人工核查',
  'nothing-to-do': '无超时未确认的作废申请',
  'report-only': '无可自动处理项，已列明原因',
  ...planOutcomeLabel,
};

const reportReason = {
  'bank-no-answer': '银行未应答',
  'unknown-to-bank': '银行无此凭证',
  conflict: '与财政端记录矛盾',
  'not-sent': '作废申请未发出',
} as const;

export async function voidStatusCheck(rawInput: VoidStatusCheckInput): Promise<VoidStatusCheckResult> {
  const input = parseInput(voidStatusCheckInputSchema, rawInput);
  const run = await openBankCheckRun(runbook, input);
  const { bank, date, look } = run;
  const gate = bankCheckGate(run, input.requestedBy);

  let open: OpenVoid[] = [];
  let overdue = 0;
  let decisions: VoidDecision[] = [];
  let changes: PlannedChange[] = [];
  let plan: ApprovalPlan | undefined;
  let approval: GateOutcome | undefined;
  let applied: Applied | undefined;
  let verified: { voucherNo: string; ok: boolean; detail: string }[] = [];
  let outcome: VoidStatusCheckOutcome | undefined;
  let why = '';
  let askNotes: string[] = [];
  let lock: HeldLock | undefined;

  try {
    lock = await acquireLock('vouchers', bank.code);
    for (let round = 1; !outcome && round <= maxPlanRounds; round++) {
      run.step('diagnosing');
      open = await look.findOpenVoids({ bank: bank.code, asOf: date });
      const cutoff = new Date(Date.now() - input.overdueMinutes * 60_000).toISOString();
      const { ask, stuck } = overdueVoids(open, cutoff);
      overdue = ask.length + stuck.length;

      run.step('asking-bank');
      const prefix = queryPrefix(run.workflowId, 'void-vouchers', round);
      const { asked, notes } = await askRunBank(
        run,
        prefix,
        ask.map((v) => ({
          queryId: queryIdFor(prefix, v.voucherNo),
          subject: 'voucher' as const,
          voucherNo: v.voucherNo,
        })),
        input.answerWaitSeconds,
      );
      askNotes = notes;
      decisions = [
        ...ask.map((v) =>
          decideVoid(v, asked.answers.get(queryIdFor(prefix, v.voucherNo)), run.estate.timezone),
        ),
        ...stuck.map((v): VoidDecision => ({
          kind: 'report',
          item: v,
          reason: 'not-sent',
          why: `作废申请自 ${v.requestedAt} 起一直未发出，请检查收发程序`,
        })),
      ];
      const acts = decisions.filter((d): d is VoidDecision & { kind: 'act' } => d.kind === 'act');
      if (overdue === 0) {
        outcome = 'nothing-to-do';
        why = `${bank.name}没有超过 ${input.overdueMinutes} 分钟未确认的作废申请（在途 ${open.length} 笔）`;
        break;
      }
      if (acts.length === 0) {
        outcome = 'report-only';
        why = `${overdue} 笔超时作废申请均不能自动处理，原因见报告`;
        break;
      }
      const sql = await look.describeMutations({ bank: bank.code, mutations: acts.map((a) => a.mutation) });
      changes = withSql(
        acts.map((a) => ({ mutation: a.mutation, voucher: a.item.voucher })),
        sql,
      );
      const others = decisions.length - acts.length;
      plan = financePlan({
        runbook,
        title: {
          zh: `${bank.name}作废状态与银行对齐（${acts.length} 笔）`,
          en: `Bring ${acts.length} ${bank.code} voids in line with the bank`,
        },
        bank,
        findings: [
          {
            zh: `${overdue} 笔作废申请超过 ${input.overdueMinutes} 分钟未得到银行应答；已逐笔向银行查询`,
            en: `${overdue} void requests unanswered for over ${input.overdueMinutes} minutes; the bank was asked about each`,
          },
          ...acts.map((a) => ({ zh: a.why, en: `${a.item.voucherNo}: ${a.mutation.kind}` })),
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
        const again = await look.findOpenVoids({ bank: bank.code, asOf: date });
        return acts.every((a) =>
          sameVoid(
            a.item,
            again.find((v) => v.voucherNo === a.item.voucherNo),
          ),
        );
      });
      approval = step.approval;
      if (step.kind === 'declined') {
        outcome = step.outcome;
        why = declinedWhy(step.outcome, '处理计划');
        break;
      }
      if (step.kind === 'moved') {
        why = '审批期间作废申请或凭证状态已变化，重新生成计划';
        continue;
      }
      applied = step.applied;

      run.step('verifying');
      verified = await verify(
        applied,
        new Map(acts.map((a) => [a.item.voucherNo, a.item.sentAt])),
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
      why = `作废申请在 ${maxPlanRounds} 轮计划中持续变化，已停止`;
    }
    const reports = decisions.filter((d) => d.kind === 'report');
    if (outcome === 'unexpected-state' || reports.length > 0) {
      await escalate(
        run,
        `作废状态需人工核查：${bank.name}`,
        [why, ...reports.map((d) => `${d.item.voucherNo}：${d.why}`)],
        {
          why,
          reports: reports.map((d) => ({ voucherNo: d.item.voucherNo, reason: d.reason })),
          stopped: applied?.stopped ?? null,
        },
      );
    }
  } catch (err) {
    await notifyFailed(run, `作废状态检查失败：${bank.name}`, err);
    throw err;
  } finally {
    await lock?.release();
  }

  /** Settled changes show at once; a re-sent request is given `seconds` for the bank's answer. */
  async function verify(done: Applied, sentBefore: Map<string, string | null>, seconds: number) {
    const voucherNos = done.results.map((r) => (r.change.mutation as { voucherNo: string }).voucherNo);
    return checkUntilSettled(async () => {
      const stillOpen = new Map(
        (await look.findOpenVoids({ bank: bank.code, asOf: date })).map((v) => [v.voucherNo, v]),
      );
      const vouchers = new Map(
        (await look.readVouchers({ bank: bank.code, voucherNos })).map((v) => [v.voucherNo, v]),
      );
      return done.results.map((r) => {
        const m = r.change.mutation as { kind: string; voucherNo: string };
        const v = vouchers.get(m.voucherNo);
        const openNow = stillOpen.get(m.voucherNo);
        // A re-sent request is verified once it left the old state; settled once the bank answered.
        const ok =
          m.kind === 'confirm-void'
            ? !openNow && v?.status === 'voided'
            : m.kind === 'refuse-void'
              ? !openNow
              : !openNow ||
                openNow.status === 'pending_send' ||
                openNow.sentAt !== sentBefore.get(m.voucherNo);
        const settled = m.kind !== 'resend-void' || !openNow;
        return {
          voucherNo: m.voucherNo,
          ok,
          settled,
          detail: `${voucherText(m.voucherNo, v?.amountFen ?? 0)}：财政端状态 ${v?.status ?? '未知'}，作废申请${openNow ? `仍在途（${openNow.status}）` : '已结清'}`,
        };
      });
    }, seconds);
  }

  const report: Omit<RunbookReport, 'runbook' | 'workflowId' | 'startedAt' | 'finishedAt'> = {
    title: `作废状态检查报告 — ${bank.name}（截至 ${date}）`,
    requestedBy: input.requestedBy,
    outcome: outcomeLabel[outcome],
    outcomeCode: outcome,
    sections: [
      {
        heading: '诊断',
        lines: [
          `在途作废申请 ${open.length} 笔，超过 ${input.overdueMinutes} 分钟未确认 ${overdue} 笔`,
          `判断：${why}`,
          ...askNotes,
          ...reasonLine(input.reason),
        ],
      },
      {
        heading: '逐笔判断（依据银行应答）',
        lines: decisions.map(
          (d) =>
            `${voucherText(d.item.voucherNo, d.item.voucher?.amountFen ?? 0)}：${d.kind === 'act' ? d.why : `${reportReason[d.reason]} — ${d.why}`}`,
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
      voucherNo: d.item.voucherNo,
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
