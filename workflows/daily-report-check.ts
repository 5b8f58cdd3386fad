/**
 * 日报清单检查 — daily report and list check (catalog item 5, contract 2.2.2): for one bank and
 * business day, are the daily report (日报), the payment list (清单) and the reconciliation file
 * (对账文件) in the treasury database? For each missing one, ask the bank to send it again (a
 * status query naming the report and day), wait durably, look again, and escalate with the
 * evidence when it is still missing. Changes no money and no finance record, so it passes no
 * approval gate; every resend request is audited. One check per bank's reports at a time
 * (lock/bank-reports/<bank>).
 */
import {
  allHandlersFinished,
  condition,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createBankCheckActivities } from '../activities/bank-checks/index.ts';
import type { createControlActivities } from '../activities/control.ts';
import { questionFor, type BankAnswer, type ReportKind } from '../domain/bank-questions.ts';
import { parseInput } from '../domain/errors.ts';
import type { ReportAction } from '../domain/reports/runbook-report.ts';
import {
  answerMismatch,
  conclude,
  missingReports,
  reportLabel,
} from '../domain/runbooks/daily-report-check.plan.ts';
import { dailyReportCheckReport } from '../domain/runbooks/daily-report-check.report.ts';
import {
  dailyReportCheckInputSchema,
  type DailyReportCheckInput,
  type DailyReportCheckOutcome,
  type DailyReportCheckResult,
  type ReportPresence,
} from '../domain/runbooks/daily-report-check.types.ts';
import { refuseUnknownYear } from './shared/calendar-refusal.ts';
import { answersTo, fileQuestions, questionPrefix } from './shared/ask-bank.ts';
import { acquireLock, type HeldLock } from './shared/locks.ts';
import { progressQuery } from './shared/progress.ts';
import { readActivities } from './shared/retry-profiles.ts';
import { createRunRecord } from './shared/run-record.ts';
import { writeRunReport } from './shared/run-report.ts';
import { announceRun, estateBank } from './shared/runbook-opening.ts';
import { OutcomeKey } from './shared/search-attributes.ts';

type Control = ReturnType<typeof createControlActivities>;
type BankChecks = ReturnType<typeof createBankCheckActivities>;

const runbook = 'daily-report-check';

