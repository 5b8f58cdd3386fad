/**
 * One batch (≤ 500 vouchers) of failed voucher resend, executed: a child workflow `voucherResend`
 * starts only after the approval, with the approval proof in its input. It takes no signal and no
 * update: nothing but its input orders it. It looks again — describes the batch and asks the bank
 * afresh — and acts only when the batch is still what the plan showed (the row states the plan's
 * digests bind); then it corrects finance's status where the bank has the voucher, waits for the
 * bank's business window (Chinese working-day calendar) while the approval is young enough, asks
 * the bank again after a wait, resends only what the bank still has no record of, watches for its
 * acceptance, and where its answer was lost asks once more and lets finance's status follow the
 * bank's. Every change goes through an activity that checks the proof against the plan's lists.
 * Nothing is ever resent twice.
 */
import { ApplicationFailure, patched, sleep } from '@temporalio/workflow';
import type { RowChange, VoucherState } from '../activities/vouchers.ts';
import { planDigest } from '../domain/approvals/decision.ts';
import { ErrorKind, isProofRefusal } from '../domain/errors.ts';
import {
  decideAtResend,
  failureLabel,
  holdLabels,
  plannedOf,
} from '../domain/runbooks/voucher-resend.plan.ts';
import type {
  BatchResult,
  DiagnosedVoucher,
  PlannedVoucher,
  ResendBatchInput,
  VoucherOutcome,
  VoucherResult,
} from '../domain/runbooks/voucher-resend.types.ts';
import { refuseUnknownYear } from './shared/calendar-refusal.ts';
import { answerProgress } from './shared/progress.ts';
import { countVouchersResent } from './shared/run-metrics.ts';
import { createRunRecord } from './shared/run-record.ts';
import {
  askAboutVouchers,
  batchActivities,
  diagnoseBatch,
  pollCapMs,
  type BatchActivities,
} from './voucher-resend.steps.ts';

const runbook = 'voucher-resend';
/** A resend waits for the window only while the approval stays this much younger than the limit. */
const ageMarginMs = 5 * 60_000;
/** The verification's watch: one activity looks this long at most, every this often. */
const verifyWatchSeconds = 60;
const verifyLookMs = 500;

export async function voucherResendBatch(input: ResendBatchInput): Promise<BatchResult> {
  let step = 'inspecting';
  let nextOpening: string | undefined;
  answerProgress(() => ({ runbook, step, detail: { batch: input.batch, nextOpening } }));
  const acts = await batchActivities(input);
  const diagnosed = await diagnoseBatch(acts, input, 'diagnosis');
  const resend = diagnosed.filter((v) => v.disposition.kind === 'resend').map(plannedOf);
  const align = diagnosed.filter((v) => v.disposition.kind === 'align').map(plannedOf);
  if (
    planDigest(resend) !== input.expected.resendDigest ||
    planDigest(align) !== input.expected.alignDigest
  ) {
    const changed = [...resend, ...align].map((v) =>
      held(v, '计划后凭证状态或银行答复已变化，未处理（重新审批）'),
    );
    return {
      ...finish(input, [...changed, ...diagnosed.filter(isHold).map(heldResult)]),
      replan: { why: 'changed' },
    };
  }
  try {
    return await execute(input, acts, diagnosed, (s, at) => {
      step = s;
      nextOpening = at;
    });
  } catch (err) {
    // The approval no longer holds for a change (reset, aged): nothing more is done; the parent asks again.
    if (!isProofRefusal(err)) throw err;
    const left = resend.map((v) => held(v, holdLabels['approval-aged']));
    return { ...finish(input, left), replan: { why: 'approval-aged' } };
  }
}

