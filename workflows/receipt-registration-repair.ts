/**
 * 回单登记修复 — receipt registration repair (catalog item 7, contract 2.3.1): the bank's
 * receipts (回单) that arrived but never registered against their vouchers. Each is matched to
 * its voucher by number, amount and date; for each clean match the bank is asked whether it paid
 * that voucher, for that amount. The confirmed matches are registered (receipt registered,
 * voucher paid) under approval, with the exact SQL in the plan; every other receipt is reported
 * with the reason it does not match. One repair per bank's receipts at a time
 * (lock/receipts/<bank>).
 */
import { workflowInfo } from '@temporalio/workflow';
import type { RunbookReport } from '../activities/report/runbook-report.ts';
import { formatFen } from '../inbox/format.ts';
import {
  confirmWithBank,
  matchReceipt,
  mismatchLabel,
  registration,
  sameRegistration,
} from './receipt-registration-repair.plan.ts';
import {
  receiptRepairInputSchema,
  type ReceiptMatch,
  type ReceiptRepairInput,
  type ReceiptRepairOutcome,
  type ReceiptRepairResult,
} from './receipt-registration-repair.types.ts';
import type { ApprovalPlan, GateOutcome } from './shared/approval-messages.ts';
import {
  afterApplySections,
  appliedOutcome,
  approveAndApply,
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
import type { BankAnswer, VoucherSnapshot } from './shared/bank-check-types.ts';
import { queryIdFor, queryPrefix } from './shared/bank-query-ids.ts';
import { parseInput } from './shared/errors.ts';
import { financePlan, withSql, type PlannedChange } from './shared/finance-plan.ts';
import { acquireLock, type HeldLock } from './shared/locks.ts';

const runbook = 'receipt-registration-repair';
const maxPlanRounds = 3;

const outcomeLabel: Record<ReceiptRepairOutcome, string> = {
  registered: '已登记',
  'partly-registered': '部分登记，其余需人工处理',
  'nothing-to-do': '无未登记回单',
  'nothing-registrable': '无可自动登记的回单，已列明原因',
  ...planOutcomeLabel,
};

export async function receiptRegistrationRepair(rawInput: ReceiptRepairInput): Promise<ReceiptRepairResult> {
  const input = parseInput(receiptRepairInputSchema, rawInput);
  const run = await openBankCheckRun(runbook, input);
  const { bank, date, look } = run;
  const gate = bankCheckGate(run, input.requestedBy);

  let found = 0;
  let matches: ReceiptMatch[] = [];
  let changes: PlannedChange[] = [];
  let plan: ApprovalPlan | undefined;
  let approval: GateOutcome | undefined;
  let applied: Applied | undefined;
  let verified: { voucherNo: string; ok: boolean; detail: string }[] = [];
  let outcome: ReceiptRepairOutcome | undefined;
  let why = '';
  let askNotes: string[] = [];
  let lock: HeldLock | undefined;

  try {
    lock = await acquireLock('receipts', bank.code);
    for (let round = 1; !outcome && round <= maxPlanRounds; round++) {
      run.step('diagnosing');
      const unregistered = await look.findUnregisteredReceipts({
        bank: bank.code,
        asOf: date,
        limit: input.limit,
      });
      found = unregistered.total;
      matches = unregistered.receipts.map((r) => matchReceipt(r, input.maxPayDays));

      run.step('asking-bank');
      const prefix = queryPrefix(run.workflowId, 'receipt-vouchers', round);
      const clean = matches.filter((m) => m.kind === 'clean');
      const { asked, notes } = await askRunBank(
        run,
        prefix,
        clean.map((m) => ({
          queryId: queryIdFor(prefix, m.voucher.voucherNo),
          subject: 'voucher' as const,
          voucherNo: m.voucher.voucherNo,
        })),
        input.answerWaitSeconds,
      );
      askNotes = notes;
      const answerFor = (m: ReceiptMatch & { kind: 'clean' }): BankAnswer | undefined =>
        asked.answers.get(queryIdFor(prefix, m.voucher.voucherNo));
      matches = matches.map((m) => (m.kind === 'clean' ? confirmWithBank(m, answerFor(m)) : m));
      const confirmed = matches.filter((m): m is ReceiptMatch & { kind: 'clean' } => m.kind === 'clean');

      if (matches.length === 0) {
        outcome = 'nothing-to-do';
        why = `${bank.name}没有 ${date} 及以前的未登记回单`;
        break;
      }
      if (confirmed.length === 0) {
        outcome = 'nothing-registrable';
        why = `${matches.length} 张未登记回单均不能自动登记，原因见报告`;
        break;
      }
      // A confirmed match always has its answer: confirmWithBank keeps none without one.
      const planned = confirmed.map((m) => ({
        mutation: registration(m, answerFor(m) as BankAnswer),
        voucher: m.voucher,
      }));
      const sql = await look.describeMutations({
        bank: bank.code,
        mutations: planned.map((p) => p.mutation),
      });
      changes = withSql(planned, sql);
      const others = matches.length - confirmed.length;
      plan = financePlan({
        runbook,
        title: {
          zh: `登记${bank.name}回单 ${confirmed.length} 张`,
          en: `Register ${confirmed.length} ${bank.code} receipts`,
        },
        bank,
        findings: [
          {
            zh: `${bank.name}有 ${found} 张未登记回单（${date} 及以前），其中 ${confirmed.length} 张与凭证号、金额、日期完全相符且银行确认已支付`,
            en: `${found} unregistered receipts; ${confirmed.length} match their voucher by number, amount and date, and the bank confirms the payment`,
          },
          ...(others
            ? [
                {
                  zh: `另有 ${others} 张不能自动登记，不在本计划内（原因见报告）`,
                  en: `${others} more cannot be registered automatically and are not in this plan`,
                },
              ]
            : []),
          ...reasonFinding(input.reason),
        ],
        changes,
      });
      if (input.dryRun) {
        outcome = 'planned';
        why = `可登记 ${confirmed.length} 张；演练模式，未执行`;
        break;
      }
      // Look again before leaping: register only if every planned receipt and voucher stands as planned.
      const step = await approveAndApply(run, gate, 'register', plan, changes, async () => {
        const again = await look.findUnregisteredReceipts({
          bank: bank.code,
          asOf: date,
          limit: input.limit,
        });
        return confirmed.every((m) =>
          sameRegistration(
            m.voucher,
            again.receipts.find((r) => r.receiptNo === m.receipt.receiptNo),
          ),
        );
      });
      approval = step.approval;
      if (step.kind === 'declined') {
        outcome = step.outcome;
        why = declinedWhy(step.outcome, '登记计划');
        break;
      }
      if (step.kind === 'moved') {
        why = '审批期间回单或凭证状态已变化，重新生成计划';
        continue;
      }
      applied = step.applied;
      run.step('verifying');
      const done = applied.results.map((r) => r.change);
      const after = new Map(
        (
          await look.readVouchers({
            bank: bank.code,
            voucherNos: done.map((c) => (c.mutation as { voucherNo: string }).voucherNo),
          })
        ).map((v) => [v.voucherNo, v]),
      );
      verified = done.map((c) => {
        const m = c.mutation as { receiptNo: string; voucherNo: string };
        const v: VoucherSnapshot | undefined = after.get(m.voucherNo);
        const ok = v?.status === 'paid' && v.registeredReceipt === m.receiptNo;
        return {
          voucherNo: m.voucherNo,
          ok,
          detail: `凭证 ${m.voucherNo} 状态 ${v?.status ?? '未知'}，已登记回单 ${v?.registeredReceipt ?? '无'}`,
        };
      });
      ({ outcome, why } = appliedOutcome(applied, verified, others, {
        done: 'registered',
        partly: 'partly-registered',
        notVerified: '登记后复核未通过',
        doneWhy: `已登记 ${applied.results.length} 张回单`,
        othersWhy: (n) => `，另有 ${n} 张需人工处理`,
      }));
    }
    if (!outcome) {
      outcome = 'unexpected-state';
      why = `回单或凭证在 ${maxPlanRounds} 轮计划中持续变化，已停止`;
    }
    if (outcome === 'unexpected-state') {
      await escalate(run, `回单登记修复已停止：${bank.name}`, [why], {
        why,
        stopped: applied?.stopped ?? null,
      });
    }
  } catch (err) {
    await notifyFailed(run, `回单登记修复失败：${bank.name}`, err);
    throw err;
  } finally {
    await lock?.release();
  }

  const unmatched = matches.flatMap((m) =>
    m.kind === 'unmatched'
      ? [
          {
            receiptNo: m.receipt.receiptNo,
            voucherNo: m.receipt.voucherNo,
            amountFen: m.receipt.amountFen,
            reason: m.reason,
            detail: m.detail,
          },
        ]
      : [],
  );
  const registered = (applied?.results ?? []).map((r) => {
    const m = r.change.mutation as { receiptNo: string; voucherNo: string };
    return {
      receiptNo: m.receiptNo,
      voucherNo: m.voucherNo,
      amountFen: r.change.voucher?.amountFen ?? 0,
      alreadyDone: r.alreadyDone,
    };
  });
  const report: Omit<RunbookReport, 'runbook' | 'workflowId' | 'startedAt' | 'finishedAt'> = {
    title: `回单登记修复报告 — ${bank.name}（截至 ${date}）`,
    requestedBy: input.requestedBy,
    outcome: outcomeLabel[outcome],
    outcomeCode: outcome,
    sections: [
      {
        heading: '诊断',
        lines: [
          `未登记回单 ${found} 张（本次处理 ${matches.length} 张）`,
          `判断：${why}`,
          ...askNotes,
          ...reasonLine(input.reason),
        ],
      },
      ...(unmatched.length
        ? [
            {
              heading: '不能自动登记的回单（需人工处理）',
              lines: unmatched.map(
                (u) =>
                  `回单 ${u.receiptNo}（凭证号 ${u.voucherNo}，${formatFen(u.amountFen)}）：${mismatchLabel[u.reason]} — ${u.detail}`,
              ),
            },
          ]
        : []),
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
    found,
    registered,
    unmatched,
    ...planWithDigest(plan),
    ...(approval && { approval }),
    results: resultsOf(applied),
    report: files,
  };
}
