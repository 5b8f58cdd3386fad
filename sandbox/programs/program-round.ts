/**
 * One round of the finance side's send/receive program (收发程序) for one bank: refuse what the
 * fiscal-year gate refuses, send the pending vouchers, the questions to the bank, the year-end
 * notices and the base-data pushes, then apply what the bank sent back — each kind as one batch,
 * recorded in one transaction and moved in one unit of work; how many items it moved.
 * The program process runs it again at once after a round that moved something, ~300 ms after an
 * idle one (send-receive.ts); a benchmark of hundreds of banks runs it for each bank in one
 * process instead of hundreds of processes that would measure the machine, not the engine.
 */
import { sendBankRequests } from './bank-requests.ts';
import { sendBaseDataPushes } from './base-data-push.ts';
import { refuseClosedYearVouchers } from './fiscal-year-gate.ts';
import { receiveAll } from './inbound.ts';
import type { ProgramContext } from './outbound.ts';
import { sendPending } from './outbound.ts';
import { sendQuotaYearNotices } from './quota-year-notices.ts';

export async function programRound(ctx: ProgramContext): Promise<number> {
  return (
    (await refuseClosedYearVouchers(ctx)) +
    (await sendPending(ctx)) +
    (await sendBankRequests(ctx)) +
    (await sendQuotaYearNotices(ctx)) +
    (await sendBaseDataPushes(ctx)) +
    (await receiveAll(ctx))
  );
}
