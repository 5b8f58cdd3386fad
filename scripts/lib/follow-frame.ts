/**
 * What `runbook status <id> --follow` shows of a running run at one look, from its `progress` and
 * `approvalState` queries: the notes that say where it stands — its step, the approval it waits
 * for with the inbox link, the wait to be claimed, each gate decided — each printed once as it
 * first appears, and what it counts (banks or vouchers done of total), drawn as a bar on a terminal
 * and as a plain line elsewhere.
 */
import type { ApprovalState } from '../../domain/approvals/gate-types.ts';
import { approvalLink } from '../../domain/approvals/inbox-link.ts';
import { formatInstant } from '../../domain/display.ts';
import type { RunbookProgress, Tally } from '../../workflows/shared/progress.ts';
import { approvalLines } from './run-summary.ts';

export interface FollowFrame {
  step?: string;
  notes: string[];
  /** What the run counts, vouchers before banks; none when it counts nothing. */
  tally?: Tally & { what: 'vouchers' | 'banks' };
}

export interface FollowContext {
  workflowId: string;
  inboxUrl: string;
  timeZone: string;
}

export function followFrame(
  progress: RunbookProgress | undefined,
  approval: ApprovalState | undefined,
  at: FollowContext,
): FollowFrame {
  const link = approvalLink(at.inboxUrl, at.workflowId);
  const pending = approval?.pending;
  const counted = progress && countOf(progress);
  return {
    ...(progress && { step: progress.step }),
    notes: [
      ...(progress ? [`Step: ${progress.step}`] : []),
      ...approvalLines(approval?.closed ?? []),
      ...(approval?.awaitingClaim
        ? [
            `Waiting to be claimed by an engineer / 等待运维工程师认领: npm run runbook -- claim ${at.workflowId}`,
            `  Claim in the inbox: ${link}`,
          ]
        : []),
      ...(pending
        ? [
            `Waiting for approval at step ${pending.step}: ${pending.votes.filter((v) => v.verdict === 'approve').length}/${pending.quorum} vote(s); roles ${pending.roles.join(', ')}${pending.escalated ? ' (escalated)' : ''}; expires ${formatInstant(pending.expireAt, at.timeZone)}`,
            `  Decide in the inbox / 审批链接: ${link}`,
          ]
        : []),
    ],
    ...(counted && { tally: counted }),
  };
}

/** What a run counts: its vouchers, else its banks; nothing when it counts neither. */
export function countOf(progress: RunbookProgress): FollowFrame['tally'] {
  if (progress.vouchers) return { what: 'vouchers', ...progress.vouchers };
  if (progress.banks) return { what: 'banks', ...progress.banks };
  return undefined;
}

const barCells = 24;

/** The bar a terminal redraws in place: `[█████░░░…]  42%  vouchers 5/12  resending  01:07`. */
export function barLine(frame: FollowFrame, elapsedMs: number): string {
  const clock = elapsed(elapsedMs);
  const step = frame.step ?? 'starting';
  const t = frame.tally;
  if (!t) return `${step}  ${clock}`;
  const share = t.total > 0 ? Math.min(1, t.done / t.total) : 0;
  const filled = Math.round(share * barCells);
  const bar = `[${'█'.repeat(filled)}${'░'.repeat(barCells - filled)}]`;
  return `${bar} ${String(Math.round(share * 100)).padStart(3)}%  ${tallyText(t)}  ${step}  ${clock}`;
}

/** What a log or a pipe gets instead of the bar, when the count changes: `vouchers 5/12 (42%)`. */
export function tallyLine(t: FollowFrame['tally']): string | undefined {
  if (!t) return undefined;
  const share = t.total > 0 ? Math.round((Math.min(t.done, t.total) / t.total) * 100) : 0;
  return `Progress: ${tallyText(t)} (${share}%)`;
}

const tallyText = (t: NonNullable<FollowFrame['tally']>) => `${t.what} ${t.done}/${t.total}`;

function elapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  const hours = Math.floor(s / 3600);
  return `${hours > 0 ? `${hours}:` : ''}${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
}
