/**
 * One batch (≤ 500 vouchers) of failed voucher resend, diagnosed: a read-only child workflow of
 * `voucherResend`. It describes each voucher (treasury, the bank's field rules), asks the bank
 * about it, judges it, and returns a summary — counts, a sample for the plan, the digests the
 * approval binds to. The voucher list itself stays in this child's history, so a run over ten
 * thousand vouchers keeps its own small. It changes nothing and takes no orders: what it found
 * is acted on only by an execution child started after approval (voucher-resend-batch.ts).
 */
import { summarise } from '../domain/runbooks/voucher-resend.plan.ts';
import type { BatchSummary, DiagnoseBatchInput } from '../domain/runbooks/voucher-resend.types.ts';
import { answerProgress } from './shared/progress.ts';
import { batchActivities, diagnoseBatch } from './voucher-resend.steps.ts';

export async function voucherDiagnoseBatch(input: DiagnoseBatchInput): Promise<BatchSummary> {
  answerProgress(() => ({
    runbook: 'voucher-resend',
    step: 'diagnosing',
    detail: { batch: input.batch, round: input.round },
  }));
  const acts = await batchActivities(input);
  const diagnosed = await diagnoseBatch(acts, input, 'diagnosis');
  return summarise(input.batch, diagnosed, input.sampleSize);
}
