/**
 * What the inspection starts by itself when the site's policy says `start` for a finding's fix
 * runbook: one run per runbook and bank, with the input the runbook's catalog entry builds for the
 * finding, under the workflow id its entry gives — the rule the CLI and the inbox use — so a run
 * already started by an engineer (or by the morning's inspection) is found, not duplicated.
 * Runbooks whose entry fixes no such finding (or that are not built yet) stay report-only.
 */
import type { RunbookId } from '../domain/runbooks/catalog.ts';
import type { Finding } from '../domain/runbooks/daily-inspection.types.ts';
import { runbookEntry } from './catalog.ts';
import type { RunDay } from './shared/runbook-definition.ts';

/** The requester of runs the inspection starts; not a person, so any approver may decide. */
export const inspectionRequester = 'daily-inspection';

export interface FollowUp {
  runbook: RunbookId;
  bank: string;
  workflowType: string;
  workflowId: string;
  input: unknown;
}

/**
 * The day of the runs the inspection starts: its own. Each names the business day it is about, so
 * none needs the calendar here; a plain Error (a workflow task retry) if an entry ever did, since
 * only a corrected deployment can carry the inspection on.
 */
const inspectionDay = (date: string): RunDay => ({
  today: date,
  workingDayBefore: (day) => {
    throw new Error(
      `a run the inspection starts must name its business day (asked for the day before ${day})`,
    );
  },
});

export function followUpsFor(
  findings: readonly Finding[],
  policy: Record<string, 'report' | 'start'>,
  date: string,
): FollowUp[] {
  const chosen = new Map<string, FollowUp>();
  for (const f of findings) {
    const entry = runbookEntry(f.fixRunbook);
    const key = `${f.fixRunbook}/${f.bank}`;
    if (!entry?.fixes?.findings.includes(f.code) || policy[entry.id] !== 'start' || chosen.has(key)) continue;
    const input = entry.fixes.input(f, {
      date,
      requestedBy: inspectionRequester,
      reason: `日常巡检：${f.summary}`,
    });
    const parsed = entry.input.safeParse(input);
    // An entry building an input its own schema refuses is a defect to deploy a fix for (task retry).
    if (!parsed.success) throw new Error(`${entry.id}: the follow-up input for ${f.code} fails its schema`);
    chosen.set(key, {
      runbook: entry.id,
      bank: f.bank,
      workflowType: entry.workflowType,
      workflowId: entry.workflowId(parsed.data, inspectionDay(date)),
      input,
    });
  }
  return [...chosen.values()];
}
