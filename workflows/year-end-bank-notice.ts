/**
 * One bank's answer to a year-end notice (额度注销 or 额度恢复), waited for by a child workflow of
 * the rollover so that two hundred banks waiting for days keep the parent's history short. It
 * changes nothing the plan did not: it looks for the bank's answer (and, for a restoration, its
 * acknowledgement of the new year's base data), sends the same notice again under its own id to
 * a bank that has not answered — the bank answers a notice it knows with its first answer, so
 * nothing is ever cancelled or restored twice — and tells the people when the bank stays silent
 * past the escalation or refuses. It ends when the bank has confirmed, with its totals.
 */
import { sleep } from '@temporalio/workflow';
import type { createYearEndNoticeActivities } from '../activities/year-end-notices.ts';
import { formatFen } from '../domain/display.ts';
import { judgeAnswer, runbook } from '../domain/runbooks/year-end-rollover.plan.ts';
import type {
  BankNoticeWait,
  NoticeAnswer,
  NoticeOutcome,
} from '../domain/runbooks/year-end-rollover.types.ts';
import { answerProgress } from './shared/progress.ts';
import { bulkReadActivities, writeActivities } from './shared/retry-profiles.ts';
import { createRunRecord, type RunRecord } from './shared/run-record.ts';

type Notices = ReturnType<typeof createYearEndNoticeActivities>;

/** How long one look waits for an answer (real time, inside the activity) before the timer takes over. */
const lookSeconds = 20;
const minute = 60_000;

const kindLabel = { cancellation: '额度注销', restoration: '额度恢复' } as const;

export async function yearEndBankNotice(w: BankNoticeWait): Promise<NoticeOutcome> {
  const look = bulkReadActivities<Notices>({ taskQueue: w.taskQueue });
  const resend = writeActivities<Notices>({ taskQueue: w.taskQueue });
  const record = createRunRecord(runbook);
  const sentAt = Date.now();
  const remindMs = w.remindAfterMinutes * minute;
  const escalateAt = sentAt + w.escalateAfterMinutes * minute;
  // Looked at again a few times between reminders, at least every 15 s and at most every 30 min.
  const pollMs = Math.min(30 * minute, Math.max(15_000, remindMs / 4));
  const state = { reminders: 0, escalated: false, refusals: 0 };
  answerProgress(() => ({
    runbook,
    step: `awaiting-${w.notice.kind}`,
    detail: {
      bank: w.bank,
      noticeId: w.notice.noticeId,
      reminders: state.reminders,
      escalated: state.escalated,
    },
  }));

  for (;;) {
    const answer = await look.awaitYearEndAnswer({
      noticeId: w.notice.noticeId,
      pushIds: w.pushIds,
      waitSeconds: lookSeconds,
    });
    const verdict = judgeAnswer(w.notice, answer, w.pushIds.length);
    if (verdict === 'confirmed' || verdict === 'totals-differ') return outcome(w, verdict, answer, state);
    if (verdict === 'refused' && answer.reason) await toldRefused(record, w, answer.reason, ++state.refusals);
    const now = Date.now();
    if (!state.escalated && now >= escalateAt) {
      await escalateSilence(record, w, state.reminders);
      state.escalated = true;
    }
    const nextReminder = sentAt + (state.reminders + 1) * remindMs;
    if (now >= nextReminder) {
      await resend.remindYearEndNotice({ noticeId: w.notice.noticeId, pushIds: w.pushIds });
      state.reminders += 1;
      continue;
    }
    const wakes = [nextReminder, now + pollMs, ...(state.escalated ? [] : [escalateAt])];
    await sleep(Math.max(1000, Math.min(...wakes) - now));
  }
}

function outcome(
  w: BankNoticeWait,
  verdict: 'confirmed' | 'totals-differ',
  a: NoticeAnswer,
  state: { reminders: number; escalated: boolean },
): NoticeOutcome {
  return {
    bank: w.bank,
    noticeId: w.notice.noticeId,
    kind: w.notice.kind,
    outcome: verdict,
    expected: { lineCount: w.notice.lineCount, totalFen: w.notice.totalFen },
    bankTotals: { lineCount: a.bankLineCount ?? 0, totalFen: a.bankTotalFen ?? 0 },
    ...(a.reason && { reason: a.reason }),
    reminders: state.reminders,
    escalated: state.escalated,
    ...(a.answeredAt && { answeredAt: a.answeredAt }),
    ...(w.pushIds.length > 0 && { baseDataAcked: a.pushesAcked }),
  };
}

/** A bank silent past the escalation: the people are told once, with what was sent and how often. */
async function escalateSilence(record: RunRecord, w: BankNoticeWait, reminders: number): Promise<void> {
  const lines = [
    `${kindLabel[w.notice.kind]}通知 ${w.notice.noticeId}（${w.notice.lineCount} 笔，合计 ${formatFen(w.notice.totalFen)}）发出后 ${w.escalateAfterMinutes} 分钟仍未得到${w.bankName}确认`,
    `已重发 ${reminders} 次；请联系银行核实，银行确认后结转自动继续`,
  ];
  const title = `年终结转：${w.bankName}未确认${kindLabel[w.notice.kind]}`;
  await record.notify({
    kind: 'run-escalated',
    title,
    lines,
    bankCodes: [w.bank],
    link: w.runLink,
    key: 'escalated',
  });
  await record.audit({
    kind: 'escalation',
    actor: 'system',
    subject: w.notice.noticeId,
    payload: { bank: w.bank, notice: w.notice, reminders, why: 'silent' },
    key: 'escalated',
  });
}

/** A bank that refused: the people are told the first time (the reminders send it the notice again). */
async function toldRefused(
  record: RunRecord,
  w: BankNoticeWait,
  reason: string,
  refusal: number,
): Promise<void> {
  if (refusal > 1) return;
  await record.notify({
    kind: 'run-escalated',
    title: `年终结转：${w.bankName}拒绝${kindLabel[w.notice.kind]}`,
    lines: [`${w.notice.noticeId}：${reason}`, '请与银行沟通；通知将按提醒间隔重发，银行确认后结转自动继续'],
    bankCodes: [w.bank],
    link: w.runLink,
    key: 'refused',
  });
  await record.audit({
    kind: 'escalation',
    actor: 'system',
    subject: w.notice.noticeId,
    payload: { bank: w.bank, notice: w.notice, reason, why: 'refused' },
    key: 'refused',
  });
}
