/**
 * `runbook claim <workflow-id> [--reason <why>]`: claims a run nobody signed for at its start (from
 * the Temporal Web UI, a schedule, the inspection's follow-ups), through the inbox's API like the
 * approval commands — the person signs in, the inbox checks they may start runbooks and signs the
 * claim for the run's current run id. The claimant becomes the run's requester, so they cannot
 * approve it. Exit codes: 0 claimed, 1 failed (inbox unreachable, sign-in failed, no such run),
 * 2 bad usage, 3 refused (not waiting for a claim, already claimed, not allowed; the reason in
 * Chinese and English).
 */
import type { Requester } from '../../domain/approvals/gate-types.ts';
import { argumentsOk } from './check-args.ts';
import { parseOneRunCommandLine, postAccepted } from './inbox-command-line.ts';
import { inboxCommand, signInToInbox, type CommandIo, type InboxCommandOptions } from './inbox-session.ts';

export const claimUsage = `Claiming a run started without a signed requester (through the approval inbox's API, as you):
  claim <workflow-id> [--reason <why>]  become the run's requester, so that it asks for approval
                                        (you then cannot approve it yourself)
    --user <id>, --inbox <url>, password: as for approvals`;

export const runClaimCommand = inboxCommand(claim);

async function claim(
  command: 'claim',
  argv: string[],
  { site, checkOnly }: InboxCommandOptions,
  io: CommandIo,
): Promise<void> {
  const line = parseOneRunCommandLine(argv, { command, usage: claimUsage }, io);
  if (!line) return;
  const { workflowId, reason } = line;
  if (checkOnly) {
    io.out(argumentsOk(`claim ${workflowId}${reason ? ' with a reason' : ''}`));
    return;
  }

  const inbox = await signInToInbox({ site, io, ...line.signIn });
  try {
    const claimed = await postAccepted(
      inbox,
      `/api/approvals/${encodeURIComponent(workflowId)}/claim`,
      { ...(reason && { reason }) },
      {
        notFound: `no approval-gated run ${workflowId} / 找不到该运行`,
        refused: '认领未被接受 / Claim not accepted',
        sending: 'sending the claim',
      },
    );
    const requester = claimed.requester as Requester;
    io.out(`已认领 / Claimed: ${workflowId}`);
    io.out(
      `您（${requester.user}）现在是该运行的申请人，它将请求审批；您不能审批它。 / You (${requester.user}) are now its requester; it asks for approval, and you cannot approve it.`,
    );
  } finally {
    await inbox.close();
  }
}
