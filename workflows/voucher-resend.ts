/**
 * 失败凭证修复与重发 — failed voucher repair and resend (catalog item 4, contract 2.1.7–9): find
 * a bank's rejected, timed-out and unanswered vouchers; classify each (base data out of sync at
 * the bank, non-standard fields, sent outside the window); ask the bank about every one; plan —
 * correct finance's status where the bank has the voucher, normalise fields, push base data,
 * resend the rest in the bank's next business window; ask a person about fields no rule can fix;
 * pass the approval gate; execute; verify acceptance; report.
 *
 * Never pays twice: a voucher is resent only after the bank, asked again just before, says it has
 * no payable record of it, and always under its own voucher number, which the bank deduplicates.
 * The vouchers are worked in batches, each a child workflow (voucher-resend-batch.ts) that keeps
 * its own list; this run sees counts, samples and digests, so ten thousand vouchers keep every
 * history small. One run per bank at a time (lock/vouchers/<bank>).
 */
import {
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { createControlActivities } from '../activities/control.ts';
import type { RunbookReport } from '../activities/report/runbook-report.ts';
import type { createVoucherActivities } from '../activities/vouchers.ts';
import type { BaseDataKind } from '../connectors/treasury/schema.ts';
import { batchDiagnosedSignal, batchOrderSignal, voucherResendBatch } from './voucher-resend-batch.ts';
import {
  causeLabels,
  combine,
  manualFixPlan,
  resendPlan,
  ruleSetFinding,
  yuan,
} from './voucher-resend.plan.ts';
import {
  voucherResendInputSchema,
  type BatchResult,
  type BatchSummary,
  type FailureCause,
  type ResendBatchInput,
  type VoucherOutcome,
  type VoucherResendInput,
  type VoucherResendOutcome,
  type VoucherResendResult,
  type VoucherResult,
} from './voucher-resend.types.ts';
import { planDigest } from './shared/approval-decision.ts';
import { createApprovalGate } from './shared/approval-gate.ts';
import { unknownCalendarYear } from './shared/calendar-refusal.ts';
import type { ApprovalPlan, GateOutcome } from './shared/approval-messages.ts';
import { addDays, dateInZone } from '../domain/calendar/dates.ts';
import { parseInput } from './shared/errors.ts';
import { acquireLock, type HeldLock } from './shared/locks.ts';
import { progressQuery } from './shared/progress.ts';
import { mutation, readOnly } from './shared/retry-profiles.ts';
import { createRunRecord } from './shared/run-record.ts';
import { announceRun, estateBank } from './shared/runbook-opening.ts';
import { OutcomeKey } from './shared/search-attributes.ts';

type Control = ReturnType<typeof createControlActivities>;
type Vouchers = ReturnType<typeof createVoucherActivities>;

const runbook = 'voucher-resend';
/** Runs up to this many vouchers report each one in the result; larger runs report counts and what is left over. */
const detailLimit = 2000;
/** Batches per run, which bounds this run's history (about ten events a batch); a later run takes the rest. */
const maxBatches = 500;

const outcomeLabel: Record<VoucherResendOutcome, string> = {
  'nothing-to-do': '无失败凭证',
  planned: '仅生成计划（演练）',
  rejected: '审批驳回',
  expired: '审批超时',
  completed: '已完成',
  'completed-with-holds': '已完成，部分凭证留待人工处理',
  held: '全部凭证留待人工处理',
};

const voucherOutcomeLabel: Record<VoucherOutcome, string> = {
  accepted: '重发成功，银行已受理',
  aligned: '银行已有，已更正财政端状态',
  'rejected-again': '重发后银行再次拒绝',
  unverified: '重发后未获确认',
  held: '未处理',
};

export async function voucherResend(rawInput: VoucherResendInput): Promise<VoucherResendResult> {
  const input = parseInput(voucherResendInputSchema, rawInput);
  const { workflowId, runId } = workflowInfo();
  const startedAt = new Date().toISOString();
  const control = proxyActivities<Control>(readOnly());
  const { estate, bank } = await estateBank(control, input.bank, { since: input.since });
  const today = dateInZone(new Date(), estate.timezone);
  const runLink = `${estate.runLinkBase}${encodeURIComponent(workflowId)}`;
  const db = proxyActivities<Vouchers>({ ...readOnly(), taskQueue: estate.taskQueues.db });
  const dbChange = proxyActivities<Vouchers>({ ...mutation(), taskQueue: estate.taskQueues.db });
  const record = createRunRecord(runbook);
  const gate = createApprovalGate({
    runbook,
    requestedBy: input.requestedBy,
    bankCodes: [bank.code],
    record,
  });
  // This run's keys, not only this workflow id's: a later run under the same id must not find them.
  const run = runId.slice(0, 8);
  const runKey = `${workflowId}#${run}`;

  let step = 'finding';
  const tally = { found: 0, batches: 0, diagnosed: 0, resend: 0, align: 0, held: 0, executed: 0 };
  setHandler(progressQuery, () => ({ runbook, step, detail: { bank: bank.code, ...tally } }));
  await announceRun(record, { runbook, bankCodes: [bank.code], input, key: `${run}/run-started` });

  // The batches: each tells its summary by signal and waits for an order; its result ends it.
  const summaries = new Map<number, BatchSummary>();
  const results = new Map<number, BatchResult>();
  const children = new Map<number, ChildWorkflowHandle<typeof voucherResendBatch>>();
  let childFailure: unknown;
  setHandler(batchDiagnosedSignal, (s) => {
    if ((summaries.get(s.batch)?.version ?? 0) < s.version) summaries.set(s.batch, s);
    tally.diagnosed = [...summaries.values()].reduce((n, x) => n + x.count, 0);
  });
  const failed = () => childFailure !== undefined;
  const rethrow = () => {
    if (childFailure !== undefined) throw childFailure;
  };

  let lock: HeldLock | undefined;
  let outcome: VoucherResendOutcome = 'nothing-to-do';
  let foundFen = 0;
  let plan: ApprovalPlan | undefined;
  let combined: ReturnType<typeof combine> | undefined;
  const approvals: GateOutcome[] = [];
  const pushed: VoucherResendResult['baseDataPushed'] = [];
  let fixesApplied = 0;
  // Named vouchers are looked at whatever their date; otherwise the last month's failures.
  const since =
    input.since ?? (input.voucherNos ? `${Number(today.slice(0, 4)) - 1}-01-01` : addDays(today, -31));
  const staleSentBefore = new Date(Date.now() - input.staleSentMinutes * 60_000).toISOString();

  try {
    lock = await acquireLock('vouchers', bank.code);
    const list = await db.listFailedVoucherBatches({
      bank: bank.code,
      since,
      staleSentBefore,
      batchSize: input.batchSize,
      max: Math.min(input.maxVouchers, input.batchSize * maxBatches),
      ...(input.voucherNos && { voucherNos: input.voucherNos }),
    });
    tally.found = list.total;
    tally.batches = list.batches.length;
    foundFen = list.totalFen;
    const n = list.batches.length;

    if (n > 0) {
      // Diagnose: at most `concurrency` batches at work; a summary frees a place.
      step = 'diagnosing';
      const batchInput = (i: number): ResendBatchInput => ({
        bank: bank.code,
        runKey,
        batch: i + 1,
        range: { first: list.batches[i]?.first ?? '', last: list.batches[i]?.last ?? '' },
        since,
        staleSentBefore,
        answerWaitSeconds: input.answerWaitSeconds,
        askRounds: input.askRounds,
        verifySeconds: input.verifySeconds,
        sampleSize: Math.ceil(500 / n),
        detail: list.total <= detailLimit,
      });
      for (let i = 0; i < n; i++) {
        await condition(() => children.size - summaries.size < input.concurrency || failed());
        rethrow();
        const child = await startChild(voucherResendBatch, {
          workflowId: `${workflowId}/${run}/batch-${i + 1}`,
          args: [batchInput(i)],
        });
        children.set(i + 1, child);
        child.result().then(
          (r) => void results.set(r.batch, r),
          // A batch stopped by a year without calendar data: the run says so, not just "child failed".
          (err: unknown) => void (childFailure ??= unknownCalendarYear(err) ?? err),
        );
      }
      await condition(() => summaries.size === n || failed());
      rethrow();

      // Fields no rule can fix: a person corrects the payee records, then the batches look again.
      combined = combine([...summaries.values()]);
      if (combined.manual.length > 0 && !input.dryRun) {
        step = 'awaiting-manual-fix';
        const answer = await gate.request('fix-fields', manualFixPlan(bank, combined.manual));
        approvals.push(answer);
        if (answer.outcome === 'approved') {
          step = 'diagnosing';
          const asked = [...summaries.values()]
            .filter((s) => s.manual.length > 0)
            .map((s) => [s.batch, s.version] as const);
          for (const [b] of asked) await children.get(b)?.signal(batchOrderSignal, { kind: 'recheck' });
          await condition(() => asked.every(([b, v]) => (summaries.get(b)?.version ?? 0) > v) || failed());
          rethrow();
          combined = combine([...summaries.values()]);
        }
      }

      // Plan.
      step = 'planning';
      const c = combined;
      Object.assign(tally, { resend: c.resend.count, align: c.align.count, held: sumOf(c.holds) });
      const versions = c.staleKinds.length > 0 ? await db.baseDataVersions({ bank: bank.code }) : [];
      const baseData = c.staleKinds.map((kind) => {
        const v = versions.find((x) => x.kind === kind);
        return { kind, version: v?.current ?? 0, acked: v?.acked ?? 0 };
      });
      plan = resendPlan({
        bank,
        found: c.found,
        foundFen: c.foundFen,
        resend: c.resend,
        align: c.align,
        holds: c.holds,
        fixes: c.fixes,
        baseData,
        ruleSets: c.ruleSets,
        listDigest: c.listDigest,
        ...(input.reason && { reason: input.reason }),
      });

      let approval: GateOutcome | undefined;
      if (c.resend.count + c.align.count === 0) outcome = 'held';
      else if (input.dryRun) outcome = 'planned';
      else {
        step = 'awaiting-approval';
        approval = await gate.request('resend', plan);
        approvals.push(approval);
        if (approval.outcome !== 'approved') outcome = approval.outcome;
      }

      if (approval?.outcome !== 'approved') {
        for (const child of children.values()) await child.signal(batchOrderSignal, { kind: 'finish' });
      } else {
        step = 'executing';
        const audit = (key: string, action: string, target: string, before: unknown, after: unknown) =>
          record.audit({
            kind: 'mutation',
            actor: 'system',
            subject: bank.code,
            payload: {
              action,
              target,
              before,
              after,
              approvedBy: approval.votes.map((v) => v.user),
              planDigest: approval.planDigest,
            },
            key: `${run}/${key}`,
          });

        // Payee fields, then the base data the bank lacks (pushed, acknowledged durably, with a deadline).
        for (const [i, chunk] of chunks(c.fixes, input.batchSize).entries()) {
          const applied = await dbChange.normalisePayeeFields({ bank: bank.code, fixes: chunk });
          fixesApplied += applied.filter((a) => a.result === 'applied').length;
          await audit(
            `normalise/${i}`,
            'UPDATE payee_accounts (normalised fields)',
            'treasury',
            chunk,
            applied,
          );
        }
        const blockedKinds: BaseDataKind[] = [];
        if (baseData.length > 0) {
          step = 'pushing-base-data';
          const pushes = await dbChange.pushBaseData({ bank: bank.code, kinds: c.staleKinds, key: runKey });
          await audit(
            'base-data',
            'base_data push',
            bank.code,
            baseData,
            pushes.map((p) => ({ kind: p.kind, version: p.version, pushId: p.pushId })),
          );
          const acked = await waitForAcks(pushes.map((p) => p.pushId));
          for (const p of pushes) {
            pushed.push({ kind: p.kind, version: p.version, acked: acked.has(p.pushId) });
            if (!acked.has(p.pushId)) blockedKinds.push(p.kind);
          }
        }

        // Each batch: correct, wait for the window, ask again, resend, verify.
        step = 'resending';
        const ordered: number[] = [];
        for (const s of [...summaries.values()].sort((a, b) => a.batch - b.batch)) {
          await condition(
            () => ordered.filter((b) => !results.has(b)).length < input.concurrency || failed(),
          );
          rethrow();
          await children.get(s.batch)?.signal(batchOrderSignal, {
            kind: 'execute',
            planDigest: approval.planDigest,
            batchDigest: s.resendDigest,
            blockedKinds,
            requestedBy: input.requestedBy,
          });
          ordered.push(s.batch);
        }
      }
      step = approval?.outcome === 'approved' ? 'verifying' : 'finishing';
      await condition(() => results.size === n || failed());
      rethrow();
      tally.executed = [...results.values()].reduce((t, r) => t + sumOf(r.counts), 0);
      if (approval?.outcome === 'approved') {
        const counts = addUp([...results.values()].map((r) => r.counts));
        const acted = (counts.accepted ?? 0) + (counts.aligned ?? 0);
        const left = sumOf(counts) - acted;
        outcome = left === 0 ? 'completed' : acted > 0 ? 'completed-with-holds' : 'held';
      }
    }
  } catch (err) {
    await record.notify({
      kind: 'run-failed',
      title: `失败凭证重发失败：${bank.name}`,
      lines: [String((err as Error).message ?? err)],
      bankCodes: [bank.code],
      link: runLink,
      key: `${run}/failed`,
    });
    throw err;
  } finally {
    await lock?.release();
  }

  async function waitForAcks(pushIds: string[]): Promise<Set<string>> {
    const deadline = Date.now() + input.ackWaitSeconds * 1000;
    for (let delay = 1000; ; delay = Math.min(delay * 2, 30_000)) {
      const states = await db.baseDataPushStates({ pushIds });
      const settled = states.filter((s) => s.status === 'acked' || s.status === 'rejected');
      if (settled.length === pushIds.length || Date.now() >= deadline)
        return new Set(states.filter((s) => s.status === 'acked').map((s) => s.pushId));
      await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
    }
  }

  // Report, audit, and tell people what is left for them.
  step = 'reporting';
  upsertSearchAttributes([{ key: OutcomeKey, value: outcome }]);
  const done = [...results.values()].sort((a, b) => a.batch - b.batch);
  const counts = addUp(done.map((r) => r.counts));
  const fen = addUp(done.map((r) => r.fen));
  const vouchers: VoucherResult[] = done.flatMap((r) => r.results);
  const leftOver = vouchers.filter((r) => r.outcome !== 'accepted' && r.outcome !== 'aligned');
  const acted = outcome === 'completed' || outcome === 'completed-with-holds' || outcome === 'held';
  const report: RunbookReport = {
    runbook,
    title: `失败凭证修复与重发报告 — ${bank.name}`,
    workflowId,
    requestedBy: input.requestedBy,
    startedAt,
    finishedAt: new Date().toISOString(),
    outcome: outcomeLabel[outcome],
    outcomeCode: outcome,
    sections: [
      {
        heading: '概况',
        lines: [
          `失败凭证 ${tally.found} 张，合计 ${yuan(foundFen)}（业务日期自 ${since} 起，${tally.batches} 批）`,
          ...(combined && combined.ruleSets.length > 0 ? [ruleSetFinding(combined.ruleSets).zh] : []),
          ...(Object.entries(combined?.causes ?? {}) as [FailureCause, number][]).map(
            ([cause, k]) => `${causeLabels[cause].zh}：${k} 张`,
          ),
          ...pushed.map(
            (p) => `基础资料 ${p.kind} 推送至 v${p.version}：${p.acked ? '银行已确认' : '银行未确认'}`,
          ),
          ...(fixesApplied > 0 ? [`规范收款人要素 ${fixesApplied} 项`] : []),
          ...[...new Set(done.flatMap((r) => (r.windowExtended ? [r.windowExtended] : [])))].map(
            (why) => `在银行延时服务时段内重发：${why}`,
          ),
        ],
      },
      ...(acted
        ? [
            {
              heading: '处理结果',
              lines: (Object.keys(voucherOutcomeLabel) as VoucherOutcome[])
                .filter((o) => counts[o])
                .map((o) => `${voucherOutcomeLabel[o]}：${counts[o]} 张，合计 ${yuan(fen[o] ?? 0)}`),
            },
          ]
        : []),
      ...(leftOver.length > 0 && acted
        ? [
            {
              heading: '需人工处理的凭证',
              lines: leftOver
                .slice(0, 200)
                .map(
                  (r) =>
                    `${r.voucherNo} ${yuan(r.amountFen)}：${voucherOutcomeLabel[r.outcome]}${r.detail ? `（${r.detail}）` : ''}`,
                ),
            },
          ]
        : []),
    ],
    ...(plan && { plan, planDigest: planDigest(plan) }),
    votes: approvals.flatMap((a) => a.votes),
    actions: vouchers
      .filter((r) => r.resentAt)
      .slice(0, 200)
      .map((r) => ({
        command: `重发 ${r.voucherNo}`,
        target: bank.code,
        detail: `${yuan(r.amountFen)}：${voucherOutcomeLabel[r.outcome]}`,
        at: r.resentAt as string,
      })),
  };
  const files = await control.writeRunbookReport(report);
  await record.audit({
    kind: 'outcome',
    actor: 'system',
    subject: bank.code,
    payload: { result: outcome, counts, found: tally.found, report: files },
    key: `${run}/outcome`,
  });
  const leftCount = sumOf(counts) - (counts.accepted ?? 0) - (counts.aligned ?? 0);
  if (acted && leftCount > 0) {
    await record.notify({
      kind: 'run-escalated',
      title: `失败凭证需人工处理：${bank.name} ${leftCount} 张`,
      lines: (Object.keys(voucherOutcomeLabel) as VoucherOutcome[])
        .filter((o) => o !== 'accepted' && o !== 'aligned' && counts[o])
        .map((o) => `${voucherOutcomeLabel[o]}：${counts[o]} 张`),
      bankCodes: [bank.code],
      link: runLink,
      key: `${run}/escalated`,
    });
  }
  await condition(allHandlersFinished);
  return {
    runbook,
    workflowId,
    bank: bank.code,
    outcome,
    found: tally.found,
    foundFen,
    counts,
    vouchers: vouchers.slice(0, detailLimit),
    ...(plan && { plan, planDigest: planDigest(plan) }),
    approvals,
    baseDataPushed: pushed,
    fixesApplied,
    report: files,
  };
}

const sumOf = (counts: Partial<Record<string, number>>) =>
  Object.values(counts).reduce((t: number, k) => t + (k ?? 0), 0);

function addUp<K extends string>(all: Partial<Record<K, number>>[]): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  for (const one of all)
    for (const [k, n] of Object.entries(one) as [K, number][]) out[k] = (out[k] ?? 0) + n;
  return out;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
