/**
 * 公务卡还款检查 — official-card repayment check (catalog item 7, contract 2.3.5): did each of a
 * day's card repayments reach its card-issuing bank and come back paid? The stuck ones (sent, and
 * unanswered for `stuckMinutes`) are asked about at their bank; where the bank proves the payment
 * and names its receipt, the receipt is recorded and the voucher marked paid (the guarded SQL in
 * the plan, behind the approval gate); where the bank has no payable record, the voucher repair and
 * resend is started for those vouchers — it asks the bank again and resends under its own
 * approval, so nothing is paid twice; anything else is left for a person with the reason. Then it
 * watches the repaired repayments come back paid. One check per subsystem at a time
 * (lock/official-card/<subsystem>).
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, sleep, startChild } from '@temporalio/workflow';
import type { createBankCheckActivities } from '../activities/bank-checks/index.ts';
import type { createControlActivities } from '../activities/control.ts';
import type { createOfficialCardActivities } from '../activities/official-card.ts';
import { questionFor } from '../domain/bank-questions.ts';
import { withSql, type PlannedChange } from '../domain/bank-checks/finance-plan.ts';
import type { FinanceMutation } from '../domain/bank-checks/types.ts';
import { dateInZone } from '../domain/calendar/dates.ts';
import { parseInput } from '../domain/errors.ts';
import { futureDateProblems } from '../domain/runbooks/input-estate.ts';
import { cardPlan, judgeStuck } from '../domain/runbooks/official-card-check.plan.ts';
import {
  officialCardCheckReport,
  type OfficialCardCheckFacts,
} from '../domain/runbooks/official-card-check.report.ts';
import {
  officialCardCheckInputSchema,
  type CardLook,
  type CardVerdict,
  type CardVerification,
  type OfficialCardCheckInput,
  type OfficialCardCheckOutcome,
  type OfficialCardCheckResult,
  type OfficialCardTarget,
  type StartedResend,
} from '../domain/runbooks/official-card-check.types.ts';
import { owningRun } from './owning-runbook.ts';
import { askBank, questionPrefix } from './shared/ask-bank.ts';
import { applyChanges, type Applied } from './shared/bank-check-run.ts';
import { readActivities, writeActivities, type ReadProxy } from './shared/retry-profiles.ts';
import {
  approve,
  closeRun,
  holdingLock,
  lastPlan,
  openRun,
  type Found,
  type GatedRun,
} from './shared/runbook-run.ts';
import { describedOrRefused } from './shared/subsystem-opening.ts';

type Control = ReturnType<typeof createControlActivities>;
type Cards = ReturnType<typeof createOfficialCardActivities>;
type BankChecks = ReturnType<typeof createBankCheckActivities>;
type Input = ReturnType<typeof officialCardCheckInputSchema.parse>;

const runbook = 'official-card-check';
/** Stuck repayments one run takes (a voucher resend takes at most 1000 vouchers). */
const maxStuck = 500;

type CardFound = Found & { target: OfficialCardTarget; date: string };

/** A check: the run, its activities, and what it has seen and done. */
interface Check {
  run: GatedRun<Input> & CardFound;
  cards: ReadProxy<Cards>;
  look: CardLook;
  verdicts: CardVerdict[];
  applied: Applied;
  resends: StartedResend[];
  verification?: CardVerification;
}

export async function officialCardCheck(rawInput: OfficialCardCheckInput): Promise<OfficialCardCheckResult> {
  const input = parseInput(officialCardCheckInputSchema, rawInput);
  const run = await openRun({
    runbook,
    input,
    started: rawInput,
    find: (control) => findCards(control, input),
    firstStep: 'looking',
    subject: input.bank ?? input.subsystem ?? 'official-card',
    detail: (found) => ({ date: found.date, banks: found.target.banks.map((b) => b.code) }),
  });
  const cards = readActivities<Cards>({ taskQueue: run.estate.taskQueues.db });
  const failed = `公务卡还款检查失败：${run.date}`;
  const c = await holdingLock(run, ['official-card', run.target.subsystem], failed, async () => {
    const check: Check = {
      run,
      cards,
      look: await lookAt(cards, run),
      verdicts: [],
      applied: { results: [] },
      resends: [],
    };
    return { check, ...(await repair(check)) };
  });
  const ended = facts(c.check, c.outcome, c.why);
  const report = await closeRun(
    run,
    {
      outcome: ended.outcome,
      subject: run.target.subsystem,
      payload: { why: ended.why, date: run.date, stuck: ended.verdicts.length },
    },
    (rr) => officialCardCheckReport(rr, ended),
  );
  return { runbook, workflowId: run.workflowId, ...ended, report };
}

