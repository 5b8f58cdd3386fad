/**
 * How a bank-scoped runbook opens: find the input's bank in the estate (or refuse the input), and
 * announce the run — who asked for it (requester.ts), its search attributes, then `run-started`
 * in the audit trail. Two helpers,
 * not one, because some runbooks look something else up between the two (daily-report-check reads
 * the report day), and running workflows replay their commands in the order they were written.
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { createControlActivities, EstateDescription } from '../../activities/control.ts';
import { planDigest } from '../../domain/approvals/decision.ts';
import { dateInZone } from '../../domain/calendar/dates.ts';
import { invalidInput } from '../../domain/errors.ts';
import { futureDateProblems, unknownBankProblems } from '../../domain/runbooks/input-estate.ts';
import { identifyRequester, type RunRequester } from './requester.ts';
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
  /** The run's parsed input: its requester's word, and its digest in the audit entry. */
  input: { requestedBy: string };
  /** The run's argument exactly as received: what a start assertion digests. */
  started: unknown;
  /** The audit entry's subject; the bank codes when omitted. */
  subject?: string;
  /** The audit entry's idempotency key within the run. */
  key?: string;
}

/**
 * Establishes who asked for the run, tags it for search (Runbook, BankCode, RequestedBy), then
 * records `run-started` in the audit trail; the requester goes on to the approval gate.
 */
export async function announceRun(
  record: RunRecord,
  { runbook, bankCodes, input, started, subject = bankCodes.join(','), key = 'run-started' }: RunAnnouncement,
): Promise<RunRequester> {
  const requester = await identifyRequester(started, input.requestedBy);
  upsertSearchAttributes([
    { key: RunbookKey, value: runbook },
    { key: BankCodeKey, value: bankCodes },
    { key: RequestedByKey, value: requester.user },
  ]);
  await record.audit({
    kind: 'run-started',
    actor: requester.user,
    subject,
    payload: {
      requester: requester.user,
      inputDigest: planDigest(input),
      ...(!requester.legacy && { via: requester.via }),
      ...(requester.why !== undefined && { unverified: requester.why }),
    },
    key,
  });
  return requester;
}
