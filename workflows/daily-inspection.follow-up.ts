/**
 * What the inspection starts by itself when the site's policy says `start` for a finding's fix
 * runbook: one run per runbook and bank, with the runbook's own input and the workflow id the CLI
 * would give it — so a run already started by an engineer (or by the morning's inspection) is
 * found, not duplicated. Runbooks without a builder here stay report-only.
 */
import type { RunbookId } from '../domain/runbooks/catalog.ts';
import type { Finding } from '../domain/runbooks/daily-inspection.types.ts';

/** The requester of runs the inspection starts; not a person, so any approver may decide. */
export const inspectionRequester = 'daily-inspection';

export interface FollowUp {
  runbook: RunbookId;
  bank: string;
  workflowType: string;
  workflowId: string;
  input: Record<string, unknown>;
}

/** From the finding, the inspection's date and a reason in words, the run to start. */
type Builder = (
  bank: string,
  date: string,
  reason: string,
  finding: Finding,
) => Omit<FollowUp, 'runbook' | 'bank'>;

const builders: Partial<Record<RunbookId, Builder>> = {
  'channel-recovery': (bank, date, reason) => ({
    workflowType: 'channelRecovery',
    workflowId: `channel-recovery/CZ.TO.${bank}/${date}`,
    input: { bank, requestedBy: inspectionRequester, reason },
  }),
  'sequence-resync': (bank, date, reason) => ({
    workflowType: 'sequenceResync',
    workflowId: `sequence-resync/CZ.TO.${bank}/${date}`,
    input: { bank, requestedBy: inspectionRequester, scope: 'channel', reason },
  }),
  // Failed vouchers (dead letters, a send backlog): the resend asks the bank before anything is sent.
  'voucher-resend': (bank, date, reason) => ({
    workflowType: 'voucherResend',
    workflowId: `voucher-resend/${bank}/${date}`,
    input: { bank, requestedBy: inspectionRequester, reason },
  }),
  'receipt-registration-repair': (bank, date, reason) => ({
    workflowType: 'receiptRegistrationRepair',
    workflowId: `receipt-registration-repair/${bank}/${date}`,
    input: { bank, date, requestedBy: inspectionRequester, reason },
  }),
  'daily-report-check': (bank, _date, reason, finding) => {
    // A missing report is due for its own business day, which the finding carries.
    const reportDate = String(finding.evidence.date);
    return {
      workflowType: 'dailyReportCheck',
      workflowId: `daily-report-check/${bank}/${reportDate}`,
      input: { bank, date: reportDate, requestedBy: inspectionRequester, reason },
    };
  },
};

export function followUpsFor(
  findings: readonly Finding[],
  policy: Record<string, 'report' | 'start'>,
  date: string,
): FollowUp[] {
  const chosen = new Map<string, FollowUp>();
  for (const f of findings) {
    const build = builders[f.fixRunbook];
    const key = `${f.fixRunbook}/${f.bank}`;
    if (!build || policy[f.fixRunbook] !== 'start' || chosen.has(key)) continue;
    chosen.set(key, {
      runbook: f.fixRunbook,
      bank: f.bank,
      ...build(f.bank, date, `日常巡检：${f.summary}`, f),
    });
  }
  return [...chosen.values()];
}
