/**
 * The year-end rollover's named steps beside its main function (year-end-rollover.ts): plan and
 * approve the freeze, freeze, file each bank's notices and wait for their answers (a child workflow
 * per bank), carry over, sleep until the opening, plan and approve the opening, prepare and open
 * the new year. Each change is audited in the one mutation record with the approval it was made on.
 */
import { executeChild, patched, sleep } from '@temporalio/workflow';
import type { createYearEndChangeActivities } from '../activities/year-end-changes.ts';
import type { createYearEndNoticeActivities } from '../activities/year-end-notices.ts';
import { dateInZone } from '../domain/calendar/dates.ts';
import { mapWithConcurrency } from '../domain/concurrency.ts';
import { approvedOn } from '../domain/mutation-record.ts';
import { freezePlan, newYearPushId, openPlan } from '../domain/runbooks/year-end-rollover.plan.ts';
import type {
  CarryOverItem,
  CarryOverPolicy,
  NewYearBank,
  NoticeOutcome,
  NoticePlan,
  YearEndInput,
  YearEndTimes,
} from '../domain/runbooks/year-end-rollover.types.ts';
import { yearEndBankNotice } from './year-end-bank-notice.ts';
import type { PreChecks } from './year-end-rollover.checks.ts';
import { readActivities, writeActivities } from './shared/retry-profiles.ts';
import { approve, type Approved, type Found, type GatedRun, type RunbookRun } from './shared/runbook-run.ts';

type Changes = ReturnType<typeof createYearEndChangeActivities>;
type Notices = ReturnType<typeof createYearEndNoticeActivities>;

export interface YearFound extends Found {
  banks: { code: string; name: string }[];
  times: YearEndTimes;
}

/** The run's own state beside it: what each stage found, sent and was answered. */
export interface YearEnd {
  run: GatedRun<YearEndInput> & YearFound;
  checks: PreChecks;
  cancellations: NoticeOutcome[];
  carryOver: CarryOverItem[];
  newYear: NewYearBank[];
  restorations: NoticeOutcome[];
}

/**
 * How many banks' waits run at once: each is a run the worker keeps in its cache while it waits,
 * and the production unit bounds the worker's heap — two hundred at once ran its workflow thread
 * out of memory. A bank silent for days holds one of them; the others go on through the rest.
 */
const waitsAtOnce = 40;

const reads = (y: YearEnd) => readActivities<Notices & Changes>({ taskQueue: y.run.estate.taskQueues.db });
const writes = (y: YearEnd) => writeActivities<Notices & Changes>({ taskQueue: y.run.estate.taskQueues.db });

/** Sleeps on a durable timer until `at`, showing `step` (a deployment or restart meanwhile changes nothing). */
export async function sleepUntil(run: RunbookRun<unknown>, step: string, at: string): Promise<void> {
  run.step(step);
  const ms = Date.parse(at) - Date.now();
  if (ms > 0) await sleep(ms);
}

/** The freeze's plan — every bank's cancellation and every voucher unpaid — shown, and approved or not. */
export async function approveFreeze(y: YearEnd) {
  const { run } = y;
  const { fiscalYear } = run.input;
  run.step('planning-freeze');
  const cancellations = await reads(y).planQuotaNotices({
    fiscalYear,
    banks: run.bankCodes,
    kind: 'cancellation',
  });
  const unpaid = await reads(y).unpaidVouchers({ fiscalYear, banks: run.bankCodes });
  y.carryOver = unpaid.items;
  const plan = freezePlan({
    fiscalYear,
    banks: run.banks,
    freezeAt: run.times.freezeAt,
    cancellations,
    carryOver: unpaid.items,
    policy: unpaid.policy,
    ...(run.input.reason && { reason: run.input.reason }),
  });
  const approval = await approve(run, 'freeze', plan);
  return typeof approval === 'string' ? approval : { approval, cancellations, policy: unpaid.policy };
}

