/**
 * The steps both kinds of voucher-resend batch share (diagnosis, voucher-resend-diagnose.ts, and
 * execution, voucher-resend-batch.ts): their activities, asking the bank about vouchers until it
 * answers (workflows/shared/ask-bank.ts), and the diagnosis itself — each failed voucher described
 * and judged on the bank's fresh answer. Workflow code: it runs inside the children.
 */
import { patched } from '@temporalio/workflow';
import type { createCalendarActivities } from '../activities/calendar.ts';
import type { createControlActivities } from '../activities/control.ts';
import type { createVoucherActivities } from '../activities/vouchers.ts';
import { causesOf, dispose } from '../domain/runbooks/voucher-resend.plan.ts';
import type { BankAnswer } from '../domain/bank-questions.ts';
import type { DiagnoseBatchInput, DiagnosedVoucher } from '../domain/runbooks/voucher-resend.types.ts';
import { askUntilAnswered } from './shared/ask-bank.ts';
import { longReadActivities, readActivities, writeActivities } from './shared/retry-profiles.ts';

type Vouchers = ReturnType<typeof createVoucherActivities>;
type Calendar = ReturnType<typeof createCalendarActivities>;
type Control = ReturnType<typeof createControlActivities>;

export type BatchActivities = Awaited<ReturnType<typeof batchActivities>>;

/**
 * The batch's activities, in the db zone the parent named (a child the parent started before it
 * named one asks the estate, as such runs did).
 */
export async function batchActivities(input: Pick<DiagnoseBatchInput, 'dbQueue'>) {
  const dbQueue = input.dbQueue ?? (await readActivities<Control>().describeEstate()).taskQueues.db;
  return {
    dbQueue,
    db: readActivities<Vouchers>({ taskQueue: dbQueue }),
    dbChange: writeActivities<Vouchers>({ taskQueue: dbQueue }),
    watch: longReadActivities<Vouchers>({ taskQueue: dbQueue }),
    calendar: readActivities<Calendar>(),
  };
}

/**
 * The longest wait between two looks at what the program has done: answers come within a second
 * or two, and the five seconds that runs recorded before this patch waited left a batch idle for
 * seconds after its answers were in.
 */
export const pollCapMs = () => (patched('resend-polls-capped-at-2s') ? 2_000 : 5_000);

/**
 * Asks the bank about each voucher until it answers (up to `askRounds` rounds of
 * `answerWaitSeconds`); `purpose` names the step's questions within the child. A voucher the bank
 * never answered about has no answer.
 */
export async function askAboutVouchers(
  acts: BatchActivities,
  input: Pick<DiagnoseBatchInput, 'bank' | 'askRounds' | 'answerWaitSeconds'>,
  voucherNos: readonly string[],
  purpose: string,
): Promise<Map<string, BankAnswer>> {
  return askUntilAnswered(
    { dbQueue: acts.dbQueue, bank: input.bank },
    purpose,
    voucherNos.map((voucherNo) => ({ subject: 'voucher', voucherNo })),
    { rounds: input.askRounds, waitSeconds: input.answerWaitSeconds },
  );
}

/** The batch's failed vouchers as the treasury describes them now, judged on the bank's fresh answers. */
export async function diagnoseBatch(
  acts: BatchActivities,
  input: DiagnoseBatchInput,
  purpose: string,
): Promise<DiagnosedVoucher[]> {
  const failed = await acts.db.inspectFailedVouchers({
    bank: input.bank,
    since: input.since,
    staleSentBefore: input.staleSentBefore,
    ...(input.range && { range: input.range }),
    ...(input.voucherNos && { voucherNos: input.voucherNos }),
  });
  const answers = await askAboutVouchers(
    acts,
    input,
    failed.map((v) => v.voucherNo),
    purpose,
  );
  return failed.map((v): DiagnosedVoucher => {
    const causes = causesOf(v);
    const answer = answers.get(v.voucherNo) ?? null;
    return { ...v, causes, answer, disposition: dispose(v, causes, answer) };
  });
}
