/**
 * What the inspection starts by itself when the site's policy says `start` for a finding's fix
 * runbook: one run per runbook and bank, with the runbook's own input and the workflow id the CLI
 * would give it — so a run already started by an engineer (or by the morning's inspection) is
 * found, not duplicated. Runbooks without a builder here stay report-only.
 */
import type { Finding } from './daily-inspection.types.ts';
import type { RunbookId } from './shared/catalog.ts';

/** The requester of runs the inspection starts; not a person, so any approver may decide. */
export const inspectionRequester = 'daily-inspection';

export interface FollowUp {
  runbook: RunbookId;
  bank: string;
  workflowType: string;
  workflowId: string;
  input: Record<string, unknown>;
}

type Builder = (bank: string, date: string, reason: string) => Omit<FollowUp, 'runbook' | 'bank'>;

const builders: Partial<Record<RunbookId, Builder>> = {
  'channel-recovery': (bank, date, reason) => ({
    workflowType: 'channelRecovery',
    workflowId: `channel-recovery/CZ.TO.${bank}/${date}`,
    input: { bank, requestedBy: inspectionRequester, reason },
  }),
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
      ...build(f.bank, date, `日常巡检：${f.summary}`),
    });
  }
  return [...chosen.values()];
}