/** The old year frozen (the programs send none of its vouchers), then closing. */
export async function freeze(y: YearEnd, approval: Approved): Promise<void> {
  const { run } = y;
  const { fiscalYear } = run.input;
  run.step('freezing');
  const done = await writes(y).freezeFiscalYear({ fiscalYear, proof: approval.proof });
  await run.record.mutation(approvedOn(approval), {
    subject: `FY${fiscalYear}`,
    action: `freeze ${fiscalYear}, then closing`,
    target: 'treasury',
    before: { state: 'open' },
    after: { state: done.state },
    alreadyDone: done.alreadyDone,
    key: `mutation/${approval.gateId}/freeze`,
  });
}

/** Every voucher unpaid at close, as the plan listed it: carried over or returned. */
export async function carryOver(y: YearEnd, approval: Approved, policy: CarryOverPolicy): Promise<void> {
  const { run } = y;
  if (y.carryOver.length === 0) return;
  run.step('carrying-over');
  const done = await writes(y).carryOverVouchers({
    fiscalYear: run.input.fiscalYear,
    policy,
    items: y.carryOver,
    proof: approval.proof,
  });
  await run.record.mutation(approvedOn(approval), {
    subject: `FY${run.input.fiscalYear}/carry-over`,
    action: `${policy === 'carry' ? 'carry to the new year' : 'return'} ${y.carryOver.length} unpaid voucher(s)`,
    target: 'treasury',
    before: { vouchers: y.carryOver.length },
    after: { changed: done.changed },
    alreadyDone: done.alreadyDone,
    key: `mutation/${approval.gateId}/carry-over`,
  });
}

/** Files each bank's notice, finance's quotas changing with it. */
export async function fileNotices(y: YearEnd, approval: Approved, notices: NoticePlan[]): Promise<void> {
  const { run } = y;
  const kind = notices[0]?.kind ?? 'cancellation';
  run.step(kind === 'cancellation' ? 'cancelling-quotas' : 'restoring-quotas');
  const filed = await writes(y).fileQuotaNotices({ notices, proof: approval.proof });
  for (const f of filed)
    await run.record.mutation(approvedOn(approval), {
      subject: f.noticeId,
      action: `file ${kind} notice ${f.noticeId}`,
      target: f.bank,
      before: { filed: false },
      after: { filed: true, quotasChanged: f.quotasChanged },
      alreadyDone: !f.filed,
      key: `mutation/${approval.gateId}/${f.noticeId}`,
    });
}

/**
 * Every bank's answer to its notice. A bank whose totals differ from finance's is a state the run
 * did not expect: it pauses and asks — retry looks at the answers again, skip goes on with the
 * banks' answers as they are (the difference left to people, in the report), abort ends the run.
 */
export function bankAnswers(
  y: YearEnd,
  kind: NoticePlan['kind'],
  notices: NoticePlan[],
): Promise<NoticeOutcome[]> {
  const label = kind === 'cancellation' ? '额度注销' : '额度恢复';
  return y.run.hand.step(`await-${kind}s`, () => awaitAnswers(y, notices), {
    expect: (answers) => {
      const off = answers.filter((a) => a.outcome !== 'confirmed');
      if (off.length === 0) return undefined;
      return {
        message: `${off.length} bank(s) answered the ${kind} with totals other than finance's: ${off.map((a) => `${a.bank} ${a.bankTotals?.lineCount ?? 0}/${a.bankTotals?.totalFen ?? 0} (finance ${a.expected.lineCount}/${a.expected.totalFen})`).join('; ')}`,
        evidence: off,
      };
    },
    skip: {
      means: {
        zh: `按各银行确认的${label}金额继续（差异由人工另行核对，写入报告）`,
        en: `go on with the banks' own ${kind} totals (people reconcile the difference; the report shows it)`,
      },
      value: (found) => found ?? [],
    },
  });
}