const isHold = (v: DiagnosedVoucher) => v.disposition.kind === 'hold';
const held = (v: PlannedVoucher, detail: string): VoucherResult => ({
  voucherNo: v.voucherNo,
  amountFen: v.amountFen,
  outcome: 'held',
  detail,
});

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
  acts: BatchActivities,
  diagnosed: DiagnosedVoucher[],
  progress: (step: string, nextOpening?: string) => void,
): Promise<BatchResult> {
  const { bank, proof } = input;
  const record = createRunRecord(runbook);
  const results: VoucherResult[] = diagnosed.filter(isHold).map(heldResult);
  const push = (v: PlannedVoucher, outcome: VoucherOutcome, extra: Partial<VoucherResult> = {}) =>
    results.push({ voucherNo: v.voucherNo, amountFen: v.amountFen, outcome, ...extra });
  let audits = 0;
  const audit = (action: AuditAction, vouchers: PlannedVoucher[], changes: RowChange[]) =>
    auditChange(
      record,
      action,
      input,
      vouchers,
      changes,
      `${input.runKey}/${input.batch}/${action}/${++audits}`,
    );
  // Where this batch's vouchers sit in the plan's lists: what each change shows the proof check.
  const inList = (list: 'resend' | 'align', part: PlannedVoucher[]) => ({
    ...input.lists[list],
    part: part.map((v) => v.voucherNo),
  });

  const planned = diagnosed.filter((v) => v.disposition.kind === 'resend');
  const resendList = inList('resend', planned.map(plannedOf));
  const blocked = new Set(input.blockedKinds);
  const resend = planned.filter((v) => !v.staleBaseData.some((s) => blocked.has(s.kind))).map(plannedOf);
  for (const v of planned.filter((x) => x.staleBaseData.some((s) => blocked.has(s.kind))))
    push(plannedOf(v), 'held', { detail: holdLabels['base-data-not-acked'] });

  // 1. The bank has these already: only finance's status is wrong.
  const align = diagnosed.filter((v) => v.disposition.kind === 'align').map(plannedOf);
  if (align.length > 0) {
    progress('aligning');
    const changed = await acts.dbChange.alignVoucherStatus({
      bank,
      vouchers: align,
      as: 'align',
      list: inList('align', align),
      proof,
    });
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
  //    Waiting is bounded by the approval's age: a window too far off means planning and asking again.
  let opened: { openedAt: string; extended: string | undefined } | undefined;
  let waited = false;
  for (let tries = 0; !opened; tries++) {
    progress('waiting-for-window');
    const window = await acts.calendar
      .bankWindow({ bank, at: new Date().toISOString() })
      .catch(refuseUnknownYear(`${bank}: cannot tell when the business window opens`));
    if (window.open) opened = { openedAt: new Date().toISOString(), extended: window.extended };
    else if (!(Date.parse(window.opensAt) < Date.parse(input.actBy) - ageMarginMs)) {
      for (const v of resend) push(v, 'held', { detail: holdLabels['approval-aged'] });
      return { ...finish(input, results), replan: { why: 'approval-aged', opensAt: window.opensAt } };
    } else {
      waited = true;
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

  // 3. Look again after a wait: the bank's fresh answer, and the row as it is now against what the plan saw.
  progress('asking-bank');
  const nos = resend.map((v) => v.voucherNo);
  const answers = waited
    ? await askAboutVouchers(acts, input, nos, 'at-resend')
    : new Map(diagnosed.flatMap((v) => (v.answer ? [[v.voucherNo, v.answer] as const] : [])));
  const states = new Map(
    (await acts.db.voucherStates({ bank, voucherNos: nos })).map((s) => [s.voucherNo, s]),
  );
  const toResend: PlannedVoucher[] = [];
  const toAlign: PlannedVoucher[] = [];
  for (const v of resend) {
    const now = states.get(v.voucherNo);
    const answer = answers.get(v.voucherNo) ?? null;
    if (!now || now.status !== v.status || now.updatedAt !== v.updatedAt) {
      push(v, 'held', { detail: `计划后财政端状态已变为 ${now?.status ?? '不存在'}，未重发` });
      continue;
    }
    const decision = decideAtResend(answer);
    if (decision === 'resend') toResend.push(v);
    else if (decision === 'align') toAlign.push(v);
    else
      push(v, 'held', {
        detail: answer ? `银行记录状态为 ${answer.status ?? '未知'}，未重发` : '银行未答复状态查询，未重发',
      });
  }

  // 4. Where the bank has it after all, finance follows; the rest goes out under its own number.
  progress('resending');
  if (toAlign.length > 0) {
    const changed = await acts.dbChange.alignVoucherStatus({
      bank,
      vouchers: toAlign,
      as: 'confirm',
      list: resendList,
      proof,
    });
    await audit('align', toAlign, changed);
    for (const v of toAlign) push(v, 'aligned', { detail: '银行已有该凭证，未重发' });
  }
  const resentAt = new Date().toISOString();
  if (toResend.length > 0) {
    const requeued = await acts.dbChange.requeueVouchers({
      bank,
      vouchers: toResend,
      list: resendList,
      proof,
    });
    await audit('requeue', toResend, requeued);
    countVouchersResent(bank, requeued.filter((r) => r.changed).length);
  }

  // 5. Verify: the bank's acceptance reaches finance as the program applies its acks and receipts.
  progress('verifying');
  const pending = new Map(toResend.map((v) => [v.voucherNo, v]));
  const deadline = Date.now() + input.verifySeconds * 1000;
  const settle = (states: VoucherState[]) => {
    for (const s of states) {
      const v = pending.get(s.voucherNo) as PlannedVoucher;
      if (s.status === 'accepted' || s.status === 'paid') {
        push(v, 'accepted', { resentAt });
        pending.delete(s.voucherNo);
      } else if (s.status === 'rejected' || s.status === 'timed_out') {
        push(v, 'rejected-again', { detail: failureLabel(s.failureCode), resentAt });
        pending.delete(s.voucherNo);
      }
    }
  };
  // Runs begun before the db zone watched the vouchers settle look from here, a timer between looks.
  if (patched('resend-verify-watched-in-activity')) {
    while (pending.size > 0 && Date.now() < deadline) {
      settle(
        await acts.watch.awaitSettledVoucherStates({
          bank,
          voucherNos: [...pending.keys()],
          until: new Date(deadline).toISOString(),
          waitSeconds: verifyWatchSeconds,
          everyMs: verifyLookMs,
        }),
      );
    }
  } else {
    for (let delay = 1000; pending.size > 0; delay = Math.min(delay * 2, pollCapMs())) {
      settle(await acts.db.voucherStates({ bank, voucherNos: [...pending.keys()] }));
      if (pending.size === 0 || Date.now() >= deadline) break;
      await sleep(Math.min(delay, Math.max(1, deadline - Date.now())));
    }
  }

  // 6. Still unconfirmed: the bank's answer may have been lost. Ask; where the bank has the
  //    voucher, finance's status follows it. Nothing is resent a second time.
  if (pending.size > 0) {
    progress('asking-bank-after-resend');
    const open = [...pending.values()];
    const after = await askAboutVouchers(
      acts,
      input,
      open.map((v) => v.voucherNo),
      'after-resend',
    );
    const rows = new Map(
      (await acts.db.voucherStates({ bank, voucherNos: open.map((v) => v.voucherNo) })).map((s) => [
        s.voucherNo,
        s,
      ]),
    );
    const confirm: PlannedVoucher[] = [];
    for (const v of open) {
      const a = after.get(v.voucherNo);
      const row = rows.get(v.voucherNo);
      if (a?.known && (a.status === 'accepted' || a.status === 'paid') && row) {
        if (row.status === 'accepted' || row.status === 'paid') push(v, 'accepted', { resentAt });
        else confirm.push({ ...v, status: row.status as PlannedVoucher['status'], updatedAt: row.updatedAt });
      } else if (a?.known && a.status === 'rejected')
        push(v, 'rejected-again', { detail: '银行拒绝', resentAt });
      else
        push(v, 'unverified', {
          detail: a ? '银行尚无该凭证记录（可能仍在途）' : '银行未答复状态查询',
          resentAt,
        });
    }
    if (confirm.length > 0) {
      progress('aligning');
      const changed = await acts.dbChange.alignVoucherStatus({
        bank,
        vouchers: confirm,
        as: 'confirm',
        list: resendList,
        proof,
      });
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
  vouchers: PlannedVoucher[],
  changes: RowChange[],
  key: string,
): Promise<void> {
  const byNo = new Map(changes.map((c) => [c.voucherNo, c]));
  await record.mutation(input.approvedOn, {
    subject: input.bank,
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
    // No row changed: each was found moved on since the look (a repeat after a crash changes nothing).
    alreadyDone: changes.every((c) => !c.changed),
    key,
  });
}
