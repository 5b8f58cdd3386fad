/**
 * 工资统发跟踪 — payroll watch (catalog item 16, contract 8.1): follow one month's payroll batch
 * from its submission until every line is paid or listed with its reason. A durable watch: a look
 * at the batch every `checkSeconds` (its lines by status, the failed lines' vouchers); people are
 * told when nothing has moved for `stallMinutes` while lines are open, and of every line that
 * fails; the lines the bank refused are handed to the runbook that owns them — the voucher repair
 * and resend, which asks the bank about each voucher and resends only what it has no record of,
 * behind its own approval — and the watch follows that run to its end. It changes nothing itself.
 * One watch per batch (its workflow id, and lock/payroll/<batch>).
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { condition, ParentClosePolicy, startChild } from '@temporalio/workflow';
import type { createControlActivities } from '../activities/control.ts';
import type { createPayrollActivities } from '../activities/payroll.ts';
import { dateInZone } from '../domain/calendar/dates.ts';
import { formatFen, formatInstant } from '../domain/display.ts';
import { parseInput } from '../domain/errors.ts';
import {
  batchSettled,
  explainLines,
  openLines,
  progressKey,
  repairableVouchers,
  watchOutcome,
  whyEnded,
} from '../domain/runbooks/payroll-watch.lines.ts';
import { payrollWatchReport, type PayrollWatchFacts } from '../domain/runbooks/payroll-watch.report.ts';
import {
  payrollWatchInputSchema,
  type PayrollLook,
  type PayrollTarget,
  type PayrollWatchInput,
  type PayrollWatchOutcome,
  type PayrollWatchResult,
  type RepairRun,
  type Stall,
} from '../domain/runbooks/payroll-watch.types.ts';
import type { VoucherResendResult } from '../domain/runbooks/voucher-resend.types.ts';
import { owningRun } from './owning-runbook.ts';
import { readActivities, type ReadProxy } from './shared/retry-profiles.ts';
import {
  closeRun,
  holdingLock,
  noticeBanks,
  openRun,
  type Found,
  type RunbookRun,
} from './shared/runbook-run.ts';
import { describedOrRefused } from './shared/subsystem-opening.ts';

type Control = ReturnType<typeof createControlActivities>;
type Payroll = ReturnType<typeof createPayrollActivities>;
type Input = ReturnType<typeof payrollWatchInputSchema.parse>;

const runbook = 'payroll-watch';
/** Failed lines one look lists (a voucher resend takes at most 1000 vouchers). */
const maxListed = 1000;

type BatchFound = Found & { target: PayrollTarget };

/** A watch: the run, what it has seen, told and started. */
interface Watch {
  run: RunbookRun<Input> & BatchFound;
  payroll: ReadProxy<Payroll>;
  first: PayrollLook;
  last: PayrollLook;
  looks: number;
  stalls: Stall[];
  repairs: RepairRun[];
  /** Lines people have been told failed. */
  told: Set<number>;
  /** Set when a repair run ends, so the watch looks again at once. */
  woken: boolean;
}

export async function payrollWatch(rawInput: PayrollWatchInput): Promise<PayrollWatchResult> {
  const input = parseInput(payrollWatchInputSchema, rawInput);
  const run = await openRun({
    runbook,
    input,
    started: rawInput,
    gate: false,
    find: (control) => findBatch(control, input),
    firstStep: 'watching',
    subject: input.batchNo,
    detail: (found) => ({ batchNo: found.target.batchNo }),
  });
  const payroll = readActivities<Payroll>({ taskQueue: run.estate.taskQueues.db });
  const failed = `工资统发跟踪失败：批次 ${input.batchNo}`;
  const w = await holdingLock(run, ['payroll', input.batchNo], failed, async () => {
    const first = await lookAt(payroll, input.batchNo);
    const watch: Watch = {
      run,
      payroll,
      first,
      last: first,
      looks: 1,
      stalls: [],
      repairs: [],
      told: new Set(),
      woken: false,
    };
    return { watch, outcome: input.dryRun ? ('planned' as const) : await follow(watch) };
  });
  const ended = facts(w.watch, w.outcome);
  const report = await closeRun(
    run,
    {
      outcome: ended.outcome,
      subject: input.batchNo,
      payload: { why: ended.why, counts: ended.last.counts, repairs: ended.repairs.map((r) => r.workflowId) },
    },
    (rr) => payrollWatchReport(rr, ended),
  );
  return { runbook, workflowId: run.workflowId, ...ended, report };
}

/** The batch the input names in its payroll subsystem; anything else is bad input, before anything is recorded. */
async function findBatch(control: ReadProxy<Control>, input: Input): Promise<BatchFound> {
  const estate = await control.describeEstate();
  const described = await readActivities<Payroll>({ taskQueue: estate.taskQueues.db }).describePayrollBatch({
    batchNo: input.batchNo,
    ...(input.subsystem !== undefined && { subsystem: input.subsystem }),
  });
  const target = describedOrRefused(described);
  return { estate, bank: { code: target.bank, name: target.name }, bankCodes: [target.bank], target };
}

const lookAt = (payroll: ReadProxy<Payroll>, batchNo: string) =>
  payroll.lookAtPayrollBatch({ batchNo, maxListed });

/**
 * Looks, tells, hands over, and waits for the next look (or for a repair run to end), until the
 * batch is settled or the watch's time is up.
 */
