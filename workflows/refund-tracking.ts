/**
 * 退款跟踪 — refund tracking (catalog item 7, contract 2.3.3), in both directions: refunds
 * finance asked for whose notice (退款通知) never came, and refunds the bank started whose notice
 * finance could not match to a voucher. Past their expected time, the bank is asked about each
 * refund; from its answer the finance side is brought in line under approval (SQL in the plan):
 * the refund confirmed or matched and the voucher marked refunded, a refusal recorded, a request
 * the bank never got sent again. Partial refunds and anything finance's records contradict are
 * reported for a person. Shares the lock on the bank's vouchers (lock/vouchers/<bank>). The round
 * loop is shared (shared/settle-requests.ts, shared/settle-check.ts); this file is what refunds add.
 */
import type { BankAnswer } from '../domain/bank-questions.ts';
import { formatFen } from '../domain/display.ts';
import { parseInput } from '../domain/errors.ts';
import {
  decideRefunds,
  overdueRefunds,
  sameRefund,
  vouchersNamed,
} from '../domain/runbooks/refund-tracking.plan.ts';
import { refundTrackingReport } from '../domain/runbooks/refund-tracking.report.ts';
import {
  refundTrackingInputSchema,
  type OpenRefund,
  type RefundReportReason,
  type RefundTrackingInput,
  type RefundTrackingResult,
} from '../domain/runbooks/refund-tracking.types.ts';
import { openBankCheck, type BankCheckRun } from './shared/bank-check-run.ts';
import { holdingLock } from './shared/runbook-run.ts';
import { closeSettled } from './shared/settle-check.ts';
import { requestsResult, settleRequests, type RequestsCheck } from './shared/settle-requests.ts';

const runbook = 'refund-tracking';
type Input = ReturnType<typeof refundTrackingInputSchema.parse>;

export async function refundTracking(rawInput: RefundTrackingInput): Promise<RefundTrackingResult> {
  const input = parseInput(refundTrackingInputSchema, rawInput);
  const run = await openBankCheck(runbook, input, rawInput);
  const { bank, date } = run;
  const settled = await holdingLock(run, ['vouchers', bank.code], `退款跟踪失败：${bank.name}`, () =>
    settleRequests(run, refunds(run)),
  );
  const about = { bankName: bank.name, date, overdueHours: input.overdueHours };
  const closed = await closeSettled(run, settled, (r) =>
    refundTrackingReport(r, about, settled.end, settled.judged),
  );
  return { runbook, ...closed, ...requestsResult('refundNo', settled.judged) };
}

/**
 * The refunds: open ones found, overdue ones asked about and judged with the vouchers the bank's
 * answers name, looked at again with their vouchers, verified.
 */
function refunds(run: BankCheckRun<Input>): RequestsCheck<'refundNo', OpenRefund, RefundReportReason> {
  const { bank, date, look, input } = run;
  const findOpen = () => look.findOpenRefunds({ bank: bank.code, asOf: date });
  const readVouchers = async (voucherNos: string[]) =>
    new Map((await look.readVouchers({ bank: bank.code, voucherNos })).map((v) => [v.voucherNo, v]));

  return {
    key: 'refundNo',
    queryPurpose: 'refunds',
    findOpen,
    overdue: (open) =>
      overdueRefunds(open, new Date(Date.now() - input.overdueHours * 3_600_000).toISOString()),
    // The vouchers the bank's answers name are read before judging, even when none are named.
    async decide(ask, answer) {
      const answers = new Map<string, BankAnswer>(
        ask.flatMap((r) => {
          const a = answer(r.refundNo);
          return a ? [[r.refundNo, a] as const] : [];
        }),
      );
      return decideRefunds(ask, answers, await readVouchers(vouchersNamed(ask, answers)));
    },
    voucherOf: (act) => act.voucher,

    async stillAsPlanned(acts) {
      const again = await findOpen();
      const vouchersNow = await readVouchers(acts.flatMap((a) => (a.voucher ? [a.voucher.voucherNo] : [])));
      return acts.every(
        (a) =>
          sameRefund(
            a.item,
            again.find((r) => r.refundNo === a.item.refundNo),
          ) &&
          (!a.voucher || vouchersNow.get(a.voucher.voucherNo)?.status === a.voucher.status),
      );
    },

    verifying: {
      seconds: input.verifySeconds,
      voucherNoOf: (change) => change.voucher?.voucherNo,
      settledStatus: 'refunded',
      refuseKind: 'refuse-refund',
      resendKind: 'resend-refund',
      detail: (refundNo, v, openNow) =>
        `退款 ${refundNo}${v ? `（凭证 ${v.voucherNo} ${formatFen(v.amountFen)}，状态 ${v.status}）` : ''}：${openNow ? `仍未结（${openNow.status}）` : '已结清'}`,
    },

    words: {
      request: '退款申请',
      nothingWhy: (open) =>
        `${bank.name}没有超过 ${input.overdueHours} 小时未结的退款（在途 ${open.length} 笔）`,
      reportOnlyWhy: (overdue) => `${overdue} 笔超时退款均不能自动处理，原因见报告`,
      planTitle: (acts) => ({
        zh: `${bank.name}退款状态与银行对齐（${acts} 笔）`,
        en: `Bring ${acts} ${bank.code} refunds in line with the bank`,
      }),
      overdueFinding: (overdue) => ({
        zh: `${overdue} 笔退款超过 ${input.overdueHours} 小时未结；已逐笔向银行查询`,
        en: `${overdue} refunds open for over ${input.overdueHours} hours; the bank was asked about each`,
      }),
      stillMovingWhy: (rounds) => `退款记录在 ${rounds} 轮计划中持续变化，已停止`,
      escalated: `退款需人工核查：${bank.name}`,
    },
  };
}
