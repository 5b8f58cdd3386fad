/**
 * Shared setup of the voucher-resend integration tests: a site whose banks are open all day on a
 * working day (open-all-day.ts), the runbook's approval policy, and the checks on the bank's own books.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { dateInZone } from '../../domain/calendar/dates.ts';
import type { VoucherResendInput } from '../../domain/runbooks/voucher-resend.types.ts';
import type { SandboxHandle } from '../../sandbox/server.ts';
import type { SiteConfig } from '../../temporal.config.ts';
import { decide, signedBy, waitForGate } from './approvals.ts';
import { openAllDay } from './open-all-day.ts';
import { patienceMs } from './patience.ts';

/** Site edits: every bank open all day, today a working day, comm-approvers decide. */
export const resendSite = (calendarFile: string) => openAllDay(calendarFile, 'voucher-resend');

export const quick = {
  answerWaitSeconds: 5,
  askRounds: 3,
  ackWaitSeconds: 30,
  verifySeconds: 15,
} satisfies Partial<VoucherResendInput>;

export function startResend(client: Client, site: SiteConfig, id: string, input: VoucherResendInput) {
  return client.workflow.start('voucherResend', {
    taskQueue: site.temporal.taskQueues.runbooks,
    workflowId: id,
    args: [input],
  });
}

/** Approves the next gate of `id` as wang (comm-approver); returns the plan it approved. */
export async function approveNext(client: Client, site: SiteConfig, id: string, timeoutMs = patienceMs) {
  const gate = await waitForGate(client, id, timeoutMs);
  await decide(client, id, signedBy(site, gate, 'wang'));
  return gate;
}

/** Waits until `check` holds, polling. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = patienceMs,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until the sandbox's failed vouchers have been rejected by the bank (through the programs). */
export async function failedVouchers(sandbox: SandboxHandle, bank: string, voucherNos: string[]) {
  await until(`the bank to refuse ${voucherNos.join(', ')}`, async () => {
    const rows = await sandbox.treasury
      .selectFrom('vouchers')
      .select('status')
      .where('bank_code', '=', bank)
      .where('voucher_no', 'in', voucherNos)
      .execute();
    return (
      rows.length === voucherNos.length &&
      rows.every((r) => r.status === 'rejected' || r.status === 'timed_out')
    );
  });
}

/** The cardinal check: the bank has paid every voucher exactly once. */
export function assertPaidOnce(sandbox: SandboxHandle, bank: string, voucherNos: string[]): void {
  const ledger = sandbox.banks.ledger(bank);
  const counts = voucherNos.map((no) => [no, ledger.payCount(no)] as const);
  assert.deepEqual(
    counts.filter(([, n]) => n !== 1),
    [],
    `every voucher paid exactly once at ${bank}: ${JSON.stringify(counts)}`,
  );
}

/** No voucher of the bank paid more than once, anywhere in its books. */
export function assertNoDoublePayment(sandbox: SandboxHandle, bank: string): void {
  const rows = sandbox.banks.books.db
    .prepare(
      'SELECT voucher_no, COUNT(*) AS n FROM bank_payments WHERE bank_code = ? GROUP BY voucher_no HAVING n > 1',
    )
    .all(bank);
  assert.deepEqual(rows, [], `no double payment at ${bank}`);
}

export async function treasuryStatus(
  sandbox: SandboxHandle,
  voucherNos: string[],
): Promise<Record<string, string>> {
  const rows = await sandbox.treasury
    .selectFrom('vouchers')
    .select(['voucher_no', 'status'])
    .where('voucher_no', 'in', voucherNos)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.voucher_no, r.status]));
}

/**
 * A voucher finance shows as `sent` for two hours, which the bank has in fact accepted and paid:
 * its ack and receipt were lost on the way back (the answer-lost fault). Sent through the real
 * send/receive program; returns its number once the bank has paid it.
 */
export async function paidButUnanswered(sandbox: SandboxHandle, bank: string): Promise<string> {
  const { treasury, faults } = sandbox;
  const acked = sandbox.banks.ledger(bank).versions();
  const payee = await treasury
    .selectFrom('payee_accounts')
    .select('id')
    .where('version', '<=', acked.payee_account)
    .where('account_no', 'not like', '%-%')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  const unit = await treasury
    .selectFrom('budget_units')
    .select('code')
    .where('version', '<=', acked.budget_unit)
    .executeTakeFirstOrThrow();
  const subject = await treasury
    .selectFrom('budget_subjects')
    .select('code')
    .where('version', '<=', acked.subject)
    .executeTakeFirstOrThrow();
  const now = new Date();
  const date = dateInZone(now, 'Asia/Shanghai');
  const voucherNo = `ZZ${date.replaceAll('-', '')}${bank}L${randomUUID()
    .slice(0, 6)
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '0')}`;
  await faults.inject({ fault: 'answer-lost', bank, answer: 'voucher_ack', count: 1 });
  await faults.inject({ fault: 'answer-lost', bank, answer: 'receipt', count: 1 });
  await treasury
    .insertInto('vouchers')
    .values({
      voucher_no: voucherNo,
      fiscal_year: Number(date.slice(0, 4)),
      bank_code: bank,
      pay_type: 'direct',
      amount_fen: 4_321_00,
      payee_account_id: payee.id,
      budget_unit_code: unit.code,
      subject_code: subject.code,
      status: 'pending_send',
      business_date: date,
      submitted_at: now.toISOString(),
      sent_at: null,
      accepted_at: null,
      paid_at: null,
      serial_no: null,
      failure_code: null,
      failure_reason: null,
      updated_at: now.toISOString(),
    })
    .execute();
  await until(`${bank} to pay ${voucherNo}`, () => sandbox.banks.ledger(bank).payCount(voucherNo) === 1);
  await faults.clear({ fault: 'answer-lost', bank });
  const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
  await treasury
    .updateTable('vouchers')
    .set({ sent_at: twoHoursAgo, updated_at: twoHoursAgo })
    .where('voucher_no', '=', voucherNo)
    .where('status', '=', 'sent')
    .execute();
  const row = await treasury
    .selectFrom('vouchers')
    .select('status')
    .where('voucher_no', '=', voucherNo)
    .executeTakeFirstOrThrow();
  assert.equal(row.status, 'sent', 'finance never heard back');
  return voucherNo;
}