/** The subsystem and card banks the input names, and its day; anything else is bad input, before anything is recorded. */
async function findCards(control: ReadProxy<Control>, input: Input): Promise<CardFound> {
  const estate = await control.describeEstate();
  const today = dateInZone(new Date(), estate.timezone);
  const described = await readActivities<Cards>({ taskQueue: estate.taskQueues.db }).describeOfficialCard({
    ...(input.subsystem !== undefined && { subsystem: input.subsystem }),
    ...(input.bank !== undefined && { bank: input.bank }),
  });
  const target = describedOrRefused(described, futureDateProblems({ date: input.date }, today));
  const one = target.banks.length === 1 ? target.banks[0] : undefined;
  return {
    estate,
    bank: one ?? { code: target.subsystem, name: target.name },
    bankCodes: target.banks.map((b) => b.code),
    target,
    date: input.date ?? today,
  };
}

const lookAt = (cards: ReadProxy<Cards>, run: Check['run']) =>
  cards.lookAtRepayments({
    banks: run.target.banks.map((b) => b.code),
    date: run.date,
    stuckMinutes: run.input.stuckMinutes,
    max: maxStuck,
  });

/** Ask, judge, plan, approve, record and hand over, verify. */
async function repair(c: Check): Promise<{ outcome: OfficialCardCheckOutcome; why: string }> {
  const { run } = c;
  if (c.look.stuck.length === 0)
    return { outcome: 'nothing-stuck', why: `${run.date} 的公务卡还款均已支付或仍在正常处理时限内` };
  run.step('asking-banks');
  c.verdicts = await askTheBanks(c);
  const changes = await plannedReceipts(c);
  const resend = c.verdicts.filter((v) => v.decision === 'resend');
  const held = c.verdicts.filter((v) => v.decision === 'hold').length;
  if (changes.length === 0 && resend.length === 0)
    return { outcome: 'held', why: `${held} 笔卡还款无法自动处理，已逐笔列明原因` };
  const plan = cardPlan({
    target: run.target,
    date: run.date,
    verdicts: c.verdicts,
    changes,
    ...(run.input.reason && { reason: run.input.reason }),
  });
  const approval = await approve(run, 'execute', plan);
  if (typeof approval === 'string') return { outcome: approval, why: declined[approval] };
  run.step('executing');
  c.applied = await applyChanges(checkRun(c), approval, changes);
  c.resends = await startResends(c, resend);
  if (c.applied.stopped)
    return {
      outcome: 'unexpected-state',
      why: `执行中发现记录已变化，已停止：${c.applied.stopped.message}`,
    };
  run.step('verifying');
  c.verification = await verify(c, changes);
  if (!c.verification.ok) return { outcome: 'not-verified', why: c.verification.detail };
  return held > 0
    ? { outcome: 'held', why: `已处理 ${changes.length + resend.length} 笔；${held} 笔留待人工` }
    : {
        outcome: 'repaired',
        why: `补登回单 ${changes.length} 笔并已支付；交失败凭证修复与重发 ${resend.length} 笔`,
      };
}

const declined = {
  planned: '演练模式：已列出处理方案，未执行',
  rejected: '审批人驳回了处理方案',
  expired: '审批超时，未执行',
} as const;

/** Each bank asked about its stuck vouchers (status queries, out of band), then each repayment judged by the answer. */
async function askTheBanks(c: Check): Promise<CardVerdict[]> {
  const { run } = c;
  const verdicts: CardVerdict[] = [];
  for (const { code } of run.target.banks) {
    const stuck = c.look.stuck.filter((s) => s.bank === code);
    if (stuck.length === 0) continue;
    const prefix = questionPrefix(`official-card-${code}`);
    const questions = stuck.map((s) => questionFor(prefix, { subject: 'voucher', voucherNo: s.voucherNo }));
    const asked = await askBank(
      { dbQueue: run.estate.taskQueues.db, bank: code },
      prefix,
      questions,
      run.input.answerWaitSeconds,
    );
    stuck.forEach((s, i) => verdicts.push(judgeStuck(s, asked.answers.get(questions[i]?.queryId ?? ''))));
  }
  return verdicts;
}

