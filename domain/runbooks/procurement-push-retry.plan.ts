/**
 * The procurement push retry's judgement, as pure functions: from the failed confirmations and
 * what the cloud holds now to what to do — push again those whose cause is gone (the cloud
 * unreachable then and answering now, a contract since registered or enlarged), in pages, each one
 * keyed statement the push job then takes up; hold the others with their reason for a person (a
 * payment beyond its contract, a contract the cloud lacks, another confirmation under the same
 * number) — and the plan an approver reads.
 */
import type { ApprovalPlan, Bilingual, PlanAction } from '../approvals/gate-types.ts';
import { formatFen } from '../display.ts';
import type {
  CloudView,
  ConfirmationRow,
  FailedConfirmation,
  PushDecision,
  PushDiagnosis,
  ProcurementTarget,
} from './procurement-push-retry.types.ts';
import { pushFailureKind } from './procurement.ts';

/** Confirmations set to be pushed again by one statement: its text stays within what an audit record holds. */
export const retryPageSize = 40;

/** The statement that sets one page of failed confirmations to be pushed again; a row no longer failed is left be. */
export function retryStatement(confirmationNos: readonly string[]): string {
  const list = confirmationNos.map((n) => `'${n}'`).join(', ');
  return (
    `UPDATE procurement_confirmations SET status = 'pending', attempts = 0 ` +
    `WHERE status = 'failed' AND confirmation_no IN (${list})`
  );
}

/** The pages of a retry, in the order the confirmations came. */
export function retryPages(items: readonly { confirmationNo: string }[]): string[][] {
  const nos = items.map((i) => i.confirmationNo);
  const pages: string[][] = [];
  for (let i = 0; i < nos.length; i += retryPageSize) pages.push(nos.slice(i, i + retryPageSize));
  return pages;
}

/**
 * Each failed confirmation with the cloud's view and whether pushing it again can succeed. The
 * confirmations of one contract are judged in order against what the contract has left, so two
 * that each fit but not together are not both pushed.
 */
export function judgeConfirmations(
  rows: readonly ConfirmationRow[],
  views: Readonly<Record<string, CloudView>> | undefined,
): FailedConfirmation[] {
  const taken = new Map<string, number>();
  return rows.map((row) => {
    const failure = pushFailureKind(row.lastError);
    const cloud = views?.[row.confirmationNo];
    if (!cloud) return { ...row, failure, blocked: '政采云未应答，无法确认其状态' };
    const blocked = blockedBy(row, cloud, taken.get(row.contractNo) ?? 0);
    if (!blocked && !cloud.held) taken.set(row.contractNo, (taken.get(row.contractNo) ?? 0) + row.amountFen);
    return { ...row, failure, cloud, ...(blocked !== undefined && { blocked }) };
  });
}

function blockedBy(row: ConfirmationRow, cloud: CloudView, takenFen: number): string | undefined {
  if (cloud.held)
    return cloud.held.voucherNo === row.voucherNo && cloud.held.amountFen === row.amountFen
      ? undefined
      : `政采云已有同号确认书且内容不同（凭证 ${cloud.held.voucherNo}，${formatFen(cloud.held.amountFen)}）：须与政采云核对`;
  if (!cloud.contract) return `政采云无合同 ${row.contractNo}：须先在政采云登记合同`;
  const { amountFen, confirmedFen } = cloud.contract;
  if (confirmedFen + takenFen + row.amountFen > amountFen)
    return (
      `超出合同金额：合同 ${formatFen(amountFen)}，政采云已确认 ${formatFen(confirmedFen + takenFen)}，` +
      `本确认书 ${formatFen(row.amountFen)}；须补签合同或核对支付（政采合同与支付核对）`
    );
  return undefined;
}

/** What to do about the failed confirmations. */
export function decidePushRetry(d: PushDiagnosis): PushDecision {
  const retry = d.cloud.answering ? d.failed.filter((f) => f.blocked === undefined) : [];
  const held = d.failed.filter((f) => !retry.includes(f));
  const escalate = !d.cloud.answering
    ? d.failed.length > 0
      ? [`政采云仍未应答（${d.cloud.detail}）：${d.failed.length} 份确认书待其恢复后再运行本 Runbook 重推`]
      : []
    : held.length > 0
      ? [`${held.length} 份确认书失败原因未消除，未重推：${held[0]?.blocked ?? ''}`]
      : [];
  const why = [
    d.cloud.answering ? '政采云应答正常' : `政采云未应答：${d.cloud.detail}`,
    `${d.failed.length} 份确认书推送失败${d.moreFailed > 0 ? `（另有 ${d.moreFailed} 份超出本次上限）` : ''}`,
    ...(retry.length > 0 ? [`${retry.length} 份失败原因已消除，可重推`] : []),
    ...(held.length > 0 && d.cloud.answering ? [`${held.length} 份失败原因未消除，暂不重推`] : []),
  ].join('\n');
  return { retry, held, escalate, why };
}

/** The actions of a decision: each page of the retry. */
export function pushRetryActions(d: PushDecision): PlanAction[] {
  return retryPages(d.retry).map((page) => ({
    kind: 'sql' as const,
    target: 'treasury',
    command: retryStatement(page),
    description: {
      zh: `重推 ${page.length} 份确认书（置为待推送，由支付系统推送任务发送）；已不处于失败状态的不再处理，政采云按确认书编号去重`,
      en: `Push ${page.length} confirmation(s) again through the push job; the cloud takes each number once`,
    },
  }));
}

export function pushRetryPlan(target: ProcurementTarget, d: PushDecision, reason?: string): ApprovalPlan {
  const say = (zh: string, en: string): Bilingual => ({ zh, en });
  return {
    runbook: 'procurement-push-retry',
    title: say(
      `重推政采云确认书：${target.name}`,
      `Push procurement confirmations again: ${target.subsystem}`,
    ),
    findings: [
      say(d.why, `${d.retry.length} confirmation(s) to push again; ${d.held.length} held`),
      ...d.retry
        .slice(0, 20)
        .map((c) =>
          say(
            `重推 ${c.confirmationNo}（合同 ${c.contractNo}，凭证 ${c.voucherNo}，${formatFen(c.amountFen)}）：${c.lastError ?? ''}`,
            `retry: ${c.confirmationNo}`,
          ),
        ),
      ...d.held
        .slice(0, 20)
        .map((c) => say(`暂不重推 ${c.confirmationNo}：${c.blocked ?? ''}`, `held: ${c.confirmationNo}`)),
      ...(reason ? [say(`发起原因：${reason}`, `Reason given: ${reason}`)] : []),
    ],
    actions: pushRetryActions(d),
  };
}
