/**
 * 日报清单检查 — daily report and list check (catalog item 5, contract 2.2.2): for one bank and
 * business day, are the daily report (日报), the payment list (清单) and the reconciliation file
 * (对账文件) in the treasury database? For each missing one, ask the bank to send it again (a
 * status query naming the report and day), wait durably, look again, and escalate with the
 * evidence when it is still missing. Changes no money and no finance record, so it passes no
 * approval gate; every resend request is audited. One check per bank's reports at a time
 * (lock/bank-reports/<bank>).
 */
import { sleep } from '@temporalio/workflow';
import type { createBankCheckActivities } from '../activities/bank-checks/index.ts';
import type { createControlActivities } from '../activities/control.ts';
import { questionFor, type BankQuestion, type ReportKind } from '../domain/bank-questions.ts';
import { parseInput } from '../domain/errors.ts';
import type { ReportAction } from '../domain/reports/runbook-report.ts';
import {
  judgeResend,
  missingReports,
  reportLabel,
  withoutResend,
} from '../domain/runbooks/daily-report-check.plan.ts';
import { dailyReportCheckReport } from '../domain/runbooks/daily-report-check.report.ts';
import {
  dailyReportCheckInputSchema,
  type DailyReportCheckInput,
  type DailyReportCheckResult,
  type ReportPresence,
} from '../domain/runbooks/daily-report-check.types.ts';
import { answersTo, fileQuestions, questionPrefix, type BankDesk } from './shared/ask-bank.ts';
import { refuseUnknownYear } from './shared/calendar-refusal.ts';
import { readActivities, type ReadProxy } from './shared/retry-profiles.ts';
import { closeRun, escalate, holdingLock, openRun, type RunbookRun } from './shared/runbook-run.ts';
import { estateBank } from './shared/runbook-opening.ts';

type Control = ReturnType<typeof createControlActivities>;
type BankChecks = ReturnType<typeof createBankCheckActivities>;
type Input = ReturnType<typeof dailyReportCheckInputSchema.parse>;

const runbook = 'daily-report-check';

/** A check run: the run, the business day it checks, where it looks and asks, and its records' subject. */
interface Check {
  run: RunbookRun<Input>;
  date: string;
  workingDay: boolean;
  look: ReadProxy<BankChecks>;
  desk: BankDesk;
  subject: string;
}

/** What the check saw, asked and concluded. */
type Checked = Pick<DailyReportCheckResult, 'outcome' | 'why' | 'before' | 'after' | 'requested'> & {
  actions: ReportAction[];
};

export async function dailyReportCheck(rawInput: DailyReportCheckInput): Promise<DailyReportCheckResult> {
  const input = parseInput(dailyReportCheckInputSchema, rawInput);
  const run = await openRun({
    runbook,
    input,
    started: rawInput,
    gate: false,
    find: (control) => findReportDay(control, input),
    firstStep: 'checking',
    detail: ({ day }) => ({ date: day.date }),
  });
  const { bank, day } = run;
  const dbQueue = run.estate.taskQueues.db;
  const c: Check = {
    run,
    ...day,
    look: readActivities<BankChecks>({ taskQueue: dbQueue }),
    desk: { dbQueue, bank: bank.code },
    subject: `${bank.code}/${day.date}`,
  };
  const failed = `日报清单检查失败：${bank.name} ${c.date}`;
  const { actions, ...ended } = await holdingLock(run, ['bank-reports', bank.code], failed, () =>
    checkReports(c),
  );
  const files = await closeRun(
    run,
    { outcome: ended.outcome, subject: c.subject, payload: { why: ended.why } },
    (report) =>
      dailyReportCheckReport(report, {
        date: c.date,
        ...ended,
        bankName: bank.name,
        ...(input.reason && { reason: input.reason }),
        waitSeconds: input.waitSeconds,
        actions,
      }),
  );
  return { runbook, workflowId: run.workflowId, bank: bank.code, date: c.date, ...ended, report: files };
}

