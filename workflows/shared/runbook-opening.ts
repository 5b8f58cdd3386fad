/**
 * How a bank-scoped runbook opens: find the input's bank in the estate (or refuse the input), and
 * announce the run — its search attributes, then `run-started` in the audit trail. Two helpers,
 * not one, because some runbooks look something else up between the two (daily-report-check reads
 * the report day), and running workflows replay their commands in the order they were written.
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { createControlActivities, EstateDescription } from '../../activities/control.ts';
import { planDigest } from '../../domain/approvals/decision.ts';
import { dateInZone } from '../../domain/calendar/dates.ts';
import { invalidInput } from '../../domain/errors.ts';
import { futureDateProblems, unknownBankProblems } from '../../domain/runbooks/input-estate.ts';
import type { RunRecord } from './run-record.ts';
import { BankCodeKey, RequestedByKey, RunbookKey } from './search-attributes.ts';

type Control = ReturnType<typeof createControlActivities>;
export type EstateBank = EstateDescription['banks'][number];

/**
 * Describes the estate (one activity on the caller's proxy) and finds `code` in it; an unknown
 * code, or one of the input's business `dates` after today in the site's time zone, is bad input.
 */
export async function estateBank(
  control: Pick<Control, 'describeEstate'>,
  code: string,
  dates: Record<string, string | undefined> = {},
): Promise<{ estate: EstateDescription; bank: EstateBank }> {
  const estate = await control.describeEstate();
  const bank = estate.banks.find((b) => b.code === code);
  const problems = [
    ...unknownBankProblems(
      'input.bank',
      code,
      estate.banks.map((b) => b.code),
    ),
    ...futureDateProblems(dates, dateInZone(new Date(), estate.timezone)),
  ];
  if (!bank || problems.length > 0) throw invalidInput(problems);
  return { estate, bank };
}

export interface RunAnnouncement {
  runbook: string;
  bankCodes: string[];
  /** The run's parsed input: its requester, and its digest in the audit entry. */
  input: { requestedBy: string };
  /** The audit entry's subject; the bank codes when omitted. */
  subject?: string;
  /** The audit entry's idempotency key within the run. */
  key?: string;
}

/** Tags the run for search (Runbook, BankCode, RequestedBy), then records `run-started` in the audit trail. */
export async function announceRun(
  record: RunRecord,
  { runbook, bankCodes, input, subject = bankCodes.join(','), key = 'run-started' }: RunAnnouncement,
): Promise<void> {
  upsertSearchAttributes([
    { key: RunbookKey, value: runbook },
    { key: BankCodeKey, value: bankCodes },
    { key: RequestedByKey, value: input.requestedBy },
  ]);
  await record.audit({
    kind: 'run-started',
    actor: input.requestedBy,
    subject,
    payload: { requester: input.requestedBy, inputDigest: planDigest(input) },
    key,
  });
}
