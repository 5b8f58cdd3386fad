/**
 * The steps both kinds of voucher-resend batch share (diagnosis, voucher-resend-diagnose.ts, and
 * execution, voucher-resend-batch.ts): their activities, asking the bank about vouchers until it
 * answers, and the diagnosis itself — each failed voucher described and judged on the bank's
 * fresh answer. Workflow code: it runs inside the children.
 */
import { patched, proxyActivities, sleep } from '@temporalio/workflow';
import type { createCalendarActivities } from '../activities/calendar.ts';
import type { createControlActivities } from '../activities/control.ts';
import type { createVoucherActivities } from '../activities/vouchers.ts';
import { causesOf, dispose } from '../domain/runbooks/voucher-resend.plan.ts';
import type {
  BankAnswer,
  DiagnoseBatchInput,
  DiagnosedVoucher,
} from '../domain/runbooks/voucher-resend.types.ts';
import { mutation, readOnly } from './shared/retry-profiles.ts';

type Vouchers = ReturnType<typeof createVoucherActivities>;
type Calendar = ReturnType<typeof createCalendarActivities>;
type Control = ReturnType<typeof createControlActivities>;

export type BatchActivities = Awaited<ReturnType<typeof batchActivities>>;

export async function batchActivities() {
  const control = proxyActivities<Control>(readOnly());
  const { taskQueues } = await control.describeEstate();
  return {
    db: proxyActivities<Vouchers>({ ...readOnly(), taskQueue: taskQueues.db }),
    dbChange: proxyActivities<Vouchers>({ ...mutation(), taskQueue: taskQueues.db }),
    calendar: proxyActivities<Calendar>(readOnly()),
  };
}

/**
 * The longest wait between two looks at what the bank or the program has answered: answers come
 * within a second or two, and the five seconds that runs recorded before this patch waited left a
 * batch idle for seconds after its answers were in.
 */
export const pollCapMs = () => (patched('resend-polls-capped-at-2s') ? 2_000 : 5_000);

/**
 * Asks the bank about each voucher and waits for its answers: up to `rounds` rounds, each
 * waiting `waitSeconds` with backing-off polls; a late answer to an earlier round still counts.
 * A voucher the bank never answers about comes back `answered: false`.
 */
export async function askUntilAnswered(
  acts: BatchActivities,
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
    for (let delay = 500; ; delay = Math.min(delay * 2, pollCapMs())) {
      await sleep(Math.max(1, Math.min(delay, deadline - Date.now())));
      for (const a of await acts.db.readBankAnswers({ bank, voucherNos: missing, keys }))
        if (a.answered) answers.set(a.voucherNo, a);
      if (missing.every((no) => answers.get(no)?.answered) || Date.now() >= deadline) break;
    }
  }
  for (const no of voucherNos) if (!answers.has(no)) answers.set(no, { voucherNo: no, answered: false });
  return answers;
}

/** The batch's failed vouchers as the treasury describes them now, judged on the bank's fresh answers. */
export async function diagnoseBatch(
  acts: BatchActivities,
  input: DiagnoseBatchInput,
  keyPrefix: string,
): Promise<DiagnosedVoucher[]> {
  const failed = await acts.db.inspectFailedVouchers({
    bank: input.bank,
    since: input.since,
    staleSentBefore: input.staleSentBefore,
    ...(input.range && { range: input.range }),
    ...(input.voucherNos && { voucherNos: input.voucherNos }),
  });
  const answers = await askUntilAnswered(
    acts,
    input.bank,
    failed.map((v) => v.voucherNo),
    keyPrefix,
    input.askRounds,
    input.answerWaitSeconds,
  );
  return failed.map((v): DiagnosedVoucher => {
    const causes = causesOf(v);
    const answer = answers.get(v.voucherNo) as BankAnswer;
    return { ...v, causes, answer, disposition: dispose(v, causes, answer) };
  });
}
