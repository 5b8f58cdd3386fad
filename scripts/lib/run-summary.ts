/**
 * What the CLI prints of a finished run (`runbook status`, `start --wait`): its outcome and why,
 * what it found or did, the approvals it was given and where its report is — for every runbook,
 * each from its own result type. Lists are cut at `maxItems` lines with a count of the rest.
 */
import type { GateOutcome } from '../../domain/approvals/gate-types.ts';
import type { MutationResult } from '../../domain/bank-checks/types.ts';
import { formatFen } from '../../domain/display.ts';
import type { AddAgentBankResult } from '../../domain/runbooks/add-agent-bank.types.ts';
import type { ChannelRecoveryResult } from '../../domain/runbooks/channel-recovery.types.ts';
import type { DailyInspectionResult } from '../../domain/runbooks/daily-inspection.types.ts';
import type { DailyReportCheckResult } from '../../domain/runbooks/daily-report-check.types.ts';
import type { ReceiptRepairResult } from '../../domain/runbooks/receipt-registration-repair.types.ts';
import type { RefundTrackingResult } from '../../domain/runbooks/refund-tracking.types.ts';
import type { SequenceResyncResult } from '../../domain/runbooks/sequence-resync.types.ts';
import type { VoidStatusCheckResult } from '../../domain/runbooks/void-status-check.types.ts';
import type { VoucherResendResult } from '../../domain/runbooks/voucher-resend.types.ts';

export type RunbookResult =
  | DailyInspectionResult
  | ChannelRecoveryResult
  | SequenceResyncResult
  | VoucherResendResult
  | DailyReportCheckResult
  | ReceiptRepairResult
  | VoidStatusCheckResult
  | RefundTrackingResult
  | AddAgentBankResult;

const maxItems = 50;

const runbooks = new Set<string>([
  'daily-inspection',
  'channel-recovery',
  'sequence-resync',
  'voucher-resend',
  'daily-report-check',
  'receipt-registration-repair',
  'void-status-check',
  'refund-tracking',
  'add-agent-bank',
] satisfies RunbookResult['runbook'][]);

function isRunbookResult(value: unknown): value is RunbookResult {
  const runbook = (value as { runbook?: unknown } | null)?.runbook;
  return typeof runbook === 'string' && runbooks.has(runbook);
}

/** The lines for a finished run's result; a result of no known runbook is shown as JSON. */
export function resultLines(result: unknown): string[] {
  if (!isRunbookResult(result)) return [JSON.stringify(result, null, 2)];
  const why = 'why' in result ? [result.why].flat() : [];
  return [
    `Outcome: ${result.runbook === 'daily-inspection' ? result.light : result.outcome}`,
    ...why.map((line) => `  ${line}`),
    ...detailLines(result),
    ...approvalLines(
      'approvals' in result ? result.approvals : 'approval' in result ? [result.approval] : [],
    ),
    ...(result.report ? [`Report: ${result.report.markdown}`, `        ${result.report.html}`] : []),
  ];
}

function detailLines(r: RunbookResult): string[] {
  switch (r.runbook) {
    case 'daily-inspection':
      return [
        `Findings: ${r.findings.length}`,
        ...items(r.findings, (f) => `[${f.bank}] ${f.summary} → ${f.fixRunbook}`),
        ...(r.followUps.length > 0 ? [`Started: ${r.followUps.length}`] : []),
        ...items(r.followUps, (f) => `${f.runbook} ${f.workflowId} (${f.status})`),
      ];
    case 'channel-recovery':
      return [
        ...actionLines(r.actions),
        ...(r.verification
          ? [`Verified: ${r.verification.status}, transmission queue depth ${r.verification.xmitqDepth}`]
          : []),
      ];
    case 'sequence-resync':
      return [
        ...actionLines(r.actions),
        ...(r.verification
          ? [`Verified: ${r.verification.ok ? 'yes' : 'no'} — ${r.verification.detail}`]
          : []),
      ];
    case 'add-agent-bank':
      return [...actionLines(r.actions), ...(r.registered ? [`Site entry: ${r.registered.file}`] : [])];
    case 'voucher-resend':
      return [
        `Vouchers: ${r.found} (${formatFen(r.foundFen)}); ${countsText(r.counts)}`,
        ...items(
          r.vouchers.filter((v) => v.outcome !== 'accepted' && v.outcome !== 'aligned'),
          (v) => `${v.voucherNo} ${formatFen(v.amountFen)} ${v.outcome}${v.detail ? ` — ${v.detail}` : ''}`,
        ),
      ];
    case 'daily-report-check':
      return [
        `Reports: ${r.after.map((p) => `${p.kind} ${p.present ? 'present' : 'missing'}`).join(', ')}`,
        ...items(
          r.requested,
          (q) => `asked again: ${q.kind}${q.answer ? ` (bank answered ${q.answer.answeredAt})` : ''}`,
        ),
      ];
    case 'receipt-registration-repair':
      return [
        `Receipts: ${r.found} unregistered, ${r.registered.length} registered, ${r.unmatched.length} left for a person`,
        ...items(r.unmatched, (u) => `${u.receiptNo} → ${u.voucherNo}: ${u.reason} — ${u.detail}`),
        ...changeLines(r.results),
      ];
    case 'void-status-check':
      return [
        `Voids: ${r.open} open, ${r.overdue} overdue`,
        ...items(r.decisions, (d) => `${d.voucherNo}: ${decisionText(d)}`),
        ...changeLines(r.results),
      ];
    case 'refund-tracking':
      return [
        `Refunds: ${r.open} open, ${r.overdue} overdue`,
        ...items(r.decisions, (d) => `${d.refundNo}: ${decisionText(d)}`),
        ...changeLines(r.results),
      ];
  }
}

function items<T>(list: T[], line: (item: T) => string): string[] {
  const shown = list.slice(0, maxItems).map((item) => `  ${line(item)}`);
  return list.length > maxItems ? [...shown, `  … and ${list.length - maxItems} more`] : shown;
}

function actionLines(actions: { command: string; detail: string; target?: string; alreadyDone?: boolean }[]) {
  return [
    `Actions: ${actions.length}`,
    ...items(
      actions,
      (a) =>
        `${a.command}${a.target ? ` @ ${a.target}` : ''} — ${a.detail}${a.alreadyDone ? ' (already done)' : ''}`,
    ),
  ];
}

function changeLines(results: MutationResult[]): string[] {
  if (results.length === 0) return [];
  const rows = results.reduce((sum, r) => sum + r.rows.reduce((a, b) => a + b, 0), 0);
  const repeats = results.filter((r) => r.alreadyDone).length;
  return [`Changes: ${results.length} applied, ${rows} row(s)${repeats ? `, ${repeats} already done` : ''}`];
}

function decisionText(d: { kind: 'act' | 'report'; action?: string; why: string }): string {
  return `${d.kind === 'act' ? (d.action ?? 'act') : 'left for a person'} — ${d.why}`;
}

function countsText(counts: Partial<Record<string, number>>): string {
  const parts = Object.entries(counts).map(([outcome, n]) => `${outcome} ${n ?? 0}`);
  return parts.length > 0 ? parts.join(', ') : 'none acted on';
}

export function approvalLines(gates: (GateOutcome | undefined)[]): string[] {
  return gates
    .filter((g): g is GateOutcome => g !== undefined)
    .map(
      (g) =>
        `Approval ${g.step}: ${g.outcome} (${g.votes.map((v) => `${v.user} ${v.verdict}`).join(', ') || 'no votes'}) at ${g.decidedAt}`,
    );
}