/** The receipts the banks proved, each a guarded change with its SQL and its voucher as finance has it. */
async function plannedReceipts(c: Check): Promise<PlannedChange[]> {
  const { run } = c;
  const look = bankChecks(run.estate.taskQueues.db).look;
  const changes: PlannedChange[] = [];
  for (const { code } of run.target.banks) {
    const proven = c.verdicts.filter((v) => v.decision === 'record-receipt' && v.repayment.bank === code);
    if (proven.length === 0) continue;
    const mutations: FinanceMutation[] = proven.map((v) => ({
      kind: 'record-receipt',
      receiptNo: v.answer?.receiptNo ?? '',
      voucherNo: v.repayment.voucherNo,
      amountFen: v.repayment.amountFen,
      paidDate: dateInZone(new Date(v.answer?.paidAt ?? ''), run.estate.timezone),
      paidAt: v.answer?.paidAt ?? '',
    }));
    const [sql, vouchers] = await Promise.all([
      look.describeMutations({ bank: code, mutations }),
      look.readVouchers({ bank: code, voucherNos: proven.map((v) => v.repayment.voucherNo) }),
    ]);
    changes.push(
      ...withSql(
        mutations.map((mutation) => ({
          mutation,
          voucher:
            vouchers.find((v) => 'voucherNo' in mutation && v.voucherNo === mutation.voucherNo) ?? null,
        })),
        sql,
      ),
    );
  }
  return changes;
}

function bankChecks(dbQueue: string) {
  return {
    look: readActivities<BankChecks>({ taskQueue: dbQueue }),
    change: writeActivities<BankChecks>({ taskQueue: dbQueue }),
  };
}

/** The run as the bank checks' change helper takes it: each change is applied at its voucher's bank. */
const checkRun = (c: Check) => ({ ...c.run, ...bankChecks(c.run.estate.taskQueues.db) });

/**
 * The voucher repair for each bank's vouchers it has no record of, as an independent run (it
 * outlives this one) under the id an engineer's start would give it; one already running is left be.
 */
async function startResends(c: Check, resend: CardVerdict[]): Promise<StartedResend[]> {
  const { run } = c;
  const started: StartedResend[] = [];
  for (const { code } of run.target.banks) {
    const voucherNos = resend.filter((v) => v.repayment.bank === code).map((v) => v.repayment.voucherNo);
    if (voucherNos.length === 0) continue;
    const input = {
      bank: code,
      requestedBy: run.requestedBy(),
      reason: `公务卡还款检查：${run.date} ${voucherNos.length} 笔发卡行无记录`,
      voucherNos,
    };
    const { workflowType, workflowId } = owningRun(
      'voucher-resend',
      input,
      'the official-card check',
      dateInZone(new Date(), run.estate.timezone),
    );
    try {
      await startChild(workflowType, {
        workflowId,
        args: [input],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      started.push({ bank: code, workflowId, voucherNos, status: 'started' });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      started.push({ bank: code, workflowId, voucherNos, status: 'already-running' });
    }
  }
  return started;
}

/** The repayments whose receipts were recorded, watched until the payment system marks them paid. */
async function verify(c: Check, changes: PlannedChange[]): Promise<CardVerification> {
  const vouchers = new Set(changes.map((ch) => ('voucherNo' in ch.mutation ? ch.mutation.voucherNo : '')));
  const deadline = Date.now() + c.run.input.verifySeconds * 1000;
  for (;;) {
    const repayments = await c.cards.repaymentStates({ voucherNos: [...vouchers] });
    const paid = repayments.filter((r) => r.status === 'paid').map((r) => r.repayNo);
    const left = repayments.filter((r) => r.status !== 'paid').map((r) => r.repayNo);
    const ok = left.length === 0 && paid.length === vouchers.size;
    if (ok || Date.now() + 2000 > deadline)
      return {
        ok,
        paid,
        left,
        detail: ok
          ? `补登回单的 ${paid.length} 笔卡还款均已置为已支付`
          : `${left.length} 笔卡还款在 ${c.run.input.verifySeconds} 秒内仍未置为已支付：${left.join('、')}`,
      };
    await sleep('2 seconds');
  }
}

function facts(c: Check, outcome: OfficialCardCheckOutcome, why: string): OfficialCardCheckFacts {
  const approval = c.run.approvals.at(-1);
  return {
    target: c.run.target,
    date: c.run.date,
    outcome,
    why,
    look: c.look,
    verdicts: c.verdicts,
    ...lastPlan(c.run),
    ...(approval && { approval }),
    applied: c.applied.results.map(({ change: _c, at: _a, ...r }) => r),
    resends: c.resends,
    ...(c.verification && { verification: c.verification }),
  };
}