/** The input's bank (a date after today refused), and the business day to check with whether banks work on it. */
async function findReportDay(control: ReadProxy<Control>, input: Input) {
  const found = await estateBank(control, input.bank, { date: input.date });
  const day = await readActivities<BankChecks>({ taskQueue: found.estate.taskQueues.db })
    .reportDay({ date: input.date })
    .catch(refuseUnknownYear(`${found.bank.code}: cannot tell which business day to check`));
  return { ...found, day };
}

/** Look; ask the bank to resend what is missing; wait and look again; escalate what is still missing. */
async function checkReports(c: Check): Promise<Checked> {
  const { input } = c.run;
  const before = await readReports(c);
  const quiet = withoutResend({
    date: c.date,
    workingDay: c.workingDay,
    reports: input.reports,
    before,
    dryRun: input.dryRun,
  });
  if (quiet) return { ...quiet, before, after: before, requested: [], actions: [] };
  const missing = missingReports(before);
  c.run.step('requesting-resend');
  const prefix = questionPrefix('report-resend');
  const questions = missing.map((kind) =>
    questionFor(prefix, { subject: 'report' as const, reportKind: kind, reportDate: c.date }),
  );
  const actions = await requestResend(c, questions);
  c.run.step('waiting');
  const after = await waitForReports(c, missing);
  const answers = await answersTo(c.desk, prefix, questions);
  const requested = questions.map((q) => {
    const answer = answers.get(q.queryId);
    return { kind: q.reportKind, queryId: q.queryId, ...(answer && { answer }) };
  });
  const ended = judgeResend({
    date: c.date,
    missingBefore: missing,
    after,
    requested,
    waitSeconds: input.waitSeconds,
  });
  const checked = { ...ended, before, after, requested, actions };
  if (ended.outcome !== 'received-after-resend') await stillMissing(c, checked);
  return checked;
}

function readReports(c: Check): Promise<ReportPresence[]> {
  return c.look.readBankReports({ bank: c.run.bank.code, date: c.date, kinds: c.run.input.reports });
}

/** Files the resend requests with the bank, each audited as a bank request; returns them as the report's actions. */
async function requestResend(
  c: Check,
  questions: (BankQuestion & { reportKind: ReportKind })[],
): Promise<ReportAction[]> {
  await fileQuestions(c.desk, questions);
  const actions: ReportAction[] = [];
  for (const q of questions) {
    actions.push({
      command: `status_query {"reportKind":"${q.reportKind}","reportDate":"${c.date}"}`,
      target: c.run.bank.code,
      detail: `请求补发${reportLabel[q.reportKind]}`,
      at: new Date().toISOString(),
    });
    await c.run.record.audit({
      kind: 'bank-request',
      actor: 'system',
      subject: c.subject,
      payload: {
        action: 'request-report-resend',
        target: c.run.bank.code,
        before: { kind: q.reportKind, date: c.date, present: false },
        after: { queryId: q.queryId, requested: true },
      },
      key: `resend/${q.reportKind}`,
    });
  }
  return actions;
}

/** Looks until every `missing` report is in or the wait is over; the last look. */
async function waitForReports(c: Check, missing: ReportKind[]): Promise<ReportPresence[]> {
  const { waitSeconds } = c.run.input;
  const deadline = Date.now() + waitSeconds * 1000;
  // About thirty looks per wait, at least 2 s and at most 15 min apart: a two-day wait stays a small history.
  const pollMs = Math.min(900_000, Math.max(2000, (waitSeconds * 1000) / 30));
  for (;;) {
    const after = await readReports(c);
    const arrived = missing.every((k) => after.find((p) => p.kind === k)?.present);
    if (arrived || Date.now() >= deadline) return after;
    await sleep(Math.min(pollMs, deadline - Date.now()));
  }
}

/** Reports still missing after the wait: the people are told, and the evidence recorded. */
async function stillMissing(c: Check, { why, before, after, requested }: Checked): Promise<void> {
  c.run.step('escalating');
  await escalate(c.run, {
    title: `${c.run.bank.name} ${c.date} 报表缺失，需银行处理`,
    lines: [why, ...after.map((p) => `${reportLabel[p.kind]}：${p.present ? '已收到' : '缺失'}`)],
    subject: c.subject,
    payload: { why, before, after, requested },
  });
}
