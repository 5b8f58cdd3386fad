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
import { planDigest } from './shared/approval-decision.ts';
import { createApprovalGate } from './shared/approval-gate.ts';
import type { ApprovalPlan, GateOutcome } from './shared/approval-messages.ts';
import { askBank, unsentNote } from './shared/ask-bank.ts';
import {
  applyChanges,
  appliedActions,
  closeBankCheckRun,
  escalate,
  notifyFailed,
  openBankCheckRun,
  type Applied,
} from './shared/bank-check-run.ts';
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
  planned: '仅生成计划（演练）',
  rejected: '审批驳回',
  expired: '审批超时',
  'unexpected-state': '遇到意外状态，已停止',
  'not-verified': '已执行，但验证未通过',
};

export async function receiptRegistrationRepair(rawInput: ReceiptRepairInput): Promise<ReceiptRepairResult> {
  const input = parseInput(receiptRepairInputSchema, rawInput);
  const run = await openBankCheckRun(runbook, input);
  const { bank, date, look } = run;
  const gate = createApprovalGate({
    runbook,
    requestedBy: input.requestedBy,
    bankCodes: [bank.code],
    record: run.record,
  });

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
      const asked = await askBank({
        dbQueue: run.estate.taskQueues.db,
        bank: bank.code,
        prefix,
        questions: clean.map((m) => ({
          queryId: queryIdFor(prefix, m.voucher.voucherNo),
          subject: 'voucher' as const,
          voucherNo: m.voucher.voucherNo,
        })),
        waitSeconds: input.answerWaitSeconds,
      });
      askNotes = unsentNote(asked, asked.answers.size + asked.unanswered.length, bank.name);
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
          ...(input.reason ? [{ zh: `发起原因：${input.reason}`, en: `Reason given: ${input.reason}` }] : []),
        ],
        changes,
      });
      if (input.dryRun) {
        outcome = 'planned';
        why = `可登记 ${confirmed.length} 张；演练模式，未执行`;
        break;
      }
      run.step('awaiting-approval');
      approval = await gate.request('register', plan);
      if (approval.outcome !== 'approved') {
        outcome = approval.outcome;
        why = approval.outcome === 'rejected' ? '审批人驳回了登记计划' : '审批超时，未执行';
        break;
      }
      // Look again before leaping: register only if every planned receipt and voucher stands as planned.
      run.step('executing');
      const again = await look.findUnregisteredReceipts({ bank: bank.code, asOf: date, limit: input.limit });
      const unchanged = confirmed.every((m) =>
        sameRegistration(
          m.voucher,
          again.receipts.find((r) => r.receiptNo === m.receipt.receiptNo),
        ),
      );
      if (!unchanged) {
        why = '审批期间回单或凭证状态已变化，重新生成计划';
        continue;
      }
      applied = await applyChanges(run, approval, changes);
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
      if (applied.stopped) {
        outcome = 'unexpected-state';
        why = `执行中发现记录已变化，已停止：${applied.stopped.message}`;
      } else if (verified.some((v) => !v.ok)) {
        outcome = 'not-verified';
        why = '登记后复核未通过';
      } else {
        outcome = others ? 'partly-registered' : 'registered';
        why = `已登记 ${applied.results.length} 张回单${others ? `，另有 ${others} 张需人工处理` : ''}`;
      }
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
          ...(input.reason ? [`发起原因：${input.reason}`] : []),
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
      ...(verified.length
        ? [{ heading: '验证', lines: verified.map((v) => `${v.ok ? '通过' : '未通过'}：${v.detail}`) }]
        : []),
      ...(applied?.stopped
        ? [{ heading: '停止原因', lines: [applied.stopped.message, JSON.stringify(applied.stopped.details)] }]
        : []),
    ],
    ...(plan && { plan, planDigest: planDigest(plan) }),
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
    ...(plan && { plan, planDigest: planDigest(plan) }),
    ...(approval && { approval }),
    results: (applied?.results ?? []).map(({ change: _change, at: _at, ...r }) => r),
    report: files,
  };
}
