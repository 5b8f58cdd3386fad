/**
 * One batch (≤ 500 vouchers) of failed voucher resend, a child workflow of `voucherResend`. The
 * batch's vouchers live only here, so a run over ten thousand keeps every history small:
 * 1. diagnose — describe each voucher (treasury, the bank's field rules) and ask the bank about
 *    it; tell the parent a summary (counts, a sample for the plan, the digest of the resend list);
 * 2. wait for the parent's order — `recheck` (a person corrected payee records), `finish`
 *    (not approved, dry run) or `execute`, which binds to the digest the plan was built from;
 * 3. execute — correct finance's status where the bank has the voucher; wait for the bank's
 *    business window (Chinese working-day calendar); ask the bank again; resend only what it
 *    still has no record of; watch for its acceptance; where its answer was lost, ask once more
 *    and let finance's status follow the bank's. Nothing is ever resent twice.
 */
import {
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { createCalendarActivities } from '../activities/calendar.ts';
import type { createControlActivities } from '../activities/control.ts';
import type { createVoucherActivities, RowChange } from '../activities/vouchers.ts';
import {
  causesOf,
  decideAtResend,
  dispose,
  failureLabel,
  holdLabels,
  plannedOf,
  summarise,
} from './voucher-resend.plan.ts';
import type {
  BankAnswer,
  BatchOrder,
  BatchResult,
  BatchSummary,
  DiagnosedVoucher,
  PlannedVoucher,
  ResendBatchInput,
  VoucherOutcome,
  VoucherResult,
} from './voucher-resend.types.ts';
import { planDigest } from './shared/approval-decision.ts';
import { refuseUnknownYear } from './shared/calendar-refusal.ts';
import { ErrorKind } from './shared/errors.ts';
import { progressQuery } from './shared/progress.ts';
import { mutation, readOnly } from './shared/retry-profiles.ts';
import { createRunRecord } from './shared/run-record.ts';

type Vouchers = ReturnType<typeof createVoucherActivities>;
type Calendar = ReturnType<typeof createCalendarActivities>;
type Control = ReturnType<typeof createControlActivities>;

const runbook = 'voucher-resend';

/** Child → parent: the batch is diagnosed (again, after a recheck). */
export const batchDiagnosedSignal = defineSignal<[BatchSummary]>('resendBatchDiagnosed');
/** Parent → child: what to do now. */
export const batchOrderSignal = defineSignal<[BatchOrder]>('resendBatchOrder');
/** The batch's latest summary (null until diagnosed). */
export const batchSummaryQuery = defineQuery<BatchSummary | null>('resendBatchSummary');

type Acts = Awaited<ReturnType<typeof activitiesFor>>;

async function activitiesFor() {
  const control = proxyActivities<Control>(readOnly());
  const { taskQueues } = await control.describeEstate();
  return {
    db: proxyActivities<Vouchers>({ ...readOnly(), taskQueue: taskQueues.db }),
    dbChange: proxyActivities<Vouchers>({ ...mutation(), taskQueue: taskQueues.db }),
    calendar: proxyActivities<Calendar>(readOnly()),
  };
}

/**
 * Asks the bank about each voucher and waits for its answers: up to `rounds` rounds, each
 * waiting `waitSeconds` with backing-off polls; a late answer to an earlier round still counts.
 * A voucher the bank never answers about comes back `answered: false`.
 */
async function askUntilAnswered(
  acts: Acts,
  bank: string,
  voucherNos: string[],
  keyPrefix: string,
  rounds: number,
  waitSeconds: number,
): Promise<Map<string, BankAnswer>> {
  const answers = new Map<string, BankAnswer>();
  const keys: string[] = [];
  for (let round = 1; round <= rounds; round++) {
    const missing = voucherNos.filter((no) => !answers.get(no)?.answered);
    if (missing.length === 0) break;
    const key = `${keyPrefix}${round}`;
    keys.push(key);
    await acts.dbChange.askBankAboutVouchers({ bank, voucherNos: missing, key });
    const deadline = Date.now() + waitSeconds * 1000;
    for (let delay = 500; ; delay = Math.min(delay * 2, 5_000)) {
      await sleep(Math.max(1, Math.min(delay, deadline - Date.now())));
      for (const a of await acts.db.readBankAnswers({ bank, voucherNos: missing, keys }))
        if (a.answered) answers.set(a.voucherNo, a);
      if (missing.every((no) => answers.get(no)?.answered) || Date.now() >= deadline) break;
    }
  }
  for (const no of voucherNos) if (!answers.has(no)) answers.set(no, { voucherNo: no, answered: false });
  return answers;
}

export async function voucherResendBatch(input: ResendBatchInput): Promise<BatchResult> {
  const { bank } = input;
  const { runId, parent } = workflowInfo();
  let step = 'inspecting';
  let nextOpening: string | undefined;
  let summary: BatchSummary | null = null;
  const orders: BatchOrder[] = [];
  setHandler(progressQuery, () => ({ runbook, step, detail: { batch: input.batch, nextOpening } }));
  setHandler(batchSummaryQuery, () => summary);
  setHandler(batchOrderSignal, (order) => void orders.push(order));
  const acts = await activitiesFor();

  const diagnose = async (
    part: { range?: ResendBatchInput['range']; voucherNos?: string[] },
    round: string,
  ) => {
    step = 'inspecting';
    const failed = await acts.db.inspectFailedVouchers({
      bank,
      since: input.since,
      staleSentBefore: input.staleSentBefore,
      ...part,
    });
    step = 'asking-bank';
    const answers = await askUntilAnswered(
      acts,
      bank,
      failed.map((v) => v.voucherNo),
      `${input.runKey}.${input.batch}.${round}`,
      input.askRounds,
      input.answerWaitSeconds,
    );
    return failed.map((v): DiagnosedVoucher => {
      const causes = causesOf(v);
      const answer = answers.get(v.voucherNo) as BankAnswer;
      return { ...v, causes, answer, disposition: dispose(v, causes, answer) };
    });
  };
  const report = async (version: number) => {
    summary = summarise(input.batch, version, diagnosed, input.sampleSize);
    if (parent)
      await getExternalWorkflowHandle(parent.workflowId, parent.runId).signal(batchDiagnosedSignal, summary);
  };

  let diagnosed = await diagnose({ range: input.range, voucherNos: input.voucherNos }, 'd');
  let version = 1;
  await report(version);
  for (;;) {
    step = 'waiting-for-order';
    await condition(() => orders.length > 0);
    const order = orders.shift() as BatchOrder;
    if (order.kind === 'recheck') {
      const manual = diagnosed.filter(
        (v) => v.disposition.kind === 'hold' && v.disposition.reason === 'manual-fix',
      );
      if (manual.length > 0) {
        const again = new Map(
          (await diagnose({ voucherNos: manual.map((v) => v.voucherNo) }, `m${version}.`)).map((v) => [
            v.voucherNo,
            v,
          ]),
        );
        diagnosed = diagnosed.map((v) => again.get(v.voucherNo) ?? v);
      }
      version += 1;
      await report(version);
      continue;
    }
    if (order.kind === 'finish')
      return finish(input, diagnosed.filter((v) => v.disposition.kind === 'hold').map(heldResult), undefined);
    return execute(input, acts, diagnosed, order, runId, (s, at) => {
      step = s;
      nextOpening = at;
    });
  }
}

function heldResult(v: DiagnosedVoucher): VoucherResult {
  const reason = v.disposition.kind === 'hold' ? v.disposition.reason : undefined;
  const detail = v.disposition.kind === 'hold' ? v.disposition.detail : '';
  return {
    voucherNo: v.voucherNo,
    amountFen: v.amountFen,
    outcome: 'held',
    detail: reason ? `${holdLabels[reason]}：${detail}` : detail,
  };
}

function finish(
  input: ResendBatchInput,
  results: VoucherResult[],
  window?: { openedAt: string; extended: string | undefined },
): BatchResult {
  const counts: Partial<Record<VoucherOutcome, number>> = {};
  const fen: Partial<Record<VoucherOutcome, number>> = {};
  for (const r of results) {
    counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
    fen[r.outcome] = (fen[r.outcome] ?? 0) + r.amountFen;
  }
  const done = (r: VoucherResult) => r.outcome === 'accepted' || r.outcome === 'aligned';
  return {
    batch: input.batch,
    counts,
    fen,
    results: input.detail ? results : results.filter((r) => !done(r)).slice(0, 200),
    ...(window && { windowOpenedAt: window.openedAt }),
    ...(window?.extended && { windowExtended: window.extended }),
  };
}

async function execute(
  input: ResendBatchInput,
  acts: Acts,
  diagnosed: DiagnosedVoucher[],
  order: Extract<BatchOrder, { kind: 'execute' }>,
  runId: string,
  progress: (step: string, nextOpening?: string) => void,
): Promise<BatchResult> {
  const { bank } = input;
  const record = createRunRecord(runbook);
  const results: VoucherResult[] = diagnosed.filter((v) => v.disposition.kind === 'hold').map(heldResult);
  const push = (v: PlannedVoucher, outcome: VoucherOutcome, extra: Partial<VoucherResult> = {}) =>
    results.push({ voucherNo: v.voucherNo, amountFen: v.amountFen, outcome, ...extra });
  let audits = 0;
  const audit = (action: AuditAction, vouchers: PlannedVoucher[], changes: RowChange[]) =>
    auditChange(record, action, input, order, vouchers, changes, `${runId}/${action}/${++audits}`);

  // Execute only the list the plan was built from.
  const planned = diagnosed.filter((v) => v.disposition.kind === 'resend');
  if (planDigest(planned.map(plannedOf)) !== order.batchDigest) {
    for (const v of planned) push(plannedOf(v), 'held', { detail: '批次清单与审批计划不一致，未重发' });
    return finish(input, results, undefined);
  }
  const blocked = new Set(order.blockedKinds);
  const resend = planned.filter((v) => !v.staleBaseData.some((s) => blocked.has(s.kind))).map(plannedOf);
  for (const v of planned.filter((x) => x.staleBaseData.some((s) => blocked.has(s.kind))))
    push(plannedOf(v), 'held', { detail: holdLabels['base-data-not-acked'] });

  // 1. The bank has these already: only finance's status is wrong.
  const align = diagnosed.filter((v) => v.disposition.kind === 'align').map(plannedOf);
  if (align.length > 0) {
    progress('aligning');
    const changed = await acts.dbChange.alignVoucherStatus({ bank, vouchers: align });
    await audit('align', align, changed);
    for (const c of changed) {
      const v = align.find((x) => x.voucherNo === c.voucherNo) as PlannedVoucher;
      if (c.status === 'accepted' || c.status === 'paid')
        push(v, 'aligned', { detail: '银行已有该凭证，未重发' });
      else push(v, 'held', { detail: `计划后财政端状态已变为 ${c.status}` });
    }
  }
  if (resend.length === 0) return finish(input, results);

  // 2. Only inside the bank's window on a working day: a resend outside it would time out again.
  let opened: { openedAt: string; extended: string | undefined } | undefined;
  for (let tries = 0; !opened; tries++) {
    progress('waiting-for-window');
    const window = await acts.calendar
      .bankWindow({ bank, at: new Date().toISOString() })
      .catch(refuseUnknownYear(`${bank}: cannot tell when the business window opens`));
    if (window.open) opened = { openedAt: new Date().toISOString(), extended: window.extended };
    else {
      if (tries >= 10)
        throw ApplicationFailure.create({
          type: ErrorKind.UnexpectedState,
          nonRetryable: true,
          message: `${bank}: the bank window did not open after ${tries} waits (next ${window.opensAt})`,
        });
      progress('waiting-for-window', window.opensAt);
      await sleep(Math.max(1000, Date.parse(window.opensAt) - Date.now()));
    }
  }

  // 3. Look again: the bank's fresh answer, and the row as it is now against what the plan saw.
  progress('asking-bank');
  const nos = resend.map((v) => v.voucherNo);
  const answers = await askUntilAnswered(
    acts,
    bank,
    nos,
    `${input.runKey}.${input.batch}.x`,
    input.askRounds,
    input.answerWaitSeconds,
  );
  const states = new Map(
    (await acts.db.voucherStates({ bank, voucherNos: nos })).map((s) => [s.voucherNo, s]),
  );
  const toResend: PlannedVoucher[] = [];
  const toAlign: PlannedVoucher[] = [];
  for (const v of resend) {
    const now = states.get(v.voucherNo);
    const answer = answers.get(v.voucherNo) as BankAnswer;
    if (!now || now.status !== v.status || now.updatedAt !== v.updatedAt) {
      push(v, 'held', { detail: `计划后财政端状态已变为 ${now?.status ?? '不存在'}，未重发` });
      continue;
    }
    const decision = decideAtResend(answer);
    if (decision === 'resend') toResend.push(v);
    else if (decision === 'align') toAlign.push(v);
    else
      push(v, 'held', {
        detail: answer.answered
          ? `银行记录状态为 ${answer.status ?? '未知'}，未重发`
          : '银行未答复状态查询，未重发',
      });
  }

  // 4. Where the bank has it after all, finance follows; the rest goes out under its own number.
  progress('resending');
  if (toAlign.length > 0) {
    const changed = await acts.dbChange.alignVoucherStatus({ bank, vouchers: toAlign });
    await audit('align', toAlign, changed);
    for (const v of toAlign) push(v, 'aligned', { detail: '银行已有该凭证，未重发' });
  }
  const resentAt = new Date().toISOString();
  if (toResend.length > 0) {
    const requeued = await acts.dbChange.requeueVouchers({ bank, vouchers: toResend });
    await audit('requeue', toResend, requeued);
  }

  // 5. Verify: the bank's acceptance reaches finance as the program applies its acks and receipts.
  progress('verifying');
  const pending = new Map(toResend.map((v) => [v.voucherNo, v]));
  const deadline = Date.now() + input.verifySeconds * 1000;
  for (let delay = 1000; pending.size > 0; delay = Math.min(delay * 2, 5_000)) {
    for (const s of await acts.db.voucherStates({ bank, voucherNos: [...pending.keys()] })) {
      const v = pending.get(s.voucherNo) as PlannedVoucher;
      if (s.status === 'accepted' || s.status === 'paid') {
        push(v, 'accepted', { resentAt });
        pending.delete(s.voucherNo);
      } else if (s.status === 'rejected' || s.status === 'timed_out') {
        push(v, 'rejected-again', { detail: failureLabel(s.failureCode), resentAt });
        pending.delete(s.voucherNo);
      }
    }
    if (pending.size === 0 || Date.now() >= deadline) break;
    await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
  }

  // 6. Still unconfirmed: the bank's answer may have been lost. Ask; where the bank has the
  //    voucher, finance's status follows it. Nothing is resent a second time.
  if (pending.size > 0) {
    progress('asking-bank-after-resend');
    const open = [...pending.values()];
    const after = await askUntilAnswered(
      acts,
      bank,
      open.map((v) => v.voucherNo),
      `${input.runKey}.${input.batch}.v`,
      input.askRounds,
      input.answerWaitSeconds,
    );
    const rows = new Map(
      (await acts.db.voucherStates({ bank, voucherNos: open.map((v) => v.voucherNo) })).map((s) => [
        s.voucherNo,
        s,
      ]),
    );
    const confirm: PlannedVoucher[] = [];
    for (const v of open) {
      const a = after.get(v.voucherNo) as BankAnswer;
      const row = rows.get(v.voucherNo);
      if (a.known && (a.status === 'accepted' || a.status === 'paid') && row) {
        if (row.status === 'accepted' || row.status === 'paid') push(v, 'accepted', { resentAt });
        else confirm.push({ ...v, status: row.status as PlannedVoucher['status'], updatedAt: row.updatedAt });
      } else if (a.known && a.status === 'rejected')
        push(v, 'rejected-again', { detail: '银行拒绝', resentAt });
      else
        push(v, 'unverified', {
          detail: a.answered ? '银行尚无该凭证记录（可能仍在途）' : '银行未答复状态查询',
          resentAt,
        });
    }
    if (confirm.length > 0) {
      progress('aligning');
      const changed = await acts.dbChange.alignVoucherStatus({ bank, vouchers: confirm });
      await audit('align-after-resend', confirm, changed);
      const byNo = new Map(changed.map((c) => [c.voucherNo, c]));
      for (const v of confirm) {
        const c = byNo.get(v.voucherNo);
        const ok = c && (c.status === 'accepted' || c.status === 'paid');
        push(v, ok ? 'accepted' : 'unverified', {
          detail: ok
            ? '银行已受理，回执未到，已按银行答复更正财政端状态'
            : `财政端状态 ${c?.status ?? '未知'}`,
          resentAt,
        });
      }
    }
  }
  progress('done');
  return finish(input, results, opened);
}

type AuditAction = 'requeue' | 'align' | 'align-after-resend';

async function auditChange(
  record: ReturnType<typeof createRunRecord>,
  action: AuditAction,
  input: ResendBatchInput,
  order: Extract<BatchOrder, { kind: 'execute' }>,
  vouchers: PlannedVoucher[],
  changes: RowChange[],
  key: string,
): Promise<void> {
  const byNo = new Map(changes.map((c) => [c.voucherNo, c]));
  await record.audit({
    kind: 'mutation',
    actor: 'system',
    subject: input.bank,
    payload: {
      action:
        action === 'requeue'
          ? "UPDATE vouchers SET status = 'pending_send' (resend under the voucher's own number)"
          : "UPDATE vouchers SET status = 'accepted' (the bank has the voucher)",
      target: 'treasury',
      before: vouchers.map((v) => ({ voucherNo: v.voucherNo, status: v.status, amountFen: v.amountFen })),
      after: vouchers.map((v) => ({
        voucherNo: v.voucherNo,
        changed: byNo.get(v.voucherNo)?.changed ?? false,
        status: byNo.get(v.voucherNo)?.status ?? 'unknown',
      })),
      planDigest: order.planDigest,
      requestedBy: order.requestedBy,
    },
    key,
  });
}