/** Every bank's answer to its notice, each waited for (reminded, escalated) by a child workflow of its own. */
async function awaitAnswers(y: YearEnd, notices: NoticePlan[]): Promise<NoticeOutcome[]> {
  const { run } = y;
  const { fiscalYear } = run.input;
  const restoring = notices[0]?.kind === 'restoration';
  run.step(restoring ? 'awaiting-restorations' : 'awaiting-cancellations');
  const pushIdsOf = (bank: string) =>
    restoring
      ? (y.newYear.find((b) => b.bank === bank)?.baseData ?? []).map((d) =>
          newYearPushId(fiscalYear, bank, d.kind),
        )
      : [];
  const wait = (n: NoticePlan) =>
    executeChild(yearEndBankNotice, {
      workflowId: `${run.workflowId}/${n.noticeId}`,
      args: [
        {
          fiscalYear,
          bank: n.bank,
          bankName: run.banks.find((b) => b.code === n.bank)?.name ?? n.bank,
          notice: { noticeId: n.noticeId, kind: n.kind, lineCount: n.lineCount, totalFen: n.totalFen },
          pushIds: pushIdsOf(n.bank),
          remindAfterMinutes: run.input.remindAfterMinutes,
          escalateAfterMinutes: run.input.escalateAfterMinutes,
          runLink: run.runLink,
          taskQueue: run.estate.taskQueues.db,
        },
      ],
    });
  // Runs begun before the waits were bounded started every bank's at once, and replay so.
  if (!patched('year-end-bounded-waits')) return Promise.all(notices.map(wait));
  return mapWithConcurrency(notices, waitsAtOnce, wait);
}

/** The opening's plan — the new year's row, serials and base data, the opening, every bank's restoration — approved or not. */
export async function approveOpening(y: YearEnd) {
  const { run } = y;
  const { fiscalYear } = run.input;
  run.step('planning-opening');
  y.newYear = await reads(y).newYearSetup({ banks: run.bankCodes });
  const restorations = await reads(y).planQuotaNotices({
    fiscalYear,
    banks: run.bankCodes,
    kind: 'restoration',
  });
  const plan = openPlan({
    fiscalYear,
    banks: run.banks,
    openAt: run.times.openAt,
    openDate: openDate(run),
    newYear: y.newYear,
    restorations,
    cancelled: y.cancellations,
  });
  const approval = await approve(run, 'open', plan);
  return typeof approval === 'string' ? approval : { approval, restorations };
}

const openDate = (run: YearEnd['run']) => dateInZone(new Date(run.times.openAt), run.estate.timezone);

/** The new year prepared, not yet open: its row, each bank's serials restarted, base data pushed. */
export async function prepareNewYear(y: YearEnd, approval: Approved): Promise<void> {
  const { run } = y;
  const { fiscalYear } = run.input;
  run.step('preparing-new-year');
  const done = await writes(y).prepareNewYear({ fiscalYear, banks: y.newYear, proof: approval.proof });
  await run.record.mutation(approvedOn(approval), {
    subject: `FY${fiscalYear + 1}`,
    action: `create ${fiscalYear + 1}, restart serials and push base data at ${y.newYear.length} bank(s)`,
    target: 'treasury',
    before: { serials: y.newYear.map((b) => ({ bank: b.bank, out: b.lastSerialOut, in: b.lastSerialIn })) },
    after: { yearCreated: done.yearCreated, restarted: done.restarted },
    alreadyDone: !done.yearCreated && done.restarted.every((r) => r.alreadyDone),
    key: `mutation/${approval.gateId}/new-year`,
  });
}

/** The new year opened, the old one closed with its adjustment period. */
export async function openNewYear(y: YearEnd, approval: Approved): Promise<void> {
  const { run } = y;
  const { fiscalYear } = run.input;
  run.step('opening');
  const done = await writes(y).openFiscalYear({ fiscalYear, openDate: openDate(run), proof: approval.proof });
  await run.record.mutation(approvedOn(approval), {
    subject: `FY${fiscalYear + 1}`,
    action: `open ${fiscalYear + 1}, close ${fiscalYear}`,
    target: 'treasury',
    before: { state: 'frozen' },
    after: { state: done.state },
    alreadyDone: done.alreadyDone,
    key: `mutation/${approval.gateId}/open`,
  });
}