async function follow(w: Watch): Promise<PayrollWatchOutcome> {
  const { input } = w.run;
  const deadline = Date.now() + input.watchHours * 3_600_000;
  let moved = { key: progressKey(w.last), at: Date.now() };
  for (;;) {
    await tellFailures(w);
    await handOver(w);
    const settled = batchSettled(w.last, w.repairs, input.repair);
    if (settled || Date.now() >= deadline) return watchOutcome(w.last, settled);
    await condition(() => w.woken, input.checkSeconds * 1000);
    w.woken = false;
    w.last = await lookAt(w.payroll, input.batchNo);
    w.looks += 1;
    const key = progressKey(w.last);
    if (key !== moved.key) {
      moved = { key, at: Date.now() };
      const stall = w.stalls.at(-1);
      if (stall && !stall.endedAt) stall.endedAt = new Date().toISOString();
    } else if (Date.now() - moved.at >= input.stallMinutes * 60_000) await tellStall(w, moved.at);
  }
}

/** A stall, told once while it lasts: nothing moved since `since` and lines are still open. */
async function tellStall(w: Watch, since: number): Promise<void> {
  const open = openLines(w.last);
  const current = w.stalls.at(-1);
  if (open === 0 || (current && !current.endedAt)) return;
  const { run } = w;
  const stall: Stall = {
    since: new Date(since).toISOString(),
    toldAt: new Date().toISOString(),
    openLines: open,
  };
  w.stalls.push(stall);
  const { pending, issued } = w.last.counts;
  await run.record.notify({
    kind: 'run-escalated',
    title: `工资批次 ${run.target.batchNo} 停滞：${open} 行 ${run.input.stallMinutes} 分钟无进展`,
    lines: [
      `自 ${formatInstant(stall.since, run.estate.timezone)} 起没有任何一行发生变化`,
      `未生成凭证 ${pending} 行，已发银行未支付 ${issued} 行；已支付 ${w.last.counts.paid} 行`,
      '请工资编制单位与支付系统运维确认批次处理作业是否运行',
    ],
    bankCodes: noticeBanks(run.bankCodes),
    link: run.runLink,
    key: run.key(`stalled-${w.stalls.length}`),
  });
}

/** Lines that failed since the last look, told once each, with their reasons (payees masked). */
async function tellFailures(w: Watch): Promise<void> {
  const fresh = w.last.failed.filter((l) => !w.told.has(l.lineNo));
  if (fresh.length === 0) return;
  for (const l of fresh) w.told.add(l.lineNo);
  const { run } = w;
  await run.record.notify({
    kind: 'run-escalated',
    title: `工资批次 ${run.target.batchNo}：${fresh.length} 行支付失败`,
    lines: fresh
      .slice(0, 50)
      .map(
        (l) => `第 ${l.lineNo} 行 ${l.payee.name} ${l.payee.account} ${formatFen(l.amountFen)}：${l.reason}`,
      ),
    bankCodes: noticeBanks(run.bankCodes),
    link: run.runLink,
    key: run.key(`failed-lines-${w.told.size}`),
  });
}

/**
 * The refused lines' vouchers to the voucher repair and resend, started as an independent run
 * (it outlives the watch) under the id an engineer's start would give it; followed to its end.
 * A resend already running for the bank is left be: its vouchers are offered again once it ends.
 */
async function handOver(w: Watch): Promise<void> {
  const { run } = w;
  const voucherNos = repairableVouchers(w.last, w.repairs);
  if (!run.input.repair || voucherNos.length === 0) return;
  const input = {
    bank: run.target.bank,
    requestedBy: run.requestedBy(),
    reason: `工资统发跟踪：批次 ${run.target.batchNo} ${voucherNos.length} 行被银行拒绝`,
    voucherNos,
  };
  const { workflowType, workflowId } = owningRun(
    'voucher-resend',
    input,
    'the payroll watch',
    dateInZone(new Date(), run.estate.timezone),
  );
  try {
    const child = await startChild(workflowType, {
      workflowId,
      args: [input],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    const repair: RepairRun = { runbook: 'voucher-resend', workflowId, voucherNos, status: 'started' };
    w.repairs.push(repair);
    void (child.result() as Promise<VoucherResendResult>).then(
      (done) => {
        repair.outcome = done.outcome;
        repair.vouchers = done.vouchers
          .filter((v) => voucherNos.includes(v.voucherNo))
          .map((v) => ({
            voucherNo: v.voucherNo,
            outcome: v.outcome,
            ...(v.detail && { detail: v.detail }),
          }));
        w.woken = true;
      },
      (err: unknown) => {
        repair.failed = String((err as Error).message ?? err);
        w.woken = true;
      },
    );
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    if (!w.repairs.some((r) => r.status === 'already-running' && r.workflowId === workflowId))
      w.repairs.push({ runbook: 'voucher-resend', workflowId, voucherNos, status: 'already-running' });
  }
}

function facts(w: Watch, outcome: PayrollWatchOutcome): PayrollWatchFacts {
  return {
    target: w.run.target,
    outcome,
    why: whyEnded(w.last, outcome),
    first: w.first,
    last: w.last,
    looks: w.looks,
    stalls: w.stalls,
    repairs: w.repairs,
    explained: explainLines(w.last, w.repairs),
    ...(outcome === 'planned' && { toRepair: repairableVouchers(w.last, w.repairs) }),
  };
}
