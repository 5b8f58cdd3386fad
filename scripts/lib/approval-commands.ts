/**
 * The CLI's approval commands, over the inbox's JSON API (the CLI never signs anything itself:
 * the inbox authenticates the person and signs for them, `via: 'cli'`).
 *   approvals                                   what waits for my roles
 *   approve <workflow-id> [--reason <comment>]  shows the plan and its digest, then approves that plan
 *   reject  <workflow-id> --reason <why>        rejects, with the reason required
 * Common options: --user <id> (or JINCAI_USER), --inbox <url> (default the site's inbox.publicUrl);
 * the password comes from JINCAI_PASSWORD or a hidden prompt on a terminal.
 * Exit codes: 0 done, 1 failed (inbox unreachable, sign-in failed, unknown run), 2 bad usage,
 * 3 refused (the decision was not accepted; the reason is printed in Chinese and English).
 */
import {
  planVoucherTotals,
  type ApprovalState,
  type DecisionReceipt,
  type PendingApprovalView,
} from '../../domain/approvals/gate-types.ts';
import {
  formatFen,
  formatInstant,
  maskAccount,
  maskName,
  rowText,
  shortDigest,
} from '../../domain/display.ts';
import type { ApprovalSummary } from '../../inbox/approvals.ts';
import { argumentsOk } from './check-args.ts';
import {
  parseInboxCommandLine,
  parseOneRunCommandLine,
  postAccepted,
  signInOf,
  type OneRunCommandLine,
} from './inbox-command-line.ts';
import {
  FailedError,
  inboxCommand,
  RefusedError,
  signInToInbox,
  unexpected,
  UsageError,
  type CommandIo,
  type InboxCommandOptions,
  type InboxSession,
} from './inbox-session.ts';

export const approvalCommands = ['approvals', 'approve', 'reject'] as const;
export type ApprovalCommand = (typeof approvalCommands)[number];

export function isApprovalCommand(value: unknown): value is ApprovalCommand {
  return (approvalCommands as readonly unknown[]).includes(value);
}

export const approvalUsage = `Approvals (through the approval inbox's API):
  approvals                             what is waiting for your roles
  approve <workflow-id> [--reason <comment>]
                                        show the plan and its digest, then approve that plan
  reject <workflow-id> --reason <why>   reject (a reason is required)
    --user <id>      who you are (default JINCAI_USER)
    --inbox <url>    the inbox (default the site's inbox.publicUrl)
    password: JINCAI_PASSWORD, or asked for without echo on a terminal
    exit codes: 0 done, 1 failed, 2 bad usage, 3 refused`;

export const runApprovalCommand = inboxCommand(run);

async function run(
  command: ApprovalCommand,
  argv: string[],
  options: InboxCommandOptions,
  io: CommandIo,
): Promise<void> {
  if (command === 'approvals') {
    await listApprovals(argv, options, io);
    return;
  }
  const line = parseOneRunCommandLine(
    argv,
    {
      command,
      usage: approvalUsage,
      ...(command === 'reject' && {
        reasonRequired:
          'reject: --reason is required (at least 2 characters) / 拒绝时必须用 --reason 填写原因',
      }),
    },
    io,
  );
  if (!line) return;
  if (options.checkOnly) {
    io.out(argumentsOk(`${command} ${line.workflowId}`));
    return;
  }
  const inbox = await signInToInbox({ site: options.site, io, ...line.signIn });
  try {
    await decide(inbox, command, line, options.site.site.timezone, io);
  } finally {
    await inbox.close();
  }
}

async function listApprovals(
  argv: string[],
  { site, checkOnly }: InboxCommandOptions,
  io: CommandIo,
): Promise<void> {
  const { values, positionals } = parseInboxCommandLine(argv, {}, approvalUsage);
  if (values.help) {
    io.out(approvalUsage);
    return;
  }
  if (positionals.length > 0) throw new UsageError(`approvals: takes no arguments\n\n${approvalUsage}`);
  if (checkOnly) {
    io.out(argumentsOk('approvals'));
    return;
  }
  const inbox = await signInToInbox({ site, io, ...signInOf(values) });
  try {
    const list = await inbox.call('GET', '/api/approvals');
    if (list.status !== 200) throw unexpected('listing approvals', list);
    printList(io, list.json.approvals as ApprovalSummary[], site.site.timezone);
  } finally {
    await inbox.close();
  }
}

