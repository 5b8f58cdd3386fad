/**
 * `runbook claim <workflow-id> [--reason <why>]`: claims a run nobody signed for at its start (from
 * the Temporal Web UI, a schedule, the inspection's follow-ups), through the inbox's API like the
 * approval commands — the person signs in, the inbox checks they may start runbooks and signs the
 * claim for the run's current run id. The claimant becomes the run's requester, so they cannot
 * approve it. Exit codes: 0 claimed, 1 failed (inbox unreachable, sign-in failed, no such run),
 * 2 bad usage, 3 refused (not waiting for a claim, already claimed, not allowed; the reason in
 * Chinese and English).
 */
import { parseArgs } from 'node:util';
import type { Requester } from '../../domain/approvals/gate-types.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { argumentsOk } from './check-args.ts';
import {
  commandIo,
  exitCodeOf,
  FailedError,
  RefusedError,
  signInToInbox,
  unexpected,
  UsageError,
  type CommandIo,
} from './inbox-session.ts';

export const claimUsage = `Claiming a run started without a signed requester (through the approval inbox's API, as you):
  claim <workflow-id> [--reason <why>]  become the run's requester, so that it asks for approval
                                        (you then cannot approve it yourself)
    --user <id>, --inbox <url>, password: as for approvals`;

export async function runClaimCommand(
  argv: string[],
  options: { site: SiteConfig; io?: Partial<CommandIo>; checkOnly?: boolean },
): Promise<number> {
  const io = commandIo(options.io);
  return exitCodeOf(io, () => claim(argv, options, io));
}

async function claim(
  argv: string[],
  { site, checkOnly }: { site: SiteConfig; checkOnly?: boolean },
  io: CommandIo,
): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        reason: { type: 'string' },
        user: { type: 'string' },
        inbox: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${claimUsage}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(claimUsage);
    return;
  }
  const [workflowId, ...extra] = positionals;
  if (!workflowId || extra.length > 0)
    throw new UsageError(`claim: give exactly one workflow id\n\n${claimUsage}`);
  const reason = values.reason?.trim();
  if (reason && reason.length > 1000) throw new UsageError('--reason: expected at most 1000 characters');
  if (checkOnly) {
    io.out(argumentsOk(`claim ${workflowId}${reason ? ' with a reason' : ''}`));
    return;
  }

  const inbox = await signInToInbox({
    site,
    io,
    ...(values.user && { user: values.user }),
    ...(values.inbox && { inbox: values.inbox }),
  });
  try {
    const answer = await inbox.call('POST', `/api/approvals/${encodeURIComponent(workflowId)}/claim`, {
      ...(reason && { reason }),
    });
    if (answer.status === 200) {
      const requester = answer.json.requester as Requester;
      io.out(`已认领 / Claimed: ${workflowId}`);
      io.out(
        `您（${requester.user}）现在是该运行的申请人，它将请求审批；您不能审批它。 / You (${requester.user}) are now its requester; it asks for approval, and you cannot approve it.`,
      );
      return;
    }
    if (answer.json.reason === 'not-found')
      throw new FailedError(`no approval-gated run ${workflowId} / 找不到该运行`);
    if (answer.json.error === 'refused') {
      const m = answer.json.message as { zh: string; en: string };
      throw new RefusedError(
        `认领未被接受 / Claim not accepted (${String(answer.json.reason)}):\n  ${m.zh}\n  ${m.en}\n  (${String(answer.json.detail)})`,
      );
    }
    if (answer.status === 400) throw new UsageError(String(answer.json.message));
    throw unexpected('sending the claim', answer);
  } finally {
    await inbox.close();
  }
}