export async function dailyReportCheck(rawInput: DailyReportCheckInput): Promise<DailyReportCheckResult> {
  const input = parseInput(dailyReportCheckInputSchema, rawInput);
  const { workflowId } = workflowInfo();
  const startedAt = new Date().toISOString();
  const control = readActivities<Control>();
  const { estate, bank } = await estateBank(control, input.bank, { date: input.date });
  const runLink = `${estate.runLinkBase}${encodeURIComponent(workflowId)}`;
  const dbQueue = estate.taskQueues.db;
  const look = readActivities<BankChecks>({ taskQueue: dbQueue });
  const record = createRunRecord(runbook);

  let step = 'checking';
  const day = await look
    .reportDay({ date: input.date })
    .catch(refuseUnknownYear(`${bank.code}: cannot tell which business day to check`));
  const date = day.date;
  setHandler(progressQuery, () => ({ runbook, step, detail: { bank: bank.code, date } }));
  const requester = await announceRun(record, { runbook, bankCodes: [bank.code], input, started: rawInput });

  const subject = `${bank.code}/${date}`;
  const requested: DailyReportCheckResult['requested'] = [];
  const actions: ReportAction[] = [];
  let before: ReportPresence[] = [];
  let after: ReportPresence[] = [];
  let outcome: DailyReportCheckOutcome;
  let why: string;
  let lock: HeldLock | undefined;

  try {
    lock = await acquireLock('bank-reports', bank.code);
    before = await look.readBankReports({ bank: bank.code, date, kinds: input.reports });
    after = before;
    const missing = missingReports(before);
    if (!day.workingDay && missing.length === before.length) {
      outcome = 'not-a-working-day';
      why = `${date} 不是工作日，银行不出报表`;
    } else if (missing.length === 0) {
      outcome = 'complete';
      why = `${date} 的${input.reports.map((k) => reportLabel[k]).join('、')}均已收到`;
    } else if (input.dryRun) {
      outcome = 'planned';
      why = `缺 ${missing.map((k) => reportLabel[k]).join('、')}（${date}）；演练模式，未请求补发`;
    } else {
      step = 'requesting-resend';
      const desk = { dbQueue, bank: bank.code };
      const prefix = questionPrefix('report-resend');
      const questions = missing.map((kind) =>
        questionFor(prefix, { subject: 'report' as const, reportKind: kind, reportDate: date }),
      );
      await fileQuestions(desk, questions);
      for (const q of questions) {
        const at = new Date().toISOString();
        requested.push({ kind: q.reportKind, queryId: q.queryId });
        actions.push({
          command: `status_query {"reportKind":"${q.reportKind}","reportDate":"${date}"}`,
          target: bank.code,
          detail: `请求补发${reportLabel[q.reportKind]}`,
          at,
        });
        await record.audit({
          kind: 'bank-request',
          actor: 'system',
          subject,
          payload: {
            action: 'request-report-resend',
            target: bank.code,
            before: { kind: q.reportKind, date, present: false },
            after: { queryId: q.queryId, requested: true },
          },
          key: `resend/${q.reportKind}`,
        });
      }

      step = 'waiting';
      const deadline = Date.now() + input.waitSeconds * 1000;
      // About thirty looks per wait, at least 2 s and at most 15 min apart: a two-day wait stays a small history.
      const pollMs = Math.min(900_000, Math.max(2000, (input.waitSeconds * 1000) / 30));
      for (;;) {
        after = await look.readBankReports({ bank: bank.code, date, kinds: input.reports });
        const arrived = missing.every((k) => after.find((p) => p.kind === k)?.present);
        if (arrived || Date.now() >= deadline) break;
        await sleep(Math.min(pollMs, deadline - Date.now()));
      }
      const answers = await answersTo(desk, prefix, questions);
      const byKind = new Map<ReportKind, BankAnswer | undefined>();
      for (const r of requested) {
        const a = answers.get(r.queryId);
        if (a) r.answer = a;
        byKind.set(r.kind, a);
      }
      const mismatch = requested.map((r) => answerMismatch(r.kind, date, r.answer)).find(Boolean);
      if (mismatch) {
        outcome = 'unexpected-state';
        why = mismatch;
      } else {
        ({ outcome, why } = conclude({
          date,
          missingBefore: missing,
          after,
          answers: byKind,
          waitSeconds: input.waitSeconds,
        }));
      }
      if (outcome !== 'received-after-resend') {
        step = 'escalating';
        await record.notify({
          kind: 'run-escalated',
          title: `${bank.name} ${date} 报表缺失，需银行处理`,
          lines: [why, ...after.map((p) => `${reportLabel[p.kind]}：${p.present ? '已收到' : '缺失'}`)],
          bankCodes: [bank.code],
          link: runLink,
          key: 'escalated',
        });
        await record.audit({
          kind: 'escalation',
          actor: 'system',
          subject,
          payload: { why, before, after, requested },
          key: 'escalated',
        });
      }
    }
  } catch (err) {
    await record.notify({
      kind: 'run-failed',
      title: `日报清单检查失败：${bank.name} ${date}`,
      lines: [String((err as Error).message ?? err)],
      bankCodes: [bank.code],
      link: runLink,
      key: 'failed',
    });
    throw err;
  } finally {
    await lock?.release();
  }

  step = 'reporting';
  upsertSearchAttributes([{ key: OutcomeKey, value: outcome }]);
  const ended = { date, outcome, why, before, after, requested };
  const about = { runbook, workflowId, requestedBy: requester.user, startedAt, timeZone: estate.timezone };
  const files = await writeRunReport(about, (r) =>
    dailyReportCheckReport(r, {
      ...ended,
      bankName: bank.name,
      ...(input.reason && { reason: input.reason }),
      waitSeconds: input.waitSeconds,
      actions,
    }),
  );
  await record.audit({
    kind: 'outcome',
    actor: 'system',
    subject,
    payload: { result: outcome, why, report: files },
    key: 'outcome',
  });
  await condition(allHandlersFinished);
  return { runbook, workflowId, bank: bank.code, ...ended, report: files };
}