/** Shows the plan that waits and its digest, then approves or rejects that very plan. */
async function decide(
  inbox: InboxSession,
  command: 'approve' | 'reject',
  { workflowId: id, reason }: OneRunCommandLine,
  tz: string,
  io: CommandIo,
): Promise<void> {
  const path = `/api/approvals/${encodeURIComponent(id)}`;
  const notFound = `no approval-gated run ${id} that you may see / 找不到该运行`;
  const detail = await inbox.call('GET', path);
  if (detail.status === 404) throw new FailedError(notFound);
  if (detail.status !== 200) throw unexpected('reading the approval', detail);
  const pending = detail.json.pending as PendingApprovalView | null;
  if (!pending) {
    printClosed(io, id, detail.json.closed as ApprovalState['closed']);
    if (detail.json.awaitingClaim === true)
      throw new RefusedError(
        `该运行正在等待运维工程师认领，认领后才会请求审批。 / This run waits to be claimed by an engineer before it asks for approval (npm run runbook -- claim ${id}).`,
      );
    throw new RefusedError('该运行当前没有待审批事项。 / This run is not waiting for an approval.');
  }
  printPlan(io, pending, tz);

  const decided = await postAccepted(
    inbox,
    `${path}/decision`,
    { verdict: command, ...(reason && { reason }), gateId: pending.gateId, planDigest: pending.planDigest },
    { notFound, refused: '决定未被接受 / Decision not accepted', sending: 'sending the decision' },
  );
  const r = decided.receipt as DecisionReceipt;
  const state =
    r.gate === 'approved'
      ? '方案已批准，运行手册将继续执行。 / The plan is approved; the runbook continues.'
      : r.gate === 'rejected'
        ? '方案已被拒绝。 / The plan is rejected.'
        : `目前 ${r.votes}/${r.quorum} 票同意，等待其他审批人。 / ${r.votes} of ${r.quorum} approvals; waiting for others.`;
  io.out(`${command === 'approve' ? '已同意 / Approved' : '已拒绝 / Rejected'}: ${id} (${r.gateId})`);
  io.out(state);
}

function printList(io: CommandIo, items: ApprovalSummary[], tz: string): void {
  if (items.length === 0) {
    io.out('当前没有需要您审批的事项。 / Nothing is waiting for your approval.');
    return;
  }
  for (const a of items) {
    const note =
      a.blocker === 'own' ? '  [您发起的 / yours]' : a.blocker === 'voted' ? '  [已表态 / decided]' : '';
    io.out(
      `${a.workflowId}  ${a.runbook}  ${a.bank?.code ?? '-'}  ${a.approvals}/${a.quorum}  截止 ${formatInstant(a.expireAt, tz)}${a.escalated ? '  [已升级]' : ''}${note}`,
    );
    io.out(`    ${a.title.zh} / ${a.title.en}  (申请人 ${a.requestedBy})`);
  }
}

export function printPlan(io: CommandIo, p: PendingApprovalView, tz: string): void {
  const plan = p.plan;
  io.out(`${plan.title.zh} / ${plan.title.en}`);
  io.out(`  运行 run:        ${p.workflowId} (${p.runbook}, 步骤 ${p.step}, ${p.gateId})`);
  if (plan.bank) io.out(`  银行 bank:       ${plan.bank.name} (${plan.bank.code})`);
  if (plan.channel) io.out(`  通道 channel:    ${plan.channel}`);
  io.out(`  申请人 by:       ${p.requestedBy}`);
  io.out(`  票数 votes:      ${p.votes.filter((v) => v.verdict === 'approve').length}/${p.quorum}`);
  io.out(`  截止 expires:    ${formatInstant(p.expireAt, tz)}${p.escalated ? '  (已升级 escalated)' : ''}`);
  io.out(`  方案摘要 digest: ${shortDigest(p.planDigest)}  (${p.planDigest})`);
  if (plan.findings.length) {
    io.out('  检查发现 findings:');
    for (const f of plan.findings) io.out(`    - ${f.zh}`);
  }
  io.out('  将要执行 actions:');
  plan.actions.forEach((a, i) => {
    io.out(`    ${i + 1}. ${a.description.zh}  [${a.kind} @ ${a.target}]`);
    io.out(`       ${a.command}`);
  });
  if (plan.rows?.length) {
    io.out('  逐行修改 rows (修改前 before → 修改后 after):');
    for (const r of plan.rows) io.out(`    ${r.table} ${r.key}: ${rowText(r.before)} → ${rowText(r.after)}`);
  }
  const vouchers = plan.vouchers ?? [];
  if (vouchers.length) {
    io.out('  凭证 vouchers:');
    for (const v of vouchers) {
      io.out(
        `    ${v.voucherNo}  ${formatFen(v.amountFen)}  ${maskName(v.payeeName)}  ${maskAccount(v.payeeAccount)}`,
      );
    }
    const totals = planVoucherTotals(plan);
    io.out(`    合计 total: ${formatFen(totals.amountFen)} (${totals.count})`);
    if (totals.listed < totals.count) {
      io.out(
        `    仅列出 ${totals.listed} 笔，共 ${totals.count} 笔；完整清单摘要 full list digest ${totals.listDigest ?? ''} (only ${totals.listed} of ${totals.count} listed)`,
      );
    }
  }
}

function printClosed(io: CommandIo, workflowId: string, closed: ApprovalState['closed']): void {
  for (const c of closed) {
    io.out(
      `${workflowId} ${c.gateId}: ${c.outcome} (${c.votes.map((v) => `${v.user} ${v.verdict}`).join(', ') || '-'})`,
    );
  }
}
